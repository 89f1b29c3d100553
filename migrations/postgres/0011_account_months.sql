-- Account coverage's month totals (src/activities/store.rs): per month, rep, account
-- (trimmed) and type, the units of the qualifying live activities logged on that account
-- and the day of the month of the last of them. The team view reads
-- a whole month of an organisation from here instead of every activity on an account (a
-- read that was most of its time at 1,000 reps); weights are applied when read, days
-- outside whole months are still read from the activities. Kept by the same writes as the
-- rollups; a recount rebuilds it. Each row keeps its entry packed (src/server/packed.rs):
-- `packed` must stay what `team::service::unpack_accounts` reads (a test compares them).
CREATE TABLE account_months (
    month DATE NOT NULL,
    rep_id BIGINT NOT NULL REFERENCES users(id),
    account TEXT NOT NULL,
    activity_type_id BIGINT NOT NULL REFERENCES activity_types(id),
    units BIGINT NOT NULL,
    last_day BIGINT NOT NULL,
    packed TEXT GENERATED ALWAYS AS (CAST(rep_id AS TEXT) || ' ' || CAST(activity_type_id AS TEXT) || ' ' || CAST(units AS TEXT) || ' ' || CAST(last_day AS TEXT) || ' ' || CAST(length(account) AS TEXT) || ':' || account) STORED,
    PRIMARY KEY (rep_id, month, account, activity_type_id)
);

-- A rep's months from the index alone (see monthly_rollups_month_packed).
CREATE INDEX account_months_rep_packed ON account_months (rep_id, month) INCLUDE (packed);

INSERT INTO account_months (month, rep_id, account, activity_type_id, units, last_day)
SELECT CAST(date_trunc('month', local_date) AS DATE), rep_id, TRIM(account), activity_type_id,
    SUM(quantity), EXTRACT(DAY FROM MAX(local_date))
FROM activities
WHERE qualifies = TRUE AND deleted_at IS NULL AND account IS NOT NULL
    AND TRIM(account) <> ''
GROUP BY 1, 2, 3, 4;
