-- Which integration (API token) owns each upsert source: the first token to write a
-- record with a source claims it, and another token writing that source is refused, so
-- one integration cannot rewrite another's records. Admins (CSV import) may write any.
-- Keep in step with the other engine's 0004_source_owners.sql.
CREATE TABLE source_owners (
    source TEXT PRIMARY KEY,
    token_id INTEGER NOT NULL REFERENCES api_tokens(id),
    created_at TEXT NOT NULL
);
