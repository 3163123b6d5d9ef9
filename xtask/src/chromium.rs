//! Headless Chromium for the example shop's browser test: Debian's `chromium` and its
//! `chromedriver` (package `chromium-driver`), installed with apt when missing. Nothing
//! is downloaded when both are already on `PATH`.

use std::path::PathBuf;
use std::process::Command;

/// The binaries the browser test starts.
const BINARIES: [&str; 2] = ["chromium", "chromedriver"];

fn on_path(binary: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(binary))
            .find(|path| path.is_file())
    })
}

fn apt_get(args: &[&str]) -> Result<(), String> {
    println!("xtask: apt-get {}", args.join(" "));
    let status = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map_err(|e| {
            format!("could not run apt-get ({e}); install chromium and chromium-driver")
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`apt-get {}` failed ({status}); install chromium and chromium-driver",
            args.join(" ")
        ))
    }
}

/// Makes sure `chromium` and `chromedriver` are installed (idempotent: a no-op when
/// they are).
pub(crate) fn ensure() -> Result<(), String> {
    if BINARIES.iter().all(|b| on_path(b).is_some()) {
        println!("xtask: chromium and chromedriver found");
        return Ok(());
    }
    let install = [
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
    ];
    if apt_get(&install).is_err() {
        // A fresh machine may have no package lists yet.
        apt_get(&["update"])?;
        apt_get(&install)?;
    }
    match BINARIES.iter().find(|b| on_path(b).is_none()) {
        Some(missing) => Err(format!("{missing} is still not on PATH after installing")),
        None => Ok(()),
    }
}
