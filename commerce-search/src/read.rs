//! The read side: search with facets, autosuggest, stored documents.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, PoisonError};

use commerce_core::search::{
    CategoryCount, Facets, PriceBucket, PriceBucketCount, RatingCount, SearchDocument, SearchHit,
    SearchQuery, SearchRating, SearchResults, SortOrder, Suggest, SuggestedProduct, Suggestions,
    ValueCount, document_words, normalize,
};
use commerce_core::{CategoryId, Currency, Money, ProductId, ShopId};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, TantivyDocument, TantivyError, Term};

use crate::collect::{FacetCollector, FacetCounts, Key, SortBy, Wanted};
use crate::columns::ColumnCache;
use crate::deferred::{Check, Deferred, DeferredFilters};
use crate::query::{Facet, RATING_STEPS, exact, filter_queries, filtered, text_query};
use crate::schema::{CATEGORY_SEPARATOR, Fields, columns};

/// The stored document at `address`, read as `T`: the whole [`SearchDocument`], or only
/// the parts a hit or a suggestion shows (the rest is skipped, not decoded).
fn stored<T: DeserializeOwned>(
    searcher: &Searcher,
    fields: &Fields,
    address: DocAddress,
) -> tantivy::Result<T> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let bytes = doc
        .get_first(fields.stored)
        .and_then(|v| v.as_bytes())
        .ok_or_else(|| TantivyError::InternalError("a document without its stored copy".into()))?;
    serde_json::from_slice(bytes)
        .map_err(|e| TantivyError::InternalError(format!("unreadable stored document: {e}")))
}

/// The parts of a stored [`SearchDocument`] a hit shows.
#[derive(Deserialize)]
struct StoredHit {
    product: ProductId,
    shop: ShopId,
    name: String,
    brand: Option<String>,
    prices: BTreeMap<Currency, Money>,
    in_stock: bool,
    rating: SearchRating,
}

/// The parts of a stored [`SearchDocument`] a suggestion shows.
#[derive(Deserialize)]
struct StoredName {
    product: ProductId,
    name: String,
}

/// The stored document of `product`.
pub(crate) fn document(
    searcher: &Searcher,
    fields: &Fields,
    product: ProductId,
) -> tantivy::Result<Option<SearchDocument>> {
    let query = exact(fields.product, &product.to_string());
    let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    top.first()
        .map(|(_, address)| stored(searcher, fields, *address))
        .transpose()
}

/// "More like this" for `product`: a [`MoreLikeThisQuery`] built from its stored
/// document's name, brand, category names and description (run through each field's
/// tokenizer, every word counted however rare), the product itself excluded; the best
/// `limit` by score. Nothing when `product` is not indexed.
pub(crate) fn more_like_this(
    searcher: &Searcher,
    fields: &Fields,
    product: ProductId,
    limit: usize,
) -> tantivy::Result<Vec<ProductId>> {
    let Some(doc) = document(searcher, fields, product)? else {
        return Ok(Vec::new());
    };
    if limit == 0 {
        return Ok(Vec::new());
    }
    let text = |values: Vec<String>| values.into_iter().map(OwnedValue::Str).collect();
    let mut doc_fields = vec![
        (fields.name, text(vec![doc.name])),
        (fields.description, text(vec![doc.description])),
        (fields.category_names, text(doc.category_names)),
    ];
    if let Some(brand) = doc.brand {
        doc_fields.push((fields.brand, text(vec![brand])));
    }
    // tantivy weighs a word by its document frequency, which still counts deleted
    // (replaced) documents, against the live documents, and asserts the first is never
    // larger: words in more documents than are live are left out (they are in nearly
    // every product, so they say nothing about similarity anyway).
    let like = MoreLikeThisQuery::builder()
        .with_max_doc_frequency(searcher.num_docs())
        .with_min_doc_frequency(1)
        .with_min_term_frequency(1)
        .with_min_word_length(1)
        .with_max_query_terms(32)
        .with_document_fields(doc_fields);
    let query = BooleanQuery::new(vec![
        (Occur::Must, Box::new(like) as Box<dyn Query>),
        (Occur::MustNot, exact(fields.product, &product.to_string())),
    ]);
    let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
    top.iter()
        .map(|(_, address)| stored::<StoredName>(searcher, fields, *address).map(|s| s.product))
        .collect()
}

