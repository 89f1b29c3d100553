//! The database handle: one engine chosen at start from the URL scheme, the same schema on both.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// A pool on either engine. Queries are written once in SQL both engines accept
/// (`$1` placeholders, `ON CONFLICT`, `RETURNING`) and run through [`on_db!`].
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("unsupported database URL scheme '{0}' (expected sqlite://… or postgres://…)")]
    Scheme(String),
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot create the database folder {0}: {1}")]
    Folder(String, #[source] std::io::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever engine is in use.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite($pool) => $body,
            $crate::server::db::Db::Postgres($pool) => $body,
        }
    };
}

/// A write transaction on whichever engine is in use. Services take `&mut Tx` so that one
/// plain function does a change, its audit entry and its idempotency record together.
pub enum Tx {
    /// The transaction, then this process's turn to write (released after it).
    Sqlite(
        sqlx::Transaction<'static, sqlx::Sqlite>,
        tokio::sync::MutexGuard<'static, ()>,
    ),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// SQLite takes one writer at a time. A writer that finds the database locked sleeps in
/// SQLite's busy handler, in steps of 1, 2, 5 … 100 ms, and may wake long after the lock
/// is free: with 16 clients tapping at once, one tap in a hundred waited 248 ms for a
/// write that takes one. This process's writers queue here instead, first come first
/// served, each woken the moment the one before commits; the busy timeout is left to
/// arbitrate between processes (the command line beside a running server). One queue for
/// the process, whatever the file: a server writes to one database.
static SQLITE_WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long a writer waits for its turn before the write is refused as busy (the same
/// answer as SQLite's busy timeout: 503, try again).
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// Runs `$body` with `$conn` bound to the transaction's connection on whichever engine is
/// in use (`&mut SqliteConnection` or `&mut PgConnection`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::server::db::Tx::Sqlite(t, _) => {
                let $conn = &mut **t;
                $body
            }
            $crate::server::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t, _turn) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

impl Db {
    /// Begins a write transaction. SQLite gets `BEGIN IMMEDIATE`, after this process's
    /// earlier writers ([`SQLITE_WRITER`]), so two writers queue instead of failing when a
    /// read lock is upgraded. Dropping the transaction without [`Tx::commit`] rolls it back.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => {
                let turn = tokio::time::timeout(WRITER_WAIT, SQLITE_WRITER.lock())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?;
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, turn)
            }
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Opens (creating the SQLite file and its folder when missing) and migrates.
    ///
    /// Neither pool has an idle timeout or a maximum lifetime: in sqlx 0.8.6 either one starts
    /// the pool's reaper task, and a race in the pool's idle count (sqlx issue 3645, fixed by
    /// its pull request 4289, in no release yet) can make that task spin forever without
    /// yielding, which wedged a test run here. Broken connections are still found: every
    /// connection is pinged before it is handed out (sqlx's default), and SQLite's also when
    /// it comes back (below).
    pub async fn open(url: &str) -> Result<Db, DbOpenError> {
        let db = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(DbOpenError::Connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Reads straight from the file's pages in memory instead of copying each
                // page through a read call (`perf` on a large organisation's team view: a
                // tenth of its time in the kernel copying pages SQLite had read before).
                .pragma("mmap_size", "1073741824");
            if let Some(parent) = opts.get_filename().parent() {
                if !parent.as_os_str().is_empty() && !parent.exists() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| DbOpenError::Folder(parent.display().to_string(), e))?;
                }
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .idle_timeout(None)
                .max_lifetime(None)
                // Every statement on a pooled SQLite connection is a round trip to the
                // connection's worker thread, and so is each ping: sqlx pings a connection
                // when it comes back (always) and, by default, again before handing it out,
                // so a one-statement read cost three or four thread hand-offs (`perf` on
                // `/me` under load: 40 % of the time in the kernel switching threads). A
                // SQLite connection does not go stale while idle (no network, no server to
                // restart), and the ping on its return already found any broken one.
                .test_before_acquire(false)
                // SQLite rolls a transaction back by itself on some errors (disk full, I/O);
                // the driver's own rollback then fails and it still counts the transaction
                // as open, and every later `BEGIN` on that connection fails. Such a
                // connection is closed when it comes back (after a round trip, so that a
                // rollback queued on drop has run) and the pool opens a fresh one. A
                // connection that counts no transaction (every plain read) has nothing
                // queued to wait for.
                .after_release(|conn, _| {
                    Box::pin(async move {
                        use sqlx::Connection;
                        if !conn.is_in_transaction() {
                            return Ok(true);
                        }
                        conn.ping().await?;
                        Ok(!conn.is_in_transaction())
                    })
                })
                .connect_with(opts)
                .await
                .map_err(DbOpenError::Connect)?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .idle_timeout(None)
                .max_lifetime(None)
                // sqlx pings every connection before handing it out: one more round trip
                // to the server per read, and a page's reads run several at once. A
                // connection in steady use has just answered; only one that sat idle may
                // have been dropped by the server (a restart, a proxy's timeout), so only
                // such a one is pinged (a broken one is closed and another opened).
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for < Duration::from_secs(1) {
                            return Ok(true);
                        }
                        use sqlx::Connection;
                        conn.ping().await?;
                        Ok(true)
                    })
                })
                .connect(url)
                .await
                .map_err(DbOpenError::Connect)?;
            Db::Postgres(pool)
        } else {
            // Only the scheme: the rest of a URL may hold a password.
            return Err(DbOpenError::Scheme(
                url.split("://").next().unwrap_or_default().to_string(),
            ));
        };
        db.migrate().await?;
        if let Db::Sqlite(pool) = &db {
            // Fresh statistics for SQLite's planner (bounded: a sample, milliseconds even on
            // millions of rows), as SQLite advises for long-lived connections.
            sqlx::query("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;")
                .execute(pool)
                .await
                .map_err(DbOpenError::Connect)?;
        }
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), DbOpenError> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
        .map_err(DbOpenError::Migrate)
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Whether the database takes writes now, for `/healthz`: a PostgreSQL server in a
    /// read-only state (a standby, `default_transaction_read_only`) answers but does not.
    pub async fn writable(&self) -> Result<bool, sqlx::Error> {
        match self {
            Db::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| true),
            Db::Postgres(pool) => {
                let read_only: String =
                    sqlx::query_scalar("SELECT current_setting('transaction_read_only')")
                        .fetch_one(pool)
                        .await?;
                Ok(read_only != "on")
            }
        }
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))
    }
}
