//! Baselines measured with `pgbench`: what the server itself does per second, with
//! latencies from pgbench's per-transaction logs.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Run;
use crate::process;

/// pgbench worker threads (the machine is small; the clients are what matters).
const THREADS: u32 = 2;

/// Runs pgbench against one database, keeping its transaction logs in `logs`.
pub(super) struct Pgbench {
    url: String,
    logs: PathBuf,
    secs: u64,
}

impl Pgbench {
    /// A runner for the database at `url`, running each test for `secs` seconds.
    pub(super) fn new(url: String, logs: PathBuf, secs: u64) -> Self {
        Self { url, logs, secs }
    }

    /// `pgbench -i -s 1`: the tpcb-like tables at scale 1.
    pub(super) fn initialize(&self) -> Result<(), String> {
        println!("xtask: pgbench -i -s 1");
        process::output(
            Command::new("pgbench")
                .args(["-i", "-s", "1", "-q"])
                .arg(&self.url),
            "pgbench -i",
        )
        .map(drop)
    }

    /// Runs the built-in tpcb-like test (`script` None) or a custom script file with
    /// `clients` clients; `tag` names its logs.
    pub(super) fn run(
        &self,
        name: &str,
        tag: &str,
        script: Option<&Path>,
        clients: u32,
    ) -> Result<Run, String> {
        let prefix = self.logs.join(tag);
        let mut command = Command::new("pgbench");
        command
            .arg(format!("--client={clients}"))
            .arg(format!("--jobs={THREADS}"))
            .arg(format!("--time={}", self.secs))
            .arg("--log")
            .arg(format!("--log-prefix={}", prefix.display()));
        if let Some(script) = script {
            command
                .arg("--no-vacuum")
                .arg(format!("--file={}", script.display()));
        }
        command.arg(&self.url);
        println!(
            "xtask: pgbench, {name}: {clients} clients, {THREADS} threads, {} s",
            self.secs
        );
        let out = process::output(&mut command, &format!("pgbench ({name})"))?;
        let per_sec =
            tps(&out).ok_or_else(|| format!("pgbench ({name}) printed no tps:\n{out}"))?;
        let mut latencies = self.latencies(tag)?;
        latencies.sort_unstable();
        let ops = processed(&out).unwrap_or(latencies.len() as u64);
        Ok(Run {
            name: name.to_owned(),
            clients,
            ops,
            secs: self.secs as f64,
            per_sec,
            p50_ms: percentile(&latencies, 50.0).map(|us| us as f64 / 1000.0),
            p99_ms: percentile(&latencies, 99.0).map(|us| us as f64 / 1000.0),
        })
    }

    /// Every latency (µs) in the logs of the run tagged `tag` (one file per thread).
    fn latencies(&self, tag: &str) -> Result<Vec<u64>, String> {
        let entries = std::fs::read_dir(&self.logs)
            .map_err(|e| format!("could not list {}: {e}", self.logs.display()))?;
        let mut all = Vec::new();
        for entry in entries.flatten() {
            let is_ours = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&format!("{tag}.")));
            if is_ours {
                let text = std::fs::read_to_string(entry.path())
                    .map_err(|e| format!("could not read {}: {e}", entry.path().display()))?;
                all.extend(log_latencies(&text));
            }
        }
        Ok(all)
    }
}

/// The latencies (µs) in one pgbench log: the third column, where a transaction that
/// failed or was skipped has a word instead of a number.
fn log_latencies(log: &str) -> impl Iterator<Item = u64> + '_ {
    log.lines()
        .filter_map(|line| line.split_whitespace().nth(2)?.parse().ok())
}

/// pgbench's `tps = N (without initial connection time)`.
fn tps(output: &str) -> Option<f64> {
    output.lines().find_map(|line| {
        line.strip_prefix("tps = ")?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

/// pgbench's `number of transactions actually processed: N`.
fn processed(output: &str) -> Option<u64> {
    output.lines().find_map(|line| {
        line.strip_prefix("number of transactions actually processed: ")?
            .split(['/', ' '])
            .next()?
            .parse()
            .ok()
    })
}

/// The nearest-rank `p`th percentile of `sorted`, None when it is empty.
fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: TPC-B (sort of)>
number of clients: 8
number of transactions actually processed: 2842
number of failed transactions: 0 (0.000%)
latency average = 5.626 ms
initial connection time = 28.234 ms
tps = 1422.021011 (without initial connection time)
";

    #[test]
    fn tps_and_count_are_read_from_pgbench_output() {
        assert_eq!(tps(OUTPUT), Some(1422.021011));
        assert_eq!(processed(OUTPUT), Some(2842));
        assert_eq!(tps("nothing here"), None);
        assert_eq!(
            processed("number of transactions actually processed: 640/640\n"),
            Some(640)
        );
    }

    #[test]
    fn latencies_are_the_third_column_and_failures_are_left_out() {
        let log = "1 1 7239 0 1796244946 551227\n3 1 failed 0 1796244946 553214\n0 1 10403 0 1796244946 554347\n\n";
        assert_eq!(log_latencies(log).collect::<Vec<_>>(), vec![7239, 10403]);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 50.0), Some(50));
        assert_eq!(percentile(&sorted, 99.0), Some(99));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[1, 2, 3], 0.0), Some(1));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
