//! A shop on a fresh data directory and a client calling its router in-process.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use commerce_shop::{AppState, Config, app, prepare, prepare_on};
use http_body_util::BodyExt;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

pub struct Shop {
    pub state: AppState,
    pub router: Router,
    pub dir: TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
    pub headers: axum::http::HeaderMap,
}

impl Answer {
    /// The `field` of an error answer.
    pub fn field(&self) -> &str {
        self.json["field"].as_str().unwrap_or("")
    }

    /// Asserts a 400 naming `field`.
    #[track_caller]
    pub fn assert_invalid(&self, field: &str) {
        assert_eq!(
            (self.status, self.field()),
            (StatusCode::BAD_REQUEST, field),
            "{}",
            self.json
        );
    }
}

impl Shop {
    pub async fn new() -> Shop {
        Shop::with_config(|_| {}).await
    }

    pub async fn with_config(change: impl FnOnce(&mut Config)) -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::local(dir.path());
        change(&mut config);
        let (state, loaded) = prepare(&config).await.unwrap();
        assert!(loaded >= 300, "the demo catalog has a few hundred products");
        let router = app(state.clone());
        Shop { state, router, dir }
    }

    /// A shop on the database `database` names (the data directory is fresh).
    pub async fn on(database: commerce::sql::DatabaseConfig) -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::local(dir.path());
        let (state, loaded) = prepare_on(&config, database).await.unwrap();
        assert!(loaded >= 300, "the demo catalog has a few hundred products");
        let router = app(state.clone());
        Shop { state, router, dir }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .header("content-type", "application/json")
            .body(Body::from(body.unwrap_or("").to_owned()))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Answer {
            status,
            json,
            headers,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.call(Method::GET, path, token, None, &[]).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &str) -> Answer {
        self.call(Method::POST, path, token, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &str) -> Answer {
        self.call(Method::PUT, path, token, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        self.call(Method::DELETE, path, token, None, &[]).await
    }

    /// A POST with an `Idempotency-Key`.
    pub async fn post_keyed(
        &self,
        path: &str,
        token: Option<&str>,
        body: &str,
        key: &str,
    ) -> Answer {
        self.call(
            Method::POST,
            path,
            token,
            Some(body),
            &[("idempotency-key", key)],
        )
        .await
    }

    /// An HTML page (or a form post's redirect), as the browser sees it: `session`
    /// cookie, form body.
    pub async fn page(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        form: Option<&str>,
    ) -> (StatusCode, String, Option<String>) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("cookie", format!("session={token}"));
        }
        let request = request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form.unwrap_or("").to_owned()))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            String::from_utf8_lossy(&bytes).into_owned(),
            location,
        )
    }

    /// Adds `quantity` units of `product` to the caller's cart.
    pub async fn add_to_cart(&self, token: &str, product: &str, quantity: u32) -> Answer {
        let body = serde_json::json!({"productId": product, "quantity": quantity}).to_string();
        let answer = self.post("/api/cart/items", Some(token), &body).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
        answer
    }

    /// Pays order `order` with the card that is always approved.
    pub async fn pay(&self, token: &str, order: &str) -> Answer {
        self.post(
            &format!("/api/orders/{order}/pay"),
            Some(token),
            r#"{"paymentMethod": "pm_card_visa"}"#,
        )
        .await
    }

    /// Puts `quantity` of `product` in the caller's cart and checks out with `key`;
    /// returns the order id.
    pub async fn order(&self, token: &str, product: &str, quantity: u32, key: &str) -> String {
        self.add_to_cart(token, product, quantity).await;
        let checkout = self.checkout(token, key).await;
        assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.json);
        checkout.json["order"]["id"].as_str().unwrap().to_owned()
    }

    /// Like [`Shop::order`], then pays it.
    pub async fn paid_order(&self, token: &str, product: &str, quantity: u32, key: &str) -> String {
        let order = self.order(token, product, quantity, key).await;
        let paid = self.pay(token, &order).await;
        assert_eq!(paid.json["status"], "paid", "{}", paid.json);
        order
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let body = serde_json::json!({"email": email, "password": password}).to_string();
        let answer = self.post("/api/auth/login", None, &body).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
        answer.json["token"].as_str().unwrap().to_owned()
    }

    /// Signs up a new customer and returns their token and account id.
    pub async fn customer(&self, email: &str) -> (String, String) {
        let body =
            serde_json::json!({"email": email, "password": "long enough password", "name": "Test"})
                .to_string();
        let answer = self.post("/api/auth/signup", None, &body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json);
        let id = answer.json["id"].as_str().unwrap().to_owned();
        (self.login(email, "long enough password").await, id)
    }

    /// A product with one variant and at least `units` available, with its price.
    pub async fn product_with_stock(&self, units: i64, skip: usize) -> (String, String) {
        let mut page = 1;
        let mut seen = 0;
        loop {
            let answer = self.get(&format!("/api/products?page={page}"), None).await;
            let products = answer.json["products"].as_array().unwrap().clone();
            assert!(!products.is_empty(), "no product with {units} units");
            for product in products {
                let offers = product["offers"].as_array().unwrap();
                if offers.len() == 1 && offers[0]["available"].as_i64().unwrap() >= units {
                    if seen == skip {
                        return (
                            product["id"].as_str().unwrap().to_owned(),
                            offers[0]["price"]["amount"].as_str().unwrap().to_owned(),
                        );
                    }
                    seen += 1;
                }
            }
            page += 1;
        }
    }

    pub const ADDRESS: &'static str = r#"{"name": "Ada Lovelace", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"}"#;

    /// Checks out the caller's cart with `key`.
    pub async fn checkout(&self, token: &str, key: &str) -> Answer {
        self.call(
            Method::POST,
            "/api/checkout",
            Some(token),
            Some(&format!(r#"{{"shipTo": {}}}"#, Shop::ADDRESS)),
            &[("idempotency-key", key)],
        )
        .await
    }
}
pub mod webdriver;
