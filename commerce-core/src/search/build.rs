//! Building a product's search document from the catalog and the price book.

use std::collections::BTreeMap;

use super::{SearchDocument, SearchRating};
use crate::catalog::{Catalog, Product};
use crate::money::{Currency, Money};
use crate::pricing::PriceBook;

impl SearchDocument {
    /// The document of `product` as the catalog and price book describe it:
    ///
    /// - `categories` are its category and every ancestor, nearest first, with their names
    ///   (none when it has no category or the category is not in `catalog`);
    /// - `skus` are its variants' SKUs, in variant order;
    /// - `prices` hold, per currency, the lowest regular (base) price of any of its
    ///   variants in the price lists for everyone (lists for a customer group, tiers and
    ///   sales are not shown in search);
    /// - stock, rating and sales come from the caller, who reads them from their stores.
    ///
    /// It does not check that the product is active: callers index only active products.
    pub fn from_catalog(
        product: &Product,
        catalog: &Catalog,
        prices: &PriceBook,
        in_stock: bool,
        rating: SearchRating,
        sales: u64,
    ) -> SearchDocument {
        let (categories, category_names) = product
            .category()
            .map(|category| {
                catalog
                    .categories()
                    .ancestors(category)
                    .map(|c| (c.id, c.name.clone()))
                    .unzip()
            })
            .unwrap_or_default();
        SearchDocument {
            product: product.id(),
            shop: product.shop(),
            name: product.name().to_owned(),
            description: product.description().to_owned(),
            brand: product.brand().map(str::to_owned),
            categories,
            category_names,
            skus: product
                .variants()
                .iter()
                .map(|v| v.sku.as_str().to_owned())
                .collect(),
            prices: lowest_prices(product, prices),
            in_stock,
            rating,
            sales,
            created_at: product.created_at(),
        }
    }
}

/// Per currency, the lowest base price of any of `product`'s variants in a list for
/// everyone.
fn lowest_prices(product: &Product, prices: &PriceBook) -> BTreeMap<Currency, Money> {
    let mut lowest: BTreeMap<Currency, Money> = BTreeMap::new();
    let everyone = prices
        .lists()
        .iter()
        .filter(|list| list.customer_group.is_none());
    for list in everyone {
        for variant in product.variants() {
            let Some(price) = list.price(variant.id) else {
                continue;
            };
            let base = price.base;
            lowest
                .entry(base.currency())
                .and_modify(|best| {
                    if base.amount() < best.amount() {
                        *best = base;
                    }
                })
                .or_insert(base);
        }
    }
    lowest
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::DateTime;
    use rust_decimal::Decimal;

    use super::*;
    use crate::catalog::{Category, NewProduct, ProductStatus, Shop, Sku, Variant, Weight};
    use crate::ids::{CategoryId, PriceListId, ProductId, SellerId, ShopId, VariantId};
    use crate::pricing::{CustomerGroup, PriceList, TaxCategory, VariantPrice};

    fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
        result.unwrap_or_else(|e| panic!("{e}"))
    }

    fn usd(cents: i64) -> Money {
        Money::from_minor_units(cents, Currency::USD)
    }

    fn fixture() -> (Catalog, Product) {
        let mut catalog = Catalog::new();
        ok(catalog.add_shop(ok(Shop::new(
            ShopId::from_u128(1),
            SellerId::from_u128(1),
            "Shop",
        ))));
        let (top, phones) = (CategoryId::from_u128(1), CategoryId::from_u128(2));
        ok(catalog
            .categories_mut()
            .insert(ok(Category::new(top, None, "Electronics"))));
        ok(catalog
            .categories_mut()
            .insert(ok(Category::new(phones, Some(top), "Phones"))));
        let variant = |n: u128, sku: &str| {
            Variant::new(
                VariantId::from_u128(n),
                ok(Sku::parse(sku)),
                Weight::grams(1),
            )
        };
        let product = ok(Product::new(NewProduct {
            id: ProductId::from_u128(7),
            shop: ShopId::from_u128(1),
            name: "Pocket Phone".into(),
            slug: None,
            description: "Small".into(),
            status: ProductStatus::Active,
            category: Some(phones),
            brand: Some("Acme".into()),
            attributes: BTreeMap::new(),
            tax_category: TaxCategory::standard(),
            media: Vec::new(),
            variants: vec![variant(1, "PP-1"), variant(2, "PP-2")],
            created_at: DateTime::UNIX_EPOCH,
        }));
        ok(catalog.upsert_product(product.clone()));
        (catalog, product)
    }

    #[test]
    fn a_document_carries_the_lineage_and_the_lowest_price_for_everyone() {
        let (catalog, product) = fixture();
        let mut book = PriceBook::new();
        let mut retail = PriceList::new(PriceListId::from_u128(1), "Retail", Currency::USD, None);
        ok(retail.set_price(VariantId::from_u128(1), VariantPrice::new(usd(2000))));
        ok(retail.set_price(
            VariantId::from_u128(2),
            VariantPrice::new(usd(1500)).with_tier(5, usd(900)),
        ));
        let mut wholesale = PriceList::new(
            PriceListId::from_u128(2),
            "Wholesale",
            Currency::USD,
            Some(ok(CustomerGroup::parse("wholesale"))),
        );
        ok(wholesale.set_price(VariantId::from_u128(1), VariantPrice::new(usd(100))));
        let mut euro = PriceList::new(PriceListId::from_u128(3), "Euro", Currency::EUR, None);
        ok(euro.set_price(
            VariantId::from_u128(2),
            VariantPrice::new(Money::from_minor_units(1700, Currency::EUR)),
        ));
        for list in [retail, wholesale, euro] {
            ok(book.add_list(list));
        }

        let doc = SearchDocument::from_catalog(
            &product,
            &catalog,
            &book,
            true,
            SearchRating::default(),
            3,
        );
        assert_eq!(
            doc.categories,
            [CategoryId::from_u128(2), CategoryId::from_u128(1)]
        );
        assert_eq!(doc.category_names, ["Phones", "Electronics"]);
        assert_eq!(doc.skus, ["PP-1", "PP-2"]);
        assert_eq!(doc.brand.as_deref(), Some("Acme"));
        assert_eq!(doc.price_in(Currency::USD), Some(Decimal::new(1500, 2)));
        assert_eq!(doc.price_in(Currency::EUR), Some(Decimal::new(1700, 2)));
        assert_eq!(doc.price_in(Currency::GBP), None);
        assert_eq!((doc.in_stock, doc.sales), (true, 3));
    }
}
