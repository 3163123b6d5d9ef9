//! What the benchmarks ran on: cores, CPU model, memory and the Postgres version.

use std::process::Command;

use crate::postgres::Postgres;
use crate::process;

/// Prints the machine and the server, one line each; what cannot be read says so.
pub(super) fn print(postgres: &Postgres) {
    let cores = process::output(&mut Command::new("nproc"), "nproc")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "?".to_owned());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| cpu_model(&text))
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| total_memory_gib(&text))
        .map_or_else(|| "? GiB".to_owned(), |gib| format!("{gib:.1} GiB"));
    let version = postgres
        .run(&["select version()"])
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|e| format!("unknown ({e})"));
    println!("machine:  {cores} cores, {model}, {memory} memory");
    println!("postgres: {version}");
}

/// The first `model name` in /proc/cpuinfo.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_owned())
    })
}

/// `MemTotal` from /proc/meminfo, in GiB.
fn total_memory_gib(meminfo: &str) -> Option<f64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_model_and_memory_are_read() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_model("processor : 0\n"), None);
        let gib = total_memory_gib("MemTotal:       16777216 kB\nMemFree: 1 kB\n").expect("read");
        assert!((gib - 16.0).abs() < 1e-9, "{gib}");
    }
}
