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
/// The keys met so far in one file, kept as 128-bit digests so that a file of a million
/// rows needs tens of megabytes, not its text: how many rows had each content (so two
/// identical calls stay two calls) and the line where each key first appeared.
#[derive(Default)]
pub(super) struct FileKeys {
    contents: HashMap<u128, u32>,
    first_line: HashMap<u128, u64>,
    /// Writing a file already checked: the same content keys, no second duplicate check.
    checked: bool,
}

impl FileKeys {
    /// For the write of a file whose keys were checked: gives the same keys, keeps less.
    pub(super) fn checked() -> FileKeys {
        FileKeys {
            checked: true,
            ..FileKeys::default()
        }
    }
}

fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0u8]);
    }
    h.finalize().into()
}

fn short(d: &[u8; 32]) -> u128 {
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    u128::from_be_bytes(b)
}

/// The key of a row that names none: `csv` and a hash of the row's content (with a count
/// for identical rows of one file, so two identical calls stay two calls).
fn content_key(kind: Kind, content: &str, seen: &mut HashMap<u128, u32>) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str().as_bytes());
    h.update([0u8]);
    h.update(content.as_bytes());
    let d: [u8; 32] = h.finalize().into();
    let base = format!("row-{}", hex::encode(&d[..16]));
    let n = seen.entry(short(&d)).or_insert(0);
    *n += 1;
    if *n == 1 {
        base
    } else {
        format!("{base}-{n}")
    }
}

/// Gives keyless rows their content key and refuses two rows of the file with the same key
/// (`keys` carries what earlier chunks of the file held).
pub(super) fn assign_keys<'a>(
    kind: Kind,
    file: &mut FileKeys,
    rows: impl Iterator<Item = (u64, &'a str, &'a mut Option<String>, &'a mut Option<String>)>,
    errors: &mut Vec<FieldError>,
) {
    for (line, content, source, external_id) in rows {
        if source.is_none() && external_id.is_none() {
            *source = Some(CSV_SOURCE.to_string());
            *external_id = Some(content_key(kind, content, &mut file.contents));
        }
        if file.checked {
            continue;
        }
        if let (Some(s), Some(e)) = (source.as_ref(), external_id.as_ref()) {
            let key = short(&digest(&[s.as_bytes(), e.as_bytes()]));
            if let Some(&first) = file.first_line.get(&key) {
                let again = if s == CSV_SOURCE {
                    format!("the same row as line {first}")
                } else {
                    format!("the same source and external_id as line {first}")
                };
                errors
                    .push(FieldError::new("external_id", again).at(super::import::index_of(line)));
            } else {
                file.first_line.insert(key, line);
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

/// What each key names. Only the keys asked about are looked up (by the unique index on
/// source and external id), so a file checked a chunk at a time costs the same per chunk.
pub(super) async fn match_keys(db: &Db, keys: &[Keyed]) -> Result<Vec<Match>, AppError> {
    const LOOKUP: usize = 500;
    let mut known: HashMap<(&'static str, &str), HashSet<String>> = HashMap::new();
    let mut asked: HashMap<(&'static str, &str), Vec<&str>> = HashMap::new();
    for k in keys {
        asked
            .entry((k.identity.table(), k.source.as_str()))
            .or_default()
            .push(k.external_id.as_str());
    }
    for ((table, source), ids) in &asked {
        for batch in ids.chunks(LOOKUP) {
            let found: Vec<String> = on_db!(db, |pool| {
                let mut qb = sqlx::QueryBuilder::new(format!(
                    "SELECT external_id FROM {table} WHERE source = "
                ));
                qb.push_bind(*source).push(" AND external_id IN (");
                let mut list = qb.separated(", ");
                for id in batch {
                    list.push_bind(*id);
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(pool).await
            })?;
            known.entry((*table, *source)).or_default().extend(found);
        }
    }
    let mut found = Vec::with_capacity(keys.len());
    for k in keys {
        let m = if known
            .get(&(k.identity.table(), k.source.as_str()))
            .is_some_and(|ids| ids.contains(k.external_id.as_str()))
        {
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
