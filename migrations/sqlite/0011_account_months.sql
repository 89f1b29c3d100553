-- Account coverage's month totals (src/activities/store.rs): per month, rep, account
-- (trimmed) and type, the units of the qualifying live activities logged on that account
-- and the day of the month of the last of them. The team view reads
-- a whole month of an organisation from here instead of every activity on an account (a
-- read that was most of its time at 1,000 reps); weights are applied when read, days
-- outside whole months are still read from the activities. Kept by the same writes as the
-- rollups; a recount rebuilds it. Each row keeps its entry packed (src/server/packed.rs):
-- `packed` must stay what `team::service::unpack_accounts` reads (a test compares them).
-- Clustered by rep, then month: a team's reps' rows are read rep by rep, each rep's month
-- together.
CREATE TABLE account_months (
    month TEXT NOT NULL,
    rep_id INTEGER NOT NULL REFERENCES users(id),
    account TEXT NOT NULL,
    activity_type_id INTEGER NOT NULL REFERENCES activity_types(id),
    units INTEGER NOT NULL,
    last_day INTEGER NOT NULL,
    packed TEXT GENERATED ALWAYS AS (CAST(rep_id AS TEXT) || ' ' || CAST(activity_type_id AS TEXT) || ' ' || CAST(units AS TEXT) || ' ' || CAST(last_day AS TEXT) || ' ' || CAST(length(account) AS TEXT) || ':' || account) STORED,
    PRIMARY KEY (rep_id, month, account, activity_type_id)
) WITHOUT ROWID;

INSERT INTO account_months (month, rep_id, account, activity_type_id, units, last_day)
SELECT date(local_date, 'start of month'), rep_id, TRIM(account), activity_type_id,
    SUM(quantity), CAST(strftime('%d', MAX(local_date)) AS INTEGER)
FROM activities
WHERE qualifies = TRUE AND deleted_at IS NULL AND account IS NOT NULL
    AND TRIM(account) <> ''
GROUP BY date(local_date, 'start of month'), rep_id, TRIM(account), activity_type_id;
