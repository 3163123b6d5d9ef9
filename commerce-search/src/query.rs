//! Shopper text and filters as tantivy queries. Shopper text goes through
//! [`parse_terms`] only — never tantivy's query parser — so no input is a syntax.

use std::ops::Bound;

use commerce_core::money::Currency;
use commerce_core::search::{QueryTerm, SearchFilters, edit_budget, parse_terms};
use rust_decimal::RoundingStrategy;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery,
    FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Term};

use crate::schema::{self, Fields, MICROS};

/// How much a match in each searched field weighs, as `(exact, within the typo budget)`:
/// name over brand over category names and SKU over description (the port's order), and
/// in every field an exact word (or phrase) over a word within the typo budget. SKUs
/// match exactly only (`None`): a code one edit from another is another product's code.
const NAME: (Score, Option<Score>) = (16.0, Some(8.0));
const BRAND: (Score, Option<Score>) = (10.0, Some(5.0));
const CATEGORY: (Score, Option<Score>) = (6.0, Some(3.0));
const SKU: (Score, Option<Score>) = (6.0, None);
const DESCRIPTION: (Score, Option<Score>) = (2.0, Some(1.0));

/// The searched fields with their weights.
fn searched(fields: &Fields) -> [(Field, (Score, Option<Score>)); 5] {
    [
        (fields.name, NAME),
        (fields.brand, BRAND),
        (fields.category_names, CATEGORY),
        (fields.sku, SKU),
        (fields.description, DESCRIPTION),
    ]
}

/// Every term of `text` must match (in some field); no terms match everything.
pub(crate) fn text_query(fields: &Fields, text: &str) -> Box<dyn Query> {
    let terms = parse_terms(text);
    if terms.is_empty() {
        return Box::new(AllQuery);
    }
    let clauses = terms
        .iter()
        .map(|term| {
            let query = match term {
                QueryTerm::Word(word) => word_query(fields, word),
                QueryTerm::Phrase(words) => phrase_query(fields, words),
            };
            (Occur::Must, query)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// A word in any searched field, scored by the best field it matched in (as the
/// in-memory index scores): in a field, exactly (BM25, boosted) or, for words long enough
/// to have a typo budget, within it (a constant score, boosted less; an exact match
/// collects both).
fn word_query(fields: &Fields, word: &str) -> Box<dyn Query> {
    let budget = edit_budget(word);
    let per_field = searched(fields)
        .into_iter()
        .map(|(field, (exact, fuzzy))| {
            let term = Term::from_field_text(field, word);
            let exact: Box<dyn Query> = Box::new(BoostQuery::new(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                exact,
            ));
            let Some(fuzzy) = fuzzy.filter(|_| budget > 0) else {
                return exact;
            };
            let fuzzy: Box<dyn Query> = Box::new(BoostQuery::new(
                Box::new(FuzzyTermQuery::new(term, budget, true)),
                fuzzy,
            ));
            // Every exact match is within the budget too, so the typo clause decides which
            // documents match and the exact one only adds its score: a required clause
            // with an optional one, cheaper to run than a union of the two.
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, fuzzy),
                (Occur::Should, exact),
            ])) as Box<dyn Query>
        })
        .collect();
    Box::new(DisjunctionMaxQuery::new(per_field))
}

/// Words in order, exactly, within one searched field (one word: that exact word), scored
/// by the best field.
fn phrase_query(fields: &Fields, words: &[String]) -> Box<dyn Query> {
    let per_field = searched(fields)
        .into_iter()
        .map(|(field, (exact, _))| {
            let mut terms: Vec<Term> = words
                .iter()
                .map(|w| Term::from_field_text(field, w))
                .collect();
            let query: Box<dyn Query> = match terms.len() {
                0 | 1 => match terms.pop() {
                    Some(term) => Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                    None => Box::new(EmptyQuery),
                },
                _ => Box::new(PhraseQuery::new(terms)),
            };
            Box::new(BoostQuery::new(query, exact)) as Box<dyn Query>
        })
        .collect();
    Box::new(DisjunctionMaxQuery::new(per_field))
}

/// A filter whose own facet is counted without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Facet {
    Category,
    Brand,
    Price,
    Rating,
}

/// The set filters except those of the facets in `except`, as queries.
pub(crate) fn filter_queries(
    fields: &Fields,
    filters: &SearchFilters,
    currency: Currency,
    except: &[Facet],
) -> Vec<Box<dyn Query>> {
    let keep = |facet| !except.contains(&facet);
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    if let Some(category) = filters.category.filter(|_| keep(Facet::Category)) {
        out.push(exact(fields.category, &category.to_string()));
    }
    if !filters.brands.is_empty() && keep(Facet::Brand) {
        let brands = filters
            .brands
            .iter()
            .map(|brand| exact(fields.brand_key, &schema::brand_key(brand)))
            .collect();
        out.push(Box::new(BooleanQuery::union(brands)));
    }
    if let Some(range) = filters.price.filter(|_| keep(Facet::Price)) {
        let query: Box<dyn Query> = match fields.prices.get(&currency) {
            Some((field, _)) => {
                let min = range.min.map_or(i64::MIN, |m| {
                    schema::micros(m, RoundingStrategy::ToPositiveInfinity)
                });
                let max = range.max.map_or(i64::MAX, |m| {
                    schema::micros(m, RoundingStrategy::ToNegativeInfinity)
                });
                at_least_at_most(*field, min, max)
            }
            None => Box::new(EmptyQuery),
        };
        out.push(query);
    }
    if let Some(min) = filters.min_rating.filter(|_| keep(Facet::Rating)) {
        let min = schema::micros(min, RoundingStrategy::ToPositiveInfinity);
        out.push(at_least_at_most(fields.rating, min, i64::MAX));
    }
    if filters.in_stock_only {
        out.push(Box::new(TermQuery::new(
            Term::from_field_bool(fields.in_stock, true),
            IndexRecordOption::Basic,
        )));
    }
    if let Some(shop) = filters.shop {
        out.push(exact(fields.shop, &shop.to_string()));
    }
    out
}

/// `text` restricted by `filters` (which add nothing to the score).
pub(crate) fn filtered(text: Box<dyn Query>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if filters.is_empty() {
        return text;
    }
    let mut clauses = vec![(Occur::Must, text)];
    clauses.extend(filters.into_iter().map(|filter| {
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(filter, 0.0)) as Box<dyn Query>,
        )
    }));
    Box::new(BooleanQuery::new(clauses))
}

/// Documents with this exact (untokenised) value.
pub(crate) fn exact(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Documents with a value of the `i64` fast field in `min..=max` (none if the range is
/// empty; documents without a value never match).
fn at_least_at_most(field: Field, min: i64, max: i64) -> Box<dyn Query> {
    if min > max {
        return Box::new(EmptyQuery);
    }
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_i64(field, min)),
        Bound::Included(Term::from_field_i64(field, max)),
    ))
}

/// The lower bounds, in millionths, of the rating facet's "n and up" counts.
pub(crate) const RATING_STEPS: [(u8, i64); 4] = [
    (4, 4 * MICROS),
    (3, 3 * MICROS),
    (2, 2 * MICROS),
    (1, MICROS),
];
