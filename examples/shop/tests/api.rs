//! The JSON API end to end on a real engine (SQLite, tantivy, the demo catalog): every
//! endpoint, and each kind of error a client can cause — 400 naming the field, 404 for
//! unknown ids, 403/404 for other people's things, 401 for a bad or expired session, and
//! never a 500.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::{Method, StatusCode};
use commerce_shop::demo;
use rust_decimal::prelude::ToPrimitive;
use serde_json::json;
use support::Shop;

#[tokio::test]
async fn sign_up_log_in_profile_and_log_out() {
    let shop = Shop::new().await;
    let (token, id) = shop.customer("grace@example.com").await;

    let me = shop.get("/api/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["email"], "grace@example.com");
    assert_eq!(me.json["id"], id.as_str());
    assert!(me.json.get("password").is_none(), "never the hash");

    let update = r#"{"name": "Grace Hopper", "marketingOptIn": true}"#;
    let me = shop
        .call(Method::PUT, "/api/me", Some(&token), Some(update), &[])
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.json);
    assert_eq!(me.json["name"], "Grace Hopper");
    assert_eq!(me.json["marketingOptIn"], true);

    let out = shop.post("/api/auth/logout", Some(&token), "").await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let me = shop.get("/api/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "a revoked session");
}

#[tokio::test]
async fn sign_up_and_login_errors_name_the_field() {
    let shop = Shop::new().await;
    let signup = |body: &'static str| shop.post("/api/auth/signup", None, body);
    let missing = signup(r#"{"email": "a@b.co", "password": "long enough"}"#).await;
    missing.assert_invalid("name");
    let broken = signup(r#"{"email": "a@b.co", "#).await;
    broken.assert_invalid("body");
    let wrong_type = signup(r#"{"email": 7, "password": "long enough", "name": "A"}"#).await;
    wrong_type.assert_invalid("email");
    let unknown =
        signup(r#"{"email": "a@b.co", "password": "long enough", "name": "A", "role": "admin"}"#)
            .await;
    unknown.assert_invalid("role");
    let short = signup(r#"{"email": "a@b.co", "password": "short", "name": "A"}"#).await;
    short.assert_invalid("password");
    let bad_email =
        signup(r#"{"email": "not an email", "password": "long enough", "name": "A"}"#).await;
    bad_email.assert_invalid("email");
    let empty = shop.post("/api/auth/signup", None, "").await;
    empty.assert_invalid("body");

    shop.customer("taken@example.com").await;
    let again =
        signup(r#"{"email": " TAKEN@example.com", "password": "long enough", "name": "B"}"#).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);

    let wrong = shop
        .post(
            "/api/auth/login",
            None,
            r#"{"email": "taken@example.com", "password": "wrong password"}"#,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let no_session = shop.get("/api/me", None).await;
    assert_eq!(no_session.status, StatusCode::UNAUTHORIZED);
    let garbage = shop.get("/api/me", Some("not-a-token")).await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_expired_session_is_401() {
    let shop = Shop::with_config(|c| c.session_ttl = chrono::Duration::seconds(1)).await;
    let token = shop.login(demo::CUSTOMER.0, demo::CUSTOMER.1).await;
    assert_eq!(
        shop.get("/api/me", Some(&token)).await.status,
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let expired = shop.get("/api/me", Some(&token)).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.json["error"], "unauthenticated");
    let cart = shop.get("/api/cart", Some(&token)).await;
    assert_eq!(
        cart.status,
        StatusCode::UNAUTHORIZED,
        "even where guests are welcome"
    );
}

#[tokio::test]
async fn products_categories_and_their_errors() {
    let shop = Shop::new().await;
    let all = shop.get("/api/products", None).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.json["total"], 306);
    assert_eq!(all.json["products"].as_array().unwrap().len(), 24);

    let categories = shop.get("/api/categories", None).await;
    let categories = categories.json.as_array().unwrap().clone();
    assert_eq!(categories.len(), 12, "three departments of three aisles");
    let kitchen = categories.iter().find(|c| c["name"] == "Kitchen").unwrap();
    assert_eq!(kitchen["products"], 102);
    let in_kitchen = shop
        .get(
            &format!("/api/products?category={}", kitchen["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(in_kitchen.json["total"], 102, "sub-categories included");

    let id = all.json["products"][0]["id"].as_str().unwrap().to_owned();
    let one = shop.get(&format!("/api/products/{id}"), None).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json["id"], id.as_str());
    assert!(
        one.json["offers"][0]["price"]["amount"].is_string(),
        "money as a decimal string"
    );

    let unknown = shop
        .get(&format!("/api/products/{}", uuid::Uuid::new_v4()), None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let malformed = shop.get("/api/products/not-an-id", None).await;
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
    let bad = shop.get("/api/products?category=kitchen", None).await;
    bad.assert_invalid("category");
    let bad_page = shop.get("/api/products?page=-1", None).await;
    bad_page.assert_invalid("page");
}

#[tokio::test]
async fn search_forgives_typos_filters_by_facets_and_suggests() {
    let shop = Shop::new().await;
    let typo = shop.get("/api/search?q=tepot", None).await;
    assert_eq!(typo.status, StatusCode::OK);
    let total = typo.json["total"].as_u64().unwrap();
    assert!(total > 0);
    assert!(
        typo.json["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["name"].as_str().unwrap().contains("Teapot"))
    );

    let brands = typo.json["facets"]["brands"].as_array().unwrap().clone();
    assert!(brands.len() > 1, "teapots of several brands: {brands:?}");
    let brand = brands[0]["value"].as_str().unwrap();
    let count = brands[0]["count"].as_u64().unwrap();
    let filtered = shop
        .get(&format!("/api/search?q=tepot&brand={brand}"), None)
        .await;
    assert_eq!(filtered.json["total"].as_u64().unwrap(), count);
    assert!(count < total);

    let cheap = shop
        .get("/api/search?q=mug&max_price=20&sort=price_ascending", None)
        .await;
    for hit in cheap.json["hits"].as_array().unwrap() {
        let price: f64 = hit["price"]["amount"].as_str().unwrap().parse().unwrap();
        assert!(price <= 20.0);
    }

    let suggest = shop.get("/api/suggest?q=kett", None).await;
    assert_eq!(suggest.status, StatusCode::OK);
    assert!(!suggest.json["products"].as_array().unwrap().is_empty());

    let bad_sort = shop.get("/api/search?q=mug&sort=cheapest", None).await;
    bad_sort.assert_invalid("sort");
    let bad_price = shop.get("/api/search?q=mug&min_price=ten", None).await;
    bad_price.assert_invalid("min_price");
    let bad_limit = shop.get("/api/suggest?q=mug&limit=many", None).await;
    bad_limit.assert_invalid("limit");
    let odd = shop.get("/api/search?q=%22%28%2A%3A%5B%7E", None).await;
    assert_eq!(
        odd.status,
        StatusCode::OK,
        "any text is a query: {}",
        odd.json
    );
}

#[tokio::test]
async fn the_cart_speaks_the_seed_shapes() {
    let shop = Shop::new().await;
    let (token, user) = shop.customer("cart@example.com").await;
    let (product, price) = shop.product_with_stock(3, 0).await;

    let add = json!({"userId": user, "productId": product, "quantity": 2}).to_string();
    let added = shop.post("/api/cart/items", Some(&token), &add).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.json);
    let cart = added.json["cartId"].as_str().unwrap().to_owned();
    let keys: Vec<_> = added.json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["cartId", "item", "totalItems", "totalPrice"]);
    assert_eq!(added.json["totalItems"], 2);
    assert_eq!(added.json["item"]["productId"], product.as_str());
    assert_eq!(added.json["item"]["price"], price.as_str());
    assert_eq!(added.json["item"]["quantity"], 2);

    let update = json!({"cartId": cart, "productId": product, "quantity": 3}).to_string();
    let updated = shop
        .call(
            Method::PUT,
            "/api/cart/items",
            Some(&token),
            Some(&update),
            &[],
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.json);
    assert_eq!(updated.json["totalItems"], 3);
    assert_eq!(updated.json["item"]["quantity"], 3);

    let view = shop.get("/api/cart", Some(&token)).await;
    assert_eq!(view.json["cartId"], cart.as_str());
    assert_eq!(view.json["items"].as_array().unwrap().len(), 1);
    assert!(view.json["priced"]["totals"]["total"]["amount"].is_string());

    let remove = json!({"cartId": cart, "productId": product}).to_string();
    let removed = shop
        .call(
            Method::DELETE,
            "/api/cart/items",
            Some(&token),
            Some(&remove),
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.json);
    assert_eq!(removed.json["message"], "Item removed successfully.");
    assert_eq!(removed.json["totalItems"], 0);
    let left: rust_decimal::Decimal = removed.json["totalPrice"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(left.is_zero(), "{}", removed.json);
}

#[tokio::test]
async fn cart_errors_name_the_field_and_guard_other_peoples_carts() {
    let shop = Shop::new().await;
    let (token, user) = shop.customer("one@example.com").await;
    let (other, other_id) = shop.customer("two@example.com").await;
    let (product, _) = shop.product_with_stock(2, 0).await;
    let shop = &shop;
    let add = |body: String, token: String| async move {
        shop.post("/api/cart/items", Some(&token), &body).await
    };

    let text_quantity = add(
        json!({"productId": product, "quantity": "2"}).to_string(),
        token.clone(),
    )
    .await;
    text_quantity.assert_invalid("quantity");
    let zero = add(
        json!({"productId": product, "quantity": 0}).to_string(),
        token.clone(),
    )
    .await;
    zero.assert_invalid("quantity");
    let no_product = add(json!({"quantity": 1}).to_string(), token.clone()).await;
    no_product.assert_invalid("productId");
    let bad_id = add(
        json!({"productId": "x", "quantity": 1}).to_string(),
        token.clone(),
    )
    .await;
    bad_id.assert_invalid("productId");
    let unknown = add(
        json!({"productId": uuid::Uuid::new_v4(), "quantity": 1}).to_string(),
        token.clone(),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let sized = shop.get("/api/search?q=jacket&per_page=1", None).await;
    let jacket = sized.json["hits"][0]["product"]
        .as_str()
        .unwrap()
        .to_owned();
    let variants = shop.get(&format!("/api/products/{jacket}"), None).await;
    if variants.json["offers"].as_array().unwrap().len() > 1 {
        let which = add(
            json!({"productId": jacket, "quantity": 1}).to_string(),
            token.clone(),
        )
        .await;
        which.assert_invalid("variantId");
    }
    let as_other = add(
        json!({"userId": other_id, "productId": product, "quantity": 1}).to_string(),
        token.clone(),
    )
    .await;
    assert_eq!(as_other.status, StatusCode::FORBIDDEN);

    let mine = add(
        json!({"userId": user, "productId": product, "quantity": 1}).to_string(),
        token.clone(),
    )
    .await;
    let cart = mine.json["cartId"].as_str().unwrap().to_owned();
    let theirs = json!({"cartId": cart, "productId": product, "quantity": 2}).to_string();
    let stolen = shop
        .call(
            Method::PUT,
            "/api/cart/items",
            Some(&other),
            Some(&theirs),
            &[],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::FORBIDDEN);
    let unknown_cart =
        json!({"cartId": uuid::Uuid::new_v4(), "productId": product, "quantity": 2}).to_string();
    let missing = shop
        .call(
            Method::PUT,
            "/api/cart/items",
            Some(&token),
            Some(&unknown_cart),
            &[],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad_cart = json!({"cartId": "nope", "productId": product}).to_string();
    let malformed = shop
        .call(
            Method::DELETE,
            "/api/cart/items",
            Some(&token),
            Some(&bad_cart),
            &[],
        )
        .await;
    malformed.assert_invalid("cartId");

    let coupon = shop
        .post(
            "/api/cart/coupon",
            Some(&token),
            r#"{"code": "NOSUCHCODE"}"#,
        )
        .await;
    assert_eq!(
        (coupon.status, coupon.field()),
        (StatusCode::BAD_REQUEST, "coupon"),
        "{}",
        coupon.json
    );
    let applied = shop
        .post("/api/cart/coupon", Some(&token), r#"{"code": "welcome10"}"#)
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.json);
    assert_eq!(applied.json["coupons"], json!(["WELCOME10"]));
    let off = shop
        .call(
            Method::DELETE,
            "/api/cart/coupon",
            Some(&token),
            Some(r#"{"code": "WELCOME10"}"#),
            &[],
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.json);
    assert_eq!(off.json["coupons"], json!([]));

    let seller = shop
        .login("nora@northwind.test", demo::SELLER_PASSWORD)
        .await;
    let seller_add = add(
        json!({"productId": product, "quantity": 1}).to_string(),
        seller,
    )
    .await;
    assert_eq!(seller_add.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn guests_keep_a_cart_by_its_id() {
    let shop = Shop::new().await;
    let (product, _) = shop.product_with_stock(2, 0).await;
    let first = shop
        .post(
            "/api/cart/items",
            None,
            &json!({"productId": product, "quantity": 1}).to_string(),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let cart = first.json["cartId"].as_str().unwrap().to_owned();
    let again = shop
        .post(
            &format!("/api/cart/items?cartId={cart}"),
            None,
            &json!({"productId": product, "quantity": 1}).to_string(),
        )
        .await;
    assert_eq!(again.json["cartId"], cart.as_str());
    assert_eq!(again.json["totalItems"], 2);
    let view = shop.get(&format!("/api/cart?cartId={cart}"), None).await;
    assert_eq!(view.json["totalItems"], 2);
}

#[tokio::test]
async fn checkout_is_idempotent_and_orders_are_private() {
    let shop = Shop::new().await;
    let (token, _) = shop.customer("buyer@example.com").await;
    let (other, _) = shop.customer("nosy@example.com").await;
    let (product, _) = shop.product_with_stock(2, 0).await;
    shop.add_to_cart(&token, &product, 2).await;

    let no_key = shop
        .post(
            "/api/checkout",
            Some(&token),
            &format!(r#"{{"shipTo": {}}}"#, Shop::ADDRESS),
        )
        .await;
    no_key.assert_invalid("Idempotency-Key");
    let bad_address = shop
        .call(
            Method::POST,
            "/api/checkout",
            Some(&token),
            Some(r#"{"shipTo": {"name": "A"}}"#),
            &[("idempotency-key", "k0")],
        )
        .await;
    bad_address.assert_invalid("shipTo.line1");
    let guest = shop
        .call(
            Method::POST,
            "/api/checkout",
            None,
            Some("{}"),
            &[("idempotency-key", "k0")],
        )
        .await;
    assert_eq!(guest.status, StatusCode::UNAUTHORIZED);

    let first = shop.checkout(&token, "buy-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    assert_eq!(first.json["created"], true);
    let order = first.json["order"]["id"].as_str().unwrap().to_owned();
    let retry = shop.checkout(&token, "buy-1").await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.json);
    assert_eq!(
        retry.json["order"]["id"],
        order.as_str(),
        "the same order, not a second"
    );
    assert_eq!(retry.json["created"], false);

    let history = shop.get("/api/orders", Some(&token)).await;
    assert_eq!(history.json.as_array().unwrap().len(), 1);
    let mine = shop
        .get(&format!("/api/orders/{order}"), Some(&token))
        .await;
    assert_eq!(mine.json["status"], "pending_payment");
    let theirs = shop
        .get(&format!("/api/orders/{order}"), Some(&other))
        .await;
    assert!(
        matches!(theirs.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        theirs.status
    );
    let unknown = shop
        .get(
            &format!("/api/orders/{}", uuid::Uuid::new_v4()),
            Some(&token),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let not_theirs = shop
        .post(
            &format!("/api/orders/{order}/pay"),
            Some(&other),
            r#"{"paymentMethod": "pm_card_visa"}"#,
        )
        .await;
    assert!(matches!(
        not_theirs.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));
    let no_method = shop
        .post(&format!("/api/orders/{order}/pay"), Some(&token), "{}")
        .await;
    no_method.assert_invalid("paymentMethod");

    let paid = shop
        .post(
            &format!("/api/orders/{order}/pay"),
            Some(&token),
            r#"{"paymentMethod": "pm_card_visa"}"#,
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
    assert_eq!(paid.json["status"], "paid");
    let twice = shop
        .post(
            &format!("/api/orders/{order}/pay"),
            Some(&token),
            r#"{"paymentMethod": "pm_card_visa"}"#,
        )
        .await;
    assert_eq!(
        twice.json["status"], "paid",
        "paying again pays nothing more: {}",
        twice.json
    );

    let cancel_theirs = shop
        .post(
            &format!("/api/orders/{order}/cancel"),
            Some(&other),
            r#"{"reason": "mine now"}"#,
        )
        .await;
    assert!(matches!(
        cancel_theirs.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));
    let cancelled = shop
        .post(
            &format!("/api/orders/{order}/cancel"),
            Some(&token),
            r#"{"reason": "changed my mind"}"#,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.json);
    assert_eq!(
        cancelled.json["status"], "cancelled",
        "{}",
        cancelled.json["history"]
    );
    assert_eq!(
        cancelled.json["payment"]["refunded"], cancelled.json["payment"]["captured"],
        "all of it refunded"
    );
}

#[tokio::test]
async fn checkout_never_oversells() {
    let shop = Shop::new().await;
    let seller = shop.login("ken@kettle.test", demo::SELLER_PASSWORD).await;
    let created = shop
        .post(
            "/api/seller/products",
            Some(&seller),
            r#"{"name": "Last Teapot", "sku": "LAST-1", "price": "20.00", "stock": 1}"#,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let product = created.json["id"].as_str().unwrap().to_owned();
    let (a, _) = shop.customer("a@example.com").await;
    let (b, _) = shop.customer("b@example.com").await;
    for token in [&a, &b] {
        let added = shop
            .post(
                "/api/cart/items",
                Some(token),
                &json!({"productId": product, "quantity": 1}).to_string(),
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.json);
    }
    assert_eq!(shop.checkout(&a, "a-1").await.status, StatusCode::CREATED);
    let late = shop.checkout(&b, "b-1").await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.json["error"], "insufficient_stock");
}

#[tokio::test]
async fn payment_webhooks_must_be_signed() {
    let shop = Shop::with_config(|config| config.memory_webhooks = true).await;
    let (token, _) = shop.customer("hook@example.com").await;
    let (product, _) = shop.product_with_stock(1, 0).await;
    // The demo orders' webhooks were never delivered; leave them out.
    let provider = shop.state.memory_payments.as_ref().unwrap();
    provider.take_webhooks().unwrap();
    let order = shop.order(&token, &product, 1, "hook-1").await;
    shop.pay(&token, &order).await;
    let hooks = provider.take_webhooks().unwrap();
    assert!(!hooks.is_empty(), "the provider sends webhooks");

    let unsigned = shop.post("/api/payments/webhook", None, "{}").await;
    unsigned.assert_invalid("Signature");
    let payload = String::from_utf8(hooks[0].payload.clone()).unwrap();
    let forged = shop
        .call(
            Method::POST,
            "/api/payments/webhook",
            None,
            Some(&payload),
            &[("signature", "t=1,v1=00")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let genuine = shop
        .call(
            Method::POST,
            "/api/payments/webhook",
            None,
            Some(&payload),
            &[("signature", &hooks[0].signature)],
        )
        .await;
    assert_eq!(genuine.status, StatusCode::OK, "{}", genuine.json);
    assert_eq!(genuine.json["order"], order.as_str());
    assert_eq!(genuine.json["status"], "paid");
}

#[tokio::test]
async fn sellers_manage_products_stock_orders_and_shipping() {
    let shop = Shop::new().await;
    let seller = shop
        .login("pia@pixelforge.test", demo::SELLER_PASSWORD)
        .await;
    let listed = shop.get("/api/seller/products", Some(&seller)).await;
    assert_eq!(listed.json.as_array().unwrap().len(), 102);

    let bad_price = shop
        .post(
            "/api/seller/products",
            Some(&seller),
            r#"{"name": "X", "sku": "X-1", "price": "cheap"}"#,
        )
        .await;
    bad_price.assert_invalid("price");
    let no_sku = shop
        .post(
            "/api/seller/products",
            Some(&seller),
            r#"{"name": "X", "price": "1.00"}"#,
        )
        .await;
    no_sku.assert_invalid("sku");
    let created = shop
        .post("/api/seller/products", Some(&seller), r#"{"name": "Ohmic Test Cable", "sku": "OHM-T1", "price": "9.50", "stock": 4, "brand": "Ohmic"}"#)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let product = created.json["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json["offers"][0]["available"], 4);
    let taken = shop
        .post(
            "/api/seller/products",
            Some(&seller),
            r#"{"name": "Dup", "sku": "OHM-T1", "price": "1.00"}"#,
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.json);

    let more = shop
        .post(
            "/api/seller/stock",
            Some(&seller),
            r#"{"sku": "OHM-T1", "delta": 6}"#,
        )
        .await;
    assert_eq!(more.status, StatusCode::OK, "{}", more.json);
    let levels = shop
        .get("/api/seller/stock?sku=OHM-T1", Some(&seller))
        .await;
    assert_eq!(levels.json[0]["on_hand"], 10, "{}", levels.json);
    let other_seller = shop
        .login("nora@northwind.test", demo::SELLER_PASSWORD)
        .await;
    let not_mine = shop
        .post(
            "/api/seller/stock",
            Some(&other_seller),
            r#"{"sku": "OHM-T1", "delta": 1}"#,
        )
        .await;
    assert_eq!(not_mine.status, StatusCode::FORBIDDEN);
    let too_many = shop
        .post(
            "/api/seller/stock",
            Some(&seller),
            r#"{"sku": "OHM-T1", "delta": -11}"#,
        )
        .await;
    assert_eq!(too_many.status, StatusCode::CONFLICT, "{}", too_many.json);
    let no_sku = shop.get("/api/seller/stock", Some(&seller)).await;
    no_sku.assert_invalid("sku");

    let (customer, _) = shop.customer("shipme@example.com").await;
    assert_eq!(
        shop.get("/api/seller/orders", Some(&customer)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        shop.get("/api/seller/products", Some(&customer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let order = shop.order(&customer, &product, 2, "ship-1").await;
    shop.pay(&customer, &order).await;

    let orders = shop.get("/api/seller/orders", Some(&seller)).await;
    let mine = orders
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["order"] == order.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["status"], "paid");
    let fulfilment = mine["fulfilment"]["id"].as_str().unwrap().to_owned();
    let none_for_nora = shop.get("/api/seller/orders", Some(&other_seller)).await;
    assert!(
        none_for_nora
            .json
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["order"] != order.as_str())
    );

    let ship =
        json!({"fulfilmentId": fulfilment, "carrier": "DHL", "trackingNumber": "JD014600003SE"})
            .to_string();
    let stolen = shop
        .post(
            &format!("/api/seller/orders/{order}/shipments"),
            Some(&other_seller),
            &ship,
        )
        .await;
    assert_eq!(stolen.status, StatusCode::FORBIDDEN, "{}", stolen.json);
    let bad = shop
        .post(
            &format!("/api/seller/orders/{order}/shipments"),
            Some(&seller),
            r#"{"fulfilmentId": "x", "carrier": "DHL", "trackingNumber": "1"}"#,
        )
        .await;
    bad.assert_invalid("fulfilmentId");
    let shipped = shop
        .post(
            &format!("/api/seller/orders/{order}/shipments"),
            Some(&seller),
            &ship,
        )
        .await;
    assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.json);
    assert_eq!(shipped.json["status"], "shipped");
    let shipment = shipped.json["fulfilments"][0]["shipments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let bad_status = json!({"shipmentId": shipment, "status": "teleported"}).to_string();
    let bad = shop
        .post(
            &format!("/api/seller/orders/{order}/tracking"),
            Some(&seller),
            &bad_status,
        )
        .await;
    bad.assert_invalid("status");
    let delivered =
        json!({"shipmentId": shipment, "status": "delivered", "detail": "Left with neighbour"})
            .to_string();
    let done = shop
        .post(
            &format!("/api/seller/orders/{order}/tracking"),
            Some(&seller),
            &delivered,
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    assert_eq!(done.json["status"], "delivered");
    let seen = shop
        .get(&format!("/api/orders/{order}"), Some(&customer))
        .await;
    assert_eq!(
        seen.json["fulfilments"][0]["shipments"][0]["tracking_number"], "JD014600003SE",
        "{}",
        seen.json["fulfilments"]
    );
}

#[tokio::test]
async fn admins_move_orders_on_and_no_one_else_does() {
    let shop = Shop::new().await;
    let admin = shop.login(demo::ADMIN.0, demo::ADMIN.1).await;
    let (customer, _) = shop.customer("admin-me@example.com").await;
    let (product, _) = shop.product_with_stock(1, 0).await;
    let order = shop.order(&customer, &product, 1, "adm-1").await;
    let path = format!("/api/admin/orders/{order}/status");

    let illegal = shop
        .post(&path, Some(&admin), r#"{"status": "completed"}"#)
        .await;
    assert_eq!(illegal.status, StatusCode::CONFLICT, "{}", illegal.json);
    assert!(
        illegal.json["message"]
            .as_str()
            .unwrap()
            .contains("pending_payment")
    );
    shop.pay(&customer, &order).await;
    let forbidden = shop
        .post(&path, Some(&customer), r#"{"status": "processing"}"#)
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let unknown_status = shop
        .post(&path, Some(&admin), r#"{"status": "lost"}"#)
        .await;
    unknown_status.assert_invalid("status");
    let unknown_order = shop
        .post(
            &format!("/api/admin/orders/{}/status", uuid::Uuid::new_v4()),
            Some(&admin),
            r#"{"status": "processing"}"#,
        )
        .await;
    assert_eq!(unknown_order.status, StatusCode::NOT_FOUND);
    let moved = shop
        .post(
            &path,
            Some(&admin),
            r#"{"status": "processing", "reason": "picking"}"#,
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    assert_eq!(moved.json["status"], "processing");
}

#[tokio::test]
async fn notifications_reach_the_inbox() {
    let shop = Shop::new().await;
    let (token, _) = shop.customer("inbox@example.com").await;
    let (product, _) = shop.product_with_stock(1, 0).await;
    let order = shop.order(&token, &product, 1, "inbox-1").await;
    shop.pay(&token, &order).await;
    shop.state.pump().await.unwrap();
    let history = shop.get("/api/notifications", Some(&token)).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.json);
    let kinds: Vec<String> = history
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].to_string())
        .collect();
    assert!(kinds.iter().any(|k| k.contains("welcome")), "{kinds:?}");
    assert!(
        kinds.iter().any(|k| k.contains("order_confirmation")),
        "{kinds:?}"
    );
    assert_eq!(
        shop.get("/api/notifications", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn unknown_routes_are_json_404s() {
    let shop = Shop::new().await;
    let answer = shop.get("/api/nothing-here", None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json["error"], "not_found");
}

/// Every POST/PUT/DELETE endpoint fed garbage, as a guest and signed in: a 4xx every
/// time, never a 5xx.
#[tokio::test]
async fn no_input_yields_a_500() {
    let shop = Shop::new().await;
    let token = shop.login(demo::CUSTOMER.0, demo::CUSTOMER.1).await;
    let id = uuid::Uuid::new_v4();
    let endpoints = [
        (Method::POST, "/api/auth/signup".to_owned()),
        (Method::POST, "/api/auth/login".to_owned()),
        (Method::PUT, "/api/me".to_owned()),
        (Method::POST, "/api/cart/items".to_owned()),
        (Method::PUT, "/api/cart/items".to_owned()),
        (Method::DELETE, "/api/cart/items".to_owned()),
        (Method::POST, "/api/cart/coupon".to_owned()),
        (Method::DELETE, "/api/cart/coupon".to_owned()),
        (Method::POST, "/api/checkout".to_owned()),
        (Method::POST, format!("/api/orders/{id}/pay")),
        (Method::POST, format!("/api/orders/{id}/cancel")),
        (Method::POST, "/api/payments/webhook".to_owned()),
        (Method::POST, "/api/seller/products".to_owned()),
        (Method::POST, "/api/seller/stock".to_owned()),
        (Method::POST, format!("/api/seller/orders/{id}/shipments")),
        (Method::POST, format!("/api/seller/orders/{id}/tracking")),
        (Method::POST, format!("/api/admin/orders/{id}/status")),
        (Method::POST, format!("/api/admin/orders/{id}/refunds")),
        (Method::POST, format!("/api/products/{id}/reviews")),
        (
            Method::POST,
            format!("/api/products/{}/reviews", demo::demo_product(206)),
        ),
        (Method::PUT, format!("/api/reviews/{id}")),
        (Method::DELETE, format!("/api/reviews/{id}")),
        (Method::POST, format!("/api/reviews/{id}/hide")),
        (Method::POST, format!("/api/reviews/{id}/restore")),
        (Method::POST, format!("/api/reviews/{id}/reply")),
    ];
    let bodies = [
        "",
        "null",
        "[]",
        "{",
        "\"text\"",
        "{}",
        r#"{"quantity": -1}"#,
        r#"{"quantity": 99999999999999999999}"#,
        r#"{"productId": "../../etc", "quantity": 1}"#,
        "\u{0000}\u{ffff}",
        r#"{"email": "", "password": "", "name": ""}"#,
        r#"{"code": ""}"#,
        r#"{"shipTo": {}}"#,
        r#"{"status": 7}"#,
        r#"{"delta": 9223372036854775807, "sku": "A"}"#,
        r#"{"rating": 0}"#,
        r#"{"rating": -9223372036854775808}"#,
        r#"{"rating": 1e400}"#,
        r#"{"text": ""}"#,
    ];
    for (method, path) in &endpoints {
        for (n, body) in bodies.iter().enumerate() {
            // A key per body, so that each body reaches its handler (one key with
            // another body is a 422 from the replay layer, also a 4xx).
            let key = format!("fuzz-{n}");
            for auth in [None, Some(token.as_str())] {
                let answer = shop
                    .call(
                        method.clone(),
                        path,
                        auth,
                        Some(body),
                        &[("idempotency-key", &key), ("signature", "t=1,v1=0")],
                    )
                    .await;
                assert!(
                    answer.status.is_client_error(),
                    "{method} {path} {body:?}: {} {}",
                    answer.status,
                    answer.json
                );
            }
        }
    }
}

/// The demo's most reviewed product: Pixel Forge's, with ratings 5, 4, 4 and a reply.
fn reviewed_product() -> String {
    demo::demo_product(206).to_string()
}

#[tokio::test]
async fn anyone_reads_a_products_reviews_and_rating_summary() {
    let shop = Shop::new().await;
    let product = reviewed_product();
    let page = shop
        .get(&format!("/api/products/{product}/reviews"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.json);
    assert_eq!(page.json["summary"]["count"], 3);
    assert_eq!(page.json["summary"]["average"], "4.3");
    assert_eq!(page.json["summary"]["histogram"], json!([0, 0, 0, 2, 1]));
    let reviews = page.json["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 3);
    assert!(
        reviews.iter().any(|r| r["reply"]["text"].is_string()),
        "the seller's reply is shown: {reviews:?}"
    );

    let one = shop
        .get(
            &format!("/api/products/{product}/reviews?per_page=1&page=2"),
            None,
        )
        .await;
    assert_eq!(one.json["reviews"].as_array().unwrap().len(), 1);
    assert_eq!(
        (one.json["page"].clone(), one.json["perPage"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(
        one.json["summary"]["count"], 3,
        "the summary is the product's"
    );

    let bad_page = shop
        .get(
            &format!("/api/products/{product}/reviews?page=second"),
            None,
        )
        .await;
    bad_page.assert_invalid("page");
    let unknown = shop
        .get(
            &format!("/api/products/{}/reviews", uuid::Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let malformed = shop.get("/api/products/nope/reviews", None).await;
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customers_review_once_and_only_the_author_edits_or_deletes() {
    let shop = Shop::new().await;
    let product = reviewed_product();
    let path = format!("/api/products/{product}/reviews");
    let (author, _) = shop.customer("critic@example.com").await;
    let (other, _) = shop.customer("other-critic@example.com").await;
    let seller = shop
        .login("pia@pixelforge.test", demo::SELLER_PASSWORD)
        .await;

    for (body, field) in [
        (r#"{"rating": 0}"#, "rating"),
        (r#"{"rating": 6}"#, "rating"),
        (r#"{"rating": "5"}"#, "rating"),
        (r#"{"title": "no stars"}"#, "rating"),
        (r#"{"rating": 5, "stars": 5}"#, "stars"),
        ("{", "body"),
    ] {
        let bad = shop.post(&path, Some(&author), body).await;
        assert_eq!(
            (bad.status, bad.field()),
            (StatusCode::BAD_REQUEST, field),
            "{body}"
        );
    }
    let long_title = json!({"rating": 4, "title": "x".repeat(500)}).to_string();
    let too_long = shop.post(&path, Some(&author), &long_title).await;
    too_long.assert_invalid("title");
    let guest = shop.post(&path, None, r#"{"rating": 5}"#).await;
    assert_eq!(guest.status, StatusCode::UNAUTHORIZED);
    let by_seller = shop.post(&path, Some(&seller), r#"{"rating": 5}"#).await;
    assert_eq!(by_seller.status, StatusCode::FORBIDDEN);
    let nowhere = shop
        .post(
            &format!("/api/products/{}/reviews", uuid::Uuid::new_v4()),
            Some(&author),
            r#"{"rating": 5}"#,
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let summary = shop.get(&path, None).await;
    assert_eq!(summary.json["summary"]["count"], 3, "no bad input counted");

    let written = shop
        .post(
            &path,
            Some(&author),
            r#"{"rating": 1, "title": "Broke", "text": "Stopped working in a week."}"#,
        )
        .await;
    assert_eq!(written.status, StatusCode::CREATED, "{}", written.json);
    assert_eq!(written.json["rating"], 1);
    assert_eq!(written.json["verified_purchase"], false);
    let review = written.json["id"].as_str().unwrap().to_owned();
    let again = shop.post(&path, Some(&author), r#"{"rating": 5}"#).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);
    let now = shop.get(&path, None).await;
    assert_eq!(now.json["summary"]["count"], 4);
    assert_eq!(now.json["summary"]["histogram"], json!([1, 0, 0, 2, 1]));
    assert_eq!(
        now.json["reviews"][0]["id"],
        review.as_str(),
        "newest first"
    );

    let mine = format!("/api/reviews/{review}");
    let not_author = shop.put(&mine, Some(&other), r#"{"rating": 5}"#).await;
    assert_eq!(not_author.status, StatusCode::FORBIDDEN);
    let bad_edit = shop.put(&mine, Some(&author), r#"{"rating": 9}"#).await;
    bad_edit.assert_invalid("rating");
    let edited = shop
        .put(
            &mine,
            Some(&author),
            r#"{"rating": 3, "text": "Replaced quickly."}"#,
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.json);
    assert_eq!(edited.json["rating"], 3);
    let now = shop.get(&path, None).await;
    assert_eq!(now.json["summary"]["histogram"], json!([0, 0, 1, 2, 1]));
    let unknown = shop
        .put(
            &format!("/api/reviews/{}", uuid::Uuid::new_v4()),
            Some(&author),
            r#"{"rating": 3}"#,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    assert_eq!(
        shop.delete(&mine, Some(&other)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        shop.delete(&mine, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let deleted = shop.delete(&mine, Some(&author)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.json);
    assert_eq!(
        shop.delete(&mine, Some(&author)).await.status,
        StatusCode::NOT_FOUND
    );
    let after = shop.get(&path, None).await;
    assert_eq!(after.json["summary"]["count"], 3);
    assert_eq!(after.json["summary"]["average"], "4.3");
}

#[tokio::test]
async fn admins_hide_and_restore_and_the_products_seller_replies_once() {
    let shop = Shop::new().await;
    let product = reviewed_product();
    let path = format!("/api/products/{product}/reviews");
    let (author, _) = shop.customer("moderated@example.com").await;
    let admin = shop.login(demo::ADMIN.0, demo::ADMIN.1).await;
    let pia = shop
        .login("pia@pixelforge.test", demo::SELLER_PASSWORD)
        .await;
    let nora = shop
        .login("nora@northwind.test", demo::SELLER_PASSWORD)
        .await;
    let written = shop.post(&path, Some(&author), r#"{"rating": 2}"#).await;
    let review = written.json["id"].as_str().unwrap().to_owned();

    let hide = format!("/api/reviews/{review}/hide");
    let restore = format!("/api/reviews/{review}/restore");
    assert_eq!(
        shop.post(&hide, Some(&author), "").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        shop.post(&hide, Some(&pia), "").await.status,
        StatusCode::FORBIDDEN,
        "not even the product's seller"
    );
    let not_hidden = shop.post(&restore, Some(&admin), "").await;
    assert_eq!(
        not_hidden.status,
        StatusCode::CONFLICT,
        "{}",
        not_hidden.json
    );
    let hidden = shop.post(&hide, Some(&admin), "").await;
    assert_eq!(hidden.status, StatusCode::OK, "{}", hidden.json);
    assert_eq!(hidden.json["status"], "hidden");
    let listed = shop.get(&path, None).await;
    assert_eq!(
        listed.json["summary"]["count"], 3,
        "a hidden review does not count"
    );
    assert!(
        listed.json["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != review.as_str())
    );
    assert_eq!(
        shop.post(&hide, Some(&admin), "").await.status,
        StatusCode::CONFLICT
    );
    let restored = shop.post(&restore, Some(&admin), "").await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.json);
    assert_eq!(shop.get(&path, None).await.json["summary"]["count"], 4);
    let unknown = shop
        .post(
            &format!("/api/reviews/{}/hide", uuid::Uuid::new_v4()),
            Some(&admin),
            "",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let reply = format!("/api/reviews/{review}/reply");
    let wrong_seller = shop
        .post(&reply, Some(&nora), r#"{"text": "Not my product"}"#)
        .await;
    assert_eq!(wrong_seller.status, StatusCode::FORBIDDEN);
    let by_customer = shop
        .post(&reply, Some(&author), r#"{"text": "Replying to myself"}"#)
        .await;
    assert_eq!(by_customer.status, StatusCode::FORBIDDEN);
    let empty = shop.post(&reply, Some(&pia), r#"{"text": "  "}"#).await;
    empty.assert_invalid("reply");
    let no_text = shop.post(&reply, Some(&pia), "{}").await;
    no_text.assert_invalid("text");
    let answered = shop
        .post(
            &reply,
            Some(&pia),
            r#"{"text": "Sorry to hear it; write to us."}"#,
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.json);
    assert_eq!(
        answered.json["reply"]["text"],
        "Sorry to hear it; write to us."
    );
    let twice = shop.post(&reply, Some(&pia), r#"{"text": "Again"}"#).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}

/// What the warehouse holds of `KEY-1`.
async fn on_hand(shop: &Shop, seller: &str) -> i64 {
    shop.get("/api/seller/stock?sku=KEY-1", Some(seller))
        .await
        .json[0]["on_hand"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_retried_stock_delta_with_one_key_changes_stock_once() {
    let shop = Shop::new().await;
    let seller = shop
        .login("pia@pixelforge.test", demo::SELLER_PASSWORD)
        .await;
    let created = shop
        .post(
            "/api/seller/products",
            Some(&seller),
            r#"{"name": "Keyed Cable", "sku": "KEY-1", "price": "5.00", "stock": 10}"#,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let delta = r#"{"sku": "KEY-1", "delta": 5}"#;
    let first = shop
        .post_keyed("/api/seller/stock", Some(&seller), delta, "restock-1")
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let retry = shop
        .post_keyed("/api/seller/stock", Some(&seller), delta, "restock-1")
        .await;
    assert_eq!(retry.status, first.status);
    assert_eq!(retry.json, first.json, "the same body");
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(on_hand(&shop, &seller).await, 15, "added once");

    let other_body = shop
        .post_keyed(
            "/api/seller/stock",
            Some(&seller),
            r#"{"sku": "KEY-1", "delta": 50}"#,
            "restock-1",
        )
        .await;
    assert_eq!(
        (other_body.status, other_body.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "Idempotency-Key"),
        "{}",
        other_body.json
    );
    assert_eq!(on_hand(&shop, &seller).await, 15);

    let next = shop
        .post_keyed("/api/seller/stock", Some(&seller), delta, "restock-2")
        .await;
    assert_eq!(next.status, StatusCode::OK);
    assert_eq!(on_hand(&shop, &seller).await, 20, "a new key is new work");
    let unkeyed = shop.post("/api/seller/stock", Some(&seller), delta).await;
    assert_eq!(unkeyed.status, StatusCode::OK);
    assert_eq!(on_hand(&shop, &seller).await, 25, "no key: no replay");

    for bad in [" ", &"k".repeat(201)] {
        let refused = shop
            .post_keyed("/api/seller/stock", Some(&seller), delta, bad)
            .await;
        refused.assert_invalid("Idempotency-Key");
    }
    assert_eq!(
        on_hand(&shop, &seller).await,
        25,
        "a refused key changes nothing"
    );
}

#[tokio::test]
async fn a_retried_cart_add_adds_once_and_keys_belong_to_their_caller() {
    let shop = Shop::new().await;
    let (token, _) = shop.customer("retry@example.com").await;
    let (someone, _) = shop.customer("someone@example.com").await;
    let (product, _) = shop.product_with_stock(3, 0).await;
    let add = json!({"productId": product, "quantity": 1}).to_string();
    let first = shop
        .post_keyed("/api/cart/items", Some(&token), &add, "add-1")
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let retry = shop
        .post_keyed("/api/cart/items", Some(&token), &add, "add-1")
        .await;
    assert_eq!((retry.status, &retry.json), (first.status, &first.json));
    let cart = shop.get("/api/cart", Some(&token)).await;
    assert_eq!(cart.json["totalItems"], 1, "added once: {}", cart.json);

    let theirs = shop
        .post_keyed("/api/cart/items", Some(&someone), &add, "add-1")
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.headers.get("idempotent-replayed").is_none());
    assert_ne!(
        theirs.json["cartId"], first.json["cartId"],
        "their own cart"
    );

    let guest = shop
        .post_keyed("/api/cart/items", None, &add, "guest-add")
        .await;
    let guest_retry = shop
        .post_keyed("/api/cart/items", None, &add, "guest-add")
        .await;
    assert_eq!(guest_retry.json, guest.json);
    let guest_cart = guest.json["cartId"].as_str().unwrap();
    let view = shop
        .get(&format!("/api/cart?cartId={guest_cart}"), None)
        .await;
    assert_eq!(view.json["totalItems"], 1);

    // A final error is replayed too; a retry after a transient one runs again.
    let unknown = json!({"productId": uuid::Uuid::new_v4(), "quantity": 1}).to_string();
    let missing = shop
        .post_keyed("/api/cart/items", Some(&token), &unknown, "add-missing")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let missing_again = shop
        .post_keyed("/api/cart/items", Some(&token), &unknown, "add-missing")
        .await;
    assert_eq!(missing_again.status, StatusCode::NOT_FOUND);
    assert_eq!(missing_again.headers["idempotent-replayed"], "true");
}

#[tokio::test]
async fn a_retried_review_or_product_create_is_not_a_second_one() {
    let shop = Shop::new().await;
    let (author, _) = shop.customer("keyed-review@example.com").await;
    let path = format!("/api/products/{}/reviews", reviewed_product());
    let first = shop
        .post_keyed(&path, Some(&author), r#"{"rating": 4}"#, "review-1")
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    let retry = shop
        .post_keyed(&path, Some(&author), r#"{"rating": 4}"#, "review-1")
        .await;
    assert_eq!(
        (retry.status, &retry.json),
        (StatusCode::CREATED, &first.json),
        "the first answer, not a 409"
    );

    let seller = shop.login("ken@kettle.test", demo::SELLER_PASSWORD).await;
    let body = r#"{"name": "Keyed Teapot", "sku": "KEY-TEA", "price": "30.00"}"#;
    let made = shop
        .post_keyed("/api/seller/products", Some(&seller), body, "make-1")
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    let again = shop
        .post_keyed("/api/seller/products", Some(&seller), body, "make-1")
        .await;
    assert_eq!(
        (again.status, &again.json),
        (StatusCode::CREATED, &made.json)
    );
    let listed = shop.get("/api/seller/products", Some(&seller)).await;
    let keyed = listed
        .json
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "Keyed Teapot")
        .count();
    assert_eq!(keyed, 1);
}

#[tokio::test]
async fn the_product_page_shows_ratings_reviews_and_recommendations() {
    let shop = Shop::new().await;
    let product = reviewed_product();
    let (status, html, _) = shop
        .page(Method::GET, &format!("/product/{product}"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"id="rating-average">4.3<"#), "{html}");
    assert!(html.contains(r#"id="rating-count">3<"#));
    assert_eq!(html.matches(r#"class="card review""#).count(), 3);
    assert!(html.contains("Seller&#x27;s reply") || html.contains("Seller's reply"));
    let partner = demo::BOUGHT_TOGETHER[1].to_string();
    let together = html
        .split(r#"id="bought-together""#)
        .nth(1)
        .expect("a frequently-bought-together row");
    assert!(
        together
            .split("</div></div>")
            .next()
            .unwrap()
            .contains(&partner),
        "the demo orders pair it with {partner}"
    );
    assert!(html.contains(r#"id="similar-products""#));
    assert!(!html.contains("review-form"), "guests are asked to log in");

    // After sales the index holds updated (and deleted) documents, and tantivy's "more
    // like this" can fail; similar products then come from the catalog.
    let (buyer, _) = shop.customer("page-buyer@example.com").await;
    shop.paid_order(&buyer, &product, 1, "page-1").await;
    shop.state.pump().await.unwrap();
    let (status, html, _) = shop
        .page(Method::GET, &format!("/product/{product}"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#"id="rating-count">3<"#));
    assert!(html.contains(r#"id="similar-products""#), "{html}");

    let (token, _) = shop.customer("page-review@example.com").await;
    let here = format!("/product/{product}/review");
    let (status, _, location) = shop
        .page(
            Method::POST,
            &here,
            Some(&token),
            Some("rating=0&title=bad"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.unwrap(),
        format!("/product/{product}?review=rating#reviews")
    );
    let (status, _, location) = shop
        .page(
            Method::POST,
            &here,
            Some(&token),
            Some("rating=5&title=Lovely&text=Would+buy+again"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let back = location.unwrap();
    assert_eq!(back, format!("/product/{product}?review=thanks#reviews"));
    let (_, html, _) = shop.page(Method::GET, &back, Some(&token), None).await;
    assert!(html.contains("Would buy again"));
    assert!(html.contains(r#"id="rating-count">4<"#));
    assert!(html.contains("review-form"));
    let (_, _, location) = shop
        .page(Method::POST, &here, Some(&token), Some("rating=4"))
        .await;
    assert_eq!(
        location.unwrap(),
        format!("/product/{product}?review=twice#reviews")
    );
    let (status, _, location) = shop.page(Method::POST, &here, None, Some("rating=4")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/login"));

    // Moderation from the page: only an admin sees and may use the hide buttons.
    let (_, html, _) = shop.page(Method::GET, &back, Some(&token), None).await;
    assert!(!html.contains("hide-review"));
    let admin = shop.login(demo::ADMIN.0, demo::ADMIN.1).await;
    let (_, html, _) = shop
        .page(
            Method::GET,
            &format!("/product/{product}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(html.matches("hide-review").count(), 4);
    let listed = shop
        .get(&format!("/api/products/{product}/reviews"), None)
        .await;
    let newest = listed.json["reviews"][0]["id"].as_str().unwrap().to_owned();
    let hide = format!("/admin/reviews/{newest}/hide");
    let (status, _, _) = shop.page(Method::POST, &hide, Some(&token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "customers do not moderate");
    let (status, _, location) = shop.page(Method::POST, &hide, Some(&admin), None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let back = location.unwrap();
    assert_eq!(back, format!("/product/{product}?review=hidden#reviews"));
    let (_, html, _) = shop.page(Method::GET, &back, Some(&admin), None).await;
    assert!(html.contains(r#"id="rating-count">3<"#));
    assert!(!html.contains("Would buy again"));
    let (status, _, _) = shop.page(Method::POST, &hide, Some(&admin), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "hidden already");
}

#[tokio::test]
async fn the_seller_dashboard_reads_the_sales_and_low_stock_reports() {
    let shop = Shop::new().await;
    let pia = shop
        .login("pia@pixelforge.test", demo::SELLER_PASSWORD)
        .await;
    let (status, html, _) = shop.page(Method::GET, "/seller", Some(&pia), None).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains(r#"id="orders-total">2<"#),
        "the two demo orders: {html}"
    );
    let top = html.split(r#"id="top-products""#).nth(1).unwrap();
    let top = top.split("</table>").next().unwrap();
    assert_eq!(
        top.matches("<tr>").count(),
        3,
        "a header and two products: {top}"
    );
    let low = html.split(r#"id="low-stock""#).nth(1).unwrap();
    let low = low.split("</table>").next().unwrap();
    assert!(low.matches("<tr>").count() > 1, "low stock listed: {low}");

    // A new paid order moves today's bar by exactly its lines' total.
    let today = |html: &str| -> i64 {
        let chart = html.split(r#"id="revenue-chart""#).nth(1).unwrap();
        let chart = chart.split("</svg>").next().unwrap();
        let last = chart.rsplit(r#"data-value=""#).next().unwrap();
        last.split('"').next().unwrap().parse().unwrap()
    };
    let before = today(&html);
    let (customer, _) = shop.customer("dash@example.com").await;
    let product = demo::BOUGHT_TOGETHER[0].to_string();
    let order = shop.paid_order(&customer, &product, 1, "dash-1").await;
    let placed = shop
        .get(&format!("/api/orders/{order}"), Some(&customer))
        .await;
    let line: rust_decimal::Decimal = placed.json["lines"][0]["total"]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let (_, html, _) = shop.page(Method::GET, "/seller", Some(&pia), None).await;
    let cents = (line * rust_decimal::Decimal::ONE_HUNDRED)
        .to_i64()
        .unwrap();
    assert_eq!(today(&html) - before, cents);
    assert!(html.contains(r#"id="orders-total">3<"#));

    let (customer_token, _) = shop.customer("not-a-seller@example.com").await;
    let (status, _, _) = shop
        .page(Method::GET, "/seller", Some(&customer_token), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
