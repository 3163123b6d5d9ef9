//! Product search: what is indexed ([`SearchDocument`]), what a shopper asks
//! ([`SearchQuery`], [`Suggest`]) and what comes back ([`SearchResults`],
//! [`Suggestions`]). The [`SearchIndex`](crate::ports::SearchIndex) port answers; the
//! in-memory adapter and `commerce-search` (tantivy) implement it.
//!
//! Shopper text is never a syntax: any string — query-language operators, unbalanced
//! quotes, emoji, control characters, 10 kB of text — gives results or an empty page,
//! never an error. Double-quoted parts are phrases; every other word may carry typos
//! (one edit for words of 4+ characters, two for 8+).

mod build;
mod document;
mod query;
mod results;
mod text;

pub use document::{SearchDocument, SearchRating};
pub use query::{
    MAX_PAGE_SIZE, MAX_SUGGESTIONS, PriceRange, SearchFilters, SearchQuery, SortOrder, Suggest,
};
pub use results::{
    CategoryCount, Facets, PRICE_BUCKETS, PriceBucket, PriceBucketCount, RatingCount, SearchHit,
    SearchResults, SuggestedProduct, Suggestions, ValueCount,
};
pub use text::{
    MAX_TERMS, MAX_WORD_CHARS, QueryTerm, document_words, edit_budget, normalize, parse_terms,
    typo_match,
};
