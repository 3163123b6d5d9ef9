//! In-memory product search: every query scans every document. Correct rather than fast;
//! fine for tests, examples and catalogs of a few thousand products.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;
use rust_decimal::Decimal;

use super::lock;
use crate::error::Error;
use crate::ids::{CategoryId, ProductId};
use crate::money::Currency;
use crate::ports::SearchIndex;
use crate::search::{
    CategoryCount, Facets, PriceBucket, PriceBucketCount, QueryTerm, RatingCount, SearchDocument,
    SearchFilters, SearchHit, SearchQuery, SearchResults, SortOrder, Suggest, SuggestedProduct,
    Suggestions, ValueCount, document_words, normalize, parse_terms, typo_match,
};

/// Field weights, times ten so a fuzzy match (half the weight) stays an integer.
const NAME: u32 = 50;
const BRAND: u32 = 30;
const CATEGORY: u32 = 20;
const SKU: u32 = 20;
const DESCRIPTION: u32 = 10;

/// A search index held in memory, implementing [`SearchIndex`] by scanning every document.
///
/// Matching: shopper text is split by [`parse_terms`]; every term must match in some
/// field (name, brand, category names, SKUs, description). A word matches a document word
/// that equals it or, outside SKUs, is within its typo budget ([`typo_match`]: a code one
/// edit from another is another product's code); a phrase matches the
/// same words, consecutive and in order, within one field value. A term scores the weight
/// of the best field it matched in (name 5, brand 3, category 2, SKU 2, description 1),
/// halved for a match with typos; a document's relevance is the sum over the terms.
/// Relevance ties go to the better rated, then the better selling, then the lower
/// product id; other sorts break ties by product id too, so pages are stable.
#[derive(Debug, Default)]
pub struct MemorySearch {
    entries: Mutex<BTreeMap<ProductId, Entry>>,
}

/// A document with its text split into words once, on write.
#[derive(Debug)]
struct Entry {
    doc: SearchDocument,
    /// Each field value's words with the field's weight and whether typos match there:
    /// one name, brand, description, one sequence per category name and per SKU.
    text: Vec<(u32, bool, Vec<String>)>,
    /// The name's words (suggestions complete them).
    name_words: Vec<String>,
}

impl Entry {
    fn new(doc: SearchDocument) -> Entry {
        let words = |text: &str| document_words(text).collect::<Vec<String>>();
        let name_words = words(&doc.name);
        let mut text = vec![(NAME, true, name_words.clone())];
        if let Some(brand) = &doc.brand {
            text.push((BRAND, true, words(brand)));
        }
        text.extend(
            doc.category_names
                .iter()
                .map(|c| (CATEGORY, true, words(c))),
        );
        text.extend(doc.skus.iter().map(|s| (SKU, false, words(s))));
        text.push((DESCRIPTION, true, words(&doc.description)));
        Entry {
            doc,
            text,
            name_words,
        }
    }

    /// The distinct words of every field but the SKUs (the only ones without typos).
    fn prose_words(&self) -> BTreeSet<&str> {
        self.text
            .iter()
            .filter(|(_, typos, _)| *typos)
            .flat_map(|(_, _, words)| words.iter().map(String::as_str))
            .collect()
    }

    /// The relevance of this document for `terms`, or `None` when a term does not match.
    fn score(&self, terms: &[QueryTerm]) -> Option<u32> {
        terms.iter().try_fold(0u32, |total, term| {
            let best = self
                .text
                .iter()
                .filter_map(|(weight, typos, words)| term_score(term, *weight, *typos, words))
                .max()?;
            Some(total.saturating_add(best))
        })
    }
}

/// What `term` scores in one field value of weight `weight` (where typos match if
/// `typos`), if it matches there.
fn term_score(term: &QueryTerm, weight: u32, typos: bool, words: &[String]) -> Option<u32> {
    match term {
        QueryTerm::Word(query) => {
            if words.iter().any(|w| w == query) {
                Some(weight)
            } else if typos && words.iter().any(|w| typo_match(query, w)) {
                Some(weight / 2)
            } else {
                None
            }
        }
        QueryTerm::Phrase(phrase) if phrase.is_empty() => Some(0),
        QueryTerm::Phrase(phrase) => words
            .windows(phrase.len())
            .any(|window| window == phrase.as_slice())
            .then_some(weight),
    }
}

/// Which filters a document passes; facets need them one by one.
#[derive(Clone, Copy)]
struct Passes {
    category: bool,
    brand: bool,
    price: bool,
    rating: bool,
    /// In-stock and shop, which have no facet.
    rest: bool,
}

