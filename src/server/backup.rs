//! An online backup of the database while the app keeps running and writing: SQLite's
//! `VACUUM INTO` copies one consistent snapshot (what was committed when it began) into a
//! new, compacted file. PostgreSQL is backed up with its own tools (`pg_dump`; see the
//! README's "Backup and restore").

use std::path::Path;

use super::db::Db;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: a backup never overwrites a file (choose a new name)")]
    Exists(String),
    #[error("cannot create the folder {0}: {1}")]
    Folder(String, #[source] std::io::Error),
    #[error(
        "this is a PostgreSQL database: back it up with pg_dump (see the README, 'Backup and restore')"
    )]
    Postgres,
    #[error("the backup failed: {0}")]
    Database(#[from] sqlx::Error),
}

/// Writes a consistent copy of the SQLite database to `to` (a new file) and returns its
/// size in bytes.
pub async fn backup(db: &Db, to: &Path) -> Result<u64, BackupError> {
    let Db::Sqlite(pool) = db else {
        return Err(BackupError::Postgres);
    };
    if to.exists() {
        return Err(BackupError::Exists(to.display().to_string()));
    }
    if let Some(parent) = to.parent() {
        if !parent.as_os_str().is_empty() && !parent.exists() {
            std::fs::create_dir_all(parent)
                .map_err(|e| BackupError::Folder(parent.display().to_string(), e))?;
        }
    }
    sqlx::query("VACUUM INTO $1")
        .bind(to.display().to_string())
        .execute(pool)
        .await?;
    Ok(std::fs::metadata(to).map(|m| m.len()).unwrap_or(0))
}
