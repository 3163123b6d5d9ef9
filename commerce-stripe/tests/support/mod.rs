//! What the Stripe tests share: the localstripe server's address, raw HTTP to its
//! `/_config` API, a loopback webhook receiver per test, a loopback proxy that can lose
//! an answer, and an engine on the in-memory stores paying through Stripe.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use commerce_core::identity::Principal;
use commerce_core::memory::Memory;
use commerce_core::order::Order;
use commerce_core::payment::{CaptureMode, IdempotencyKey, PaymentRef};
use commerce_core::ports::PaymentProvider;
use commerce_core::{CheckoutRequest, Commerce, Config, CustomerId, OrderId};
use commerce_stripe::{StripeConfig, StripePayments};
use commerce_testkit::fixtures::{Item, Store};
use commerce_testkit::orders::{address, install, sku, two_shops};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The test API key localstripe accepts.
pub const API_KEY: &str = "sk_test_commerce";

/// The customer the tests check out as.
pub const ALICE: Principal = Principal::Customer(CustomerId::from_u128(1));
/// An admin.
pub const ADMIN: Principal = Principal::Admin(commerce_core::AdminId::from_u128(9));

/// localstripe's API base URL (with the trailing `/`), from `cargo xtask test`.
pub fn stripe_url() -> String {
    match std::env::var("COMMERCE_TEST_STRIPE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "COMMERCE_TEST_STRIPE_URL is not set: these tests need the localstripe server; \
             run `cargo xtask test`"
        ),
    }
}

/// `host:port` of a base URL like `http://127.0.0.1:8420/`.
pub fn authority(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

/// A unique token for this test's ids and secrets.
pub fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// One HTTP/1.1 request (form body), answered as (status, body).
pub async fn http(method: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let host = authority(&stripe_url());
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut stream = TcpStream::connect(&host).await.unwrap_or_else(|e| {
        panic!("localstripe at {host} unreachable ({e}); run `cargo xtask test`")
    });
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {API_KEY}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("an HTTP status");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// GET a JSON document from localstripe.
pub async fn get_json(path: &str) -> serde_json::Value {
    let (status, body) = http("GET", path, &[]).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Reads one HTTP request from `stream`: (request head, body).
pub async fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            let length = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            let mut body = buffer[end + 4..].to_vec();
            while body.len() < length {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            return Some((head, body));
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// A header's value in a request head.
pub fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

/// A webhook as it reached the test's endpoint.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The raw body.
    pub payload: Vec<u8>,
    /// The `Stripe-Signature` header.
    pub signature: String,
    /// The parsed body.
    pub json: serde_json::Value,
}

impl Delivery {
    /// The event type.
    pub fn kind(&self) -> &str {
        self.json["type"].as_str().unwrap_or_default()
    }
    /// The PaymentIntent it is about.
    pub fn payment_intent(&self) -> &str {
        self.json["data"]["object"]["id"]
            .as_str()
            .unwrap_or_default()
    }
}

/// A webhook endpoint on 127.0.0.1 registered with localstripe under a unique id.
/// localstripe posts every event to every endpoint, so tests pick their own.
pub struct Receiver {
    /// The signing secret localstripe uses for this endpoint.
    pub secret: String,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
}

impl Receiver {
    /// Listens and registers.
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    if let Some((head, body)) = read_request(&mut stream).await {
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .await;
                        let json = serde_json::from_slice(&body).unwrap_or_default();
                        let _ = tx.send(Delivery {
                            payload: body,
                            signature: header(&head, "stripe-signature").unwrap_or_default(),
                            json,
                        });
                    }
                });
            }
        });
        let id = unique();
        let secret = format!("whsec_{id}");
        let url = format!("http://127.0.0.1:{port}/");
        let (status, body) = http(
            "POST",
            &format!("/_config/webhooks/{id}"),
            &[("url", &url), ("secret", &secret)],
        )
        .await;
        assert_eq!(status, 200, "registering a webhook endpoint: {body}");
        Receiver {
            secret,
            deliveries: rx,
        }
    }

    /// The next event of `kind` about `payment_intent`, waiting up to 20 s.
    pub async fn next(&mut self, kind: &str, payment_intent: &str) -> Delivery {
        let wait = async {
            loop {
                let delivery = self.deliveries.recv().await.expect("the receiver runs");
                if delivery.kind() == kind && delivery.payment_intent() == payment_intent {
                    return delivery;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), wait)
            .await
            .unwrap_or_else(|_| panic!("no {kind} webhook for {payment_intent} within 20 s"))
    }
}