impl Passes {
    fn of(doc: &SearchDocument, filters: &SearchFilters, currency: Currency) -> Passes {
        Passes {
            category: filters.category.is_none_or(|c| doc.categories.contains(&c)),
            brand: filters.brands.is_empty()
                || doc.brand.as_deref().is_some_and(|brand| {
                    let brand = brand.to_lowercase();
                    filters.brands.iter().any(|b| b.to_lowercase() == brand)
                }),
            price: filters.price.is_none_or(|range| {
                doc.price_in(currency)
                    .is_some_and(|price| range.contains(price))
            }),
            rating: filters
                .min_rating
                .is_none_or(|min| doc.rating.average >= min),
            rest: (!filters.in_stock_only || doc.in_stock)
                && filters.shop.is_none_or(|shop| doc.shop == shop),
        }
    }

    fn all(self) -> bool {
        self.category && self.brand && self.price && self.rating && self.rest
    }
}

/// A matching document with its relevance and the filters it passes.
struct Match<'a> {
    doc: &'a SearchDocument,
    score: u32,
    passes: Passes,
}

impl MemorySearch {
    /// An empty index.
    pub fn new() -> Self {
        MemorySearch::default()
    }

    /// How many documents it holds.
    pub fn len(&self) -> Result<usize, Error> {
        Ok(lock(&self.entries)?.len())
    }

    /// Whether it holds no document.
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(lock(&self.entries)?.is_empty())
    }
}

#[async_trait]
impl SearchIndex for MemorySearch {
    async fn upsert(&self, documents: Vec<SearchDocument>) -> Result<(), Error> {
        let entries: Vec<Entry> = documents.into_iter().map(Entry::new).collect();
        let mut stored = lock(&self.entries)?;
        for entry in entries {
            stored.insert(entry.doc.product, entry);
        }
        Ok(())
    }

    async fn remove(&self, products: &[ProductId]) -> Result<(), Error> {
        let mut stored = lock(&self.entries)?;
        for product in products {
            stored.remove(product);
        }
        Ok(())
    }

    async fn replace_all(&self, documents: Vec<SearchDocument>) -> Result<(), Error> {
        let entries: BTreeMap<ProductId, Entry> = documents
            .into_iter()
            .map(|doc| (doc.product, Entry::new(doc)))
            .collect();
        *lock(&self.entries)? = entries;
        Ok(())
    }

    async fn document(&self, product: ProductId) -> Result<Option<SearchDocument>, Error> {
        Ok(lock(&self.entries)?.get(&product).map(|e| e.doc.clone()))
    }

    /// The documents sharing the most distinct words (name, brand, category names,
    /// description; not SKUs) with `product`'s, then by product id.
    async fn more_like_this(
        &self,
        product: ProductId,
        limit: usize,
    ) -> Result<Option<Vec<ProductId>>, Error> {
        let stored = lock(&self.entries)?;
        let Some(target) = stored.get(&product) else {
            return Ok(Some(Vec::new()));
        };
        let mine = target.prose_words();
        let mut scored: Vec<(usize, ProductId)> = stored
            .values()
            .filter(|e| e.doc.product != product)
            .map(|e| (e.prose_words().intersection(&mine).count(), e.doc.product))
            .filter(|&(shared, _)| shared > 0)
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(Some(
            scored.into_iter().take(limit).map(|(_, p)| p).collect(),
        ))
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, Error> {
        let terms = parse_terms(&query.text);
        let stored = lock(&self.entries)?;
        let matches: Vec<Match<'_>> = stored
            .values()
            .filter_map(|entry| {
                Some(Match {
                    score: entry.score(&terms)?,
                    doc: &entry.doc,
                    passes: Passes::of(&entry.doc, &query.filters, query.currency),
                })
            })
            .collect();
        let facets = query.facets.then(|| facets(&matches, query.currency));
        let mut hits: Vec<&Match<'_>> = matches.iter().filter(|m| m.passes.all()).collect();
        hits.sort_by(|a, b| compare(query.sort, query.currency, a, b));
        let total = u64::try_from(hits.len()).unwrap_or(u64::MAX);
        let page_size = query.page_size();
        let page = hits
            .into_iter()
            .skip(query.offset())
            .take(page_size as usize)
            .map(|m| hit(m.doc, query.currency))
            .collect();
        Ok(SearchResults {
            hits: page,
            total,
            page: query.page.max(1),
            per_page: page_size,
            facets,
        })
    }

    async fn suggest(&self, request: &Suggest) -> Result<Suggestions, Error> {
        let words = normalize(&request.prefix);
        let Some((last, earlier)) = words.split_last() else {
            return Ok(Suggestions::default());
        };
        let size = request.size();
        let completes = |text: &str| document_words(text).any(|w| w.starts_with(last.as_str()));
        let stored = lock(&self.entries)?;

        let mut products: Vec<&Entry> = stored
            .values()
            .filter(|e| {
                earlier.iter().all(|w| e.name_words.contains(w))
                    && e.name_words.iter().any(|w| w.starts_with(last.as_str()))
            })
            .collect();
        products.sort_by(|a, b| {
            b.doc
                .sales
                .cmp(&a.doc.sales)
                .then_with(|| a.doc.name.cmp(&b.doc.name))
                .then_with(|| a.doc.product.cmp(&b.doc.product))
        });

        let mut categories: Vec<CategoryCount> = category_counts(stored.values().map(|e| &e.doc))
            .into_iter()
            .filter(|c| completes(&c.name))
            .collect();
        categories.sort_by(|a, b| a.name.cmp(&b.name).then(a.category.cmp(&b.category)));
        categories.truncate(size);

        let brands: BTreeSet<&str> = stored
            .values()
            .filter_map(|e| e.doc.brand.as_deref())
            .filter(|brand| completes(brand))
            .collect();

        Ok(Suggestions {
            products: products
                .into_iter()
                .take(size)
                .map(|e| SuggestedProduct {
                    product: e.doc.product,
                    name: e.doc.name.clone(),
                })
                .collect(),
            categories,
            brands: brands.into_iter().take(size).map(str::to_owned).collect(),
        })
    }
}

/// The order of two hits under `sort`; every order ends on the product id.
fn compare(sort: SortOrder, currency: Currency, a: &Match<'_>, b: &Match<'_>) -> Ordering {
    let (x, y) = (a.doc, b.doc);
    let by_price = |descending: bool| match (x.price_in(currency), y.price_in(currency)) {
        (Some(p), Some(q)) if descending => q.cmp(&p),
        (Some(p), Some(q)) => p.cmp(&q),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    let order = match sort {
        SortOrder::Relevance => b
            .score
            .cmp(&a.score)
            .then(y.rating.average.cmp(&x.rating.average))
            .then(y.sales.cmp(&x.sales)),
        SortOrder::PriceAscending => by_price(false),
        SortOrder::PriceDescending => by_price(true),
        SortOrder::Newest => y.created_at.cmp(&x.created_at),
        SortOrder::Rating => y
            .rating
            .average
            .cmp(&x.rating.average)
            .then(y.rating.count.cmp(&x.rating.count)),
        SortOrder::BestSelling => y.sales.cmp(&x.sales),
    };
    order.then(x.product.cmp(&y.product))
}

fn hit(doc: &SearchDocument, currency: Currency) -> SearchHit {
    SearchHit {
        product: doc.product,
        shop: doc.shop,
        name: doc.name.clone(),
        brand: doc.brand.clone(),
        price: doc.prices.get(&currency).copied(),
        rating: doc.rating,
        in_stock: doc.in_stock,
    }
}

/// Each facet over the matches that pass every filter but its own.
fn facets(matches: &[Match<'_>], currency: Currency) -> Facets {
    let docs_where = |keep: fn(Passes) -> bool| {
        matches
            .iter()
            .filter(move |m| keep(m.passes))
            .map(|m| m.doc)
    };

    let mut categories = category_counts(docs_where(|p| p.brand && p.price && p.rating && p.rest));
    categories.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.name.cmp(&b.name))
            .then(a.category.cmp(&b.category))
    });

