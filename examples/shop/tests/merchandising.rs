//! Sellers editing their catalogues at the same time over the shop's HTTP interface: a
//! product's price is one versioned row, so no seller's price is lost to another's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use axum::http::StatusCode;
use commerce_shop::demo;
use support::Shop;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sellers_creating_products_at_once_lose_no_price() {
    let shop = Arc::new(Shop::new().await);
    let ken = shop.login("ken@kettle.test", demo::SELLER_PASSWORD).await;
    let pia = shop
        .login("pia@pixelforge.test", demo::SELLER_PASSWORD)
        .await;
    let mut writes = Vec::new();
    for i in 0..8 {
        for (token, name, price) in [
            (&ken, format!("kettle-race-{i}"), format!("{}.25", 10 + i)),
            (&pia, format!("pixel-race-{i}"), format!("{}.75", 30 + i)),
        ] {
            let shop = shop.clone();
            let token = token.clone();
            writes.push(tokio::spawn(async move {
                let body = serde_json::json!({
                    "name": name, "sku": name.to_uppercase(), "price": price, "stock": 1
                })
                .to_string();
                let created = shop.post("/api/seller/products", Some(&token), &body).await;
                assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
                (created.json["id"].as_str().unwrap().to_owned(), price)
            }));
        }
    }
    for write in writes {
        let (product, price) = write.await.unwrap();
        let seen = shop.get(&format!("/api/products/{product}"), None).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.json);
        assert_eq!(
            seen.json["offers"][0]["price"]["amount"], price,
            "{product} kept its price"
        );
    }
}