/// (request line, Idempotency-Key) of each request a [`Proxy`] saw, in order.
pub type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A loopback proxy to localstripe that drops the connection instead of answering the
/// first `drops` requests matching `method path` (after localstripe handled them), and
/// records the `Idempotency-Key` of every request.
pub struct Proxy {
    /// Its base URL.
    pub url: String,
    /// (request line, Idempotency-Key) of every request, in order.
    pub seen: Seen,
}

impl Proxy {
    /// Starts the proxy.
    pub async fn start(method_path: &'static str, drops: usize) -> Proxy {
        Proxy::run(method_path, drops, None).await
    }

    /// A proxy that answers the first `times` requests matching `method path` itself with
    /// HTTP `status` and a Stripe-shaped error body, without forwarding them.
    pub async fn failing(method_path: &'static str, status: u16, times: usize) -> Proxy {
        Proxy::run(method_path, times, Some(status)).await
    }

    /// A proxy that drops the connection of the first `times` requests matching
    /// `method path` before forwarding them: they never reach localstripe.
    pub async fn cutting(method_path: &'static str, times: usize) -> Proxy {
        Proxy::run(method_path, times, Some(0)).await
    }

    /// `status`: `None` loses localstripe's answer, `Some(0)` cuts the request before
    /// it is forwarded, `Some(code)` answers with that HTTP status.
    async fn run(method_path: &'static str, drops: usize, status: Option<u16>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let upstream = authority(&stripe_url());
        let seen: Seen = Arc::new(Mutex::new(Vec::new()));
        let dropped = Arc::new(AtomicUsize::new(0));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let log = log.clone();
                let dropped = dropped.clone();
                tokio::spawn(async move {
                    let Some((head, body)) = read_request(&mut client).await else {
                        return;
                    };
                    let line = head.lines().next().unwrap_or_default().to_owned();
                    log.lock()
                        .unwrap()
                        .push((line.clone(), header(&head, "idempotency-key")));
                    let matches = line.starts_with(method_path)
                        && line[method_path.len()..].starts_with([' ', '/']);
                    if let Some(status) = status
                        && matches
                        && dropped.fetch_add(1, Ordering::SeqCst) < drops
                    {
                        if status == 0 {
                            return; // the connection drops; localstripe never sees it
                        }
                        let body = r#"{"error":{"type":"api_error","message":"injected"}}"#;
                        let answer = format!(
                            "HTTP/1.1 {status} Injected\r\nContent-Type: application/json\r\n\
                             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = client.write_all(answer.as_bytes()).await;
                        let _ = client.shutdown().await;
                        return;
                    }
                    let mut server = TcpStream::connect(&upstream).await.unwrap();
                    let head = head
                        .lines()
                        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                        .collect::<Vec<_>>()
                        .join("\r\n");
                    server
                        .write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes())
                        .await
                        .unwrap();
                    server.write_all(&body).await.unwrap();
                    let mut answer = Vec::new();
                    let _ = server.read_to_end(&mut answer).await;
                    let drop_it = status.is_none()
                        && line.starts_with(method_path)
                        && line[method_path.len()..].starts_with(' ')
                        && dropped.fetch_add(1, Ordering::SeqCst) < drops;
                    if drop_it {
                        return; // the request was handled; the answer is lost
                    }
                    let _ = client.write_all(&answer).await;
                    let _ = client.shutdown().await;
                });
            }
        });
        Proxy {
            url: format!("http://127.0.0.1:{port}/"),
            seen,
        }
    }
}

