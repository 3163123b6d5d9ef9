//! Small builders for search documents.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use commerce_core::search::{SearchDocument, SearchRating};
use commerce_core::{CategoryId, Currency, Money, ProductId, ShopId};
use rust_decimal::Decimal;

pub(crate) fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("a decimal")
}

pub(crate) fn day(n: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("a date")
        + chrono::Duration::days(i64::from(n))
}

pub(crate) const SHOP: ShopId = ShopId::from_u128(1);
pub(crate) const OTHER_SHOP: ShopId = ShopId::from_u128(2);

/// A document named `name`, id from `n`, priced in EUR.
pub(crate) fn doc(n: u128, name: &str, eur: &str) -> SearchDocument {
    let mut prices = BTreeMap::new();
    prices.insert(Currency::EUR, Money::new(dec(eur), Currency::EUR));
    SearchDocument {
        product: ProductId::from_u128(n),
        shop: SHOP,
        name: name.to_owned(),
        description: String::new(),
        brand: None,
        categories: Vec::new(),
        category_names: Vec::new(),
        skus: Vec::new(),
        prices,
        in_stock: true,
        rating: SearchRating::default(),
        sales: 0,
        created_at: day(0),
    }
}

pub(crate) trait DocExt: Sized {
    fn brand(self, brand: &str) -> Self;
    fn description(self, text: &str) -> Self;
    fn in_categories(self, categories: &[(CategoryId, &str)]) -> Self;
    fn sku(self, sku: &str) -> Self;
    fn rated(self, average: &str, count: u32) -> Self;
    fn sold(self, sales: u64) -> Self;
    fn created(self, day_number: u32) -> Self;
    fn out_of_stock(self) -> Self;
    fn shop(self, shop: ShopId) -> Self;
    fn price(self, currency: Currency, amount: &str) -> Self;
    fn unpriced_in(self, currency: Currency) -> Self;
}

impl DocExt for SearchDocument {
    fn brand(mut self, brand: &str) -> Self {
        self.brand = Some(brand.to_owned());
        self
    }
    fn description(mut self, text: &str) -> Self {
        self.description = text.to_owned();
        self
    }
    fn in_categories(mut self, categories: &[(CategoryId, &str)]) -> Self {
        self.categories = categories.iter().map(|(id, _)| *id).collect();
        self.category_names = categories
            .iter()
            .map(|(_, name)| (*name).to_owned())
            .collect();
        self
    }
    fn sku(mut self, sku: &str) -> Self {
        self.skus.push(sku.to_owned());
        self
    }
    fn rated(mut self, average: &str, count: u32) -> Self {
        self.rating = SearchRating {
            average: dec(average),
            count,
        };
        self
    }
    fn sold(mut self, sales: u64) -> Self {
        self.sales = sales;
        self
    }
    fn created(mut self, day_number: u32) -> Self {
        self.created_at = day(day_number);
        self
    }
    fn out_of_stock(mut self) -> Self {
        self.in_stock = false;
        self
    }
    fn shop(mut self, shop: ShopId) -> Self {
        self.shop = shop;
        self
    }
    fn price(mut self, currency: Currency, amount: &str) -> Self {
        self.prices
            .insert(currency, Money::new(dec(amount), currency));
        self
    }
    fn unpriced_in(mut self, currency: Currency) -> Self {
        self.prices.remove(&currency);
        self
    }
}
