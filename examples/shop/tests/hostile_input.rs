//! A hostile customer or seller against the JSON API: each attempt is refused with the
//! error a client can act on, and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::StatusCode;
use commerce_shop::demo;
use serde_json::json;
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
