-- The sales role a rep gets when created without one (any door: page, API, CLI, import),
-- so that a new person can log and be ranked at once. Keep in step with
-- migrations/postgres/0003_default_sales_role.sql.
ALTER TABLE sales_roles ADD COLUMN is_default BOOLEAN NOT NULL DEFAULT FALSE;
