//! A hostile customer or seller against the JSON API: each attempt is refused with the
//! error a client can act on, and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::{Method, StatusCode};
use commerce::memory::MemoryPayments;
use commerce::ports::SystemClock;
use commerce_shop::demo;
use serde_json::{Value, json};
use support::Shop;

async fn seller(shop: &Shop) -> String {
    shop.login("pia@pixelforge.test", demo::SELLER_PASSWORD)
        .await
}

/// A new product of Pia's with SKU `sku` and 10 units.
async fn seller_product(shop: &Shop, token: &str, sku: &str) {
    let body = json!({"name": format!("Cable {sku}"), "sku": sku, "price": "5.00", "stock": 10});
    let created = shop
        .post("/api/seller/products", Some(token), &body.to_string())
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
}

#[tokio::test]
async fn almost_right_prices_are_refused_naming_the_field() {
    let shop = Shop::new().await;
    let pia = seller(&shop).await;
    for (n, price) in [" 5.00", "5.00 ", "-0", "5.000", "+5", "5e0", "1_000"]
        .into_iter()
        .enumerate()
    {
        let body =
            json!({"name": format!("Odd price {n}"), "sku": format!("ODD-{n}"), "price": price});
        let refused = shop
            .post("/api/seller/products", Some(&pia), &body.to_string())
            .await;
        refused.assert_invalid("price");
    }
    let listed = shop.get("/api/seller/products", Some(&pia)).await;
    assert!(
        !listed.json.to_string().contains("ODD-"),
        "no refused product was stored"
    );
}

#[tokio::test]
async fn an_unassigned_country_is_refused_at_checkout() {
    let shop = Shop::new().await;
    let (token, _) = shop.customer("zz@example.com").await;
    let (product, _) = shop.product_with_stock(1, 0).await;
    shop.add_to_cart(&token, &product, 1).await;
    for country in ["ZZ", "XX", "EU"] {
        let address = json!({"name": "Ada", "line1": "1 Main St", "city": "Springfield",
            "postalCode": "12345", "country": country});
        let body = json!({"shipTo": address}).to_string();
        let refused = shop
            .post_keyed(
                "/api/checkout",
                Some(&token),
                &body,
                &format!("zz-{country}"),
            )
            .await;
        refused.assert_invalid("shipTo.country");
    }
    let orders = shop.get("/api/orders", Some(&token)).await;
    assert_eq!(
        orders.json.as_array().map(Vec::len),
        Some(0),
        "{}",
        orders.json
    );
}

#[tokio::test]
async fn a_stock_delta_beyond_a_billion_is_refused_naming_delta() {
    let shop = Shop::new().await;
    let pia = seller(&shop).await;
    seller_product(&shop, &pia, "HUGE-1").await;
    for delta in [i64::MIN, 1 << 62, 1_000_000_001, -1_000_000_001] {
        let body = json!({"sku": "HUGE-1", "delta": delta}).to_string();
        let refused = shop.post("/api/seller/stock", Some(&pia), &body).await;
        refused.assert_invalid("delta");
    }
    let stock = shop.get("/api/seller/stock?sku=HUGE-1", Some(&pia)).await;
    assert_eq!(stock.json[0]["on_hand"], 10, "{}", stock.json);
}

#[tokio::test]
async fn control_characters_and_huge_texts_are_refused_in_free_text() {
    let shop = Shop::new().await;
    let pia = seller(&shop).await;
    let huge = json!({"name": "Huge", "sku": "HUGE-DESC", "price": "5.00",
        "description": "x".repeat(1 << 20)});
    let refused = shop
        .post("/api/seller/products", Some(&pia), &huge.to_string())
        .await;
    let field = refused.field().to_owned();
    assert_eq!(
        (refused.status, field.as_str()),
        (StatusCode::BAD_REQUEST, "description")
    );
    let nul = json!({"name": "Nul", "sku": "NUL-DESC", "price": "5.00", "description": "a\u{0}b"});
    let refused = shop
        .post("/api/seller/products", Some(&pia), &nul.to_string())
        .await;
    refused.assert_invalid("description");

    let (token, _) = shop.customer("nul@example.com").await;
    let reviews = format!("/api/products/{}/reviews", demo::demo_product(206));
    let review = json!({"rating": 4, "title": "Fine", "text": "fine\u{0}mug"}).to_string();
    shop.post(&reviews, Some(&token), &review)
        .await
        .assert_invalid("text");
    let lines = json!({"rating": 4, "text": "Line one\nLine two"}).to_string();
    let kept = shop.post(&reviews, Some(&token), &lines).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.json);

    let (product, _) = shop.product_with_stock(1, 0).await;
    let order = shop.order(&token, &product, 1, "nul-pay").await;
    let pay = shop
        .post(
            &format!("/api/orders/{order}/pay"),
            Some(&token),
            &json!({"paymentMethod": "pm_card_visa\u{0}"}).to_string(),
        )
        .await;
    assert_eq!(pay.status, StatusCode::BAD_REQUEST, "{}", pay.json);
    let unpaid = shop
        .get(&format!("/api/orders/{order}"), Some(&token))
        .await;
    assert_ne!(unpaid.json["status"], "paid", "{}", unpaid.json);
}

