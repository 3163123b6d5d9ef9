//! A minimal W3C WebDriver client (the few commands the browser test needs) over plain
//! HTTP/1.1 to a local `chromedriver`, which drives Debian's headless `chromium`.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running chromedriver (killed on drop) with one browser session.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    pub screenshots: PathBuf,
    shot: u32,
}

/// An element of the current page.
#[derive(Clone, Debug)]
pub struct Element(String);

fn find(binary: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(binary))
            .find(|path| path.is_file())
    })
}

async fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    // Read the head, then exactly Content-Length bytes (chromedriver may keep the
    // connection open), or chunks, or until close.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).await.unwrap();
        assert!(
            n > 0,
            "{method} {path}: connection closed before the response head"
        );
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body_len = raw.len() - head_end;
        let done = match length {
            Some(length) => body_len >= length,
            None if chunked => raw.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = stream.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let rest = String::from_utf8_lossy(&raw[head_end..]).into_owned();
    let payload = if chunked { dechunk(&rest) } else { rest };
    let value: Value = serde_json::from_str(&payload)
        .unwrap_or_else(|e| panic!("{method} {path}: {e}: {head} {payload}"));
    if let Some(error) = value["value"].get("error") {
        panic!("{method} {path}: {error}: {}", value["value"]["message"]);
    }
    value
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    out
}

impl Browser {
    /// Starts chromedriver and a headless chromium session; screenshots go to `dir`.
    pub async fn start(dir: &Path) -> Browser {
        let chromedriver = find("chromedriver").expect(
            "chromedriver is not installed: `apt-get install -y chromium chromium-driver` \
             (cargo xtask test installs them)",
        );
        let chromium =
            find("chromium").expect("chromium is not installed (cargo xtask test installs it)");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1000"]
            }
        }}});
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            screenshots: dir.to_owned(),
            shot: 0,
        };
        let created = http(port, "POST", "/session", Some(&capabilities)).await;
        browser.session = created["value"]["sessionId"].as_str().unwrap().to_owned();
        std::fs::create_dir_all(dir).unwrap();
        browser
    }

    async fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        http(self.port, method, &path, body.as_ref()).await["value"].take()
    }

    pub async fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url}))).await;
    }

    pub async fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .cmd(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        Element(found[ELEMENT].as_str().unwrap().to_owned())
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let found = self
            .cmd(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|e| Element(e[ELEMENT].as_str().unwrap().to_owned()))
            .collect()
    }

    /// Runs JavaScript in the page and returns its result.
    pub async fn script(&self, code: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": code, "args": []})),
        )
        .await
    }

    /// Clicks a link or button that loads a new page, and waits until that page has
    /// loaded (a marker left on the old document is gone and the new one is complete).
    pub async fn click(&self, element: &Element) {
        self.script("window.__before_click = true; return null;")
            .await;
        self.cmd(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await;
        for _ in 0..200 {
            let state = self
                .script("return (window.__before_click ? 'old' : document.readyState);")
                .await;
            if state == "complete" {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no new page 10 s after the click");
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.cmd(
            "POST",
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        )
        .await;
        self.cmd(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn text(&self, element: &Element) -> String {
        self.cmd("GET", &format!("/element/{}/text", element.0), None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub async fn attribute(&self, element: &Element, name: &str) -> Option<String> {
        self.cmd(
            "GET",
            &format!("/element/{}/attribute/{name}", element.0),
            None,
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    pub async fn source(&self) -> String {
        self.cmd("GET", "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Saves a PNG of the page as `NN-name.png` and returns its path.
    pub async fn screenshot(&mut self, name: &str) -> PathBuf {
        self.shot += 1;
        let data = self.cmd("GET", "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = self
            .screenshots
            .join(format!("{:02}-{name}.png", self.shot));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Ends the session and chromedriver (dropping does the same).
    pub fn quit(self) {}
}

impl Drop for Browser {
    fn drop(&mut self) {
        // End the session (so chromium exits) even when a test panicked.
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            use std::io::{Read, Write};
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read(&mut [0u8; 1024]);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
