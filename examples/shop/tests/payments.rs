//! Payment integrity over the shop's HTTP interface: a webhook for less than the total
//! does not pay the order, no signature header can crash the server, refunds move the
//! order to `partially_refunded` and `refunded`, and an unknown payment is named as one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::{Method, StatusCode};
use commerce::memory::Webhook;
use commerce::payment::{PaymentOutcome, PaymentRef};
use commerce::{Currency, Money};
use commerce_shop::demo;
use support::{Answer, Shop};

/// Posts a webhook to the shop as the in-memory provider does.
async fn deliver(shop: &Shop, hook: &Webhook) -> Answer {
    let payload = String::from_utf8(hook.payload.clone()).unwrap();
    shop.call(
        Method::POST,
        "/api/payments/webhook",
        None,
        Some(&payload),
        &[("signature", &hook.signature)],
    )
    .await
}

/// A customer's order of one unit, pending payment, with its payment reference.
async fn pending_order(shop: &Shop, email: &str) -> (String, String, PaymentRef) {
    let (token, _) = shop.customer(email).await;
    let (product, _) = shop.product_with_stock(1, 0).await;
    let order = shop
        .order(&token, &product, 1, &format!("key-{email}"))
        .await;
    let seen = shop
        .get(&format!("/api/orders/{order}"), Some(&token))
        .await;
    let reference = seen.json["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    (token, order, PaymentRef(reference))
}

/// A shop that takes the in-memory provider's webhooks (`SHOP_MEMORY_WEBHOOKS=1`).
async fn webhook_shop() -> Shop {
    Shop::with_config(|config| config.memory_webhooks = true).await
}

fn usd(amount: &str) -> Money {
    Money::parse(amount, Currency::USD).unwrap()
}

#[tokio::test]
async fn a_webhook_for_one_cent_does_not_pay_the_order() {
    let shop = webhook_shop().await;
    let (token, order, reference) = pending_order(&shop, "cent@example.com").await;
    let provider = shop.state.memory_payments.as_ref().unwrap();
    let hook = provider
        .webhook_for(
            &reference,
            PaymentOutcome::Succeeded {
                captured: usd("0.01"),
            },
        )
        .unwrap();
    let answer = deliver(&shop, &hook).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(answer.json["status"], "pending_payment");
    let seen = shop
        .get(&format!("/api/orders/{order}"), Some(&token))
        .await;
    assert_eq!(seen.json["status"], "pending_payment");
    assert_eq!(seen.json["payment"]["captured"]["amount"], "0.01");
    assert_eq!(
        seen.json["payment"]["shortfall"]["received"]["amount"],
        "0.01"
    );
    let admin = shop.login(demo::ADMIN.0, demo::ADMIN.1).await;
    let (status, page, _) = shop
        .page(Method::GET, "/admin/orders", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Underpaid: the provider reported only 0.01 USD of"),
        "the admin sees the flag"
    );

    let euros = provider
        .webhook_for(
            &reference,
            PaymentOutcome::Succeeded {
                captured: Money::parse("999.00", Currency::EUR).unwrap(),
            },
        )
        .unwrap();
    deliver(&shop, &euros).await.assert_invalid("currency");
    let again = shop
        .get(&format!("/api/orders/{order}"), Some(&token))
        .await;
    assert_eq!(again.json, seen.json, "another currency changes nothing");
}

#[tokio::test]
async fn no_signature_header_crashes_the_webhook() {
    let shop = webhook_shop().await;
    for signature in [
        "t=-9223372036854775808,v1=00",
        "t=9223372036854775807,v1=00",
        "t=,v1=",
        "t=1,t=2,v1=zz",
        "v1=00",
    ] {
        let answer = shop
            .call(
                Method::POST,
                "/api/payments/webhook",
                None,
                Some("{}"),
                &[("signature", signature)],
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{signature}");
    }
}

#[tokio::test]
async fn refunds_move_the_order_to_partially_refunded_then_refunded() {
    let shop = webhook_shop().await;
    let admin = shop.login(demo::ADMIN.0, demo::ADMIN.1).await;
    let (token, _) = shop.customer("refund@example.com").await;
    let (product, price) = shop.product_with_stock(1, 0).await;
    let order = shop.paid_order(&token, &product, 1, "refund-1").await;
    let seen = shop
        .get(&format!("/api/orders/{order}"), Some(&token))
        .await;
    let total = seen.json["totals"]["total"]["amount"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!price.is_empty());
    let path = format!("/api/admin/orders/{order}/refunds");
    let refund = |key: &'static str, body: String, who: String| {
        let shop = &shop;
        let path = path.clone();
        async move {
            shop.call(
                Method::POST,
                &path,
                Some(&who),
                Some(&body),
                &[("idempotency-key", key)],
            )
            .await
        }
    };
    let by_customer = refund("r-0", r#"{"amount": "0.01"}"#.into(), token.clone()).await;
    assert_eq!(by_customer.status, StatusCode::FORBIDDEN);
    let too_much = refund("r-1", r#"{"amount": "1000000.00"}"#.into(), admin.clone()).await;
    too_much.assert_invalid("amount");
    let partial = refund(
        "r-2",
        r#"{"amount": "0.01", "reason": "scratched"}"#.into(),
        admin.clone(),
    )
    .await;
    assert_eq!(partial.status, StatusCode::OK, "{}", partial.json);
    assert_eq!(partial.json["status"], "partially_refunded");
    // The provider's own notice about that refund changes nothing more.
    let provider = shop.state.memory_payments.as_ref().unwrap();
    for hook in provider.take_webhooks().unwrap() {
        let answer = deliver(&shop, &hook).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    }
    let rest = usd(&total).checked_sub(usd("0.01")).unwrap();
    let full = refund(
        "r-3",
        format!(r#"{{"amount": "{}"}}"#, rest.amount()),
        admin.clone(),
    )
    .await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.json);
    assert_eq!(full.json["status"], "refunded");
    let history: Vec<_> = full.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        history.ends_with(&[
            "paid".to_owned(),
            "partially_refunded".to_owned(),
            "refunded".to_owned()
        ]),
        "{history:?}"
    );
}

#[tokio::test]
async fn a_webhook_for_an_order_the_shop_does_not_have_names_the_order() {
    let shop = webhook_shop().await;
    let (_, order, reference) = pending_order(&shop, "gone@example.com").await;
    let provider = shop.state.memory_payments.as_ref().unwrap();
    let hook = provider
        .webhook_for(
            &reference,
            PaymentOutcome::Succeeded {
                captured: usd("1.00"),
            },
        )
        .unwrap();
    // The notice, signed by another shop's provider and delivered to that shop, which
    // has no such order.
    let other = webhook_shop().await;
    let signature = other
        .state
        .memory_payments
        .as_ref()
        .unwrap()
        .sign(&hook.payload, chrono::Utc::now())
        .unwrap();
    let resigned = Webhook {
        payload: hook.payload.clone(),
        signature,
    };
    let answer = deliver(&other, &resigned).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.json);
    let message = answer.json["message"].as_str().unwrap();
    assert!(message.contains(&order), "{message}");
    assert!(!message.contains(&reference.0), "{message}");
}
