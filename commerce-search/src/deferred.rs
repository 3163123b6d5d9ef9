//! Facet filters checked in the collector instead of the query, so one pass over the
//! documents counts every facet under the other filters.
//!
//! A facet is counted over the documents that pass every filter but its own. With the
//! category, price and rating filters in the query, that takes a pass per set filter
//! (each mostly walking the same documents). Here the query keeps the other filters, and
//! the collector reads each document's category ordinals, price and rating from fast
//! fields: a document that passes all of them feeds the count, the page and every facet;
//! one that fails exactly one feeds only that filter's facet.

use commerce_core::CategoryId;
use commerce_core::money::Currency;
use commerce_core::search::SearchFilters;
use rust_decimal::RoundingStrategy;
use std::ops::Bound;
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::collect::{FacetCollector, FacetCounts, SegmentFacets, Wanted};
use crate::columns::ColumnCache;
use crate::schema::{self, CATEGORY_SEPARATOR, Fields, columns};

/// The category, price and rating filters of a query, as the collector checks them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Deferred {
    /// Products in this category (its descendants carry it too).
    category: Option<CategoryId>,
    /// Prices in whole millionths, inclusive; `None` inside when the currency has no
    /// price column (nothing passes).
    price: Option<Option<(String, i64, i64)>>,
    /// The rating average at least this, in millionths.
    rating: Option<i64>,
}

/// One of the deferred filters (a bit in a document's failures).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    Category = 1,
    Price = 2,
    Rating = 4,
}

impl Check {
    /// Every deferred filter, in the order of the per-filter arrays.
    const ALL: [Check; 3] = [Check::Category, Check::Price, Check::Rating];

    /// The facet this filter is the filter of.
    fn facet(self) -> Wanted {
        Wanted {
            categories: self == Check::Category,
            prices: self == Check::Price,
            ratings: self == Check::Rating,
            brands: false,
        }
    }
}

impl Deferred {
    /// The category, price and rating filters of `filters`, bounds rounded as the query's
    /// own filters round them (see [`crate::query::filter_queries`]).
    pub(crate) fn of(fields: &Fields, filters: &SearchFilters, currency: Currency) -> Self {
        Deferred {
            category: filters.category,
            price: filters.price.map(|range| {
                fields.prices.get(&currency).map(|(_, column)| {
                    let min = range.min.map_or(i64::MIN, |m| {
                        schema::micros(m, RoundingStrategy::ToPositiveInfinity)
                    });
                    let max = range.max.map_or(i64::MAX, |m| {
                        schema::micros(m, RoundingStrategy::ToNegativeInfinity)
                    });
                    (column.clone(), min, max)
                })
            }),
            rating: filters
                .min_rating
                .map(|min| schema::micros(min, RoundingStrategy::ToPositiveInfinity)),
        }
    }

    /// Whether `check` is one of the filters.
    pub(crate) fn has(&self, check: Check) -> bool {
        match check {
            Check::Category => self.category.is_some(),
            Check::Price => self.price.is_some(),
            Check::Rating => self.rating.is_some(),
        }
    }
}

/// Counts, pages and facets a query whose category, price and rating filters are
/// [`Deferred`]: `top` (a count and a page, say) sees only the documents that pass them
/// all; `facets` counts the facets without a deferred filter of their own over those
/// documents; each deferred filter's own facet is counted over the documents that pass
/// every other one.
pub(crate) struct DeferredFilters<T> {
    top: T,
    deferred: Deferred,
    facets: Wanted,
    price_column: String,
    columns: Arc<ColumnCache>,
}

impl<T> DeferredFilters<T> {
    /// `top` and the `facets` under every filter; prices of the price facet from
    /// `price_column`; columns opened through `columns`.
    pub(crate) fn new(
        top: T,
        deferred: Deferred,
        facets: Wanted,
        price_column: &str,
        columns: &Arc<ColumnCache>,
    ) -> Self {
        DeferredFilters {
            top,
            deferred,
            facets,
            price_column: price_column.to_owned(),
            columns: Arc::clone(columns),
        }
    }

    /// A facet collector counting `wanted`.
    fn facet_collector(&self, wanted: Wanted) -> FacetCollector {
        FacetCollector::new(wanted, &self.price_column, &self.columns)
    }

    /// The facet collector counting only `check`'s own facet.
    fn own_facet(&self, check: Check) -> Option<FacetCollector> {
        self.deferred
            .has(check)
            .then(|| self.facet_collector(check.facet()))
    }
}

/// What [`DeferredFilters`] collects in one segment: the inner collector's fruit over the
/// documents that pass, the facets counted under every filter, and each deferred filter's
/// own facet (in [`Check::ALL`] order; `None` when that filter is not set).
pub(crate) struct Collected<F> {
    top: F,
    facets: FacetCounts,
    own: [Option<FacetCounts>; 3],
}

/// [`DeferredFilters`] for one segment.
pub(crate) struct SegmentDeferred<C> {
    top: C,
    facets: SegmentFacets,
    own: [Option<SegmentFacets>; 3],
    /// Ordinals of the category facet values of the filter's category (`start..end`).
    /// (`None` inside when no product of the segment has a category: nothing passes.)
    category: Option<(Option<StrColumn>, u64, u64)>,
    price: Option<(Option<Column<i64>>, i64, i64)>,
    rating: Option<(Option<Column<i64>>, i64)>,
}

