//! Collectors: the sort key of every order (read from fast fields) and the facet counts.

use std::collections::HashMap;
use std::sync::Arc;

use commerce_core::search::{PRICE_BUCKETS, SortOrder};
use std::cmp::Ordering;

use tantivy::collector::sort_key::{Comparator, NaturalComparator};
use tantivy::collector::{
    Collector, SegmentCollector, SegmentSortKeyComputer, SortKeyComputer, TopNComputer,
};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

use crate::columns::ColumnCache;
use crate::query::RATING_STEPS;
use crate::schema::{MICROS, columns};

/// A sort key: the order's own key, then the product id (both compared element by
/// element, greater first; the id is stored bit-inverted so the lower id comes first).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub(crate) struct Key([i64; 4], [u64; 2]);

/// Orders hits by a [`SortOrder`], reading the fast fields of each matching document;
/// every order ends on the product id, so equal keys come in the same order whatever the
/// segments look like (pages stay stable across commits and merges).
pub(crate) struct SortBy {
    sort: SortOrder,
    price_column: String,
    columns: Arc<ColumnCache>,
}

impl SortBy {
    /// Sorts by `sort`, with prices from `price_column`, columns opened through `columns`.
    pub(crate) fn new(sort: SortOrder, price_column: &str, columns: &Arc<ColumnCache>) -> Self {
        SortBy {
            sort,
            price_column: price_column.to_owned(),
            columns: Arc::clone(columns),
        }
    }
}

/// [`SortBy`] for one segment.
pub(crate) struct SegmentSortBy {
    sort: SortOrder,
    price: Option<Column<i64>>,
    rating: Option<Column<i64>>,
    rating_count: Option<Column<u64>>,
    sales: Option<Column<u64>>,
    rank: Option<Column<u64>>,
    created: Option<Column<i64>>,
    product: (Option<Column<u64>>, Option<Column<u64>>),
}

impl SortKeyComputer for SortBy {
    type SortKey = Key;
    type Child = SegmentSortBy;
    type Comparator = NaturalComparator;

    fn requires_scoring(&self) -> bool {
        self.sort == SortOrder::Relevance
    }

    /// Takes only the columns the order reads, plus the product id's.
    fn segment_sort_key_computer(&self, reader: &SegmentReader) -> tantivy::Result<SegmentSortBy> {
        let (u64s, i64s) = (
            |name| self.columns.u64(reader, name),
            |name| self.columns.i64(reader, name),
        );
        let (mut price, mut rating, mut rating_count, mut sales, mut rank, mut created) =
            (None, None, None, None, None, None);
        match self.sort {
            SortOrder::Relevance => rank = u64s(columns::RANK)?,
            SortOrder::PriceAscending | SortOrder::PriceDescending => {
                price = i64s(&self.price_column)?;
            }
            SortOrder::Newest => created = i64s(columns::CREATED)?,
            SortOrder::Rating => {
                rating = i64s(columns::RATING)?;
                rating_count = u64s(columns::RATING_COUNT)?;
            }
            SortOrder::BestSelling => sales = u64s(columns::SALES)?,
        }
        Ok(SegmentSortBy {
            sort: self.sort,
            price,
            rating,
            rating_count,
            sales,
            rank,
            created,
            product: (u64s(columns::PRODUCT_HIGH)?, u64s(columns::PRODUCT_LOW)?),
        })
    }
}

/// The first value of `column` for `doc`, or 0.
fn first_i64(column: Option<&Column<i64>>, doc: DocId) -> i64 {
    column.and_then(|c| c.first(doc)).unwrap_or(0)
}

/// The first value of `column` for `doc` (saturating at `i64::MAX`), or 0.
fn first_u64(column: Option<&Column<u64>>, doc: DocId) -> i64 {
    column
        .and_then(|c| c.first(doc))
        .map_or(0, |v| i64::try_from(v).unwrap_or(i64::MAX))
}

/// A score as an integer in the same order (IEEE 754 total order), so keys stay integers.
fn score_key(score: Score) -> i64 {
    let bits = score.to_bits() as i32;
    i64::from(bits ^ ((((bits >> 31) as u32) >> 1) as i32))
}

impl SegmentSortBy {
    /// The order's own part of the key (everything but the product id).
    fn order_key(&self, doc: DocId, score: Score) -> [i64; 4] {
        let rating = || first_i64(self.rating.as_ref(), doc);
        let sales = || first_u64(self.sales.as_ref(), doc);
        let price = || self.price.as_ref().and_then(|c| c.first(doc));
        match self.sort {
            // Rating, then sales, packed in one column: one read breaks a tie.
            SortOrder::Relevance => [score_key(score), first_u64(self.rank.as_ref(), doc), 0, 0],
            // Priced before unpriced; `!p` reverses the order of `p` without overflow.
            SortOrder::PriceAscending => price().map_or([0; 4], |p| [1, !p, 0, 0]),
            SortOrder::PriceDescending => price().map_or([0; 4], |p| [1, p, 0, 0]),
            SortOrder::Newest => [first_i64(self.created.as_ref(), doc), 0, 0, 0],
            SortOrder::Rating => [rating(), first_u64(self.rating_count.as_ref(), doc), 0, 0],
            SortOrder::BestSelling => [sales(), 0, 0, 0],
        }
    }

