-- The manager's desk: a reason on each absence, the slides and privacy of each TV display,
-- and the seasonality profiles an admin saved for filling targets. Keep in step with
-- migrations/sqlite/0005_desk.sql.
ALTER TABLE absences ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- slides: comma-separated slide keys in order ('' = the default set);
-- team_id: the team the display shows (NULL = the whole organisation).
ALTER TABLE displays ADD COLUMN slides TEXT NOT NULL DEFAULT '';
ALTER TABLE displays ADD COLUMN seconds_per_slide BIGINT NOT NULL DEFAULT 20;
ALTER TABLE displays ADD COLUMN privacy BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE displays ADD COLUMN sound BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE displays ADD COLUMN team_id BIGINT REFERENCES teams(id);

-- percents: 12 comma-separated basis points, month 1 of the fiscal year first, summing to 10000.
CREATE TABLE seasonality_profiles (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    percents TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- The organisation's currency (ISO 4217), in which targets and turnover are shown.
ALTER TABLE settings ADD COLUMN currency TEXT NOT NULL DEFAULT 'EUR';
