//! The index schema and how a [`SearchDocument`] becomes a tantivy document.

use std::collections::BTreeMap;

use commerce_core::money::Currency;
use commerce_core::search::SearchDocument;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::tokenizer;

/// Decimal values (prices, rating averages) are indexed as whole millionths.
pub(crate) const MICROS: i64 = 1_000_000;

/// Separates a category id from its name in the category facet column.
pub(crate) const CATEGORY_SEPARATOR: char = '\u{1f}';

/// Handles and names of every field.
#[derive(Clone, Debug)]
pub(crate) struct Fields {
    /// Product id (`STRING | FAST | STORED`): upserts delete by it.
    pub(crate) product: Field,
    /// Name words (positions, for phrases).
    pub(crate) name: Field,
    /// Every prefix of every name word (docs only), for autosuggest.
    pub(crate) name_prefix: Field,
    /// Brand words.
    pub(crate) brand: Field,
    /// Lower-cased brand, whole (`STRING`): the brand filter.
    pub(crate) brand_key: Field,
    /// Category names' words.
    pub(crate) category_names: Field,
    /// Category ids, ancestors included (`STRING`, multi-valued): the category filter.
    pub(crate) category: Field,
    /// SKU words.
    pub(crate) sku: Field,
    /// Description words.
    pub(crate) description: Field,
    /// Shop id (`STRING`).
    pub(crate) shop: Field,
    /// In stock (`bool`, indexed).
    pub(crate) in_stock: Field,
    /// The stored `SearchDocument`, as JSON.
    pub(crate) stored: Field,
    /// Brand as given (`STRING | FAST`): the brand facet.
    pub(crate) brand_facet: Field,
    /// `"{category id}\u{1f}{category name}"` (`STRING | FAST`, multi-valued): the
    /// category facet, with the name each product gives its categories.
    pub(crate) category_facet: Field,
    /// Rating average in millionths (`i64`, fast).
    pub(crate) rating: Field,
    /// Number of ratings (`u64`, fast).
    pub(crate) rating_count: Field,
    /// Units sold (`u64`, fast).
    pub(crate) sales: Field,
    /// Rating and units sold packed into one value (`u64`, fast, see [`rank`]): how
    /// relevance ties break.
    pub(crate) rank: Field,
    /// Creation time in microseconds since the epoch (`i64`, fast).
    pub(crate) created: Field,
    /// The product id's high and low 64 bits (`u64`, fast): the last tie-break of every
    /// order.
    pub(crate) product_bits: (Field, Field),
    /// One `i64` fast field of millionths per currency, with its column name.
    pub(crate) prices: BTreeMap<Currency, (Field, String)>,
}

/// Fast-field names (columns are read by name).
pub(crate) mod columns {
    /// See [`Fields::brand_facet`](super::Fields::brand_facet).
    pub(crate) const BRAND: &str = "brand_facet";
    /// See [`Fields::category_facet`](super::Fields::category_facet).
    pub(crate) const CATEGORY: &str = "category_facet";
    /// Rating average in millionths (`i64`).
    pub(crate) const RATING: &str = "rating";
    /// Number of ratings (`u64`).
    pub(crate) const RATING_COUNT: &str = "rating_count";
    /// Units sold (`u64`).
    pub(crate) const SALES: &str = "sales";
    /// Rating and units sold in one value (`u64`, see [`rank`](super::rank)).
    pub(crate) const RANK: &str = "rank";
    /// Creation time in microseconds since the epoch (`i64`).
    pub(crate) const CREATED: &str = "created_at";
    /// The product id's high 64 bits (`u64`).
    pub(crate) const PRODUCT_HIGH: &str = "product_high";
    /// The product id's low 64 bits (`u64`).
    pub(crate) const PRODUCT_LOW: &str = "product_low";
}