/// A page of results with facets.
pub(crate) fn search(
    searcher: &Searcher,
    fields: &Fields,
    columns: &Arc<ColumnCache>,
    query: &SearchQuery,
) -> tantivy::Result<SearchResults> {
    columns.follow(searcher);
    let price_column = fields
        .prices
        .get(&query.currency)
        .map_or("", |(_, name)| name.as_str());
    let text = text_query(fields, &query.text);
    let f = &query.filters;

    let offset = query.offset();
    let per_page = query.page_size();
    // Never ask tantivy for a page past the last document (its top-k buffer is sized by
    // offset + limit).
    let top = usize::try_from(searcher.num_docs())
        .is_ok_and(|docs| offset < docs)
        .then(|| {
            TopDocs::with_limit(per_page as usize)
                .and_offset(offset)
                .order_by(SortBy::new(query.sort, price_column, columns))
        });

    if !query.facets {
        let main = filtered(text, filter_queries(fields, f, query.currency, &[]));
        let (total, top) = searcher.search(main.as_ref(), &(Count, top))?;
        return page(searcher, fields, query, total, top, None);
    }

    // Facets are counted under every filter but their own. The category, price and
    // rating filters are checked in the collector (one pass counts their facets too);
    // the brand filter stays in the query, and its facet gets a pass of its own.
    let deferred = Deferred::of(fields, f, query.currency);
    let brand_set = !f.brands.is_empty();
    let under_all = Wanted {
        categories: !deferred.has(Check::Category),
        brands: !brand_set,
        prices: !deferred.has(Check::Price),
        ratings: !deferred.has(Check::Rating),
    };
    let in_collector = [Facet::Category, Facet::Price, Facet::Rating];
    let main = filtered(
        text.box_clone(),
        filter_queries(fields, f, query.currency, &in_collector),
    );
    let ((total, top), mut counts) = searcher.search(
        main.as_ref(),
        &DeferredFilters::new((Count, top), deferred, under_all, price_column, columns),
    )?;
    if brand_set {
        let only = Wanted {
            brands: true,
            ..Wanted::default()
        };
        let without_brand = filtered(
            text,
            filter_queries(fields, f, query.currency, &[Facet::Brand]),
        );
        let pass = searcher.search(
            without_brand.as_ref(),
            &FacetCollector::new(only, price_column, columns),
        )?;
        counts.take(pass, only);
    }
    page(searcher, fields, query, total, top, Some(counts))
}

/// The page of results: the hits' shown parts read from their stored documents.
fn page(
    searcher: &Searcher,
    fields: &Fields,
    query: &SearchQuery,
    total: usize,
    top: Option<Vec<(Key, DocAddress)>>,
    counts: Option<FacetCounts>,
) -> tantivy::Result<SearchResults> {
    let hits = top
        .unwrap_or_default()
        .into_iter()
        .map(|(_, address)| {
            let doc: StoredHit = stored(searcher, fields, address)?;
            Ok(SearchHit {
                price: doc.prices.get(&query.currency).copied(),
                product: doc.product,
                shop: doc.shop,
                name: doc.name,
                brand: doc.brand,
                rating: doc.rating,
                in_stock: doc.in_stock,
            })
        })
        .collect::<tantivy::Result<Vec<_>>>()?;

    Ok(SearchResults {
        hits,
        total: total as u64,
        page: query.page.max(1),
        per_page: query.page_size(),
        facets: counts.map(facets),
    })
}

