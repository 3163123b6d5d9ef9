//! `/openapi.json` documents every route the API serves, and every documented route is
//! served.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use support::Shop;

/// Every JSON API endpoint (the list).
const ROUTES: [(&str, &str); 28] = [
    ("post", "/api/auth/signup"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/logout"),
    ("get", "/api/me"),
    ("put", "/api/me"),
    ("get", "/api/products"),
    ("get", "/api/products/{id}"),
    ("get", "/api/categories"),
    ("get", "/api/search"),
    ("get", "/api/suggest"),
    ("get", "/api/cart"),
    ("post", "/api/cart/items"),
    ("put", "/api/cart/items"),
    ("delete", "/api/cart/items"),
    ("post", "/api/cart/coupon"),
    ("delete", "/api/cart/coupon"),
    ("post", "/api/checkout"),
    ("get", "/api/orders"),
    ("get", "/api/orders/{id}"),
    ("post", "/api/orders/{id}/pay"),
    ("post", "/api/orders/{id}/cancel"),
    ("post", "/api/payments/webhook"),
    ("get", "/api/seller/products"),
    ("post", "/api/seller/products"),
    ("get", "/api/seller/stock"),
    ("post", "/api/seller/stock"),
    ("get", "/api/seller/orders"),
    ("post", "/api/seller/orders/{id}/shipments"),
];

const MORE_ROUTES: [(&str, &str); 11] = [
    ("post", "/api/seller/orders/{id}/tracking"),
    ("post", "/api/admin/orders/{id}/status"),
    ("post", "/api/admin/orders/{id}/refunds"),
    ("get", "/api/notifications"),
    ("get", "/api/products/{id}/reviews"),
    ("post", "/api/products/{id}/reviews"),
    ("put", "/api/reviews/{id}"),
    ("delete", "/api/reviews/{id}"),
    ("post", "/api/reviews/{id}/hide"),
    ("post", "/api/reviews/{id}/restore"),
    ("post", "/api/reviews/{id}/reply"),
];

#[tokio::test]
async fn the_document_lists_every_route_and_every_listed_route_is_served() {
    let shop = Shop::new().await;
    let answer = shop.get("/openapi.json", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.json["openapi"].as_str().unwrap().starts_with("3."));

    let mut documented = BTreeSet::new();
    for (path, item) in answer.json["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .chain(MORE_ROUTES.iter())
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented, expected);

    for (method, path) in &expected {
        let path = path.replace("{id}", &uuid::Uuid::new_v4().to_string());
        let method: Method = method.to_uppercase().parse().unwrap();
        let served = shop
            .call(method.clone(), &path, None, Some("{}"), &[])
            .await;
        assert_ne!(
            served.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_ne!(
            served.json["message"], "no such route",
            "{method} {path} is not served"
        );
    }
}

#[tokio::test]
async fn every_operation_says_what_it_does_and_how_it_fails() {
    let doc = commerce_shop::openapi();
    let json = serde_json::to_value(&doc).unwrap();
    for (path, item) in json["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let description = operation["description"]
                .as_str()
                .or(operation["summary"].as_str());
            assert!(
                description.is_some_and(|d| !d.is_empty()),
                "{method} {path} has no description"
            );
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path}: no success"
            );
            assert!(
                responses.keys().any(|s| s.starts_with('4')) || path == "/api/categories",
                "{method} {path}: no error answer documented"
            );
        }
    }
}

#[test]
fn every_mutating_call_documents_its_idempotency_key() {
    let json = serde_json::to_value(commerce_shop::openapi()).unwrap();
    for (path, item) in json["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !["post", "put", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let key = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == "Idempotency-Key" && p["in"] == "header");
            let key = key.unwrap_or_else(|| panic!("{method} {path} takes no Idempotency-Key"));
            let required = key["required"].as_bool().unwrap_or(false);
            // Checkout and refunds move money: a retry without the key could do it twice.
            let moves_money = path == "/api/checkout" || path == "/api/admin/orders/{id}/refunds";
            assert_eq!(
                required, moves_money,
                "{method} {path}: only checkout and refunds require their key"
            );
        }
    }
}