/// The schema and its fields.
pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = |record| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer::WORDS)
                .set_index_option(record),
        )
    };
    let full = IndexRecordOption::WithFreqsAndPositions;
    let product = b.add_text_field("product", STRING | FAST | STORED);
    let name = b.add_text_field("name", words(full));
    let name_prefix = b.add_text_field(
        "name_prefix",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer::PREFIXES)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        ),
    );
    let brand = b.add_text_field("brand", words(full));
    let brand_key = b.add_text_field("brand_key", STRING);
    let category_names = b.add_text_field("category_names", words(full));
    let category = b.add_text_field("category", STRING);
    let sku = b.add_text_field("sku", words(full));
    let description = b.add_text_field("description", words(full));
    let shop = b.add_text_field("shop", STRING);
    let in_stock = b.add_bool_field("in_stock", INDEXED);
    let stored = b.add_bytes_field("document", STORED);
    let facet = STRING.set_fast("raw");
    let brand_facet = b.add_text_field(columns::BRAND, facet.clone());
    let category_facet = b.add_text_field(columns::CATEGORY, facet);
    let rating = b.add_i64_field(columns::RATING, FAST);
    let rating_count = b.add_u64_field(columns::RATING_COUNT, FAST);
    let sales = b.add_u64_field(columns::SALES, FAST);
    let rank = b.add_u64_field(columns::RANK, FAST);
    let created = b.add_i64_field(columns::CREATED, FAST);
    let product_bits = (
        b.add_u64_field(columns::PRODUCT_HIGH, FAST),
        b.add_u64_field(columns::PRODUCT_LOW, FAST),
    );
    let prices = Currency::ALL
        .iter()
        .map(|&currency| {
            let column = price_column(currency);
            (currency, (b.add_i64_field(&column, FAST), column))
        })
        .collect();
    let fields = Fields {
        product,
        name,
        name_prefix,
        brand,
        brand_key,
        category_names,
        category,
        sku,
        description,
        shop,
        in_stock,
        stored,
        brand_facet,
        category_facet,
        rating,
        rating_count,
        sales,
        rank,
        created,
        product_bits,
        prices,
    };
    (b.build(), fields)
}

/// The fast column holding prices in `currency`.
fn price_column(currency: Currency) -> String {
    format!("price_{}", currency.code().to_ascii_lowercase())
}

/// Whole-value fields (brand and category facets, the brand filter) keep at most this many
/// bytes of a value: tantivy drops longer terms from the inverted index altogether.
pub(crate) const MAX_VALUE_BYTES: usize = 1024;

/// `value` cut to [`MAX_VALUE_BYTES`] (at a character boundary).
pub(crate) fn whole(value: &str) -> &str {
    if value.len() <= MAX_VALUE_BYTES {
        return value;
    }
    let end = (0..=MAX_VALUE_BYTES)
        .rev()
        .find(|&i| value.is_char_boundary(i))
        .unwrap_or(0);
    &value[..end]
}

/// The brand as the brand filter compares it: lower-cased, whole (cut as [`whole`]).
pub(crate) fn brand_key(brand: &str) -> String {
    whole(&brand.to_lowercase()).to_owned()
}

/// `value` in whole millionths, rounded with `strategy`, saturating at the `i64` range.
pub(crate) fn micros(value: Decimal, strategy: RoundingStrategy) -> i64 {
    let saturated = if value.is_sign_negative() {
        i64::MIN
    } else {
        i64::MAX
    };
    value
        .checked_mul(Decimal::from(MICROS))
        .map(|scaled| scaled.round_dp_with_strategy(0, strategy))
        .and_then(|whole| whole.to_i64())
        .unwrap_or(saturated)
}

/// Bits of [`rank`] given to units sold; the rating has the 23 above them (the top bit
/// stays clear, so a rank is also a non-negative `i64`).
const RANK_SALES_BITS: u32 = 40;

/// Relevance ties break on the rating, then on units sold. Both go into one value, so a
/// tie reads one column instead of two: the rating in millionths (0 to 5,000,000; clamped
/// to 0..2^23) above the units sold (saturating at 2^40 - 1, about 1.1 trillion). Ranks
/// compare as the (rating, sales) pairs do within those bounds.
pub(crate) fn rank(rating_micros: i64, sales: u64) -> u64 {
    let rating = rating_micros.clamp(0, (1 << 23) - 1).unsigned_abs();
    (rating << RANK_SALES_BITS) | sales.min((1 << RANK_SALES_BITS) - 1)
}