/// Splits a category facet value into its id and name.
fn category_value(value: &str) -> Option<(CategoryId, &str)> {
    let (id, name) = value.split_once(CATEGORY_SEPARATOR)?;
    Some((id.parse().ok()?, name))
}

/// Raw counts as the port's facets, each sorted as documented.
fn facets(counts: FacetCounts) -> Facets {
    // A category renamed while some products still carry the old name is one category:
    // counts add up, and the name most products give wins.
    let mut categories: HashMap<CategoryId, (u64, u64, String)> = HashMap::new();
    for (value, count) in &counts.categories {
        let Some((id, name)) = category_value(value) else {
            continue;
        };
        let entry = categories.entry(id).or_insert((0, 0, String::new()));
        entry.0 += count;
        if *count > entry.1 || (*count == entry.1 && name < entry.2.as_str()) {
            entry.1 = *count;
            entry.2 = name.to_owned();
        }
    }
    let mut categories: Vec<CategoryCount> = categories
        .into_iter()
        .map(|(category, (count, _, name))| CategoryCount {
            category,
            name,
            count,
        })
        .collect();
    categories.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.category.cmp(&b.category))
    });

    let mut brands: Vec<ValueCount> = counts
        .brands
        .into_iter()
        .map(|(value, count)| ValueCount { value, count })
        .collect();
    brands.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));

    Facets {
        categories,
        brands,
        prices: PriceBucket::all()
            .into_iter()
            .zip(counts.prices)
            .map(|(bucket, count)| PriceBucketCount { bucket, count })
            .collect(),
        ratings: RATING_STEPS
            .iter()
            .zip(counts.ratings)
            .map(|(&(at_least, _), count)| RatingCount { at_least, count })
            .collect(),
    }
}

/// The category and brand names in the index, from the facet columns' dictionaries
/// (values of deleted documents included: callers check a name is still live), with
/// their words, so completing a prefix is a range of a sorted map, not a scan.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    generation: u64,
    /// Category facet values (`"{id}\u{1f}{name}"`), sorted.
    categories: Vec<String>,
    /// Brands as given, sorted.
    brands: Vec<String>,
    /// Each word of a category name, with the categories (positions) it is in.
    category_words: BTreeMap<String, Vec<usize>>,
    /// Each word of a brand, with the brands (positions) it is in.
    brand_words: BTreeMap<String, Vec<usize>>,
}

impl Vocabulary {
    /// Indexes the words of `values` (each read through `text`).
    fn words(values: &[String], text: impl Fn(&str) -> &str) -> BTreeMap<String, Vec<usize>> {
        let mut words: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (n, value) in values.iter().enumerate() {
            for word in document_words(text(value)) {
                let at = words.entry(word).or_default();
                if at.last() != Some(&n) {
                    at.push(n);
                }
            }
        }
        words
    }

    /// The positions of the values with a word starting with `prefix`, in order.
    fn completing(words: &BTreeMap<String, Vec<usize>>, prefix: &str) -> BTreeSet<usize> {
        words
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(|(word, _)| word.starts_with(prefix))
            .flat_map(|(_, at)| at.iter().copied())
            .collect()
    }
}

/// The [`Vocabulary`] of the last searcher generation asked about.
#[derive(Debug, Default)]
pub(crate) struct VocabularyCache(Mutex<Option<Arc<Vocabulary>>>);

