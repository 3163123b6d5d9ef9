//! "Similar products": same category or same brand, ranked by the words their names
//! share.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::ids::{CategoryId, ProductId};
use crate::search::normalize;

/// What similarity looks at in a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The product.
    pub product: ProductId,
    /// Its name.
    pub name: String,
    /// Its brand.
    pub brand: Option<String>,
    /// Its category (the most specific one).
    pub category: Option<CategoryId>,
}

/// A product similar to another, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Similar {
    /// The product.
    pub product: ProductId,
    /// Distinct name words (by the search word rule) it shares with the other product.
    pub shared_words: u32,
    /// Whether it is filed in the same category.
    pub same_category: bool,
    /// Whether it has the same brand (case-insensitive).
    pub same_brand: bool,
}

/// The candidates similar to `target`: those in its category or of its brand (never
/// `target` itself, each product once), ranked by shared name words, then by matching
/// both category and brand, then by product id. A pure function: same input, same order.
pub fn rank_similar(
    target: &Candidate,
    candidates: impl IntoIterator<Item = Candidate>,
) -> Vec<Similar> {
    let words: BTreeSet<String> = normalize(&target.name).into_iter().collect();
    let brand = target.brand.as_deref().map(brand_key);
    let mut seen = HashSet::new();
    let mut ranked: Vec<Similar> = candidates
        .into_iter()
        .filter(|c| c.product != target.product && seen.insert(c.product))
        .filter_map(|c| {
            let same_category = target.category.is_some() && c.category == target.category;
            let same_brand = brand.is_some() && c.brand.as_deref().map(brand_key) == brand;
            if !(same_category || same_brand) {
                return None;
            }
            let theirs: BTreeSet<String> = normalize(&c.name).into_iter().collect();
            let shared = words.intersection(&theirs).count();
            Some(Similar {
                product: c.product,
                shared_words: u32::try_from(shared).unwrap_or(u32::MAX),
                same_category,
                same_brand,
            })
        })
        .collect();
    ranked.sort_by(|a, b| {
        let both = |s: &Similar| u8::from(s.same_category) + u8::from(s.same_brand);
        (b.shared_words, both(b), a.product).cmp(&(a.shared_words, both(a), b.product))
    });
    ranked
}

fn brand_key(brand: &str) -> String {
    brand.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(n: u128, name: &str, brand: Option<&str>, category: Option<u128>) -> Candidate {
        Candidate {
            product: ProductId::from_u128(n),
            name: name.into(),
            brand: brand.map(str::to_owned),
            category: category.map(CategoryId::from_u128),
        }
    }

    #[test]
    fn same_category_or_brand_ranked_by_shared_words_then_both_then_id() {
        let target = candidate(1, "Blue Ceramic Mug", Some("Acme"), Some(10));
        let ranked = rank_similar(
            &target,
            vec![
                candidate(1, "Blue Ceramic Mug", Some("Acme"), Some(10)),
                candidate(9, "Red Ceramic Mug", None, Some(10)),
                candidate(8, "Blue ceramic MUG XL", Some("acme "), Some(10)),
                candidate(7, "Teapot", Some("ACME"), Some(11)),
                candidate(6, "Blue Ceramic Mug", Some("Other"), Some(12)),
                candidate(5, "Plate", None, Some(10)),
                candidate(4, "Bowl", Some("Acme"), Some(10)),
                candidate(9, "Red Ceramic Mug", None, Some(10)),
            ],
        );
        let order: Vec<u128> = ranked
            .iter()
            .map(|s| s.product.as_uuid().as_u128())
            .collect();
        assert_eq!(order, [8, 9, 4, 5, 7]);
        assert_eq!(ranked[0].shared_words, 3);
        assert!(ranked[0].same_brand && ranked[0].same_category);
    }

    #[test]
    fn nothing_is_similar_to_a_product_without_category_or_brand() {
        let target = candidate(1, "Mug", None, None);
        let ranked = rank_similar(&target, vec![candidate(2, "Mug", None, None)]);
        assert!(ranked.is_empty());
    }
}
