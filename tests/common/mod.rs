//! Test harness: the real app on a real port with a fresh database, on SQLite or PostgreSQL.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use leptos::config::LeptosOptions;
use pacesetter::server::db::Db;
use pacesetter::server::state::AppState;
use pacesetter::server::{http, org};
use reqwest::redirect::Policy;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub url: String,
    pub db: Db,
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The admin URL of the test PostgreSQL server (`scripts/postgres.sh` starts one and prints it).
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("TEST_POSTGRES_URL is not set: run `export TEST_POSTGRES_URL=$(scripts/postgres.sh)` first (the README's test command does)")
    })
}

/// True (and says so) when no test PostgreSQL server is configured: the PostgreSQL half
/// of a test is skipped rather than failed, so `cargo test` works on SQLite alone. The
/// README's test command always sets `TEST_POSTGRES_URL`.
pub fn postgres_skipped() -> bool {
    if std::env::var("TEST_POSTGRES_URL").is_ok() {
        return false;
    }
    eprintln!("PostgreSQL half skipped: TEST_POSTGRES_URL is not set (scripts/test.sh sets it)");
    true
}

/// A fresh, empty, migrated database on the engine.
pub async fn fresh_database(engine: Engine) -> (String, Option<tempfile::TempDir>) {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/nested/test.db", dir.path().display());
            (url, Some(dir))
        }
        Engine::Postgres => {
            let admin = postgres_admin_url();
            let name = format!(
                "pacesetter_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                chrono::Utc::now().timestamp_micros()
            );
            let pool = sqlx::PgPool::connect(&admin)
                .await
                .expect("connect to the test PostgreSQL server");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create test database");
            pool.close().await;
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .expect("URL with a database name");
            (format!("{base}/{name}"), None)
        }
    }
}

impl TestApp {
    /// Starts the app on a free port with an empty database (settings row only).
    pub async fn start(engine: Engine) -> TestApp {
        let (database_url, dir) = fresh_database(engine).await;
        let db = Db::open(&database_url).await.expect("open test database");
        org::ensure(&db, "Test Org", "UTC").await.expect("settings");
        Self::serve(db, database_url, dir).await
    }

    /// Starts the app as `pacesetter serve` does on an empty database without `--demo`: a
    /// new organisation with the default activity types and the default sales role.
    pub async fn start_new_organisation(engine: Engine) -> TestApp {
        let (database_url, dir) = fresh_database(engine).await;
        let db = Db::open(&database_url).await.expect("open test database");
        pacesetter::settings::service::start_organisation(&db, "Pacesetter", "UTC")
            .await
            .expect("new organisation");
        Self::serve(db, database_url, dir).await
    }

    /// A second app instance on the same database, as behind a load balancer.
    pub async fn second_instance(&self) -> TestApp {
        let db = Db::open(&self.database_url)
            .await
            .expect("open test database");
        Self::serve(db, self.database_url.clone(), None).await
    }

