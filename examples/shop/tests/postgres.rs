//! The shop on Postgres: the idempotency layer's answers are kept in the shop's own
//! `shop_idempotency` table there, and concurrent retries run the work once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::StatusCode;
use commerce::sql::DatabaseConfig;
use commerce_shop::demo;
use sqlx::Connection;
use support::Shop;

/// A fresh database on the test server (`COMMERCE_TEST_DATABASE_URL`, see
/// `commerce::sql::testing`), dropped again by [`drop_database`].
async fn fresh_database() -> (String, DatabaseConfig) {
    let admin = commerce::sql::testing::admin_url();
    let name = format!("commerce_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::Executor::execute(
        &mut conn,
        sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
    )
    .await
    .unwrap();
    let _ = conn.close().await;
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    let config = DatabaseConfig::new(url.to_string())
        .unwrap()
        .with_max_connections(16);
    (name, config)
}

async fn drop_database(name: &str) {
    let admin = commerce::sql::testing::admin_url();
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::Executor::execute(
        &mut conn,
        sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")),
    )
    .await
    .unwrap();
    let _ = conn.close().await;
}

async fn on_hand(shop: &Shop, seller: &str) -> i64 {
    shop.get("/api/seller/stock?sku=PG-KEY", Some(seller))
        .await
        .json[0]["on_hand"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_with_one_key_run_once_on_postgres() {
    let (name, config) = fresh_database().await;
    let shop = Shop::on(config).await;
    let seller = shop.login("ken@kettle.test", demo::SELLER_PASSWORD).await;
    let created = shop
        .post(
            "/api/seller/products",
            Some(&seller),
            r#"{"name": "Postgres Teapot", "sku": "PG-KEY", "price": "12.00", "stock": 1}"#,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);

    let delta = r#"{"sku": "PG-KEY", "delta": 7}"#;
    let attempts =
        (0..8).map(|_| shop.post_keyed("/api/seller/stock", Some(&seller), delta, "pg-restock"));
    let answers = futures_join_all(attempts).await;
    let done: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .collect();
    assert!(!done.is_empty());
    for answer in &answers {
        assert!(
            matches!(answer.status, StatusCode::OK | StatusCode::CONFLICT),
            "{} {}",
            answer.status,
            answer.json
        );
    }
    assert!(done.iter().all(|a| a.json == done[0].json), "one answer");
    assert_eq!(on_hand(&shop, &seller).await, 8, "the delta applied once");

    let replay = shop
        .post_keyed("/api/seller/stock", Some(&seller), delta, "pg-restock")
        .await;
    assert_eq!(
        (replay.status, &replay.json),
        (StatusCode::OK, &done[0].json)
    );
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    let other = shop
        .post_keyed(
            "/api/seller/stock",
            Some(&seller),
            r#"{"sku": "PG-KEY", "delta": 1}"#,
            "pg-restock",
        )
        .await;
    assert_eq!(
        (other.status, other.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "Idempotency-Key")
    );
    assert_eq!(on_hand(&shop, &seller).await, 8);

    let commerce_shop::idempotency::ReplayStore::Postgres(pool) = &shop.state.replay else {
        panic!("the shop on Postgres keeps its answers there");
    };
    let (stored,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM shop_idempotency WHERE status = 200")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(stored >= 1, "{stored} answers stored");
    drop(shop);
    drop_database(&name).await;
}

/// Runs the futures at once and returns their outputs in order.
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut outputs = Vec::with_capacity(set.len());
    // Poll all of them together: join them pairwise through an unordered loop.
    let mut pending: Vec<_> = set.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(out) => {
                        results[i] = Some(out);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    for r in results {
        outputs.push(r.unwrap());
    }
    outputs
}
