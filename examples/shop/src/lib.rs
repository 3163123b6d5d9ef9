//! The example shop: an HTTP storefront, a JSON API (with its OpenAPI document at
//! `/openapi.json`) and seller/admin pages on the commerce-rs engine.
//!
//! `cargo run --example shop` (from the repository root) calls [`run`]: with no
//! configuration it keeps a SQLite database and a tantivy index in `target/shop-data/`,
//! takes payments with the in-memory provider, sends notifications to an in-app inbox,
//! loads the [`demo`] catalog on first start and prints its address and demo logins.
//! `DATABASE_URL`, `STRIPE_SECRET_KEY` / `STRIPE_API_BASE` / `STRIPE_WEBHOOK_SECRET` and
//! `SMTP_URL` switch to Postgres, Stripe and SMTP (see [`config::Config`]).
//!
//! Every mutating API call accepts an `Idempotency-Key`: the [`idempotency`] layer keeps
//! the first answer in the shop's database and gives it again to a retry.

pub mod auth;
pub mod config;
pub mod demo;
pub mod errors;
pub mod idempotency;
pub mod search_params;
pub mod state;
pub mod views;
mod webhook_secret;

mod api;
mod pages;

use axum::Router;
use axum::response::IntoResponse;
use commerce::Error;

pub use config::Config;
pub use state::AppState;

use crate::errors::ApiError;

/// The whole application: the JSON API, `/openapi.json` and the pages.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let api = api
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .merge(pages::router());
    let openapi_json = openapi
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"internal\", \"message\": \"openapi: {e}\"}}"));
    api.route(
        "/openapi.json",
        axum::routing::get(move || async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                openapi_json.clone(),
            )
        }),
    )
    .fallback(|| async { ApiError::not_found("no such route").into_response() })
    .with_state(state)
}

/// The OpenAPI document of the JSON API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().split_for_parts().1
}

/// Opens the engine, loads the demo catalog into an empty store, and returns the state
/// with the number of demo products loaded now (0 when the store had them already).
pub async fn prepare(config: &Config) -> Result<(AppState, usize), Error> {
    load_demo(config, AppState::open(config).await?).await
}

/// Like [`prepare`], on the database `database` names.
pub async fn prepare_on(
    config: &Config,
    database: commerce::sql::DatabaseConfig,
) -> Result<(AppState, usize), Error> {
    load_demo(config, AppState::open_on(config, database).await?).await
}

async fn load_demo(config: &Config, state: AppState) -> Result<(AppState, usize), Error> {
    let mut loaded = 0;
    if config.demo && !demo::is_loaded(&state.commerce).await? {
        let started = std::time::Instant::now();
        loaded = demo::load(&state.commerce, state.currency).await?;
        if state.memory_payments.is_some() {
            demo::load_orders(&state.commerce, state.currency).await?;
        }
        let loaded_at = started.elapsed();
        state.rebuild_after_bulk_load().await?;
        println!(
            "loaded the demo catalog: {loaded} products in {:.1?}, indexed in {:.1?}",
            loaded_at,
            started.elapsed().saturating_sub(loaded_at)
        );
    } else if state.search_recreated {
        let indexed = state.rebuild_after_bulk_load().await?;
        println!("rebuilt the search index: {indexed} products");
    }
    state.pump().await?;
    Ok((state, loaded))
}

/// Runs the shop until Ctrl-C (or SIGTERM): prepares the state, binds
/// [`Config::addr`], prints the address and the demo logins, serves, and runs the
/// background work (search index and notifications from the outbox).
pub async fn run(config: Config) -> Result<(), Error> {
    let (state, _) = prepare(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| Error::Unavailable(format!("cannot listen on {}: {e}", config.addr)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    println!("data: {}", config.data_dir.display());
    println!("the shop is open at http://{addr}/  (API: /api/..., OpenAPI: /openapi.json)");
    if config.demo {
        println!("demo logins:");
        for login in demo::logins() {
            println!("  {:<32} {:<24} {}", login.who, login.email, login.password);
        }
        println!(
            "  coupons: {} and {}",
            demo::COUPON_PERCENT,
            demo::COUPON_AMOUNT
        );
    }
    let background = tokio::spawn(state.clone().run_background());
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    background.abort();
    println!("the shop is closed");
    served.map_err(|e| Error::Unavailable(format!("server: {e}")))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
