-- Pacesetter schema (PostgreSQL). Keep in step with migrations/sqlite/0001_init.sql:
-- same tables, columns and constraints; only the column types differ.
CREATE TABLE settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    org_name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    fiscal_year_start_month BIGINT NOT NULL DEFAULT 1,
    working_weekdays TEXT NOT NULL DEFAULT '1,2,3,4,5',
    band_outstanding_bp BIGINT NOT NULL DEFAULT 12000,
    band_on_track_bp BIGINT NOT NULL DEFAULT 10000,
    band_at_risk_bp BIGINT NOT NULL DEFAULT 8000,
    composite_cap_bp BIGINT NOT NULL DEFAULT 15000
);

CREATE TABLE teams (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE sales_roles (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    access_role TEXT NOT NULL CHECK (access_role IN ('rep', 'manager', 'admin')),
    team_id BIGINT REFERENCES teams(id),
    sales_role_id BIGINT REFERENCES sales_roles(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE activity_types (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    icon TEXT NOT NULL,
    is_leading BOOLEAN NOT NULL DEFAULT TRUE,
    daily_cap BIGINT,
    min_duration_seconds BIGINT,
    sort_order BIGINT NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE weight_versions (
    id BIGSERIAL PRIMARY KEY,
    activity_type_id BIGINT NOT NULL REFERENCES activity_types(id),
    effective_from DATE NOT NULL,
    weight_hundredths BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (activity_type_id, effective_from)
);

CREATE TABLE activities (
    id BIGSERIAL PRIMARY KEY,
    rep_id BIGINT NOT NULL REFERENCES users(id),
    activity_type_id BIGINT NOT NULL REFERENCES activity_types(id),
    occurred_at TIMESTAMPTZ NOT NULL,
    local_date DATE NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    duration_seconds BIGINT,
    qualifies BOOLEAN NOT NULL,
    note TEXT,
    account TEXT,
    source TEXT,
    external_id TEXT,
    client_key TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ,
    UNIQUE (source, external_id),
    UNIQUE (rep_id, client_key)
);
CREATE INDEX activities_rep_date ON activities(rep_id, local_date);

-- One row per rep, local day and activity type, maintained in the same transaction as
-- every activity write: leaderboards read these, never the raw activities.
CREATE TABLE daily_rollups (
    rep_id BIGINT NOT NULL REFERENCES users(id),
    local_date DATE NOT NULL,
    activity_type_id BIGINT NOT NULL REFERENCES activity_types(id),
    units BIGINT NOT NULL,
    duration_seconds BIGINT NOT NULL,
    PRIMARY KEY (rep_id, local_date, activity_type_id)
);
CREATE INDEX daily_rollups_date ON daily_rollups(local_date);

CREATE TABLE deals (
    id BIGSERIAL PRIMARY KEY,
    rep_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    account TEXT,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    stage TEXT NOT NULL,
    probability BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    lost_reason TEXT,
    new_customer BOOLEAN NOT NULL DEFAULT FALSE,
    created_on DATE NOT NULL,
    expected_close DATE,
    closed_on DATE,
    source TEXT,
    external_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX deals_rep ON deals(rep_id);

-- scope 'rep' (subject = users.id) or 'role' (subject = sales_roles.id); month = first day.
CREATE TABLE targets (
    id BIGSERIAL PRIMARY KEY,
    metric TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('rep', 'role')),
    subject_id BIGINT NOT NULL,
    month DATE NOT NULL,
    value BIGINT NOT NULL,
    UNIQUE (metric, scope, subject_id, month)
);

CREATE TABLE holidays (
    day DATE PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE absences (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL
);

CREATE TABLE scorecard_metrics (
    id BIGSERIAL PRIMARY KEY,
    sales_role_id BIGINT NOT NULL REFERENCES sales_roles(id),
    metric TEXT NOT NULL,
    is_leading BOOLEAN NOT NULL,
    weight BIGINT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    UNIQUE (sales_role_id, metric)
);

CREATE TABLE displays (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);

CREATE TABLE sign_in_attempts (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts(email, at);
CREATE INDEX sign_in_attempts_client ON sign_in_attempts(client, at);
