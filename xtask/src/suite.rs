//! The `test` job: find Postgres, run every test of the workspace against it, run the
//! examples, and leave no test databases behind.

use std::path::Path;
use std::process::Command;

use crate::chromium;
use crate::postgres::Postgres;
use crate::service::{Service, free_port};
use crate::{cargo, python, root};

/// The variable through which the adapter tests receive the admin URL; each test creates
/// its own `commerce_test_<32 hex>` database through it.
const TEST_DATABASE_VAR: &str = "COMMERCE_TEST_DATABASE_URL";

/// The variable naming the Python interpreter (in the suite's virtualenv) with which the
/// commerce-smtp tests start their own aiosmtpd servers on loopback; each test starts,
/// stops and restarts its own, so the outage test can take its server down.
const TEST_PYTHON_VAR: &str = "COMMERCE_TEST_PYTHON";

/// The Python packages the tests' peers need, pinned: a real SMTP server, and the fake
/// Stripe API.
const PYTHON_PACKAGES: &[&str] = &["aiosmtpd==1.4.6", LOCALSTRIPE];

/// Where the SQLite run of the lifecycle example keeps its database, from the root.
const LIFECYCLE_DB: &str = "target/lifecycle.db";

/// The variable through which the Stripe adapter's tests receive the API base URL of
/// the `localstripe` server (with its trailing `/`).
const TEST_STRIPE_VAR: &str = "COMMERCE_TEST_STRIPE_URL";

/// The pinned fake Stripe API the Stripe adapter's tests talk to.
const LOCALSTRIPE: &str = "localstripe==1.15.10";

/// Our launcher for it, which brings its JSON in line with Stripe's (see the file).
const LOCALSTRIPE_COMPAT: &str = "commerce-stripe/tests/support/localstripe_compat.py";

/// Runs the whole suite. Leftover test databases are dropped before and after, whether
/// the tests pass or not.
pub(crate) fn run() -> Result<(), String> {
    let postgres = Postgres::find()?;
    postgres.drop_test_databases()?;
    let result = tests_and_examples(&postgres);
    let cleanup = postgres.drop_test_databases().map(drop);
    result.and(cleanup)
}

fn tests_and_examples(postgres: &Postgres) -> Result<(), String> {
    println!(
        "xtask: {TEST_DATABASE_VAR}={} for the tests",
        postgres.shown()
    );
    let python = python::venv(PYTHON_PACKAGES)?;
    // The example shop's browser test drives headless Debian chromium.
    chromium::ensure()?;
    let stripe = localstripe(&python)?;
    let stripe_url = format!("http://127.0.0.1:{}/", stripe.port());
    println!("xtask: {TEST_STRIPE_VAR}={stripe_url} for the tests");
    let python = python.to_string_lossy().into_owned();
    println!("xtask: {TEST_PYTHON_VAR}={python} for the SMTP tests");
    let env = [
        (TEST_DATABASE_VAR, postgres.url()),
        (TEST_STRIPE_VAR, stripe_url.as_str()),
        (TEST_PYTHON_VAR, &python),
    ];
    cargo(&["test", "--workspace", "--all-targets"], &env)?;
    // `--all-targets` leaves doc tests out; run them on their own.
    cargo(&["test", "--workspace", "--doc"], &env)?;
    for example in ["quickstart", "lifecycle"] {
        cargo(&["run", "--quiet", "--example", example], &[])?;
    }
    lifecycle_on_sqlite()
}

/// Starts `localstripe` (with the virtualenv's `python`) on a free port, with fresh
/// state; it stops when the returned service is dropped.
fn localstripe(python: &Path) -> Result<Service, String> {
    let port = free_port()?;
    Service::start(
        "localstripe",
        Command::new(python)
            .arg(root().join(LOCALSTRIPE_COMPAT))
            .args(["--port", &port.to_string(), "--from-scratch"]),
        port,
    )
}

/// The lifecycle example again, on a fresh SQLite file, once the facade has its `sqlite`
/// feature (before that there is nothing to run it on).
fn lifecycle_on_sqlite() -> Result<(), String> {
    let root = root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| format!("could not read Cargo.toml: {e}"))?;
    if !has_feature(&manifest, "sqlite") {
        println!("xtask: the facade has no `sqlite` feature yet; lifecycle on SQLite skipped");
        return Ok(());
    }
    fresh_sqlite_file(&root.join(LIFECYCLE_DB))?;
    let url = format!("sqlite://{LIFECYCLE_DB}");
    println!("xtask: DATABASE_URL={url}");
    cargo(
        &[
            "run",
            "--quiet",
            "--features",
            "sqlite",
            "--example",
            "lifecycle",
        ],
        &[("DATABASE_URL", &url)],
    )
}

/// Removes an SQLite database with its `-wal` and `-shm` files, and makes its directory.
fn fresh_sqlite_file(path: &Path) -> Result<(), String> {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(format!(
                    "could not remove {}: {e}",
                    Path::new(&file).display()
                ));
            }
        }
    }
    match path.parent() {
        Some(dir) => std::fs::create_dir_all(dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display())),
        None => Ok(()),
    }
}

/// Whether the manifest text declares `feature` (a `name = ` line under `[features]`).
fn has_feature(manifest: &str, feature: &str) -> bool {
    let mut in_features = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if in_features
            && line
                .strip_prefix(feature)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feature_counts_only_under_features() {
        let before =
            "[package]\nname = \"commerce\"\n\n[dependencies]\nsqlite = { version = \"1\" }\n";
        assert!(!has_feature(before, "sqlite"));
        let after = "[features]\ndefault = []\nsqlite = [\"dep:commerce-sqlx\", \"commerce-sqlx/sqlite\"]\n\n[dependencies]\n";
        assert!(has_feature(after, "sqlite"));
        assert!(!has_feature(after, "postgres"));
        let prefix_only = "[features]\nsqlite-bundled = []\n";
        assert!(!has_feature(prefix_only, "sqlite"));
    }

    #[test]
    fn the_sqlite_file_and_its_journals_are_removed() {
        let dir = std::env::temp_dir().join(format!("xtask-sqlite-{}", std::process::id()));
        let db = dir.join("nested/lifecycle.db");
        std::fs::create_dir_all(db.parent().expect("a parent")).expect("mkdir");
        for name in ["lifecycle.db", "lifecycle.db-wal", "lifecycle.db-shm"] {
            std::fs::write(dir.join("nested").join(name), b"x").expect("write");
        }
        fresh_sqlite_file(&db).expect("removed");
        let left = std::fs::read_dir(dir.join("nested")).expect("dir").count();
        assert_eq!(left, 0);
        // Nothing there: still fine, and the directory is made.
        std::fs::remove_dir_all(&dir).expect("cleanup");
        fresh_sqlite_file(&db).expect("made");
        assert!(db.parent().expect("a parent").is_dir());
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
