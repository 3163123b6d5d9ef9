//! A real SMTP server on loopback for the tests: `smtp_sink.py` (aiosmtpd) in the
//! virtualenv `cargo xtask test` makes, one server per test, stopped and started at will.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The variable naming the Python interpreter that has aiosmtpd.
pub(crate) const PYTHON_VAR: &str = "COMMERCE_TEST_PYTHON";

/// One aiosmtpd server on its own port, writing what it receives to its own directory.
pub(crate) struct SmtpSink {
    python: PathBuf,
    port: u16,
    spool: tempfile::TempDir,
    child: Option<Child>,
    /// Extra arguments for the script (TLS and AUTH).
    options: Vec<String>,
    /// The test CA that signed the server's certificate, for TLS servers.
    tls: Option<(tempfile::TempDir, &'static str)>,
}

/// Runs `openssl` with `args` in `dir`, failing the test with a clear message if it
/// cannot.
fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("the TLS tests make their certificates with the `openssl` command: {e}")
        });
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A test CA (`ca.pem`) and a server certificate for 127.0.0.1 it signed
/// (`server.pem`, `server.key`), in a new directory.
fn certificates() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    std::fs::write(
        path.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let days = ["-days", "2"];
    openssl(
        path,
        &[
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=commerce-smtp test CA",
            ][..],
            &days,
        ]
        .concat(),
    );
    openssl(
        path,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    openssl(
        path,
        &[
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-extfile",
                "server.ext",
            ][..],
            &days,
        ]
        .concat(),
    );
    dir
}

impl SmtpSink {
    /// Starts a plain-text server on a free port.
    pub(crate) fn start() -> SmtpSink {
        SmtpSink::launch(Vec::new(), None)
    }

    /// Starts a server that requires STARTTLS and AUTH as `user` with `password`
    /// (`mode` `"starttls"`), or speaks TLS from the start (`mode` `"tls"`, no AUTH),
    /// with a certificate for 127.0.0.1 from a test CA (see [`SmtpSink::ca_pem`]).
    pub(crate) fn start_tls(mode: &'static str, user: Option<(&str, &str)>) -> SmtpSink {
        let certs = certificates();
        let mut options = vec![
            "--tls".to_owned(),
            mode.to_owned(),
            "--cert".to_owned(),
            certs.path().join("server.pem").display().to_string(),
            "--key".to_owned(),
            certs.path().join("server.key").display().to_string(),
        ];
        if let Some((user, password)) = user {
            options.extend(["--user", user, "--password", password].map(str::to_owned));
        }
        SmtpSink::launch(options, Some((certs, mode)))
    }

    /// The PEM of the CA that signed a TLS server's certificate.
    pub(crate) fn ca_pem(&self) -> Vec<u8> {
        let (certs, _) = self.tls.as_ref().expect("a TLS server");
        std::fs::read(certs.path().join("ca.pem")).unwrap()
    }

    fn launch(options: Vec<String>, tls: Option<(tempfile::TempDir, &'static str)>) -> SmtpSink {
        let python = match std::env::var_os(PYTHON_VAR) {
            Some(python) if !python.is_empty() => PathBuf::from(python),
            _ => panic!(
                "{PYTHON_VAR} is not set: these tests talk to a real SMTP server (aiosmtpd). \
                 Run them with `cargo xtask test`, which makes a Python virtualenv with \
                 aiosmtpd and sets {PYTHON_VAR}, or set it to a python that has aiosmtpd==1.4.6."
            ),
        };
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let mut sink = SmtpSink {
            python,
            port,
            spool: tempfile::tempdir().unwrap(),
            child: None,
            options,
            tls,
        };
        sink.restart();
        sink
    }

    /// Starts the server again on the same port (after [`SmtpSink::stop`]).
    pub(crate) fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new(&self.python)
            .arg(&script)
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--dir")
            .arg(self.spool.path())
            .args(&self.options)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("could not run {}: {e}", self.python.display()));
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the SMTP server exited at start ({status}); is aiosmtpd installed?");
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP server did not listen in 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child = Some(child);
    }

    /// Stops the server: connections to its port are refused until it restarts.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// An SMTP URL for this server, plain text, sending from the shop's address.
    pub(crate) fn url(&self) -> String {
        format!(
            "smtp://127.0.0.1:{}?tls=none&timeout_secs=5\
             &from=Shop%20%3Cshop%40example.com%3E&reply_to=help%40example.com",
            self.port
        )
    }

    /// An SMTP URL for this TLS server (`smtp://` for STARTTLS, `smtps://` for TLS),
    /// with `userinfo` (`user:password@`, percent-encoded) if given.
    pub(crate) fn tls_url(&self, userinfo: &str) -> String {
        let (_, mode) = self.tls.as_ref().expect("a TLS server");
        let scheme = if *mode == "tls" { "smtps" } else { "smtp" };
        format!(
            "{scheme}://{userinfo}127.0.0.1:{}?timeout_secs=5&from=shop%40example.com",
            self.port
        )
    }

    /// Every message received so far (envelope, headers and decoded parts), in no
    /// particular order.
    pub(crate) fn received(&self) -> Vec<Value> {
        let mut messages = Vec::new();
        for entry in std::fs::read_dir(self.spool.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                messages.push(serde_json::from_str(&text).unwrap());
            }
        }
        messages
    }

    /// The messages received for `address`.
    pub(crate) fn received_by(&self, address: &str) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|m| {
                m["rcpt_tos"]
                    .as_array()
                    .is_some_and(|to| to.iter().any(|t| t == address))
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}
