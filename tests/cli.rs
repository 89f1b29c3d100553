//! The command line as scripts use it: the last line of output is the secret; errors are
//! one line and a non-zero exit.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn pacesetter(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacesetter"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pacesetter");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn last_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn operator_commands_print_the_secret_last() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/sub/dir/p.db", dir.path().display());

    let out = pacesetter(
        &db,
        &[
            "create-user",
            "--email",
            "Boss@Example.com",
            "--name",
            "The Boss",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("boss@example.com"));

    let again = pacesetter(
        &db,
        &[
            "create-user",
            "--email",
            "boss@example.com",
            "--name",
            "Twin",
            "--role",
            "rep",
            "--password-stdin",
        ],
        Some("a-long-password"),
    );
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("already exists"));

    let short = pacesetter(
        &db,
        &[
            "create-user",
            "--email",
            "r@example.com",
            "--name",
            "R",
            "--role",
            "rep",
            "--password-stdin",
        ],
        Some("short"),
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least"));

    let out = pacesetter(
        &db,
        &[
            "tokens",
            "create",
            "--name",
            "CRM sync",
            "--scope",
            "ingest,read",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = last_line(&out);
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));

    let bad_scope = pacesetter(
        &db,
        &["tokens", "create", "--name", "x", "--scope", "write"],
        None,
    );
    assert!(!bad_scope.status.success());
    assert!(String::from_utf8_lossy(&bad_scope.stderr).contains("Unknown scope"));

    let out = pacesetter(&db, &["displays", "create", "--name", "Office TV"], None);
    assert!(out.status.success());
    let path = last_line(&out);
    assert!(path.starts_with("/tv/") && path.len() == 4 + 64, "{path}");
}

#[test]
fn wrong_flags_and_unreachable_databases_fail_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/p.db", dir.path().display());
    let out = pacesetter(&db, &["serve", "--no-such-flag"], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("--no-such-flag"));

    let out = pacesetter(
        "postgres://nobody:nothing@127.0.0.1:1/none",
        &["displays", "create", "--name", "TV"],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("cannot open the database"), "{err}");

    let out = pacesetter(
        "mysql://localhost/x",
        &["displays", "create", "--name", "TV"],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL scheme"));
}
