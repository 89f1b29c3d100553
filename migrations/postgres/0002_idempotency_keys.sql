-- Integration API: one row per Idempotency-Key a token has used, claimed in the same
-- transaction as the write it guards, holding the response to replay on a retry.
-- Keep in step with migrations/sqlite/0002_idempotency_keys.sql.
CREATE TABLE idempotency_keys (
    id BIGSERIAL PRIMARY KEY,
    token_id BIGINT NOT NULL REFERENCES api_tokens(id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (token_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