/// The adapter on `url` with a webhook secret.
pub fn payments(url: &str, webhook_secret: &str) -> StripePayments {
    StripePayments::new(
        StripeConfig::new(
            SecretString::from(API_KEY),
            SecretString::from(webhook_secret),
        )
        .api_base(url)
        .timeout(Duration::from_secs(10)),
    )
    .unwrap()
}

/// An engine on the in-memory stores, paying through localstripe.
pub struct World {
    pub memory: Memory,
    pub engine: Commerce,
    pub stripe: Arc<StripePayments>,
    pub store: Store,
    pub mug: Item,
}

impl World {
    /// With automatic capture, talking to localstripe directly.
    pub async fn new(secret: &str) -> World {
        World::with(&stripe_url(), secret, CaptureMode::Automatic).await
    }

    /// With `capture`, talking to localstripe at `url`, 10 mugs in stock.
    pub async fn with(url: &str, secret: &str, capture: CaptureMode) -> World {
        let (store, mug, _tee) = two_shops();
        let memory = Memory::new();
        // The engine's clock checks webhook timestamps: it must read real time.
        memory.clock.set(Utc::now());
        install(&store, &memory.stores, 10, Utc::now()).await;
        let stripe = Arc::new(payments(url, secret));
        let engine = Commerce::new(
            memory.stores.clone(),
            stripe.clone(),
            memory.clock.clone(),
            Config {
                capture,
                ..Config::default()
            },
        );
        World {
            memory,
            engine,
            stripe,
            store,
            mug,
        }
    }

    /// Checks out `n` mugs as Alice: the order, pending payment, with its PaymentIntent.
    pub async fn ordered(&self, n: u32) -> Order {
        let Principal::Customer(customer) = ALICE else {
            unreachable!()
        };
        let now = Utc::now();
        let cart = self.store.customer_cart(customer, &[(self.mug, n)], now);
        self.memory
            .stores
            .carts
            .save_cart(&cart, Vec::new())
            .await
            .unwrap();
        let checkout = self
            .engine
            .checkout(
                ALICE,
                CheckoutRequest {
                    cart: cart.id(),
                    ship_to: address(),
                    shipping_method: None,
                    expected_total: None,
                    idempotency_key: IdempotencyKey::parse(&format!("checkout-{}", unique()))
                        .unwrap(),
                },
            )
            .await
            .unwrap();
        checkout.order
    }

    /// The order as stored.
    pub async fn order(&self, id: OrderId) -> Order {
        self.memory.stores.orders.order(id).await.unwrap().unwrap()
    }

    /// Mugs on hand, all locations.
    pub async fn on_hand(&self) -> i64 {
        let levels = self
            .memory
            .stores
            .inventory
            .levels(&sku(&self.store, self.mug))
            .await
            .unwrap();
        levels.iter().map(|l| l.on_hand).sum()
    }

    /// Mugs available (on hand less reserved).
    pub async fn available(&self) -> i64 {
        self.memory
            .stores
            .inventory
            .available(&sku(&self.store, self.mug))
            .await
            .unwrap()
    }

    /// The shopper's browser confirms the PaymentIntent with Stripe directly (as
    /// Stripe.js would), with a card that pays, under its own idempotency key.
    pub async fn browser_confirms(&self, intent: &str) {
        let key = IdempotencyKey::parse(&format!("browser-{}", unique())).unwrap();
        self.stripe
            .confirm(&PaymentRef(intent.to_owned()), "pm_card_visa", &key)
            .await
            .unwrap();
    }

    /// Hands a delivered webhook to the engine, which must accept it and apply it to an
    /// order; returns that order.
    pub async fn deliver(&self, hook: &Delivery) -> Order {
        self.engine
            .handle_payment_webhook(&hook.payload, &hook.signature)
            .await
            .unwrap()
            .unwrap()
    }

    /// The PaymentIntent id of an order.
    pub fn intent(order: &Order) -> String {
        order.payment.reference.clone().expect("a PaymentIntent").0
    }
}
