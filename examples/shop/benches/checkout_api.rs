//! Load on the shop's checkout API over real HTTP: 64 signed-in clients, each looping
//! "add one unit to my cart" + "check out with a fresh Idempotency-Key", for
//! `BENCH_SECS` seconds (default 30), on SQLite and on Postgres. Prints checkouts per
//! second and p50/p99 latency of the pair, then a no-oversell check: a product with
//! 100 units raced by the same 64 clients must sell exactly what it has, never more,
//! with `available` at zero and every sold unit reserved.
//!
//! Writes `target/bench/shop.json` for `cargo xtask bench shop`. Under `cargo test
//! --all-targets` (no `--bench` argument) it makes a 1-second smoke run on SQLite, and on
//! Postgres too when `COMMERCE_TEST_DATABASE_URL` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_arithmetic,
    missing_docs
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use commerce_shop::{AppState, Config, app, demo, prepare, prepare_on};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CLIENTS: usize = 64;
const SELL_OUT_UNITS: i64 = 100;
const ADDRESS: &str = r#"{"shipTo": {"name": "Load Tester", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"}}"#;

/// One keep-alive HTTP/1.1 connection to the shop.
struct Client {
    stream: TcpStream,
    token: String,
}

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            stream,
            token: String::new(),
        }
    }

    async fn call(
        &mut self,
        method: &str,
        path: &str,
        body: &str,
        key: Option<&str>,
    ) -> (u16, Value) {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        if !self.token.is_empty() {
            head.push_str(&format!("Authorization: Bearer {}\r\n", self.token));
        }
        if let Some(key) = key {
            head.push_str(&format!("Idempotency-Key: {key}\r\n"));
        }
        head.push_str("\r\n");
        head.push_str(body);
        self.stream.write_all(head.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 16384];
        let head_end = loop {
            if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = self.stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "the server closed the connection");
            raw.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
        let status: u16 = head[9..12].parse().unwrap();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        while raw.len() - head_end < length {
            let n = self.stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "the server closed the connection mid-body");
            raw.extend_from_slice(&buf[..n]);
        }
        let body = &raw[head_end..head_end + length];
        (status, serde_json::from_slice(body).unwrap_or(Value::Null))
    }

    async fn login(&mut self, email: &str, password: &str) {
        let body = json!({"email": email, "password": password}).to_string();
        let (status, json) = self.call("POST", "/api/auth/login", &body, None).await;
        assert_eq!(status, 200, "{json}");
        self.token = json["token"].as_str().unwrap().to_owned();
    }
}

struct Outcome {
    checkouts: u64,
    sold_out: u64,
    errors: u64,
    first_error: Option<String>,
    latencies: Vec<Duration>,
}

/// Every client loops add + checkout on `product` until `secs` pass (or, with
/// `stop_when_sold_out`, until the product is sold out for it).
async fn drive(
    addr: std::net::SocketAddr,
    clients: &mut Vec<Client>,
    product: &str,
    secs: Duration,
    stop_when_sold_out: bool,
    tag: &str,
) -> (Outcome, Duration) {
    let started = Instant::now();
    let deadline = started + secs;
    let add = json!({"productId": product, "quantity": 1}).to_string();
    let add = Arc::new(add);
    let mut tasks = Vec::new();
    for (i, mut client) in clients.drain(..).enumerate() {
        let add = add.clone();
        let tag = tag.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut outcome = Outcome {
                checkouts: 0,
                sold_out: 0,
                errors: 0,
                first_error: None,
                latencies: Vec::new(),
            };
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let t0 = Instant::now();
                let (status, json) = client.call("POST", "/api/cart/items", &add, None).await;
                let (status, json) = if status == 200 {
                    let key = format!("{tag}-{i}-{n}");
                    client
                        .call("POST", "/api/checkout", ADDRESS, Some(&key))
                        .await
                } else {
                    (status, json)
                };
                match status {
                    201 => {
                        outcome.checkouts += 1;
                        outcome.latencies.push(t0.elapsed());
                    }
                    409 if json["error"] == "insufficient_stock" => {
                        outcome.sold_out += 1;
                        if stop_when_sold_out {
                            break;
                        }
                    }
                    _ => {
                        outcome.errors += 1;
                        outcome
                            .first_error
                            .get_or_insert_with(|| format!("{status} {json}"));
                    }
                }
            }
            (client, outcome)
        }));
    }
    let mut total = Outcome {
        checkouts: 0,
        sold_out: 0,
        errors: 0,
        first_error: None,
        latencies: Vec::new(),
    };
    for task in tasks {
        let (client, outcome) = task.await.unwrap();
        clients.push(client);
        total.checkouts += outcome.checkouts;
        total.sold_out += outcome.sold_out;
        total.errors += outcome.errors;
        total.latencies.extend(outcome.latencies);
        if total.first_error.is_none() {
            total.first_error = outcome.first_error;
        }
    }
    let _ = addr;
    (total, started.elapsed())
}

fn percentile_ms(sorted: &[Duration], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1_000.0)
}

/// Stock of `sku` as the seller sees it: (on hand, reserved) summed over locations.
async fn stock(seller: &mut Client, sku: &str) -> (i64, i64) {
    let (status, levels) = seller
        .call("GET", &format!("/api/seller/stock?sku={sku}"), "", None)
        .await;
    assert_eq!(status, 200, "{levels}");
    levels
        .as_array()
        .unwrap()
        .iter()
        .fold((0, 0), |(on_hand, reserved), level| {
            (
                on_hand + level["on_hand"].as_i64().unwrap(),
                reserved + level["reserved"].as_i64().unwrap(),
            )
        })
}

