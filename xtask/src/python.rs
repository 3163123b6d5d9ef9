//! The Python peers some tests talk to (a fake Stripe API, an SMTP server): one virtualenv
//! under the target directory, with pinned packages, made on first use.

use std::path::PathBuf;
use std::process::Command;

use crate::process::output;
use crate::target_dir;

/// A virtualenv holding `packages` (pinned `name==version` strings), created or topped
/// up as needed. Returns the path of its `python`.
pub(crate) fn venv(packages: &[&str]) -> Result<PathBuf, String> {
    let dir = target_dir().join("python");
    let python = dir.join("bin").join("python");
    if !python.exists() {
        println!("xtask: creating a Python virtualenv in {}", dir.display());
        output(
            Command::new("python3").arg("-m").arg("venv").arg(&dir),
            "python3 -m venv",
        )?;
    }
    let marker = dir.join("installed.txt");
    let installed = std::fs::read_to_string(&marker).unwrap_or_default();
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !installed.lines().any(|line| line == *p))
        .collect();
    if !missing.is_empty() {
        println!("xtask: pip install {}", missing.join(" "));
        output(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(&missing),
            "pip install",
        )?;
        let mut all: Vec<&str> = installed.lines().collect();
        all.extend(&missing);
        std::fs::write(&marker, all.join("\n"))
            .map_err(|e| format!("could not write {}: {e}", marker.display()))?;
    }
    Ok(python)
}
