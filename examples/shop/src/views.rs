//! What the API and the pages show of a product: the product with its price in the
//! shop's currency and the stock available per variant.

use commerce::catalog::{Catalog, Product};
use commerce::pricing::PricingRules;
use commerce::{Error, Money, VariantId};
use serde::Serialize;

use crate::state::AppState;

/// A variant as shown to shoppers.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantView {
    /// Its id (send it as `variantId` to the cart).
    pub id: VariantId,
    /// Its SKU.
    pub sku: String,
    /// Options such as size or colour.
    pub options: std::collections::BTreeMap<String, String>,
    /// The regular unit price.
    pub price: Option<Money>,
    /// Units that can be bought now.
    pub available: i64,
}

/// A product as shown to shoppers.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductView {
    /// The product.
    #[serde(flatten)]
    pub product: Product,
    /// The lowest variant price.
    pub price: Option<Money>,
    /// The category's name.
    pub category_name: Option<String>,
    /// The shop's name.
    pub shop_name: Option<String>,
    /// Its variants with price and stock.
    pub offers: Vec<VariantView>,
}

/// The regular price of `variant` in the shop's currency (the list for everyone).
pub fn price_of(rules: &PricingRules, state: &AppState, variant: VariantId) -> Option<Money> {
    rules
        .price_book
        .lists()
        .iter()
        .filter(|list| list.currency == state.currency && list.customer_group.is_none())
        .find_map(|list| list.price(variant))
        .map(|price| price.base)
}

impl ProductView {
    /// The view of `product`, reading its prices and stock.
    pub async fn of(
        state: &AppState,
        catalog: &Catalog,
        rules: &PricingRules,
        product: &Product,
    ) -> Result<Self, Error> {
        let mut offers = Vec::with_capacity(product.variants().len());
        for variant in product.variants() {
            offers.push(VariantView {
                id: variant.id,
                sku: variant.sku.as_str().to_owned(),
                options: variant.options.clone(),
                price: price_of(rules, state, variant.id),
                available: state.commerce.available(&variant.sku).await?,
            });
        }
        let price = offers
            .iter()
            .filter_map(|o| o.price)
            .min_by(|a, b| a.amount().cmp(&b.amount()));
        Ok(ProductView {
            product: product.clone(),
            price,
            category_name: product
                .category()
                .and_then(|c| catalog.categories().get(c))
                .map(|c| c.name.clone()),
            shop_name: catalog.shop(product.shop()).map(|s| s.name.clone()),
            offers,
        })
    }
}