async fn new_product(seller: &mut Client, sku: &str, stock: i64) -> String {
    let body =
        json!({"name": format!("Bench {sku}"), "sku": sku, "price": "10.00", "stock": stock})
            .to_string();
    let (status, json) = seller
        .call("POST", "/api/seller/products", &body, None)
        .await;
    assert_eq!(status, 201, "{json}");
    json["id"].as_str().unwrap().to_owned()
}

async fn scenario(backend: &str, state: AppState, secs: Duration) -> Value {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, app(state.clone())).into_future());

    let mut seller = Client::connect(addr).await;
    seller.login("ken@kettle.test", demo::SELLER_PASSWORD).await;
    let plenty = new_product(&mut seller, "BENCH-PLENTY", 100_000_000).await;
    let scarce = new_product(&mut seller, "BENCH-SCARCE", SELL_OUT_UNITS).await;

    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        let mut client = Client::connect(addr).await;
        let email = format!("load{i}@bench.test");
        let body =
            json!({"email": email, "password": "bench password", "name": format!("Load {i}")})
                .to_string();
        let (status, json) = client.call("POST", "/api/auth/signup", &body, None).await;
        assert_eq!(status, 201, "{json}");
        client.login(&email, "bench password").await;
        clients.push(client);
    }

    let (load, elapsed) = drive(
        addr,
        &mut clients,
        &plenty,
        secs,
        false,
        &format!("{backend}-load"),
    )
    .await;
    let mut latencies = load.latencies.clone();
    latencies.sort();
    let per_sec = load.checkouts as f64 / elapsed.as_secs_f64();
    let (p50, p99) = (
        percentile_ms(&latencies, 50.0),
        percentile_ms(&latencies, 99.0),
    );
    let (plenty_on_hand, plenty_reserved) = stock(&mut seller, "BENCH-PLENTY").await;
    println!(
        "{backend}: {} checkouts in {:.1} s by {CLIENTS} clients = {per_sec:.1}/s, p50 {:.1} ms, p99 {:.1} ms, {} errors{}",
        load.checkouts,
        elapsed.as_secs_f64(),
        p50.unwrap_or(0.0),
        p99.unwrap_or(0.0),
        load.errors,
        load.first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    assert_eq!(
        load.errors, 0,
        "no request may fail: {:?}",
        load.first_error
    );
    assert_eq!(
        plenty_reserved,
        i64::try_from(load.checkouts).unwrap(),
        "every checkout holds exactly its unit"
    );
    assert_eq!(plenty_on_hand, 100_000_000);

    // The race for the last units: 64 clients, 100 units.
    let race_secs = secs.max(Duration::from_secs(3));
    let (race, _) = drive(
        addr,
        &mut clients,
        &scarce,
        race_secs,
        true,
        &format!("{backend}-race"),
    )
    .await;
    let (on_hand, reserved) = stock(&mut seller, "BENCH-SCARCE").await;
    let available = on_hand - reserved;
    let sold = i64::try_from(race.checkouts).unwrap();
    let oversold = sold > SELL_OUT_UNITS || available < 0 || reserved != sold;
    println!(
        "{backend}: no-oversell check: {SELL_OUT_UNITS} units, {sold} sold, {} refused as sold out, reserved {reserved}, available {available} -> {}",
        race.sold_out,
        if oversold { "OVERSOLD" } else { "ok" }
    );
    assert!(!oversold, "oversold on {backend}");
    assert_eq!(race.errors, 0, "{:?}", race.first_error);
    if race.sold_out > 0 {
        assert_eq!(sold, SELL_OUT_UNITS, "sold out means every unit was sold");
        assert_eq!(available, 0);
    }
    server.abort();
    json!({
        "name": format!("shop checkout API, {backend}"),
        "clients": CLIENTS,
        "ops": load.checkouts,
        "secs": elapsed.as_secs_f64(),
        "per_sec": per_sec,
        "p50_ms": p50,
        "p99_ms": p99,
        "oversell": {"units": SELL_OUT_UNITS, "sold": sold, "refused": race.sold_out, "reserved": reserved, "available": available, "ok": !oversold},
    })
}

/// Runs one statement on the Postgres server `admin` points at.
async fn postgres_admin(admin: &str, statement: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("no Postgres at {admin}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
}

#[tokio::main]
async fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let secs = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let secs = Duration::from_secs(if smoke { 1 } else { secs });
    let mut runs = Vec::new();

    let dir = tempfile::tempdir().unwrap();
    let (state, _) = prepare(&Config::local(dir.path())).await.unwrap();
    runs.push(scenario("SQLite", state, secs).await);

    let admin = std::env::var("COMMERCE_BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("COMMERCE_TEST_DATABASE_URL"))
        .ok();
    if admin.is_some() || !smoke {
        let admin = admin.unwrap_or_else(commerce::sql::testing::admin_url);
        let name = format!("commerce_bench_shop_{}", std::process::id());
        let mut url = url::Url::parse(&admin).unwrap();
        postgres_admin(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
        postgres_admin(&admin, &format!("CREATE DATABASE {name}")).await;
        url.set_path(&name);
        let database = commerce::sql::DatabaseConfig::new(url.to_string())
            .unwrap()
            .with_max_connections(80);
        let pg_dir = tempfile::tempdir().unwrap();
        let (state, _) = prepare_on(&Config::local(pg_dir.path()), database)
            .await
            .unwrap();
        runs.push(scenario("Postgres", state.clone(), secs).await);
        drop(state);
        postgres_admin(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let json = json!({"machine": format!("{cores} cores"), "runs": runs});
    if smoke {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or(dir, |t| std::path::PathBuf::from(t).join("bench"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("shop.json"), json.to_string()).unwrap();
    println!("wrote {}", dir.join("shop.json").display());
}
