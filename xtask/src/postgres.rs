//! Finding the Postgres server the tests and benchmarks use, starting the local cluster
//! when it is down, and the few statements xtask runs on it (through `psql`).

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::pg_url::{self, LOCAL_DEFAULT};
use crate::process;

/// How long to wait for a freshly started local cluster to answer.
const START_WAIT: Duration = Duration::from_secs(20);

/// The databases the adapter tests create: `commerce_test_` and 32 hex digits.
const TEST_DATABASES: &str = "^commerce_test_[0-9a-f]{32}$";

/// A Postgres server that answered, reached through an admin URL (a role that may create
/// and drop databases).
pub(crate) struct Postgres {
    url: String,
}

impl Postgres {
    /// Finds the server: `DATABASE_URL` if it is a Postgres URL, else the local default.
    /// When the local default does not answer, starts the installed cluster on its port
    /// and waits for it. Fails, saying how to get a server, when none answers.
    pub(crate) fn find() -> Result<Self, String> {
        let (url, note) = choose_url(std::env::var("DATABASE_URL").ok());
        if let Some(note) = note {
            println!("xtask: {note}");
        }
        let shown = pg_url::redacted(&url);
        println!("xtask: Postgres at {shown}");
        let Err(first) = answers(&url) else {
            return Ok(Self { url });
        };
        if url != LOCAL_DEFAULT {
            return Err(no_postgres(&shown, &first));
        }
        println!("xtask: no answer ({first}); trying to start the local cluster");
        start_local_cluster().map_err(|e| no_postgres(&shown, &format!("{first}; {e}")))?;
        let deadline = Instant::now() + START_WAIT;
        loop {
            match answers(&url) {
                Ok(()) => {
                    println!("xtask: the local cluster answers");
                    return Ok(Self { url });
                }
                Err(e) if Instant::now() >= deadline => {
                    return Err(no_postgres(
                        &shown,
                        &format!(
                            "started the local cluster but it did not answer within {}s: {e}",
                            START_WAIT.as_secs()
                        ),
                    ));
                }
                Err(_) => sleep(Duration::from_millis(500)),
            }
        }
    }

    /// The admin URL, with any password: pass it to programs, never print it.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The admin URL fit to print.
    pub(crate) fn shown(&self) -> String {
        pg_url::redacted(&self.url)
    }

    /// The URL of `database` on this server, with the admin's credentials.
    pub(crate) fn url_for(&self, database: &str) -> String {
        pg_url::with_database(&self.url, database)
    }

    /// Runs each statement on the admin database (each on its own, outside any
    /// transaction block) and returns the unaligned, tuples-only output.
    pub(crate) fn run(&self, statements: &[&str]) -> Result<String, String> {
        psql(&self.url, statements)
    }

    /// Drops the databases the adapter tests leave behind (`commerce_test_<32 hex>`),
    /// connections and all; returns how many there were.
    pub(crate) fn drop_test_databases(&self) -> Result<usize, String> {
        let names = self.run(&[&format!(
            "SELECT datname FROM pg_database WHERE datname ~ '{TEST_DATABASES}'"
        )])?;
        let drops: Vec<String> = names
            .lines()
            .filter(|name| !name.is_empty())
            .map(|name| format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quoted(name)))
            .collect();
        if !drops.is_empty() {
            let drops: Vec<&str> = drops.iter().map(String::as_str).collect();
            self.run(&drops)?;
            println!(
                "xtask: dropped {} leftover commerce_test_ database(s)",
                drops.len()
            );
        }
        Ok(drops.len())
    }

    /// Drops `database` if it exists (connections and all), then creates it empty.
    pub(crate) fn recreate_database(&self, database: &str) -> Result<(), String> {
        self.drop_database(database)?;
        self.run(&[&format!("CREATE DATABASE {}", quoted(database))])
            .map(drop)
    }

    /// Drops `database` if it exists, connections and all.
    pub(crate) fn drop_database(&self, database: &str) -> Result<(), String> {
        self.run(&[&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quoted(database)
        )])
        .map(drop)
    }
}

/// The URL to use and, when `DATABASE_URL` was set but is not Postgres, a note saying so.
fn choose_url(database_url: Option<String>) -> (String, Option<String>) {
    match database_url {
        Some(url) if pg_url::is_postgres(&url) => (url, None),
        Some(url) if !url.is_empty() => (
            LOCAL_DEFAULT.to_owned(),
            Some(format!(
                "DATABASE_URL ({}) is not a postgres:// URL; the Postgres tests use the default",
                scheme_of(&url)
            )),
        ),
        _ => (LOCAL_DEFAULT.to_owned(), None),
    }
}

/// The scheme of a URL, for messages (the rest may hold secrets).
fn scheme_of(url: &str) -> &str {
    url.split_once("://")
        .map_or("no scheme", |(scheme, _)| scheme)
}

/// `name` as a quoted SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Runs `psql` on `url`: each statement as its own `-c`, unaligned, tuples only, never
/// prompting for a password, giving up on connecting after a few seconds.
pub(crate) fn psql(url: &str, statements: &[&str]) -> Result<String, String> {
    let mut command = Command::new("psql");
    command
        .arg(url)
        .args(["-X", "-w", "-At", "-q", "-v", "ON_ERROR_STOP=1"])
        .env("PGCONNECT_TIMEOUT", "5");
    for statement in statements {
        command.arg("-c").arg(statement);
    }
    process::output(&mut command, "psql")
}

