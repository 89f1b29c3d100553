-- Month totals of the daily rollups (src/scoring/months.rs): what a board of a month, a
-- quarter or a year reads instead of every day. `counted_units` sums, over the month's
-- days, the units that pass the type's daily cap; weights are applied when read. Kept by
-- the same writes as the daily rollups; a cap change rebuilds its type's rows.
CREATE TABLE monthly_rollups (
    month TEXT NOT NULL,
    rep_id INTEGER NOT NULL REFERENCES users(id),
    activity_type_id INTEGER NOT NULL REFERENCES activity_types(id),
    units INTEGER NOT NULL,
    counted_units INTEGER NOT NULL,
    PRIMARY KEY (month, rep_id, activity_type_id)
);

INSERT INTO monthly_rollups (month, rep_id, activity_type_id, units, counted_units)
SELECT date(r.local_date, 'start of month'), r.rep_id, r.activity_type_id,
    SUM(MAX(r.units, 0)),
    SUM(CASE WHEN t.daily_cap IS NULL THEN MAX(r.units, 0)
        ELSE MIN(MAX(r.units, 0), MAX(t.daily_cap, 0)) END)
FROM daily_rollups r JOIN activity_types t ON t.id = r.activity_type_id
GROUP BY date(r.local_date, 'start of month'), r.rep_id, r.activity_type_id;