    /// The product id part of the key.
    fn product_key(&self, doc: DocId) -> [u64; 2] {
        let id = |column: Option<&Column<u64>>| !column.and_then(|c| c.first(doc)).unwrap_or(0);
        [id(self.product.0.as_ref()), id(self.product.1.as_ref())]
    }
}

impl SegmentSortKeyComputer for SegmentSortBy {
    type SortKey = Key;
    type SegmentSortKey = Key;
    type SegmentComparator = NaturalComparator;

    fn segment_sort_key(&mut self, doc: DocId, score: Score) -> Key {
        Key(self.order_key(doc, score), self.product_key(doc))
    }

    /// Reads only what it takes to tell a document misses the page: once the page has a
    /// threshold, a relevance key stops at the score when it is below the threshold's,
    /// and at the packed rating and sales when they are; every order stops before the
    /// product id when its own part is below the threshold's. A document that might
    /// still make the page is pushed with its whole key, and `top` decides.
    ///
    /// The comparisons are plain integer ones, greater first: `C` is [`SortBy`]'s
    /// [`NaturalComparator`] (checked in debug builds). This runs for every matching
    /// document, so it builds no key it does not need.
    fn compute_sort_key_and_collect<C: Comparator<Key>>(
        &mut self,
        doc: DocId,
        score: Score,
        top: &mut TopNComputer<Key, DocId, C>,
    ) {
        let Some(Key(head, _)) = top.threshold else {
            let key = self.segment_sort_key(doc, score);
            top.push(key, doc);
            return;
        };
        let order = if self.sort == SortOrder::Relevance {
            let score = score_key(score);
            if score < head[0] {
                return;
            }
            let rank = first_u64(self.rank.as_ref(), doc);
            if score == head[0] && rank < head[1] {
                return;
            }
            [score, rank, 0, 0]
        } else {
            let order = self.order_key(doc, score);
            if order < head {
                return;
            }
            order
        };
        debug_assert!(
            top.threshold.is_none_or(|threshold| C::default()
                .compare(&Key(order, [u64::MAX; 2]), &threshold)
                != Ordering::Less),
            "the comparator orders keys greater first"
        );
        top.push(Key(order, self.product_key(doc)), doc);
    }

    fn convert_segment_sort_key(&self, key: Key) -> Key {
        key
    }
}

/// Which facets a pass counts.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Wanted {
    pub(crate) categories: bool,
    pub(crate) brands: bool,
    pub(crate) prices: bool,
    pub(crate) ratings: bool,
}

/// Raw facet counts: facet-column values with their counts, per-bucket counts.
#[derive(Debug, Default)]
pub(crate) struct FacetCounts {
    /// Per category facet value (`"{id}\u{1f}{name}"`).
    pub(crate) categories: HashMap<String, u64>,
    /// Per brand as given.
    pub(crate) brands: HashMap<String, u64>,
    /// Per price bucket, cheapest first (see [`PRICE_BUCKETS`]).
    pub(crate) prices: [u64; PRICE_BUCKETS.len() + 1],
    /// Per [`RATING_STEPS`] entry.
    pub(crate) ratings: [u64; RATING_STEPS.len()],
    /// A segment's facet dictionary could not be read (reported by the merge).
    failure: Option<String>,
}

impl FacetCounts {
    /// Adds `other`'s counts of the facets `wanted` names.
    pub(crate) fn take(&mut self, other: FacetCounts, wanted: Wanted) {
        if wanted.categories {
            self.categories = other.categories;
        }
        if wanted.brands {
            self.brands = other.brands;
        }
        if wanted.prices {
            self.prices = other.prices;
        }
        if wanted.ratings {
            self.ratings = other.ratings;
        }
    }

    fn merge(&mut self, other: FacetCounts) {
        self.failure = self.failure.take().or(other.failure);
        for (value, count) in other.categories {
            *self.categories.entry(value).or_default() += count;
        }
        for (value, count) in other.brands {
            *self.brands.entry(value).or_default() += count;
        }
        for (mine, theirs) in self.prices.iter_mut().zip(other.prices) {
            *mine += theirs;
        }
        for (mine, theirs) in self.ratings.iter_mut().zip(other.ratings) {
            *mine += theirs;
        }
    }
}