impl VocabularyCache {
    fn get(&self, searcher: &Searcher) -> tantivy::Result<Arc<Vocabulary>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(vocabulary) = cached.as_ref()
            && vocabulary.generation == generation
        {
            return Ok(Arc::clone(vocabulary));
        }
        let mut categories = BTreeSet::new();
        let mut brands = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            for (name, into) in [
                (columns::CATEGORY, &mut categories),
                (columns::BRAND, &mut brands),
            ] {
                let Some(column) = fast.str(name)? else {
                    continue;
                };
                let mut stream = column.dictionary().stream()?;
                while stream.advance() {
                    if let Ok(value) = std::str::from_utf8(stream.key()) {
                        into.insert(value.to_owned());
                    }
                }
            }
        }
        let categories: Vec<String> = categories.into_iter().collect();
        let brands: Vec<String> = brands.into_iter().collect();
        let vocabulary = Arc::new(Vocabulary {
            generation,
            category_words: Vocabulary::words(&categories, |value| {
                category_value(value).map_or("", |(_, name)| name)
            }),
            brand_words: Vocabulary::words(&brands, |brand| brand),
            categories,
            brands,
        });
        *cached = Some(Arc::clone(&vocabulary));
        Ok(vocabulary)
    }
}

/// How many live documents hold `term`: the term's document frequency in segments with
/// no deletes (a dictionary lookup), its postings checked against the live documents in
/// the others.
fn live_count(searcher: &Searcher, term: Term) -> tantivy::Result<u64> {
    let mut count = 0;
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(term.field())?;
        let Some(alive) = segment.alive_bitset() else {
            count += u64::from(index.doc_freq(&term)?);
            continue;
        };
        let Some(mut postings) = index.read_postings(&term, IndexRecordOption::Basic)? else {
            continue;
        };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            count += u64::from(alive.is_alive(doc));
            doc = postings.advance();
        }
    }
    Ok(count)
}

/// Autosuggest.
pub(crate) fn suggest(
    searcher: &Searcher,
    fields: &Fields,
    columns: &Arc<ColumnCache>,
    vocabulary: &VocabularyCache,
    request: &Suggest,
) -> tantivy::Result<Suggestions> {
    columns.follow(searcher);
    let words = normalize(&request.prefix);
    let Some((last, earlier)) = words.split_last() else {
        return Ok(Suggestions::default());
    };
    let size = request.size();

    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Must,
        Box::new(TermQuery::new(
            Term::from_field_text(fields.name_prefix, last),
            IndexRecordOption::Basic,
        )),
    )];
    clauses.extend(earlier.iter().map(|word| {
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.name, word),
                IndexRecordOption::Basic,
            )) as Box<dyn Query>,
        )
    }));
    let top = searcher.search(
        &BooleanQuery::new(clauses),
        &TopDocs::with_limit(size).order_by(SortBy::new(SortOrder::BestSelling, "", columns)),
    )?;
    let products = top
        .into_iter()
        .map(|(_, address)| {
            let doc: StoredName = stored(searcher, fields, address)?;
            Ok(SuggestedProduct {
                product: doc.product,
                name: doc.name,
            })
        })
        .collect::<tantivy::Result<Vec<_>>>()?;

    let vocabulary = vocabulary.get(searcher)?;
    let live = |value: &str, field| live_count(searcher, Term::from_field_text(field, value));

    let mut matching: Vec<(&str, CategoryId, &str)> =
        Vocabulary::completing(&vocabulary.category_words, last)
            .into_iter()
            .filter_map(|n| {
                let value = vocabulary.categories.get(n)?;
                let (id, name) = category_value(value)?;
                Some((name, id, value.as_str()))
            })
            .collect();
    matching.sort();
    let mut categories: Vec<CategoryCount> = Vec::new();
    for (name, category, value) in matching {
        if categories.len() == size {
            break;
        }
        if categories.iter().any(|c| c.category == category) {
            continue;
        }
        let count = live(value, fields.category_facet)?;
        if count > 0 {
            categories.push(CategoryCount {
                category,
                name: name.to_owned(),
                count,
            });
        }
    }

    let mut brands = Vec::new();
    for n in Vocabulary::completing(&vocabulary.brand_words, last) {
        if brands.len() == size {
            break;
        }
        if let Some(brand) = vocabulary.brands.get(n)
            && live(brand, fields.brand_facet)? > 0
        {
            brands.push(brand.clone());
        }
    }

    Ok(Suggestions {
        products,
        categories,
        brands,
    })
}
