//! How long saving a full year of targets for 1,000 reps (one metric, 12,000 cells) takes
//! through the targets service on SQLite: the desk's path (each cell read as typed,
//! resolved by the API's rules, the editor's reach checked, written in one transaction
//! with its before → after audit entry), then the service's `put_targets` alone.
//!
//! `cargo bench --features ssr --bench targets`

use std::time::{Duration, Instant};

use pacesetter::auth::session::User;
use pacesetter::live::Live;
use pacesetter::people::service::{create_person, put_sales_role, NewPerson};
use pacesetter::server::db::Db;
use pacesetter::server::org;
use pacesetter::targets::service::{put_targets, save_from_desk, TargetWrite};
use pacesetter::targets::CellEdit;

const REPS: usize = 1_000;
const RUNS: usize = 5;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn summary(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{label:<58} min {:>10}  median {:>10}  max {:>10}",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let db = Db::open(&url).await.expect("open");
    org::ensure(&db, "Bench", "UTC").await.expect("settings");
    let live = Live::announcer(&db);
    put_sales_role(&db, &live, "bench", "sdr", Some("SDR"), true)
        .await
        .expect("role");
    let started = Instant::now();
    let mut ids = Vec::with_capacity(REPS);
    for i in 0..REPS {
        let p = create_person(
            &db,
            &live,
            "bench",
            NewPerson {
                email: format!("rep{i}@bench.test"),
                name: format!("Rep {i}"),
                team: Some(format!("Team {}", i / 50)),
                sales_role: Some("sdr".into()),
                ..NewPerson::default()
            },
        )
        .await
        .expect("rep");
        ids.push(p.id);
    }
    println!("setup: {REPS} reps in {}", ms(started.elapsed()));
    let admin = User {
        id: 0,
        email: "admin@bench.test".into(),
        name: "Admin".into(),
        access_role: "admin".into(),
        team_id: None,
        team_name: None,
        sales_role_id: None,
    };
    let edits = |run: usize| -> Vec<CellEdit> {
        (0..REPS)
            .flat_map(|i| {
                (1..=12).map(move |m| CellEdit {
                    rep_email: Some(format!("rep{i}@bench.test")),
                    role: None,
                    month: format!("2027-{m:02}"),
                    value: format!("{},{:03}", 1 + run, (i * 7 + m) % 1000),
                })
            })
            .collect()
    };

    println!(
        "\nSaving a full year of targets for {REPS} reps ({} cells), SQLite:",
        REPS * 12
    );
    // The first save inserts every cell; later ones change every value.
    let t = Instant::now();
    let done = save_from_desk(&db, &live, &admin, "activity_score", edits(0))
        .await
        .expect("first save");
    assert_eq!(done.set, (REPS * 12) as i64);
    summary("desk save, first time (12,000 inserts)", vec![t.elapsed()]);
    let mut times = Vec::new();
    for run in 1..=RUNS {
        let batch = edits(run);
        let t = Instant::now();
        save_from_desk(&db, &live, &admin, "activity_score", batch)
            .await
            .expect("save");
        times.push(t.elapsed());
    }
    summary(
        &format!("desk save, every value changed ({RUNS} runs)"),
        times,
    );

    let month = |m: u32| chrono::NaiveDate::from_ymd_opt(2028, m, 1).expect("month");
    let rows = |run: i64| -> Vec<TargetWrite> {
        ids.iter()
            .flat_map(|id| {
                (1..=12).map(move |m| TargetWrite {
                    metric: "activity_score".into(),
                    scope: "rep",
                    subject_id: *id,
                    month: month(m),
                    value: 100_000 + run,
                })
            })
            .collect()
    };
    let mut times = Vec::new();
    for run in 0..RUNS as i64 {
        let batch = rows(run);
        let t = Instant::now();
        put_targets(&db, &live, "bench", &batch).await.expect("put");
        times.push(t.elapsed());
    }
    summary(
        &format!("put_targets alone, resolved rows ({RUNS} runs)"),
        times,
    );

    let clear: Vec<CellEdit> = edits(0)
        .into_iter()
        .map(|e| CellEdit {
            value: String::new(),
            ..e
        })
        .collect();
    let t = Instant::now();
    let done = save_from_desk(&db, &live, &admin, "activity_score", clear)
        .await
        .expect("clear");
    assert_eq!(done.cleared, (REPS * 12) as i64);
    summary(
        "desk save clearing every cell (12,000 deletes)",
        vec![t.elapsed()],
    );
}
