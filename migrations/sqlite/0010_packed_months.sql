-- A board reads a month's totals packed into one string (src/server/packed.rs). Building
-- that string from the four numbers of 7,000 rows (1,000 reps, 7 types) took about 6 ms,
-- most of a month board's time; each row now keeps its entry, written when the row is,
-- and the read only joins them (about 1 ms). The table is also clustered on its key
-- (WITHOUT ROWID): a month's rows lie together. `packed` must stay what
-- `activities::repo::unpack_months` reads (a unit test compares them).
CREATE TABLE monthly_rollups_packed (
    month TEXT NOT NULL,
    rep_id INTEGER NOT NULL REFERENCES users(id),
    activity_type_id INTEGER NOT NULL REFERENCES activity_types(id),
    units INTEGER NOT NULL,
    counted_units INTEGER NOT NULL,
    packed TEXT GENERATED ALWAYS AS (CAST(rep_id AS TEXT) || ' ' || CAST(activity_type_id AS TEXT) || ' ' || CAST(units AS TEXT) || ' ' || CAST(counted_units AS TEXT)) STORED,
    PRIMARY KEY (month, rep_id, activity_type_id)
) WITHOUT ROWID;

INSERT INTO monthly_rollups_packed (month, rep_id, activity_type_id, units, counted_units)
SELECT month, rep_id, activity_type_id, units, counted_units FROM monthly_rollups;

DROP TABLE monthly_rollups;
ALTER TABLE monthly_rollups_packed RENAME TO monthly_rollups;