/// The ordinals of `column`'s values `"{category}\u{1f}..."`, as `start..end`.
fn category_ords(column: &StrColumn, category: CategoryId) -> tantivy::Result<(u64, u64)> {
    let first = format!("{category}{CATEGORY_SEPARATOR}");
    // The separator's successor: every value of the category sorts below it.
    let past = format!("{category}{}", char::from(CATEGORY_SEPARATOR as u8 + 1));
    let (start, end) = column
        .dictionary()
        .term_bounds_to_ord(Bound::Included(first), Bound::Excluded(past))?;
    let start = match start {
        Bound::Included(ord) => ord,
        Bound::Excluded(ord) => ord + 1,
        Bound::Unbounded => 0,
    };
    let end = match end {
        Bound::Included(ord) => ord + 1,
        Bound::Excluded(ord) => ord,
        Bound::Unbounded => column.num_terms() as u64,
    };
    Ok((start, end))
}

/// The inner collector's fruit, and every facet: each deferred filter's own facet taken
/// from its own counts, the others counted under every filter.
impl<T: Collector> Collector for DeferredFilters<T> {
    type Fruit = (T::Fruit, FacetCounts);
    type Child = SegmentDeferred<T::Child>;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let open = &self.columns;
        let own = Check::ALL.map(|check| {
            self.own_facet(check)
                .map(|facet| facet.for_segment(segment, reader))
                .transpose()
        });
        let [category_own, price_own, rating_own] = own;
        let category = match self.deferred.category {
            Some(category) => Some(match open.str(reader, columns::CATEGORY)? {
                Some(column) => {
                    let (start, end) = category_ords(&column, category)?;
                    (Some(column), start, end)
                }
                None => (None, 0, 0),
            }),
            None => None,
        };
        let price = match &self.deferred.price {
            Some(Some((column, min, max))) => Some((open.i64(reader, column)?, *min, *max)),
            Some(None) => Some((None, 0, -1)),
            None => None,
        };
        let rating = match self.deferred.rating {
            Some(min) => Some((open.i64(reader, columns::RATING)?, min)),
            None => None,
        };
        Ok(SegmentDeferred {
            top: self.top.for_segment(segment, reader)?,
            facets: self
                .facet_collector(self.facets)
                .for_segment(segment, reader)?,
            own: [category_own?, price_own?, rating_own?],
            category,
            price,
            rating,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.top.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Collected<<T::Child as SegmentCollector>::Fruit>>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut tops = Vec::with_capacity(fruits.len());
        let mut facets = Vec::with_capacity(fruits.len());
        let mut own: [Vec<FacetCounts>; 3] = Default::default();
        for fruit in fruits {
            tops.push(fruit.top);
            facets.push(fruit.facets);
            for (into, counts) in own.iter_mut().zip(fruit.own) {
                into.extend(counts);
            }
        }
        let merge = |counts| self.facet_collector(self.facets).merge_fruits(counts);
        let mut merged = merge(facets)?;
        for (check, counts) in Check::ALL.into_iter().zip(own) {
            if self.deferred.has(check) {
                merged.take(merge(counts)?, check.facet());
            }
        }
        Ok((self.top.merge_fruits(tops)?, merged))
    }
}

impl<C: SegmentCollector> SegmentDeferred<C> {
    /// The deferred filters `doc` fails, as [`Check`] bits.
    fn failures(&self, doc: DocId) -> u8 {
        let mut failed = 0;
        if let Some((column, start, end)) = &self.category
            && !column
                .as_ref()
                .is_some_and(|c| c.term_ords(doc).any(|ord| (*start..*end).contains(&ord)))
        {
            failed |= Check::Category as u8;
        }
        if let Some((column, min, max)) = &self.price {
            let price = column.as_ref().and_then(|c| c.first(doc));
            if !price.is_some_and(|p| (*min..=*max).contains(&p)) {
                failed |= Check::Price as u8;
            }
        }
        if let Some((column, min)) = &self.rating {
            let rating = column.as_ref().and_then(|c| c.first(doc));
            if rating.is_none_or(|r| r < *min) {
                failed |= Check::Rating as u8;
            }
        }
        failed
    }
}

impl<C: SegmentCollector> SegmentCollector for SegmentDeferred<C> {
    type Fruit = Collected<C::Fruit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let failed = self.failures(doc);
        if failed == 0 {
            self.top.collect(doc, score);
            self.facets.collect(doc, score);
            for own in self.own.iter_mut().flatten() {
                own.collect(doc, score);
            }
            return;
        }
        // Failing one filter, the document still counts in that filter's own facet.
        for (check, own) in Check::ALL.into_iter().zip(&mut self.own) {
            if failed == check as u8
                && let Some(own) = own
            {
                own.collect(doc, score);
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        Collected {
            top: self.top.harvest(),
            facets: self.facets.harvest(),
            own: self.own.map(|own| own.map(SegmentFacets::harvest)),
        }
    }
}
