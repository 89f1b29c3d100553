//! The `pacesetter` command: serve the app, and the operator tasks scripts rely on.

/// mimalloc rather than glibc's allocator: a page render allocates thousands of small
/// strings on whichever thread runs it, and glibc's `malloc`, `free` and
/// `malloc_consolidate` took about a fifth of the server's CPU under load
/// (`perf record` on `/me` with 64 connections; see benches/README.md).
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
mod cli {
    use std::io::Read;
    use std::net::SocketAddr;

    use axum::serve::ListenerExt;
    use clap::{Parser, Subcommand};
    use pacesetter::auth::AccessRole;
    use pacesetter::live::Live;
    use pacesetter::people::service::{self as people, NewPerson};
    use pacesetter::server::db::Db;
    use pacesetter::server::state::AppState;
    use pacesetter::server::{http, seed, tokens};
    use pacesetter::settings::service::start_organisation;
    use pacesetter::transfer;

    const DEFAULT_DATABASE: &str = "sqlite://data/pacesetter.db";

    #[derive(Parser)]
    #[command(
        name = "pacesetter",
        version,
        about = "Fair, explainable, live sales-activity scoring"
    )]
    struct Cli {
        /// Database URL: sqlite://path/to/file.db (created if missing) or postgres://…
        #[arg(long, global = true, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Start the web server.
        Serve {
            /// Address to listen on.
            #[arg(long, env = "PACESETTER_ADDR", default_value = "127.0.0.1:3000")]
            addr: SocketAddr,
            /// Seed the demo organisation when the database is empty.
            #[arg(long, env = "PACESETTER_DEMO")]
            demo: bool,
            /// Always mark cookies Secure (they are anyway when the public URL is https or a
            /// proxy sends `X-Forwarded-Proto: https`).
            #[arg(long, env = "PACESETTER_SECURE_COOKIES")]
            secure_cookies: bool,
            /// The URL users reach the app at, e.g. https://sales.example.com: the only
            /// origin accepted for form posts, and https makes cookies Secure.
            #[arg(long, env = "PACESETTER_PUBLIC_URL", value_parser = parse_public_url)]
            public_url: Option<String>,
        },
        /// Create a user; the password is read from standard input.
        CreateUser {
            #[arg(long)]
            email: String,
            #[arg(long)]
            name: String,
            /// admin, manager or rep
            #[arg(long, value_parser = ["admin", "manager", "rep"])]
            role: String,
            /// Team name (created if missing).
            #[arg(long)]
            team: Option<String>,
            /// Sales role key (see `sales-roles`); a rep without one gets the default role.
            #[arg(long)]
            sales_role: Option<String>,
            /// Read the password from standard input (required: passwords never go on the command line).
            #[arg(long, required = true)]
            password_stdin: bool,
        },
        /// API tokens for integrations.
        Tokens {
            #[command(subcommand)]
            command: TokenCommand,
        },
        /// Sales roles (what a rep's scorecard is made of).
        SalesRoles {
            #[command(subcommand)]
            command: SalesRoleCommand,
        },
        /// TV displays.
        Displays {
            #[command(subcommand)]
            command: DisplayCommand,
        },
        /// Import a CSV file of any size (header row first, columns as in the integration
        /// API): every row is checked first and nothing is written if any is bad; bad rows are
        /// reported with their line numbers. Prints a progress line per 10,000 rows.
        Import {
            /// The CSV file.
            file: std::path::PathBuf,
            /// What the file holds.
            #[arg(long, value_parser = ["activities", "deals", "targets"])]
            kind: String,
            /// Only check the file: report every bad row, write nothing.
            #[arg(long)]
            dry_run: bool,
        },
        /// Recount the daily rollups from the raw activities and report every difference
        /// (exit status 1 when there is any).
        VerifyRollups {
            /// Rebuild the rollups from the raw activities when they differ.
            #[arg(long)]
            repair: bool,
        },
        /// Fill an empty database with a large generated organisation (to measure speed at
        /// scale): teams of 25 reps, a year of activity, deals and targets.
        Generate {
            /// How many reps.
            #[arg(long, default_value_t = 1000)]
            reps: usize,
            /// How many activities in all.
            #[arg(long, default_value_t = 1_000_000)]
            activities: u64,
            /// Days of history up to today.
            #[arg(long, default_value_t = 365)]
            days: u32,
            /// The random seed (the same seed makes the same organisation).
            #[arg(long, default_value_t = 2026)]
            seed: u64,
        },
        /// Copy the SQLite database to a new file while the app keeps running (PostgreSQL:
        /// use pg_dump).
        Backup {
            /// The new file (never overwritten).
            file: std::path::PathBuf,
        },
    }

    #[derive(Subcommand)]
    enum TokenCommand {
        /// Create an API token and print it (shown once).
        Create {
            #[arg(long)]
            name: String,
            /// Comma-separated scopes: ingest, read, admin.
            #[arg(long)]
            scope: String,
        },
    }

    #[derive(Subcommand)]
    enum SalesRoleCommand {
        /// Create a sales role, or rename one (by key).
        Put {
            /// Lowercase letters, digits and _, e.g. `ae`.
            #[arg(long)]
            key: String,
            /// Shown to people, e.g. "Account Executive" (required to create).
            #[arg(long)]
            name: Option<String>,
            /// Make it the role a rep created without one gets.
            #[arg(long)]
            default: bool,
        },
        /// List the sales roles.
        List,
    }

    #[derive(Subcommand)]
    enum DisplayCommand {
        /// Create a TV display and print its URL path (shown once).
        Create {
            #[arg(long)]
            name: String,
        },
    }

    pub async fn run() -> Result<(), String> {
        let cli = match Cli::try_parse() {
            Ok(cli) => cli,
            Err(e)
                if matches!(
                    e.kind(),
                    clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
                ) =>
            {
                e.exit()
            }
            // One line, for scripts and operators; `--help` has the rest.
            Err(e) => {
                let msg = e.to_string();
                let first = msg
                    .lines()
                    .next()
                    .unwrap_or("invalid arguments")
                    .trim_start_matches("error: ");
                return Err(format!("{first} (see `pacesetter --help`)"));
            }
        };
        let db = Db::open(&cli.database).await.map_err(|e| e.to_string())?;
        start_organisation(&db, "Pacesetter", "UTC")
            .await
            .map_err(|e| e.to_string())?;
        // On PostgreSQL, changes made here reach the running app instances at once.
        let live = Live::announcer(&db);
        match cli.command {
            Command::Serve {
                addr,
                demo,
                secure_cookies,
                public_url,
            } => serve(db, addr, demo, secure_cookies, public_url).await,
            Command::CreateUser {
                email,
                name,
                role,
                team,
                sales_role,
                ..
            } => {
                let mut password = String::new();
                std::io::stdin()
                    .read_to_string(&mut password)
                    .map_err(|e| format!("cannot read the password: {e}"))?;
                let password = password.trim_end_matches(['\r', '\n']).to_string();
                let role = AccessRole::parse(&role).ok_or("role must be admin, manager or rep")?;
                let new = NewPerson {
                    email,
                    name,
                    role: Some(role.as_str().to_string()),
                    team,
                    sales_role,
                    password: Some(password),
                };
                let person = people::create_person(&db, &live, "cli", new)
                    .await
                    .map_err(|e| e.to_string())?;
                let scored = match &person.sales_role {
                    Some(r) => format!(", sales role {r}"),
                    None => String::new(),
                };
                println!(
                    "created user {} <{}> as {}{scored}",
                    person.id, person.email, person.role
                );
                Ok(())
            }
            Command::SalesRoles { command } => match command {
                SalesRoleCommand::Put { key, name, default } => {
                    let (role, created) =
                        people::put_sales_role(&db, &live, "cli", &key, name.as_deref(), default)
                            .await
                            .map_err(|e| e.to_string())?;
                    println!(
                        "{} sales role {} '{}'{}",
                        if created { "created" } else { "updated" },
                        role.key,
                        role.name,
                        if role.is_default { " (default)" } else { "" }
                    );
                    Ok(())
                }
                SalesRoleCommand::List => {
                    for r in people::sales_roles(&db).await.map_err(|e| e.to_string())? {
                        let default = if r.is_default { "\tdefault" } else { "" };
                        println!("{}\t{}{default}", r.key, r.name);
                    }
                    Ok(())
                }
            },
            Command::Tokens {
                command: TokenCommand::Create { name, scope },
            } => {
                let scopes = tokens::parse_scopes(&scope).map_err(|e| e.to_string())?;
                let (id, token) = tokens::create_api_token(&db, "cli", &name, &scopes)
                    .await
                    .map_err(|e| e.to_string())?;
                println!(
                    "created API token {id} '{}' with scopes {}; it is shown only once:",
                    name.trim(),
                    scopes.join(",")
                );
                println!("{token}");
                Ok(())
            }
            Command::Import {
                file,
                kind,
                dry_run,
            } => {
                let kind = transfer::import::Kind::parse(&kind)
                    .ok_or("kind must be activities, deals or targets")?;
                let open = || std::fs::File::open(&file);
                let bytes = open()
                    .and_then(|f| f.metadata())
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?
                    .len();
                let source = transfer::import::File {
                    open,
                    bytes,
                    max_rows: None,
                };
                let mut stage = ("", std::time::Instant::now());
                let report =
                    transfer::import::import(&db, &live, kind, &source, dry_run, "cli", |p| {
                        if stage.0 != p.stage {
                            stage = (p.stage, std::time::Instant::now());
                        }
                        if p.rows % 50_000 != 0 && p.bytes < p.total_bytes {
                            return;
                        }
                        let secs = stage.1.elapsed().as_secs_f64().max(0.001);
                        let pct = p.bytes as f64 * 100.0 / p.total_bytes.max(1) as f64;
                        eprintln!(
                            "{:<9} {:>10} rows  {pct:5.1}%  {:>7.1} s  {:>8.0} rows/s",
                            p.stage,
                            p.rows,
                            secs,
                            p.rows as f64 / secs
                        );
                    })
                    .await
                    .map_err(|e| e.to_string())?;
                for e in &report.errors {
                    println!("line {}: {}", e.line, e.message);
                }
                if report.more_errors > 0 {
                    println!("… and {} more bad rows", report.more_errors);
                }
                if report.errors.is_empty() {
                    println!("{}", report.summary());
                    Ok(())
                } else {
                    Err(report.summary())
                }
            }
            Command::VerifyRollups { repair } => {
                use pacesetter::activities::verify;
                let found = if repair {
                    verify::repair_rollups(&db).await
                } else {
                    verify::differences(&db).await
                }
                .map_err(|e| e.to_string())?;
                for d in &found {
                    println!("{d}");
                }
                match (found.len(), repair) {
                    (0, _) => {
                        println!("the rollups agree with the raw activities");
                        Ok(())
                    }
                    (n, true) => {
                        println!("repaired {n} differences: the rollups were rebuilt from the raw activities");
                        Ok(())
                    }
                    (n, false) => Err(format!(
                        "{n} differences between the rollups and the raw activities (`pacesetter verify-rollups --repair` rebuilds them)"
                    )),
                }
            }
            Command::Generate {
                reps,
                activities,
                days,
                seed,
            } => {
                use pacesetter::server::generate::{generate, Plan};
                let started = std::time::Instant::now();
                let plan = Plan {
                    reps,
                    activities,
                    days,
                    seed,
                };
                let made = generate(&db, plan, |p| {
                    let secs = started.elapsed().as_secs_f64().max(0.001);
                    let pct = p.done as f64 * 100.0 / p.total.max(1) as f64;
                    eprintln!(
                        "{:<10} {:>12} / {:<12} {pct:5.1}%  {:>7.1} s",
                        p.stage, p.done, p.total, secs
                    );
                })
                .await
                .map_err(|e| e.to_string())?;
                let secs = started.elapsed().as_secs_f64().max(0.001);
                println!(
                    "generated {} reps in {} teams, {} activities, {} deals, {} targets in {secs:.1} s ({:.0} activities/s)",
                    made.reps,
                    made.teams,
                    made.activities,
                    made.deals,
                    made.targets,
                    made.activities as f64 / secs
                );
                Ok(())
            }
            Command::Backup { file } => {
                let started = std::time::Instant::now();
                let bytes = pacesetter::server::backup::backup(&db, &file)
                    .await
                    .map_err(|e| e.to_string())?;
                println!(
                    "backed up to {} ({:.1} MB in {:.1} s)",
                    file.display(),
                    bytes as f64 / 1_048_576.0,
                    started.elapsed().as_secs_f64()
                );
                Ok(())
            }
            Command::Displays {
                command: DisplayCommand::Create { name },
            } => {
                let (id, token) = tokens::create_display(&db, "cli", &name)
                    .await
                    .map_err(|e| e.to_string())?;
                println!(
                    "created display {id} '{}'; open this path on the TV (shown only once):",
                    name.trim()
                );
                println!("/tv/{token}");
                Ok(())
            }
        }
    }

    async fn serve(
        db: Db,
        addr: SocketAddr,
        demo: bool,
        secure_cookies: bool,
        public_origin: Option<String>,
    ) -> Result<(), String> {
        let mut seeded_display = None;
        if demo && seed::is_empty(&db).await.map_err(|e| e.to_string())? {
            let started = std::time::Instant::now();
            let s = seed::seed_demo(&db, chrono::Utc::now())
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(
                reps = s.reps,
                activities = s.activities,
                deals = s.deals,
                ms = started.elapsed().as_millis() as u64,
                "seeded the demo organisation"
            );
            let (_, token) = tokens::create_display(&db, "demo", "Office TV")
                .await
                .map_err(|e| e.to_string())?;
            seeded_display = Some(token);
        }
        let conf = leptos::config::get_configuration(None)
            .map_err(|e| format!("cannot read the Leptos configuration: {e}"))?;
        let mut leptos_options = conf.leptos_options;
        leptos_options.site_addr = addr;
        // A server built by plain `cargo build` lacks cargo-leptos's compile-time name; the
        // bundle is still called after the package.
        if leptos_options.output_name.is_empty() {
            leptos_options.output_name = env!("CARGO_PKG_NAME").into();
        }
        let live = pacesetter::live::Live::start(&db)
            .await
            .map_err(|e| format!("cannot listen for live updates: {e}"))?;
        let state = AppState {
            leptos_options,
            db,
            secure_cookies,
            public_origin,
            live,
        };
        let app = http::app(state);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        println!("Pacesetter is running at {url}");
        if demo {
            println!(
                "  demo admin: {} / {}",
                seed::DEMO_ADMIN_EMAIL,
                seed::DEMO_ADMIN_PASSWORD
            );
            println!(
                "  demo rep:   {} / {}",
                seed::DEMO_REP_EMAIL,
                seed::DEMO_PASSWORD
            );
            match seeded_display {
                Some(token) => println!("  office TV:  {url}/tv/{token}"),
                None => println!("  office TV:  create one with `pacesetter displays create --name \"Office TV\"`"),
            }
        }
        axum::serve(
            listener.tap_io(http::tune_connection),
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
    }

    /// `--public-url`: an http(s) URL, kept as its origin.
    fn parse_public_url(url: &str) -> Result<String, String> {
        pacesetter::server::state::origin_of(url).ok_or_else(|| {
            "expected an http:// or https:// URL such as https://sales.example.com".into()
        })
    }

    async fn shutdown_signal() {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    }
}

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = cli::run().await {
        eprintln!("pacesetter: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {}