    async fn serve(db: Db, database_url: String, dir: Option<tempfile::TempDir>) -> TestApp {
        let leptos_options = LeptosOptions::builder()
            .output_name("pacesetter")
            .site_root("target/site")
            .build();
        let state = AppState {
            leptos_options,
            db: db.clone(),
            secure_cookies: false,
            public_origin: None,
            live: pacesetter::live::Live::start(&db).await.expect("live hub"),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = http::app(state);
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        TestApp {
            url: format!("http://{addr}"),
            db,
            database_url,
            _dir: dir,
        }
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// Signs in through the real server function; panics unless it succeeds.
    pub async fn signed_in(&self, email: &str, password: &str) -> reqwest::Client {
        let client = self.client();
        let res = self.sign_in(&client, email, password).await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "sign-in as {email} failed: {} {}",
            res.status(),
            res.text().await.unwrap_or_default()
        );
        client
    }

    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(self.at("/api/sign_in"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("sign-in request")
    }

    /// Calls a server function with form-encoded arguments, as the browser bundle does.
    pub async fn call(
        &self,
        client: &reqwest::Client,
        name: &str,
        args: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.at(&format!("/api/{name}")))
            .form(args)
            .send()
            .await
            .expect("server function request")
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.db {
            Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await.expect("count"),
            Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.expect("count"),
        }
    }
}

pub const PASSWORD: &str = "correct-horse-battery";

/// A small organisation: team Alpha (reps Ada and Ben, manager Mia), team Beta (rep Cy),
/// an admin; call = 3 points, email = 1 point capped at 2 a day.
pub struct Fixture {
    pub ada: i64,
    pub ben: i64,
    pub cy: i64,
}

pub async fn fixture(app: &TestApp) -> Fixture {
    use pacesetter::auth::AccessRole;
    use pacesetter::people::service::{create_person, put_sales_role, NewPerson};
    let db = &app.db;
    let live = pacesetter::live::Live::announcer(db);
    put_sales_role(db, &live, "test", "sdr", Some("SDR"), false)
        .await
        .unwrap();
    let mk =
        |email: &str, name: &str, role: AccessRole, team: Option<&str>, sales: Option<&str>| {
            NewPerson {
                email: email.into(),
                name: name.into(),
                role: Some(role.as_str().to_string()),
                team: team.map(str::to_string),
                sales_role: sales.map(str::to_string),
                password: Some(PASSWORD.into()),
            }
        };
    let people = [
        mk(
            "ada@example.com",
            "Ada Lovelace",
            AccessRole::Rep,
            Some("Alpha"),
            Some("sdr"),
        ),
        mk(
            "ben@example.com",
            "Ben Okri",
            AccessRole::Rep,
            Some("Alpha"),
            Some("sdr"),
        ),
        mk(
            "cy@example.com",
            "Cy Twombly",
            AccessRole::Rep,
            Some("Beta"),
            Some("sdr"),
        ),
        mk(
            "mia@example.com",
            "Mia Manager",
            AccessRole::Manager,
            Some("Alpha"),
            None,
        ),
        mk(
            "root@example.com",
            "Root Admin",
            AccessRole::Admin,
            None,
            None,
        ),
    ];
    let mut ids = Vec::new();
    for p in people {
        ids.push(create_person(db, &live, "test", p).await.unwrap().id);
    }
    let (ada, ben, cy) = (ids[0], ids[1], ids[2]);
    exec(db, "INSERT INTO activity_types (key, label, icon, is_leading, daily_cap, sort_order, active) VALUES ('call', 'Call', 'C', TRUE, NULL, 0, TRUE)").await;
    exec(db, "INSERT INTO activity_types (key, label, icon, is_leading, daily_cap, sort_order, active) VALUES ('email', 'Email', 'E', TRUE, 2, 1, TRUE)").await;
    for (key, w) in [("call", 300), ("email", 100)] {
        let id: i64 = scalar(
            db,
            &format!("SELECT id FROM activity_types WHERE key = '{key}'"),
        )
        .await;
        exec(
            db,
            &format!("INSERT INTO weight_versions (activity_type_id, effective_from, weight_hundredths, created_at) VALUES ({id}, '2000-01-01', {w}, '2000-01-01T00:00:00Z')"),
        )
        .await;
    }
    Fixture { ada, ben, cy }
}

pub async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

pub async fn scalar(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Runs an async test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Engine::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::common::postgres_skipped() {
                        return;
                    }
                    super::$name($crate::common::Engine::Postgres).await
                }
            }
        )*
    };
}

/// Odd and hostile values for any input: integer limits, years 1 and 9999 and beyond, a
/// day that does not exist, daylight-saving gaps and overlaps, right-to-left and 4-byte
/// text, NUL, markup, SQL, a 100 KB string.
pub fn hostile() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "0",
        "-1",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551616",
        "1e308",
        "NaN",
        "true",
        "0001-01-01",
        "9999-12-31",
        "+275760-09-13",
        "2026-02-30",
        "2026-03-29T02:30:00",
        "2026-10-25T01:30:00+01:00",
        "Ωmega \u{202e}evil\u{202c} شركة الرياض עברית",
        "\u{0}",
        "%00",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "call",
        "admin",
        "month",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("🚀".repeat(5_000));
    v.push("x".repeat(100_000));
    v
}

/// The rollups and the month totals equal a recount of the raw activities.
pub async fn assert_rollups_agree(db: &Db) {
    let differences = pacesetter::activities::verify::differences(db)
        .await
        .expect("recount");
    assert!(
        differences.is_empty(),
        "rollups equal a recount: {differences:?}"
    );
}