    let mut brand_counts: BTreeMap<&str, u64> = BTreeMap::new();
    for doc in docs_where(|p| p.category && p.price && p.rating && p.rest) {
        if let Some(brand) = doc.brand.as_deref() {
            *brand_counts.entry(brand).or_default() += 1;
        }
    }
    let mut brands: Vec<ValueCount> = brand_counts
        .into_iter()
        .map(|(value, count)| ValueCount {
            value: value.to_owned(),
            count,
        })
        .collect();
    brands.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));

    let priced: Vec<Decimal> = docs_where(|p| p.category && p.brand && p.rating && p.rest)
        .filter_map(|doc| doc.price_in(currency))
        .collect();
    let prices = PriceBucket::all()
        .into_iter()
        .map(|bucket| PriceBucketCount {
            bucket,
            count: count(priced.iter().filter(|p| bucket.contains(**p))),
        })
        .collect();

    let rated: Vec<Decimal> = docs_where(|p| p.category && p.brand && p.price && p.rest)
        .map(|doc| doc.rating.average)
        .collect();
    let ratings = [4u8, 3, 2, 1]
        .into_iter()
        .map(|at_least| RatingCount {
            at_least,
            count: count(rated.iter().filter(|r| **r >= Decimal::from(at_least))),
        })
        .collect();

    Facets {
        categories,
        brands,
        prices,
        ratings,
    }
}

/// Per category id in the documents' `categories`, its name and how many documents
/// carry it (each document once), by id.
fn category_counts<'a>(docs: impl Iterator<Item = &'a SearchDocument>) -> Vec<CategoryCount> {
    let mut counts: BTreeMap<CategoryId, CategoryCount> = BTreeMap::new();
    for doc in docs {
        for (i, category) in doc.categories.iter().enumerate() {
            if doc.categories[..i].contains(category) {
                continue;
            }
            counts
                .entry(*category)
                .or_insert_with(|| CategoryCount {
                    category: *category,
                    name: doc.category_names.get(i).cloned().unwrap_or_default(),
                    count: 0,
                })
                .count += 1;
        }
    }
    counts.into_values().collect()
}

fn count<T>(items: impl Iterator<Item = T>) -> u64 {
    u64::try_from(items.count()).unwrap_or(u64::MAX)
}