/// The tantivy document for `doc`.
pub(crate) fn to_tantivy(
    fields: &Fields,
    doc: &SearchDocument,
) -> Result<TantivyDocument, serde_json::Error> {
    let nearest = RoundingStrategy::MidpointNearestEven;
    let mut out = TantivyDocument::new();
    out.add_text(fields.product, doc.product.to_string());
    let id = doc.product.as_uuid().as_u128();
    out.add_u64(fields.product_bits.0, (id >> 64) as u64);
    out.add_u64(fields.product_bits.1, id as u64);
    out.add_text(fields.name, &doc.name);
    out.add_text(fields.name_prefix, &doc.name);
    if let Some(brand) = &doc.brand {
        out.add_text(fields.brand, brand);
        out.add_text(fields.brand_key, brand_key(brand));
        out.add_text(fields.brand_facet, whole(brand));
    }
    let mut seen = Vec::with_capacity(doc.categories.len());
    for (n, category) in doc.categories.iter().enumerate() {
        // A category listed twice still counts the product once.
        if seen.contains(category) {
            continue;
        }
        seen.push(*category);
        let name = doc.category_names.get(n).map_or("", String::as_str);
        out.add_text(fields.category, category.to_string());
        out.add_text(
            fields.category_facet,
            format!("{category}{CATEGORY_SEPARATOR}{}", whole(name)),
        );
    }
    for name in &doc.category_names {
        out.add_text(fields.category_names, name);
    }
    for sku in &doc.skus {
        out.add_text(fields.sku, sku);
    }
    out.add_text(fields.description, &doc.description);
    out.add_text(fields.shop, doc.shop.to_string());
    out.add_bool(fields.in_stock, doc.in_stock);
    let rating = micros(doc.rating.average, nearest);
    out.add_i64(fields.rating, rating);
    out.add_u64(fields.rating_count, u64::from(doc.rating.count));
    out.add_u64(fields.sales, doc.sales);
    out.add_u64(fields.rank, rank(rating, doc.sales));
    out.add_i64(fields.created, doc.created_at.timestamp_micros());
    for (currency, price) in &doc.prices {
        if let Some((field, _)) = fields.prices.get(currency) {
            out.add_i64(*field, micros(price.amount(), nearest));
        }
    }
    out.add_bytes(fields.stored, &serde_json::to_vec(doc)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_values_are_cut_at_a_character_boundary() {
        assert_eq!(whole("Acme"), "Acme");
        let long = "é".repeat(MAX_VALUE_BYTES);
        assert_eq!(whole(&long).len(), MAX_VALUE_BYTES);
        let odd = format!("x{long}");
        assert_eq!(whole(&odd).len(), MAX_VALUE_BYTES - 1);
    }

    proptest::proptest! {
        #[test]
        fn ranks_compare_as_rating_then_sales(
            a in (0..=5 * MICROS, 0..1u64 << 40),
            b in (0..=5 * MICROS, 0..1u64 << 40),
        ) {
            proptest::prop_assert_eq!(rank(a.0, a.1).cmp(&rank(b.0, b.1)), a.cmp(&b));
        }
    }

    #[test]
    fn ranks_clamp_out_of_range_values() {
        assert_eq!(rank(-1, 0), rank(0, 0));
        assert!(rank(i64::MAX, u64::MAX) < 1 << 63);
        assert_eq!(rank(1, u64::MAX), rank(1, (1 << 40) - 1));
        assert!(rank(2, 0) > rank(1, u64::MAX));
    }

    #[test]
    fn micros_round_and_saturate() {
        let down = RoundingStrategy::ToNegativeInfinity;
        let up = RoundingStrategy::ToPositiveInfinity;
        assert_eq!(micros(Decimal::new(1999, 2), down), 19_990_000);
        assert_eq!(micros(Decimal::new(1, 7), down), 0);
        assert_eq!(micros(Decimal::new(1, 7), up), 1);
        assert_eq!(micros(Decimal::MAX, down), i64::MAX);
        assert_eq!(micros(Decimal::MIN, up), i64::MIN);
    }
}
