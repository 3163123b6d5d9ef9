//! A peer server the tests need for the length of the run: started in the background,
//! waited for until its port answers, stopped when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A background server process; killed when dropped.
pub(crate) struct Service {
    name: &'static str,
    child: Child,
    port: u16,
}

impl Service {
    /// Spawns `command` (which must listen on `port` on 127.0.0.1) and waits up to 30 s
    /// for the port to accept connections.
    pub(crate) fn start(
        name: &'static str,
        command: &mut Command,
        port: u16,
    ) -> Result<Self, String> {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("could not start {name}: {e}"))?;
        let mut service = Self { name, child, port };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                println!("xtask: {name} listening on 127.0.0.1:{port}");
                return Ok(service);
            }
            if let Ok(Some(status)) = service.child.try_wait() {
                return Err(format!("{name} exited at start ({status})"));
            }
            if Instant::now() > deadline {
                return Err(format!("{name} did not listen on port {port} within 30 s"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        println!("xtask: {} stopped", self.name);
    }
}

/// A TCP port free on 127.0.0.1 right now (the OS picks it).
pub(crate) fn free_port() -> Result<u16, String> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("could not find a free port: {e}"))
}
