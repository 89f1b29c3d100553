-- Pacesetter schema (SQLite). Keep in step with migrations/postgres/0001_init.sql:
-- same tables, columns and constraints; only the column types differ.
CREATE TABLE settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    org_name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    fiscal_year_start_month INTEGER NOT NULL DEFAULT 1,
    working_weekdays TEXT NOT NULL DEFAULT '1,2,3,4,5',
    band_outstanding_bp INTEGER NOT NULL DEFAULT 12000,
    band_on_track_bp INTEGER NOT NULL DEFAULT 10000,
    band_at_risk_bp INTEGER NOT NULL DEFAULT 8000,
    composite_cap_bp INTEGER NOT NULL DEFAULT 15000
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE sales_roles (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    access_role TEXT NOT NULL CHECK (access_role IN ('rep', 'manager', 'admin')),
    team_id INTEGER REFERENCES teams(id),
    sales_role_id INTEGER REFERENCES sales_roles(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE activity_types (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    icon TEXT NOT NULL,
    is_leading BOOLEAN NOT NULL DEFAULT TRUE,
    daily_cap INTEGER,
    min_duration_seconds INTEGER,
    sort_order INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE weight_versions (
    id INTEGER PRIMARY KEY,
    activity_type_id INTEGER NOT NULL REFERENCES activity_types(id),
    effective_from TEXT NOT NULL,
    weight_hundredths INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (activity_type_id, effective_from)
);

CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    rep_id INTEGER NOT NULL REFERENCES users(id),
    activity_type_id INTEGER NOT NULL REFERENCES activity_types(id),
    occurred_at TEXT NOT NULL,
    local_date TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    duration_seconds INTEGER,
    qualifies BOOLEAN NOT NULL,
    note TEXT,
    account TEXT,
    source TEXT,
    external_id TEXT,
    client_key TEXT,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    UNIQUE (source, external_id),
    UNIQUE (rep_id, client_key)
);
CREATE INDEX activities_rep_date ON activities(rep_id, local_date);

-- One row per rep, local day and activity type, maintained in the same transaction as
-- every activity write: leaderboards read these, never the raw activities.
CREATE TABLE daily_rollups (
    rep_id INTEGER NOT NULL REFERENCES users(id),
    local_date TEXT NOT NULL,
    activity_type_id INTEGER NOT NULL REFERENCES activity_types(id),
    units INTEGER NOT NULL,
    duration_seconds INTEGER NOT NULL,
    PRIMARY KEY (rep_id, local_date, activity_type_id)
);
CREATE INDEX daily_rollups_date ON daily_rollups(local_date);

CREATE TABLE deals (
    id INTEGER PRIMARY KEY,
    rep_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    account TEXT,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    stage TEXT NOT NULL,
    probability INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    lost_reason TEXT,
    new_customer BOOLEAN NOT NULL DEFAULT FALSE,
    created_on TEXT NOT NULL,
    expected_close TEXT,
    closed_on TEXT,
    source TEXT,
    external_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX deals_rep ON deals(rep_id);

-- scope 'rep' (subject = users.id) or 'role' (subject = sales_roles.id); month = first day.
CREATE TABLE targets (
    id INTEGER PRIMARY KEY,
    metric TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('rep', 'role')),
    subject_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    value INTEGER NOT NULL,
    UNIQUE (metric, scope, subject_id, month)
);

CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL
);

CREATE TABLE scorecard_metrics (
    id INTEGER PRIMARY KEY,
    sales_role_id INTEGER NOT NULL REFERENCES sales_roles(id),
    metric TEXT NOT NULL,
    is_leading BOOLEAN NOT NULL,
    weight INTEGER NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    UNIQUE (sales_role_id, metric)
);

CREATE TABLE displays (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);

CREATE TABLE sign_in_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts(email, at);
CREATE INDEX sign_in_attempts_client ON sign_in_attempts(client, at);
