//! The upsert keys of imported rows: the content key of a row that names none, one key
//! per row, and the adoption of keys an export gave to records that had none, so an export
//! imported back changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::rows::Kind;
use crate::error::{AppError, FieldError};
use crate::on_db;
use crate::server::db::Db;

/// The source given to rows that name none.
pub const CSV_SOURCE: &str = "csv";
/// The source an export gives to records that had no key of their own.
pub const EXPORT_SOURCE: &str = "pacesetter";
/// The key of a row that names none: `csv` and a hash of the row's content (with a count
/// for identical rows of one file, so two identical calls stay two calls).
pub(super) fn content_key(kind: Kind, content: &str, seen: &mut HashMap<String, u32>) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str().as_bytes());
    h.update([0u8]);
    h.update(content.as_bytes());
    let digest = hex::encode(h.finalize());
    let base = format!("row-{}", &digest[..32]);
    let n = seen.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base
    } else {
        format!("{base}-{n}")
    }
}

/// Gives keyless rows their content key and refuses two rows with the same key.
pub(super) fn assign_keys<'a>(
    kind: Kind,
    keys: impl Iterator<Item = (u64, &'a str, &'a mut Option<String>, &'a mut Option<String>)>,
    errors: &mut Vec<FieldError>,
) {
    let mut hashes = HashMap::new();
    let mut first_line: HashMap<(String, String), u64> = HashMap::new();
    for (line, content, source, external_id) in keys {
        if source.is_none() && external_id.is_none() {
            *source = Some(CSV_SOURCE.to_string());
            *external_id = Some(content_key(kind, content, &mut hashes));
        }
        if let (Some(s), Some(e)) = (source.as_ref(), external_id.as_ref()) {
            if let Some(first) = first_line.insert((s.clone(), e.clone()), line) {
                let again = if s == CSV_SOURCE {
                    format!("the same row as line {first}")
                } else {
                    format!("the same source and external_id as line {first}")
                };
                errors
                    .push(FieldError::new("external_id", again).at(super::import::index_of(line)));
            }
        }
    }
}

/// A row's upsert key, with what identifies the record it names.
pub(super) struct Keyed {
    pub line: u64,
    pub source: String,
    pub external_id: String,
    pub identity: Identity,
}

/// What a record exported without a key must still have for an import to adopt it: the
/// same rep and moment (activity) or rep and name (deal). So a file exported from another
/// database never takes over an unrelated record that happens to have the same id.
pub(super) enum Identity {
    Activity {
        rep_id: i64,
        occurred_at: DateTime<Utc>,
    },
    Deal {
        rep_id: i64,
        name: String,
    },
}

impl Identity {
    fn table(&self) -> &'static str {
        match self {
            Identity::Activity { .. } => "activities",
            Identity::Deal { .. } => "deals",
        }
    }

    fn prefix(&self) -> &'static str {
        match self {
            Identity::Activity { .. } => "activity",
            Identity::Deal { .. } => "deal",
        }
    }

    pub(super) fn column(&self) -> &'static str {
        match self {
            Identity::Activity { .. } => "occurred_at",
            Identity::Deal { .. } => "name",
        }
    }
}

/// The id of the keyless record an exported key names, when it is still that record.
pub(super) async fn keyless_match(db: &Db, k: &Keyed) -> Result<Option<i64>, AppError> {
    if k.source != EXPORT_SOURCE {
        return Ok(None);
    }
    let Some(id) = exported_id(k.identity.prefix(), &k.external_id) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT id FROM {} WHERE id = $1 AND source IS NULL AND external_id IS NULL \
         AND rep_id = $2 AND {} = $3",
        k.identity.table(),
        k.identity.column()
    );
    let found: Option<i64> = match &k.identity {
        Identity::Activity {
            rep_id,
            occurred_at,
        } => on_db!(db, |pool| sqlx::query_scalar(&sql)
            .bind(id)
            .bind(*rep_id)
            .bind(*occurred_at)
            .fetch_optional(pool)
            .await)?,
        Identity::Deal { rep_id, name } => on_db!(db, |pool| sqlx::query_scalar(&sql)
            .bind(id)
            .bind(*rep_id)
            .bind(name.as_str())
            .fetch_optional(pool)
            .await)?,
    };
    Ok(found)
}

/// What a row's key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Match {
    New,
    Existing,
    /// A record exported without a key: adopt the key on this record id.
    Adopt(i64),
    /// An exported key that names no record of this database (or another one than the row
    /// describes): refused, as inserting it would take the key of a record made here later.
    Foreign,
}

pub(super) async fn match_keys(db: &Db, keys: &[Keyed]) -> Result<Vec<Match>, AppError> {
    let mut known: HashSet<(String, String)> = HashSet::new();
    let sources: HashSet<(&'static str, &str)> = keys
        .iter()
        .map(|k| (k.identity.table(), k.source.as_str()))
        .collect();
    for (table, source) in sources {
        let sql = format!("SELECT external_id FROM {table} WHERE source = $1");
        let ids: Vec<String> = on_db!(db, |pool| sqlx::query_scalar(&sql)
            .bind(source)
            .fetch_all(pool)
            .await)?;
        known.extend(ids.into_iter().map(|id| (source.to_string(), id)));
    }
    let mut found = Vec::with_capacity(keys.len());
    for k in keys {
        let m = if known.contains(&(k.source.clone(), k.external_id.clone())) {
            Match::Existing
        } else if k.source == EXPORT_SOURCE {
            match keyless_match(db, k).await? {
                Some(id) => Match::Adopt(id),
                None => Match::Foreign,
            }
        } else {
            Match::New
        };
        found.push(m);
    }
    Ok(found)
}

/// The record id in an exported key `<prefix>-<id>`.
pub(super) fn exported_id(prefix: &str, external_id: &str) -> Option<i64> {
    external_id
        .strip_prefix(prefix)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

/// Gives the keyless records named by exported keys that key, so the upsert finds them.
/// Only a label: the record's data is unchanged, so this is safe outside the write itself.
pub(super) async fn adopt_keys(db: &Db, keys: &[Keyed], matches: &[Match]) -> Result<(), AppError> {
    for (k, m) in keys.iter().zip(matches) {
        let Match::Adopt(id) = *m else {
            continue;
        };
        let table = k.identity.table();
        let sql = format!(
            "UPDATE {table} SET source = $1, external_id = $2 WHERE id = $3 \
             AND source IS NULL AND external_id IS NULL \
             AND NOT EXISTS (SELECT 1 FROM {table} k WHERE k.source = $1 AND k.external_id = $2)"
        );
        on_db!(db, |pool| sqlx::query(&sql)
            .bind(&k.source)
            .bind(&k.external_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))?;
    }
    Ok(())
}

/// The key of every write, with the row's line (writes and lines are in the same order).
pub(super) fn keyed<'a>(
    keys: impl Iterator<Item = (u64, &'a Option<String>, &'a Option<String>, Identity)>,
) -> Vec<Keyed> {
    keys.filter_map(|(line, s, e, identity)| {
        Some(Keyed {
            line,
            source: s.clone()?,
            external_id: e.clone()?,
            identity,
        })
    })
    .collect()
}
