//! The example shop: `cargo run --example shop` starts a storefront, a JSON API and the
//! seller/admin pages on 127.0.0.1:3000 (`SHOP_ADDR` to change it), with a SQLite
//! database and a search index in `target/shop-data/`, a demo catalog and demo logins.
//! Ctrl-C stops it. The code lives in the `commerce-shop` crate beside this file.

#[tokio::main]
async fn main() -> Result<(), commerce::Error> {
    commerce_shop::run(commerce_shop::Config::from_env()?).await
}
