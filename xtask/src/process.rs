//! Running a command-line tool and keeping its output.

use std::process::{Command, Stdio};

/// Runs `command` to completion and returns its standard output; on failure the error
/// names the tool (`what`) and quotes its standard error.
pub(crate) fn output(command: &mut Command, what: &str) -> Result<String, String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run {what}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let said = if stderr.trim().is_empty() {
            stdout.trim().to_owned()
        } else {
            stderr.trim().to_owned()
        };
        Err(format!("{what} failed ({}): {said}", out.status))
    }
}