/// Whether the server at `url` runs a query; the error is psql's own words.
fn answers(url: &str) -> Result<(), String> {
    let out = psql(url, &["select 1"])?;
    if out.trim() == "1" {
        Ok(())
    } else {
        Err(format!("`select 1` returned {:?}", out.trim()))
    }
}

/// The failure message when no Postgres answers.
fn no_postgres(shown: &str, why: &str) -> String {
    format!(
        "no Postgres answers at {shown}\n  ({why})\n\
         The SQL adapters' tests need a real Postgres; they are never skipped. Either\n  \
         - point DATABASE_URL at one whose role may create databases:\n      \
         DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/postgres cargo xtask test\n  \
         - or install and start a local one (the default {LOCAL_DEFAULT}):\n      \
         apt install postgresql && pg_ctlcluster 15 main start\n    \
         and let the role postgres log in over TCP (trust for 127.0.0.1 in pg_hba.conf,\n    \
         or a password in ~/.pgpass)."
    )
}

/// One line of `pg_lsclusters`.
#[derive(Debug, PartialEq, Eq)]
struct Cluster {
    version: String,
    name: String,
    port: u16,
    online: bool,
}

/// The clusters `pg_lsclusters` lists (its header and anything unreadable skipped).
fn parse_clusters(text: &str) -> Vec<Cluster> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let version = fields.next()?;
            let name = fields.next()?;
            let port = fields.next()?.parse().ok()?;
            let status = fields.next()?;
            Some(Cluster {
                version: version.to_owned(),
                name: name.to_owned(),
                port,
                online: status.starts_with("online"),
            })
        })
        .collect()
}

/// The cluster to start for `port`: the first one listed on it that is down.
fn down_cluster_on(clusters: &[Cluster], port: u16) -> Option<&Cluster> {
    clusters.iter().find(|c| c.port == port && !c.online)
}

/// Starts the installed cluster that serves the local default's port.
fn start_local_cluster() -> Result<(), String> {
    let listing = process::output(Command::new("pg_lsclusters").arg("-h"), "pg_lsclusters")?;
    let clusters = parse_clusters(&listing);
    let cluster = down_cluster_on(&clusters, 5432).ok_or_else(|| {
        if clusters.iter().any(|c| c.port == 5432) {
            "the cluster on port 5432 is online but does not answer".to_owned()
        } else {
            "no installed cluster uses port 5432".to_owned()
        }
    })?;
    println!(
        "xtask: pg_ctlcluster {} {} start",
        cluster.version, cluster.name
    );
    process::output(
        Command::new("pg_ctlcluster").args([&cluster.version, &cluster.name, "start"]),
        "pg_ctlcluster",
    )
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = "\
Ver Cluster Port Status Owner    Data directory              Log file
13  old     5433 online postgres /var/lib/postgresql/13/old  /var/log/postgresql/postgresql-13-old.log
15  main    5432 down   postgres /var/lib/postgresql/15/main /var/log/postgresql/postgresql-15-main.log
";

    #[test]
    fn pg_lsclusters_lines_are_read_and_the_header_skipped() {
        let clusters = parse_clusters(LISTING);
        assert_eq!(
            clusters,
            vec![
                Cluster {
                    version: "13".into(),
                    name: "old".into(),
                    port: 5433,
                    online: true
                },
                Cluster {
                    version: "15".into(),
                    name: "main".into(),
                    port: 5432,
                    online: false
                },
            ]
        );
    }

    #[test]
    fn the_down_cluster_on_the_port_is_the_one_started() {
        let clusters = parse_clusters(LISTING);
        let found = down_cluster_on(&clusters, 5432).expect("15 main is down on 5432");
        assert_eq!(
            (found.version.as_str(), found.name.as_str()),
            ("15", "main")
        );
        assert_eq!(down_cluster_on(&clusters, 5433), None, "13 old is online");
        assert_eq!(down_cluster_on(&clusters, 5434), None, "nothing on 5434");
    }

    #[test]
    fn a_recovering_cluster_counts_as_online() {
        let clusters = parse_clusters(
            "15 main 5432 online,recovery postgres /d /l\n16 new 5432 down postgres /d /l",
        );
        assert!(clusters[0].online);
        assert_eq!(
            down_cluster_on(&clusters, 5432).map(|c| c.name.as_str()),
            Some("new")
        );
    }

    #[test]
    fn database_url_is_used_only_when_it_is_postgres() {
        let pg = "postgres://shop:pw@db:5432/postgres".to_owned();
        assert_eq!(choose_url(Some(pg.clone())), (pg, None));
        let (url, note) = choose_url(Some("sqlite://target/x.db".into()));
        assert_eq!(url, LOCAL_DEFAULT);
        assert!(note.expect("a note").contains("sqlite"));
        assert_eq!(choose_url(None), (LOCAL_DEFAULT.to_owned(), None));
        assert_eq!(
            choose_url(Some(String::new())),
            (LOCAL_DEFAULT.to_owned(), None)
        );
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quoted("commerce_bench"), "\"commerce_bench\"");
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
