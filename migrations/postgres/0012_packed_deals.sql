-- The team view reads an organisation's deals packed into one string (src/server/packed.rs).
-- Building the entries of 30,000 deals (1,000 reps) in the query took most of the view's
-- read time; each row now keeps its entry (all but the id), written when the row is, and
-- the read only joins them. `packed` must stay what `team::service::team_deals` reads (the
-- team view's tests read every field through it).
--
-- A date as text depends on the session's DateStyle, which a stored column may not: this
-- writes it as YYYY-MM-DD from its parts (what sqlx's ISO sessions write, and SQLite
-- stores).
CREATE FUNCTION packed_date(d DATE) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT lpad(CAST(CAST(EXTRACT(YEAR FROM d) AS INTEGER) AS TEXT), 4, '0') || '-'
        || lpad(CAST(CAST(EXTRACT(MONTH FROM d) AS INTEGER) AS TEXT), 2, '0') || '-'
        || lpad(CAST(CAST(EXTRACT(DAY FROM d) AS INTEGER) AS TEXT), 2, '0')
$$;

ALTER TABLE deals ADD COLUMN packed TEXT GENERATED ALWAYS AS (
    CAST(rep_id AS TEXT) || ' ' || CAST(amount_minor AS TEXT)
    || ' ' || CAST(length(status) AS TEXT) || ':' || status
    || ' ' || CAST(length(stage) AS TEXT) || ':' || stage
    || ' ' || CAST(probability AS TEXT) || ' ' || packed_date(created_on)
    || ' ' || COALESCE(packed_date(closed_on), '-')
    || ' ' || COALESCE(packed_date(expected_close), '-')
    || ' ' || COALESCE(CAST(length(lost_reason) AS TEXT) || ':' || lost_reason, '-')
    || ' ' || CAST(new_customer AS TEXT)
    || ' ' || COALESCE(CAST(length(TRIM(account)) AS TEXT) || ':' || TRIM(account), '-')
) STORED;
