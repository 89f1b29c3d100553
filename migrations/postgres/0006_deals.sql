-- The organisation's list of reasons a deal is lost, in the order the rep's deal form
-- offers them. Keep in step with migrations/sqlite/0006_deals.sql.
CREATE TABLE lost_reasons (
    id BIGSERIAL PRIMARY KEY,
    label TEXT NOT NULL UNIQUE,
    sort_order BIGINT NOT NULL DEFAULT 0
);
