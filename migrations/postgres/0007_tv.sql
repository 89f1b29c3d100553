-- The office TV: what each display's ranking slide ranks by ('' = the activity score; else
-- a leaderboard metric key such as 'deals_won' or 'activity_count:3'). Keep in step with
-- the other engine's 0006_tv.sql.
ALTER TABLE displays ADD COLUMN ranking_metric TEXT NOT NULL DEFAULT '';