#[tokio::test]
async fn a_taken_email_says_so_without_database_text() {
    let shop = Shop::new().await;
    shop.customer("taken@example.com").await;
    let again = json!({"email": "taken@example.com", "password": "long enough", "name": "B"});
    let refused = shop
        .post("/api/auth/signup", None, &again.to_string())
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.json);
    let message = refused.json["message"].as_str().unwrap().to_owned();
    assert!(message.contains("email"), "{message}");
    for word in [
        "UNIQUE",
        "constraint",
        "accounts.",
        "duplicate key",
        "violat",
        "sql",
    ] {
        assert!(
            !message.to_lowercase().contains(&word.to_lowercase()),
            "{message} quotes the database"
        );
    }
}

#[tokio::test]
async fn another_customers_cart_id_is_refused_not_replaced() {
    let shop = Shop::new().await;
    let (ann, _) = shop.customer("ann@example.com").await;
    let (bob, _) = shop.customer("bob@example.com").await;
    let (product, _) = shop.product_with_stock(3, 0).await;
    let anns = shop.add_to_cart(&ann, &product, 1).await;
    let anns_cart = anns.json["cartId"].as_str().unwrap().to_owned();
    let bobs = shop.add_to_cart(&bob, &product, 1).await;
    let bobs_cart = bobs.json["cartId"].as_str().unwrap().to_owned();

    let add = json!({"productId": product, "quantity": 2}).to_string();
    let into_anns = shop
        .post(
            &format!("/api/cart/items?cartId={anns_cart}"),
            Some(&bob),
            &add,
        )
        .await;
    assert_eq!(
        into_anns.status,
        StatusCode::FORBIDDEN,
        "{}",
        into_anns.json
    );
    let peek = shop
        .get(&format!("/api/cart?cartId={anns_cart}"), Some(&bob))
        .await;
    assert_eq!(peek.status, StatusCode::FORBIDDEN, "{}", peek.json);
    let unknown = shop
        .post(
            &format!("/api/cart/items?cartId={}", uuid::Uuid::new_v4()),
            Some(&bob),
            &add,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.json);

    let mine = shop
        .post(
            &format!("/api/cart/items?cartId={bobs_cart}"),
            Some(&bob),
            &add,
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.json);
    assert_eq!(mine.json["cartId"], bobs_cart.as_str());
    let bobs_now = shop.get("/api/cart", Some(&bob)).await.json;
    assert_eq!(bobs_now["totalItems"], 3, "Bob's own cart");
    let anns_now = shop.get("/api/cart", Some(&ann)).await.json;
    assert_eq!(anns_now["totalItems"], 1, "Ann's cart untouched");
}

/// A customer's unpaid order and a webhook body saying its payment succeeded, as anyone
/// can write it from the checkout answer.
async fn forgeable_order(shop: &Shop, email: &str) -> (String, String, Vec<u8>) {
    let (token, _) = shop.customer(email).await;
    let (product, _) = shop.product_with_stock(1, 0).await;
    shop.add_to_cart(&token, &product, 1).await;
    let checkout = shop.checkout(&token, &format!("forge-{email}")).await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.json);
    let order = checkout.json["order"]["id"].as_str().unwrap().to_owned();
    let payment: &Value = &checkout.json["payment"];
    let payload = json!({
        "id": format!("evt_forged_{email}"),
        "payment": payment["reference"],
        "order": order,
        "outcome": {"kind": "succeeded", "captured": payment["amount"]},
    });
    (token, order, serde_json::to_vec(&payload).unwrap())
}

async fn post_webhook(shop: &Shop, payload: &[u8], signature: &str) -> support::Answer {
    shop.call(
        Method::POST,
        "/api/payments/webhook",
        None,
        Some(std::str::from_utf8(payload).unwrap()),
        &[("signature", signature)],
    )
    .await
}

/// The signature the shop's old built-in secret gives `payload`.
fn signed_with_the_old_constant(payload: &[u8]) -> String {
    let forger = MemoryPayments::new("whsec_shop_demo", std::sync::Arc::new(SystemClock));
    forger.sign(payload, chrono::Utc::now()).unwrap()
}

#[tokio::test]
async fn in_memory_webhooks_are_refused_unless_switched_on() {
    let shop = Shop::new().await;
    let (token, order, payload) = forgeable_order(&shop, "forger@example.com").await;
    let provider = shop.state.memory_payments.as_ref().unwrap();
    let genuine = provider.sign(&payload, chrono::Utc::now()).unwrap();
    for signature in [signed_with_the_old_constant(&payload), genuine] {
        let refused = post_webhook(&shop, &payload, &signature).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);
    }
    let still = shop
        .get(&format!("/api/orders/{order}"), Some(&token))
        .await;
    assert_eq!(still.json["status"], "pending_payment", "{}", still.json);
}

#[tokio::test]
async fn switched_on_in_memory_webhooks_need_the_data_dirs_own_secret() {
    let shop = Shop::with_config(|config| config.memory_webhooks = true).await;
    let (token, order, payload) = forgeable_order(&shop, "forger2@example.com").await;
    let forged = post_webhook(&shop, &payload, &signed_with_the_old_constant(&payload)).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{}", forged.json);
    let still = shop
        .get(&format!("/api/orders/{order}"), Some(&token))
        .await;
    assert_eq!(still.json["status"], "pending_payment", "{}", still.json);

    let provider = shop.state.memory_payments.as_ref().unwrap();
    let genuine = provider.sign(&payload, chrono::Utc::now()).unwrap();
    let applied = post_webhook(&shop, &payload, &genuine).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.json);
    assert_eq!(applied.json["status"], "paid");
}
