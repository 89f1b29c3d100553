-- Each rep's month of account totals (0011) in one row: the rows' `packed` entries joined
-- by ',' in the order of account and type. The team view reads a month of an organisation
-- as 1,000 of these instead of 35,000 account rows (a fiscal year: 12,000 instead of
-- 425,000). Derived from account_months by the same writes (src/activities/store.rs,
-- `ACCOUNT_PACKS_SQL`), checked and repaired by `verify-rollups`. Keyed by month, then rep:
-- a month is one range.
CREATE TABLE account_month_packs (
    month DATE NOT NULL,
    rep_id BIGINT NOT NULL REFERENCES users(id),
    packed TEXT NOT NULL,
    PRIMARY KEY (month, rep_id)
);

INSERT INTO account_month_packs (month, rep_id, packed)
SELECT month, rep_id, string_agg(packed, ',' ORDER BY account, activity_type_id)
FROM account_months
GROUP BY month, rep_id;