/// Counts facets over the matching documents, from fast fields.
pub(crate) struct FacetCollector {
    wanted: Wanted,
    price_column: String,
    columns: Arc<ColumnCache>,
}

impl FacetCollector {
    /// Counts the `wanted` facets, prices from `price_column`, columns opened through
    /// `columns`.
    pub(crate) fn new(wanted: Wanted, price_column: &str, columns: &Arc<ColumnCache>) -> Self {
        FacetCollector {
            wanted,
            price_column: price_column.to_owned(),
            columns: Arc::clone(columns),
        }
    }
}

/// Per-ordinal counts of a string column.
struct OrdCounts {
    column: StrColumn,
    counts: Vec<u64>,
}

impl OrdCounts {
    fn open(
        columns: &ColumnCache,
        reader: &SegmentReader,
        name: &str,
        wanted: bool,
    ) -> tantivy::Result<Option<Self>> {
        if !wanted {
            return Ok(None);
        }
        Ok(columns.str(reader, name)?.map(|column| OrdCounts {
            counts: vec![0; column.num_terms()],
            column,
        }))
    }

    fn collect(&mut self, doc: DocId) {
        for ord in self.column.term_ords(doc) {
            if let Some(count) = usize::try_from(ord)
                .ok()
                .and_then(|o| self.counts.get_mut(o))
            {
                *count += 1;
            }
        }
    }

    /// The counted values: one walk over the dictionary for all of them (looking each
    /// ordinal up on its own reopens a dictionary block per value).
    fn harvest(self) -> std::io::Result<HashMap<String, u64>> {
        let counted: Vec<(u64, u64)> = self
            .counts
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .map(|(ord, &count)| (ord as u64, count))
            .collect();
        let ords: Vec<u64> = counted.iter().map(|&(ord, _)| ord).collect();
        let mut out = HashMap::with_capacity(counted.len());
        let mut next = counted.iter();
        self.column
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                if let (Some(&(_, count)), Ok(value)) = (next.next(), std::str::from_utf8(bytes)) {
                    out.insert(value.to_owned(), count);
                }
            })?;
        Ok(out)
    }
}

/// [`FacetCollector`] for one segment.
pub(crate) struct SegmentFacets {
    categories: Option<OrdCounts>,
    brands: Option<OrdCounts>,
    price: Option<Column<i64>>,
    rating: Option<Column<i64>>,
    counts: FacetCounts,
}

/// The price buckets' upper bounds in millionths.
const BUCKET_BOUNDS: [i64; PRICE_BUCKETS.len()] = {
    let mut out = [0; PRICE_BUCKETS.len()];
    let mut n = 0;
    while n < PRICE_BUCKETS.len() {
        out[n] = PRICE_BUCKETS[n] as i64 * MICROS;
        n += 1;
    }
    out
};

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let open = &self.columns;
        Ok(SegmentFacets {
            categories: OrdCounts::open(open, reader, columns::CATEGORY, self.wanted.categories)?,
            brands: OrdCounts::open(open, reader, columns::BRAND, self.wanted.brands)?,
            price: if self.wanted.prices {
                open.i64(reader, &self.price_column)?
            } else {
                None
            },
            rating: if self.wanted.ratings {
                open.i64(reader, columns::RATING)?
            } else {
                None
            },
            counts: FacetCounts::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut total = FacetCounts::default();
        for fruit in fruits {
            total.merge(fruit);
        }
        match total.failure.take() {
            Some(failure) => Err(TantivyError::InternalError(failure)),
            None => Ok(total),
        }
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(categories) = &mut self.categories {
            categories.collect(doc);
        }
        if let Some(brands) = &mut self.brands {
            brands.collect(doc);
        }
        if let Some(price) = self.price.as_ref().and_then(|c| c.first(doc))
            && price >= 0
        {
            let bucket = BUCKET_BOUNDS
                .iter()
                .position(|&bound| price < bound)
                .unwrap_or(BUCKET_BOUNDS.len());
            if let Some(count) = self.counts.prices.get_mut(bucket) {
                *count += 1;
            }
        }
        if let Some(rating) = self.rating.as_ref().and_then(|c| c.first(doc)) {
            for ((_, bound), count) in RATING_STEPS.iter().zip(&mut self.counts.ratings) {
                if rating >= *bound {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(mut self) -> FacetCounts {
        for (counts, into) in [
            (self.categories, &mut self.counts.categories),
            (self.brands, &mut self.counts.brands),
        ] {
            match counts.map(OrdCounts::harvest).transpose() {
                Ok(harvested) => *into = harvested.unwrap_or_default(),
                Err(error) => self.counts.failure = Some(format!("facet dictionary: {error}")),
            }
        }
        self.counts
    }
}
