//! The storefront in a real browser (headless Debian chromium through chromedriver):
//! sign up, search with a typo, filter by a facet, add two products, apply a coupon,
//! check out, see the order in the history, review a product with the product page's
//! form; then the seller sees that order and the revenue chart move. Screenshots of each step go to `target/shop-screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::PathBuf;

use commerce_shop::{Config, app, demo, prepare};
use support::webdriver::Browser;

fn screenshots() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("..")
        .join("shop-screenshots")
}

async fn log_in(browser: &Browser, base: &str, email: &str, password: &str) {
    browser.goto(&format!("{base}/login")).await;
    browser.type_into("#email", email).await;
    browser.type_into("#password", password).await;
    browser.click(&browser.find("#submit").await).await;
}

async fn log_out(browser: &Browser) {
    browser.click(&browser.find("#logout").await).await;
}

/// Today's bar of the revenue chart and the dashboard's order count.
async fn dashboard(browser: &Browser, base: &str) -> (i64, String) {
    browser.goto(&format!("{base}/seller")).await;
    let bars = browser.find_all("#revenue-chart rect.bar").await;
    assert_eq!(bars.len(), 14, "two weeks of bars");
    let today = browser
        .attribute(bars.last().unwrap(), "data-value")
        .await
        .unwrap();
    let orders = browser.text(&browser.find("#orders-total").await).await;
    (today.parse().unwrap(), orders)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_buys_and_the_seller_sees_it() {
    let data = tempfile::tempdir().unwrap();
    let (state, _) = prepare(&Config::local(data.path())).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, app(state.clone())).into_future());
    let background = tokio::spawn(state.clone().run_background());

    let dir = screenshots();
    let _ = std::fs::remove_dir_all(&dir);
    let mut browser = Browser::start(&dir).await;

    // The seller's dashboard before: nothing sold today.
    log_in(&browser, &base, "ken@kettle.test", demo::SELLER_PASSWORD).await;
    let (before, orders_before) = dashboard(&browser, &base).await;
    assert_eq!((before, orders_before.as_str()), (0, "0"));
    browser.screenshot("seller-before").await;
    log_out(&browser).await;

    // Sign up.
    browser.goto(&format!("{base}/signup")).await;
    browser.type_into("#name", "Mary Shopper").await;
    browser.type_into("#email", "mary@example.com").await;
    browser.type_into("#password", "a long password").await;
    browser.click(&browser.find("#submit").await).await;
    let page = browser.source().await;
    assert!(
        page.contains("mary@example.com") && page.contains("id=\"logout\""),
        "signed in after sign-up: {} {page}",
        browser.url().await
    );
    browser.screenshot("signed-up").await;

    // Search with a typo.
    browser.type_into("#search-box", "tepot").await;
    browser
        .click(&browser.find("header button[type=submit]").await)
        .await;
    assert!(browser.url().await.contains("/search?q=tepot"));
    let names = browser.find_all(".product-link").await;
    assert!(!names.is_empty(), "the typo still finds teapots");
    for name in &names {
        assert!(browser.text(name).await.contains("Teapot"));
    }
    browser.screenshot("search-typo").await;

    // Filter by a brand facet.
    let facet = browser.find(".facet-brand").await;
    let brand = browser.attribute(&facet, "data-brand").await.unwrap();
    browser.click(&facet).await;
    assert!(browser.url().await.contains("brand="));
    let filtered = browser
        .find_all(".product-card:not(.sold-out) .product-link")
        .await;
    assert!(filtered.len() >= 2, "at least two {brand} teapots in stock");
    for name in browser.find_all(".product-link").await {
        assert!(browser.text(&name).await.starts_with(&brand));
    }
    browser.screenshot("facet-filter").await;
    let results = browser.url().await;

    // Add two products.
    let mut chosen = Vec::new();
    for i in 0..2 {
        browser.goto(&results).await;
        let link = browser
            .find_all(".product-card:not(.sold-out) .product-link")
            .await[i]
            .clone();
        chosen.push(browser.text(&link).await);
        browser.click(&link).await;
        browser.click(&browser.find("#add-to-cart").await).await;
        let url = browser.url().await;
        assert!(url.ends_with("/cart"), "{url}: {}", browser.source().await);
    }
    assert_eq!(browser.find_all(".cart-line").await.len(), 2);
    browser.screenshot("cart").await;

    // Apply a coupon.
    browser.type_into("#coupon", "welcome10").await;
    browser.click(&browser.find("#apply-coupon").await).await;
    let discount = browser.text(&browser.find("#discount").await).await;
    assert!(
        !discount.starts_with("0.00"),
        "the coupon took something off: {discount}"
    );
    assert!(browser.source().await.contains("WELCOME10"));
    browser.screenshot("coupon").await;

    // Check out.
    browser.click(&browser.find("#to-checkout").await).await;
    browser.type_into("#ship-line1", "1 Main St").await;
    browser.type_into("#ship-city", "Springfield").await;
    browser.type_into("#ship-postal", "12345").await;
    browser.click(&browser.find("#place-order").await).await;
    let number = browser.text(&browser.find("#order-number").await).await;
    assert!(number.starts_with("CR-"), "{number}");
    assert_eq!(
        browser.text(&browser.find("#order-status").await).await,
        "paid"
    );
    browser.screenshot("order-placed").await;

    // The order is in the history.
    browser.click(&browser.find("#nav-orders").await).await;
    let history = browser.source().await;
    assert!(history.contains(&number));
    for name in &chosen {
        assert!(history.contains(name.as_str()), "{name} in the history");
    }
    browser.screenshot("order-history").await;

    // Review one of them with the product page's form (no JavaScript needed).
    browser.goto(&results).await;
    let first = browser
        .find_all(".product-card:not(.sold-out) .product-link")
        .await[0]
        .clone();
    browser.click(&first).await;
    let product_page = browser.url().await;
    assert!(browser.source().await.contains("id=\"rating-summary\""));
    browser.type_into("#review-title", "Pours well").await;
    browser
        .type_into(
            "#review-text",
            "Bought it for the office and it pours well.",
        )
        .await;
    browser.click(&browser.find("#review-submit").await).await;
    let url = browser.url().await;
    assert!(
        url.starts_with(&product_page) && url.contains("review=thanks"),
        "{url}"
    );
    let reviews = browser.text(&browser.find("#review-list").await).await;
    assert!(reviews.contains("Pours well"), "{reviews}");
    assert!(
        browser
            .text(&browser.find("#notice").await)
            .await
            .contains("published")
    );
    browser.screenshot("review").await;
    log_out(&browser).await;

    // The seller sees the order, and today's revenue bar has grown.
    log_in(&browser, &base, "ken@kettle.test", demo::SELLER_PASSWORD).await;
    let (after, orders_after) = dashboard(&browser, &base).await;
    assert!(
        after > before,
        "today's revenue went from {before} to {after}"
    );
    assert_eq!(orders_after, "1");
    let seller_orders = browser.text(&browser.find("#seller-orders").await).await;
    assert!(seller_orders.contains(&number), "{seller_orders}");
    browser.screenshot("seller-after").await;

    browser.quit();
    background.abort();
    server.abort();
    let shots = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert_eq!(shots, 10, "a screenshot per step in {}", dir.display());
}
