//! Search benchmark: the same generated catalog (`commerce_testkit::products`) and the same
//! fixed query mix on three engines (raw tantivy two ways), per catalog size (`BENCH_SEARCH_SIZES`, default
//! `100000,1000000`):
//!
//! - **ours**: [`TantivySearch`] through the [`SearchIndex`] port (spawn_blocking, facets
//!   where the kind asks for them, building the hits, all included);
//! - **raw tantivy**: the same index directory opened with plain tantivy, the equivalent
//!   queries built by hand, top 20 by score plus a `Count`, ids only, facets where the
//!   kind asks for them (see [`raw`]); and again with the simplest query shape (`flat`),
//!   which scores differently;
//! - **Postgres FTS**: a `tsvector` column (name A, brand B, categories C, description D)
//!   with a GIN index, `ts_rank` top 20.
//!
//! Every kind of query runs `BENCH_SEARCH_RUNS` times (default 200), round-robin over its
//! fixed list, one client, sequentially, after one untimed pass over the list; the engines
//! take turns query by query (see [`measure`]), so a noisy neighbour slows them alike.
//! `BENCH_SEARCH_KEEP_INDEX` and `BENCH_SEARCH_SKIP_POSTGRES` shorten tuning runs. Prints the
//! machine, indexing rates, p50/p99 per kind and engine, queries per second and the ratios,
//! and writes them to `target/bench/search.json`.
//!
//! The Postgres admin URL comes from `COMMERCE_BENCH_DATABASE_URL` (set by
//! `cargo xtask bench search`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_arithmetic,
    clippy::print_stdout,
    missing_docs
)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use commerce_core::Currency;
use commerce_core::ports::SearchIndex;
use commerce_core::search::{
    PriceRange, QueryTerm, SearchDocument, SearchFilters, SearchQuery, Suggest, edit_budget,
    parse_terms,
};
use commerce_search::TantivySearch;
use commerce_testkit::products;
use rust_decimal::Decimal;
use sqlx::{Connection, PgConnection};

const SEED: u64 = 42;
const BATCH: u64 = 10_000;
const PER_PAGE: u32 = 20;
const SUGGEST_LIMIT: u32 = 10;

/// This run's database: named for the process, so a smoke run under `cargo test` and a
/// full run at the same time never drop each other's.
fn database() -> String {
    format!("commerce_bench_search_{}", std::process::id())
}
/// Price range of the filtered kind, in USD.
const PRICE_MIN: i64 = 20;
const PRICE_MAX: i64 = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Single,
    Two,
    Phrase,
    Typo,
    Filtered,
    Suggest,
}

const KINDS: [Kind; 6] = [
    Kind::Single,
    Kind::Two,
    Kind::Phrase,
    Kind::Typo,
    Kind::Filtered,
    Kind::Suggest,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Single => "single term",
            Kind::Two => "two terms",
            Kind::Phrase => "phrase",
            Kind::Typo => "typo",
            Kind::Filtered => "filtered+facets",
            Kind::Suggest => "prefix suggest",
        }
    }
}

/// One query of the mix: the text (or prefix) and, for the filtered kind, a category.
#[derive(Clone, Debug)]
struct Item {
    text: String,
    category: Option<commerce_core::CategoryId>,
}

fn item(text: &str) -> Item {
    Item {
        text: text.to_owned(),
        category: None,
    }
}

/// The fixed query mix.
fn mix(kind: Kind) -> Vec<Item> {
    let brand = products::brand(0);
    let brand1 = products::brand(1);
    match kind {
        Kind::Single => [
            "headphones",
            "kettle",
            "lamp",
            "wireless",
            &brand,
            "charger",
        ]
        .map(item)
        .to_vec(),
        Kind::Two => [
            "wireless headphones",
            "electric kettle",
            "leather jacket",
            "portable speaker",
            &format!("{brand} lamp"),
        ]
        .map(item)
        .to_vec(),
        Kind::Phrase => [
            "\"wireless headphones\"",
            "\"electric kettle\"",
            "\"leather jacket\"",
            "\"battery life\"",
        ]
        .map(item)
        .to_vec(),
        Kind::Typo => ["headphnes", "kettel", "wirless", "blendr", "backpak"]
            .map(item)
            .to_vec(),
        Kind::Filtered => {
            // The generator names department `d`'s products with `NOUNS[d]` (kettles are
            // sold under Sports, lamps under Fashion, ...), so each term is filtered by a
            // category that has it: Electronics › Headphones (by category name), and the
            // departments (sub-categories included) whose products are named so.
            let aisle = |d, a| Some(products::category_of(d, a)[0].0);
            let department = |d| Some(products::category_of(d, 0)[1].0);
            vec![
                Item {
                    text: "headphones".into(),
                    category: aisle(0, 2),
                },
                Item {
                    text: "kettle".into(),
                    category: department(3),
                },
                Item {
                    text: "lamp".into(),
                    category: department(4),
                },
                Item {
                    text: "wireless speaker".into(),
                    category: department(2),
                },
            ]
        }
        Kind::Suggest => {
            let b0: String = brand.chars().take(3).collect();
            let b1: String = brand1.chars().take(3).collect();
            ["hea", "kett", &b0, "wir", &b1, "lam"].map(item).to_vec()
        }
    }
}

fn filters(item: &Item) -> SearchFilters {
    SearchFilters {
        category: item.category,
        price: Some(PriceRange {
            min: Some(Decimal::from(PRICE_MIN)),
            max: Some(Decimal::from(PRICE_MAX)),
        }),
        in_stock_only: true,
        ..SearchFilters::default()
    }
}

// ---------------------------------------------------------------- measurements

#[derive(Clone, Debug, Default)]
struct Timings(Vec<Duration>);

impl Timings {
    fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort();
        if sorted.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1_000.0
    }

    fn total_secs(&self) -> f64 {
        self.0.iter().map(Duration::as_secs_f64).sum()
    }
}

/// Per kind: timings and the mean number of results (hits on the first page).
type Results = HashMap<&'static str, (Timings, f64)>;

/// Whether this is `cargo test` running the binary (no `--bench` argument).
fn smoke() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

fn runs() -> usize {
    if smoke() {
        return 5;
    }
    std::env::var("BENCH_SEARCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(200)
}

// ---------------------------------------------------------------- ours

async fn ours_one(index: &TantivySearch, kind: Kind, item: &Item) -> usize {
    if kind == Kind::Suggest {
        let s = index
            .suggest(&Suggest::new(item.text.clone(), SUGGEST_LIMIT))
            .await
            .unwrap();
        return s.products.len();
    }
    let mut query = SearchQuery::new(item.text.clone(), Currency::USD);
    query.per_page = PER_PAGE;
    if kind == Kind::Filtered {
        query.filters = filters(item);
        query.facets = true;
    }
    let page = index.search(&query).await.unwrap();
    if kind == Kind::Filtered {
        let facets = page.facets.as_ref().expect("facets were asked for");
        assert!(
            !facets.brands.is_empty() || page.total == 0,
            "facets were computed"
        );
    }
    page.hits.len()
}

// ---------------------------------------------------------------- raw tantivy

/// Plain tantivy on the same directory: the same fields, boosts and typo budgets as
/// `commerce-search` (name 16/8, brand 10/5, category names 6/3, SKU 6 exact only,
/// description 2/1), every term required; top 20 by BM25 score, then rating, then sales
/// (tantivy's own multi-key sort) plus a `Count`; ids only. Two query shapes ([`Shape`]): the one ours
/// builds (`raw`: per word, the best field's exact-plus-typo score, a
/// `DisjunctionMaxQuery` of per-field unions; per phrase, the best field's), and the
/// simplest one (`flat`: per word one flat `BooleanQuery` of every field's exact and typo
/// clauses, whose scores add up across fields — cheaper to run, but a word found in
/// brand, category and description then outranks the same word in the name). The filtered kind adds the same filter clauses
/// (category term, USD price range, in stock) and counts the same facets in three passes
/// like ours (brands + ratings with every filter; categories without the category filter;
/// price buckets without the price filter), reading facet names for non-zero ordinals.
/// The other kinds count no facets (nor does ours: they do not ask for them).
/// Suggest: one term on `name_prefix`, top 10 by `sales`, ids only (ours also decodes the
/// 10 names and finds matching categories and brands).
mod raw {
    use std::ops::Bound;

    use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
    use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
    use tantivy::columnar::{Column, StrColumn};
    use tantivy::query::{
        BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur,
        PhraseQuery, Query, RangeQuery, TermQuery,
    };
    use tantivy::schema::{Field, IndexRecordOption, Schema};
    use tantivy::{DocAddress, DocId, Index, IndexReader, Order, Score, SegmentReader, Term};

    /// Score, rating, sales.
    type RelevanceKey = (Score, (Option<i64>, Option<u64>));

    /// Top 20 by relevance as ours orders it, in tantivy's own multi-key sort: score,
    /// then rating, then sales (ties then go by document address; ours by product id).
    fn relevance() -> impl Collector<Fruit = Vec<(RelevanceKey, DocAddress)>> {
        TopDocs::with_limit(PER_PAGE as usize).order_by((
            (SortBySimilarityScore, Order::Desc),
            (
                (
                    SortByStaticFastValue::<i64>::for_field("rating"),
                    Order::Desc,
                ),
                (
                    SortByStaticFastValue::<u64>::for_field("sales"),
                    Order::Desc,
                ),
            ),
        ))
    }

    use super::{Item, Kind, PER_PAGE, PRICE_MAX, PRICE_MIN, QueryTerm, SUGGEST_LIMIT};

    const MICROS: i64 = 1_000_000;
    const BUCKETS: [i64; 6] = [10, 25, 50, 100, 250, 500];

    pub(crate) struct Raw {
        shape: Shape,
        reader: IndexReader,
        searched: Vec<(Field, f32, Option<f32>)>,
        name_prefix: Field,
        category: Field,
        in_stock: Field,
        price: Field,
    }

    fn field(schema: &Schema, name: &str) -> Field {
        schema.get_field(name).unwrap()
    }

    /// How a word or a phrase becomes a query.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Shape {
        /// The best field's score: ours.
        SameAsOurs,
        /// Every field's score added up.
        Flat,
    }

    impl Raw {
        pub(crate) fn open(dir: &std::path::Path, shape: Shape) -> Raw {
            let index = Index::open_in_dir(dir).unwrap();
            let schema = index.schema();
            let f = |n| field(&schema, n);
            Raw {
                shape,
                searched: vec![
                    (f("name"), 16.0, Some(8.0)),
                    (f("brand"), 10.0, Some(5.0)),
                    (f("category_names"), 6.0, Some(3.0)),
                    (f("sku"), 6.0, None),
                    (f("description"), 2.0, Some(1.0)),
                ],
                name_prefix: f("name_prefix"),
                category: f("category"),
                in_stock: f("in_stock"),
                price: f("price_usd"),
                reader: index.reader().unwrap(),
            }
        }

        /// How many segments the index has (ours reads the same ones).
        pub(crate) fn segments(&self) -> usize {
            self.reader.searcher().segment_readers().len()
        }

        fn text(&self, text: &str) -> Box<dyn Query> {
            let clauses = super::parse_terms(text)
                .into_iter()
                .map(|term| {
                    let q: Box<dyn Query> = match term {
                        QueryTerm::Word(w) => {
                            let budget = super::edit_budget(&w);
                            // Per field: the exact term and, within the budget, typos.
                            let per_field: Vec<Vec<Box<dyn Query>>> = self
                                .searched
                                .iter()
                                .map(|&(field, exact, fuzzy)| {
                                    let t = Term::from_field_text(field, &w);
                                    let mut qs: Vec<Box<dyn Query>> =
                                        vec![Box::new(BoostQuery::new(
                                            Box::new(TermQuery::new(
                                                t.clone(),
                                                IndexRecordOption::WithFreqs,
                                            )),
                                            exact,
                                        ))];
                                    if let Some(fuzzy) = fuzzy.filter(|_| budget > 0) {
                                        qs.push(Box::new(BoostQuery::new(
                                            Box::new(FuzzyTermQuery::new(t, budget, true)),
                                            fuzzy,
                                        )));
                                    }
                                    qs
                                })
                                .collect();
                            match self.shape {
                                Shape::Flat => Box::new(BooleanQuery::union(
                                    per_field.into_iter().flatten().collect(),
                                )),
                                Shape::SameAsOurs => Box::new(DisjunctionMaxQuery::new(
                                    per_field
                                        .into_iter()
                                        .map(|mut qs| -> Box<dyn Query> {
                                            if qs.len() == 1 {
                                                qs.remove(0)
                                            } else {
                                                Box::new(BooleanQuery::union(qs))
                                            }
                                        })
                                        .collect(),
                                )),
                            }
                        }
                        QueryTerm::Phrase(words) => {
                            let per_field: Vec<Box<dyn Query>> = self
                                .searched
                                .iter()
                                .map(|&(field, exact, _)| {
                                    let terms: Vec<Term> = words
                                        .iter()
                                        .map(|w| Term::from_field_text(field, w))
                                        .collect();
                                    let q: Box<dyn Query> = if terms.len() == 1 {
                                        Box::new(TermQuery::new(
                                            terms[0].clone(),
                                            IndexRecordOption::WithFreqs,
                                        ))
                                    } else {
                                        Box::new(PhraseQuery::new(terms))
                                    };
                                    Box::new(BoostQuery::new(q, exact)) as Box<dyn Query>
                                })
                                .collect();
                            match self.shape {
                                Shape::Flat => Box::new(BooleanQuery::union(per_field)),
                                Shape::SameAsOurs => Box::new(DisjunctionMaxQuery::new(per_field)),
                            }
                        }
                    };
                    (Occur::Must, q)
                })
                .collect();
            Box::new(BooleanQuery::new(clauses))
        }

        fn with_filters(
            &self,
            text: Box<dyn Query>,
            item: &Item,
            category: bool,
            price: bool,
        ) -> BooleanQuery {
            let mut filters: Vec<Box<dyn Query>> = vec![Box::new(TermQuery::new(
                Term::from_field_bool(self.in_stock, true),
                IndexRecordOption::Basic,
            ))];
            if category && let Some(c) = item.category {
                filters.push(Box::new(TermQuery::new(
                    Term::from_field_text(self.category, &c.to_string()),
                    IndexRecordOption::Basic,
                )));
            }
            if price {
                filters.push(Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(self.price, PRICE_MIN * MICROS)),
                    Bound::Included(Term::from_field_i64(self.price, PRICE_MAX * MICROS)),
                )));
            }
            let mut clauses = vec![(Occur::Must, text)];
            clauses.extend(filters.into_iter().map(|f| {
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(f, 0.0)) as Box<dyn Query>,
                )
            }));
            BooleanQuery::new(clauses)
        }

        /// Runs one query; returns the number of ids collected.
        pub(crate) fn one(&self, kind: Kind, item: &Item) -> usize {
            let searcher = self.reader.searcher();
            let ids = |docs: Vec<tantivy::DocAddress>| -> usize {
                // Ids only: the product id from its fast column, one column per segment.
                let mut columns: std::collections::HashMap<u32, StrColumn> = Default::default();
                let mut n = 0;
                let mut id = String::new();
                for address in docs {
                    let column = columns.entry(address.segment_ord).or_insert_with(|| {
                        let segment = searcher.segment_reader(address.segment_ord);
                        segment.fast_fields().str("product").unwrap().unwrap()
                    });
                    id.clear();
                    if let Some(ord) = column.term_ords(address.doc_id).next() {
                        column.ord_to_str(ord, &mut id).unwrap();
                    }
                    n += usize::from(!id.is_empty());
                }
                n
            };
            match kind {
                Kind::Suggest => {
                    let q = TermQuery::new(
                        Term::from_field_text(self.name_prefix, &item.text.to_lowercase()),
                        IndexRecordOption::Basic,
                    );
                    let top = searcher
                        .search(
                            &q,
                            &TopDocs::with_limit(SUGGEST_LIMIT as usize)
                                .order_by_fast_field::<u64>("sales", Order::Desc),
                        )
                        .unwrap();
                    ids(top.into_iter().map(|(_, a)| a).collect())
                }
                Kind::Filtered => {
                    let text = self.text(&item.text);
                    let main = self.with_filters(text.box_clone(), item, true, true);
                    let top = relevance();
                    let (_total, top, _brands_ratings) = searcher
                        .search(&main, &(Count, top, Facets::new(true, false, false, true)))
                        .unwrap();
                    let no_category = self.with_filters(text.box_clone(), item, false, true);
                    searcher
                        .search(&no_category, &Facets::new(false, true, false, false))
                        .unwrap();
                    let no_price = self.with_filters(text, item, true, false);
                    searcher
                        .search(&no_price, &Facets::new(false, false, true, false))
                        .unwrap();
                    ids(top.into_iter().map(|(_, a)| a).collect())
                }
                _ => {
                    let q = self.text(&item.text);
                    let top = relevance();
                    let (_total, top) = searcher.search(q.as_ref(), &(Count, top)).unwrap();
                    ids(top.into_iter().map(|(_, a)| a).collect())
                }
            }
        }
    }

    /// Facet counts from fast fields: brand and category ordinals (named at the end),
    /// USD price buckets, "n stars and up".
    pub(crate) struct Facets {
        brands: bool,
        categories: bool,
        prices: bool,
        ratings: bool,
    }

    impl Facets {
        fn new(brands: bool, categories: bool, prices: bool, ratings: bool) -> Self {
            Facets {
                brands,
                categories,
                prices,
                ratings,
            }
        }
    }

    pub(crate) struct SegmentFacets {
        brands: Option<(StrColumn, Vec<u64>)>,
        categories: Option<(StrColumn, Vec<u64>)>,
        price: Option<Column<i64>>,
        rating: Option<Column<i64>>,
        buckets: [u64; 7],
        stars: [u64; 4],
    }

    fn ords(reader: &SegmentReader, name: &str, on: bool) -> Option<(StrColumn, Vec<u64>)> {
        if !on {
            return None;
        }
        let column = reader.fast_fields().str(name).unwrap()?;
        let counts = vec![0; column.num_terms()];
        Some((column, counts))
    }

    impl Collector for Facets {
        type Fruit = Vec<(String, u64)>;
        type Child = SegmentFacets;

        fn for_segment(
            &self,
            _segment: u32,
            reader: &SegmentReader,
        ) -> tantivy::Result<SegmentFacets> {
            let fast = reader.fast_fields();
            Ok(SegmentFacets {
                brands: ords(reader, "brand_facet", self.brands),
                categories: ords(reader, "category_facet", self.categories),
                price: if self.prices {
                    fast.column_opt("price_usd")?
                } else {
                    None
                },
                rating: if self.ratings {
                    fast.column_opt("rating")?
                } else {
                    None
                },
                buckets: [0; 7],
                stars: [0; 4],
            })
        }

        fn requires_scoring(&self) -> bool {
            false
        }

        fn merge_fruits(&self, fruits: Vec<Vec<(String, u64)>>) -> tantivy::Result<Self::Fruit> {
            let mut merged: std::collections::HashMap<String, u64> = Default::default();
            for (k, v) in fruits.into_iter().flatten() {
                *merged.entry(k).or_default() += v;
            }
            Ok(merged.into_iter().collect())
        }
    }

    impl SegmentCollector for SegmentFacets {
        type Fruit = Vec<(String, u64)>;

        fn collect(&mut self, doc: DocId, _score: Score) {
            for (column, counts) in [&mut self.brands, &mut self.categories]
                .into_iter()
                .flatten()
            {
                for ord in column.term_ords(doc) {
                    counts[ord as usize] += 1;
                }
            }
            if let Some(p) = self.price.as_ref().and_then(|c| c.first(doc)) {
                let b = BUCKETS.iter().take_while(|&&b| p >= b * MICROS).count();
                self.buckets[b] += 1;
            }
            if let Some(r) = self.rating.as_ref().and_then(|c| c.first(doc)) {
                for (n, step) in [4, 3, 2, 1].into_iter().enumerate() {
                    if r >= step * MICROS {
                        self.stars[n] += 1;
                    }
                }
            }
        }

        fn harvest(self) -> Self::Fruit {
            let mut out = Vec::new();
            for (column, counts) in [self.brands, self.categories].into_iter().flatten() {
                for (ord, &count) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
                    let mut name = String::new();
                    column.ord_to_str(ord as u64, &mut name).unwrap();
                    out.push((name, count));
                }
            }
            for (n, &c) in self.buckets.iter().chain(&self.stars).enumerate() {
                out.push((format!("#{n}"), c));
            }
            out
        }
    }
}

// ---------------------------------------------------------------- Postgres

const SETUP: [&str; 1] = ["CREATE TABLE products (
    id text PRIMARY KEY,
    name text NOT NULL,
    brand text,
    categories text NOT NULL,
    category_ids text[] NOT NULL,
    description text NOT NULL,
    skus text NOT NULL,
    usd_cents bigint,
    in_stock boolean NOT NULL,
    sales bigint NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', name), 'A') ||
        setweight(to_tsvector('simple', coalesce(brand, '')), 'B') ||
        setweight(to_tsvector('simple', categories), 'C') ||
        setweight(to_tsvector('simple', description), 'D')) STORED
)"];

const PG_PLAIN: &str = "SELECT id FROM products, plainto_tsquery('simple', $1) q \
    WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20";
const PG_PHRASE: &str = "SELECT id FROM products, phraseto_tsquery('simple', $1) q \
    WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20";
const PG_FILTERED: &str = "SELECT id FROM products, plainto_tsquery('simple', $1) q \
    WHERE tsv @@ q AND $2 = ANY(category_ids) AND usd_cents BETWEEN $3 AND $4 AND in_stock \
    ORDER BY ts_rank(tsv, q) DESC LIMIT 20";
/// Prefix on name words only (weight A), best-selling first.
const PG_SUGGEST: &str = "SELECT id FROM products \
    WHERE tsv @@ to_tsquery('simple', $1) ORDER BY sales DESC LIMIT 10";

fn copy_escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn copy_rows(docs: &[SearchDocument]) -> String {
    let mut out = String::with_capacity(docs.len() * 400);
    for d in docs {
        let _ = write!(out, "{}\t", d.product);
        copy_escape(&mut out, &d.name);
        out.push('\t');
        copy_escape(&mut out, d.brand.as_deref().unwrap_or(""));
        out.push('\t');
        copy_escape(&mut out, &d.category_names.join(" "));
        out.push_str("\t{");
        let ids: Vec<String> = d.categories.iter().map(ToString::to_string).collect();
        out.push_str(&ids.join(","));
        out.push_str("}\t");
        copy_escape(&mut out, &d.description);
        out.push('\t');
        copy_escape(&mut out, &d.skus.join(" "));
        out.push('\t');
        match d.price_in(Currency::USD) {
            Some(p) => {
                let _ = write!(out, "{}", (p * Decimal::from(100)).trunc());
            }
            None => out.push_str("\\N"),
        }
        let _ = writeln!(out, "\t{}\t{}", if d.in_stock { 't' } else { 'f' }, d.sales);
    }
    out
}

async fn pg_database(admin: &str) -> PgConnection {
    let mut conn = PgConnection::connect(admin).await.unwrap_or_else(|e| {
        panic!("no Postgres for the benchmark ({e}); run it with `cargo xtask bench search`")
    });
    let database = database();
    for sql in [
        format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
        format!("CREATE DATABASE {database}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let mut url = url::Url::parse(admin).unwrap();
    url.set_path(&database);
    PgConnection::connect(url.as_str()).await.unwrap()
}

async fn pg_drop(admin: &str) {
    if let Ok(mut conn) = PgConnection::connect(admin).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            database()
        )))
        .execute(&mut conn)
        .await;
    }
}

/// Loads `size` products with COPY, then builds the GIN index; returns (COPY seconds,
/// index seconds).
async fn pg_load(conn: &mut PgConnection, size: u64) -> (f64, f64) {
    for sql in SETUP {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    let mut copy_secs = 0.0;
    let mut start = 0;
    while start < size {
        let count = BATCH.min(size - start);
        let docs: Vec<SearchDocument> = (start..start + count)
            .map(|n| products::product(SEED, n))
            .collect();
        let rows = copy_rows(&docs);
        let t = Instant::now();
        let mut copy = conn
            .copy_in_raw(
                "COPY products (id, name, brand, categories, category_ids, description, skus, \
                 usd_cents, in_stock, sales) FROM STDIN",
            )
            .await
            .unwrap();
        copy.send(rows.as_bytes()).await.unwrap();
        copy.finish().await.unwrap();
        copy_secs += t.elapsed().as_secs_f64();
        start += count;
    }
    let t = Instant::now();
    sqlx::query("CREATE INDEX products_tsv ON products USING GIN (tsv)")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("VACUUM ANALYZE products")
        .execute(&mut *conn)
        .await
        .unwrap();
    (copy_secs, t.elapsed().as_secs_f64())
}

async fn pg_one(conn: &mut PgConnection, kind: Kind, item: &Item) -> usize {
    let rows = match kind {
        Kind::Single | Kind::Two | Kind::Typo => {
            sqlx::query(PG_PLAIN)
                .bind(&item.text)
                .fetch_all(&mut *conn)
                .await
        }
        Kind::Phrase => {
            sqlx::query(PG_PHRASE)
                .bind(item.text.trim_matches('"'))
                .fetch_all(&mut *conn)
                .await
        }
        Kind::Filtered => {
            sqlx::query(PG_FILTERED)
                .bind(&item.text)
                .bind(item.category.map(|c| c.to_string()).unwrap_or_default())
                .bind(PRICE_MIN * 100)
                .bind(PRICE_MAX * 100)
                .fetch_all(&mut *conn)
                .await
        }
        Kind::Suggest => {
            let prefix: String = item
                .text
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            sqlx::query(PG_SUGGEST)
                .bind(format!("{prefix}:*A"))
                .fetch_all(&mut *conn)
                .await
        }
    };
    rows.unwrap().len()
}

// ---------------------------------------------------------------- measurement

/// The engines of one run, each answering the same queries.
struct Engines<'a> {
    ours: &'a TantivySearch,
    raw: &'a raw::Raw,
    flat: &'a raw::Raw,
    postgres: Option<&'a mut PgConnection>,
}

/// Per engine (ours, raw, flat, Postgres): each kind's timings and mean results.
type AllResults = [Results; 4];

/// Runs every kind's queries on every engine, interleaved query by query (every engine
/// on the same item, in an order that rotates, then the next item), after one untimed
/// pass per engine over the kind's list. A neighbour's build that slows the machine for a while
/// then slows every engine alike, so the ratios stay honest on a shared machine.
async fn measure(engines: &mut Engines<'_>) -> AllResults {
    let n = runs();
    let mut out: AllResults = Default::default();
    for kind in kinds() {
        let items = mix(kind);
        for item in &items {
            ours_one(engines.ours, kind, item).await;
            engines.raw.one(kind, item);
            engines.flat.one(kind, item);
            if let Some(conn) = engines.postgres.as_deref_mut() {
                pg_one(conn, kind, item).await;
            }
        }
        let mut timings: [Timings; 4] = Default::default();
        let mut found = [0usize; 4];
        for i in 0..n {
            let item = &items[i % items.len()];
            // Who goes first rotates: the engine after another on the same query finds
            // the CPU caches warm.
            for turn in 0..4 {
                let e = (i + turn) % 4;
                let start = Instant::now();
                found[e] += match e {
                    0 => ours_one(engines.ours, kind, item).await,
                    1 => engines.raw.one(kind, item),
                    2 => engines.flat.one(kind, item),
                    _ => match engines.postgres.as_deref_mut() {
                        Some(conn) => pg_one(conn, kind, item).await,
                        None => continue,
                    },
                };
                timings[e].0.push(start.elapsed());
            }
        }
        for (e, t) in timings.into_iter().enumerate() {
            out[e].insert(kind.name(), (t, found[e] as f64 / n as f64));
        }
    }
    out
}

// ---------------------------------------------------------------- report

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == "model name").then(|| v.trim().to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            let line = t.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.1} GiB", kib / 1024.0 / 1024.0))
        })
        .unwrap_or_else(|| "? GiB".into());
    format!("{cores} cores, {model}, {memory} memory")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let m = v.len() / 2;
    if v.len().is_multiple_of(2) {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    }
}

fn report(
    size: u64,
    indexing: serde_json::Value,
    engines: [(&str, &Results); 4],
) -> serde_json::Value {
    println!(
        "\n{:<16} {:>15} {:>15} {:>15} {:>15} {:>8} {:>8} {:>9}",
        "kind (ms)",
        "ours p50/p99",
        "raw p50/p99",
        "flat p50/p99",
        "pg p50/p99",
        "ours/pg",
        "ours/raw",
        "ours/flat"
    );
    println!("{}", "-".repeat(113));
    let [(_, ours), (_, raw), (_, flat), (_, pg)] = engines;
    let mut flat_ratios = Vec::new();
    let mut pg_ratios = Vec::new();
    let mut raw_ratios = Vec::new();
    let mut kinds = Vec::new();
    for kind in self::kinds() {
        let name = kind.name();
        let cell = |r: &Results| {
            r.get(name).map_or((f64::NAN, f64::NAN), |(t, _)| {
                (t.percentile_ms(50.0), t.percentile_ms(99.0))
            })
        };
        let (o50, o99) = cell(ours);
        let (r50, r99) = cell(raw);
        let (f50, f99) = cell(flat);
        flat_ratios.push(o50 / f50);
        let (p50, p99) = cell(pg);
        pg_ratios.push(o50 / p50);
        raw_ratios.push(o50 / r50);
        println!(
            "{name:<16} {:>15} {:>15} {:>15} {:>15} {:>8.3} {:>8.2} {:>9.2}",
            format!("{o50:.3}/{o99:.3}"),
            format!("{r50:.3}/{r99:.3}"),
            format!("{f50:.3}/{f99:.3}"),
            format!("{p50:.3}/{p99:.3}"),
            o50 / p50,
            o50 / r50,
            o50 / f50,
        );
        let mut entry = serde_json::json!({ "kind": name });
        for (engine, r) in engines {
            let Some((t, found)) = r.get(name) else {
                continue;
            };
            entry[engine] = serde_json::json!({
                "p50_ms": t.percentile_ms(50.0),
                "p99_ms": t.percentile_ms(99.0),
                "mean_results": found,
            });
        }
        entry["ours_over_postgres_p50"] = serde_json::json!(o50 / p50);
        entry["ours_over_raw_p50"] = serde_json::json!(o50 / r50);
        entry["ours_over_raw_flat_p50"] = serde_json::json!(o50 / f50);
        kinds.push(entry);
    }
    println!(
        "\nmean results per query (first page / suggestions): {}",
        self::kinds()
            .iter()
            .map(|k| {
                let f = |r: &Results| r.get(k.name()).map_or(f64::NAN, |(_, found)| *found);
                format!(
                    "{} ours {:.1} raw {:.1} pg {:.1}",
                    k.name(),
                    f(ours),
                    f(raw),
                    f(pg)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut qps = serde_json::Map::new();
    print!("queries/second (whole mix, sequential):");
    for (engine, r) in engines.into_iter().filter(|(_, r)| !r.is_empty()) {
        let secs: f64 = r.values().map(|(t, _)| t.total_secs()).sum();
        let count: usize = r.values().map(|(t, _)| t.0.len()).sum();
        let rate = count as f64 / secs;
        print!(" {engine} {rate:.0}");
        qps.insert(engine.to_owned(), serde_json::json!(rate));
    }
    println!();
    let (mp, mr, mf) = (median(pg_ratios), median(raw_ratios), median(flat_ratios));
    println!(
        "median over kinds: ours p50 / Postgres p50 = {mp:.3} (target <= 0.2 at 1M); \
         ours p50 / raw tantivy p50 = {mr:.2} (target <= 1.3); \
         ours p50 / raw tantivy, flat queries p50 = {mf:.2}"
    );
    serde_json::json!({
        "size": size,
        "indexing": indexing,
        "kinds": kinds,
        "queries_per_second": qps,
        "median_ours_over_postgres_p50": mp,
        "median_ours_over_raw_p50": mr,
        "median_ours_over_raw_flat_p50": mf,
    })
}

/// The kinds to run: `BENCH_SEARCH_KINDS` (names as printed, comma-separated, e.g.
/// `typo,phrase`), all by default. The median ratios are over the kinds run.
fn kinds() -> Vec<Kind> {
    let Ok(names) = std::env::var("BENCH_SEARCH_KINDS") else {
        return KINDS.to_vec();
    };
    let names: Vec<&str> = names.split(',').map(str::trim).collect();
    KINDS
        .into_iter()
        .filter(|k| names.contains(&k.name()))
        .collect()
}

/// Marks an index directory whose build finished (it holds the size).
const INDEX_COMPLETE: &str = "bench-complete";

/// `BENCH_SEARCH_KEEP_INDEX=1`: keep each size's index after the run and reuse a
/// complete one instead of indexing again (for tuning the read side; indexing is then
/// not measured). Remove `target/bench/search-index-*` after changing the schema.
fn keep_index() -> bool {
    std::env::var_os("BENCH_SEARCH_KEEP_INDEX").is_some_and(|v| v != "0")
}

/// `BENCH_SEARCH_SKIP_POSTGRES=1`: ours and raw tantivy only (for tuning).
fn skip_postgres() -> bool {
    std::env::var_os("BENCH_SEARCH_SKIP_POSTGRES").is_some_and(|v| v != "0")
}

/// Indexes the generated catalog of `size` products in batches of [`BATCH`], one commit
/// each; returns the seconds spent in `upsert` (generation excluded).
async fn build_index(index: &TantivySearch, size: u64) -> f64 {
    let mut index_secs = 0.0;
    let mut start = 0;
    while start < size {
        let count = BATCH.min(size - start);
        let docs: Vec<SearchDocument> = (start..start + count)
            .map(|n| products::product(SEED, n))
            .collect();
        let t = Instant::now();
        index.upsert(docs).await.unwrap();
        index_secs += t.elapsed().as_secs_f64();
        start += count;
    }
    index_secs
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: a small smoke run
    // then, so the suite checks the benchmark still works without paying for it.
    let default_sizes = if smoke() { "2000" } else { "100000,1000000" };
    let sizes: Vec<u64> = std::env::var("BENCH_SEARCH_SIZES")
        .unwrap_or_else(|_| default_sizes.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let admin = std::env::var("COMMERCE_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let target = target_dir();
    println!("machine: {}", machine());
    println!(
        "queries: {} per kind, sequential, one client; per_page {PER_PAGE}; suggest limit {SUGGEST_LIMIT}",
        runs()
    );
    let mut all = Vec::new();
    for size in sizes {
        println!("\n=== {size} products ===");
        let dir = target.join(format!("bench/search-index-{size}"));
        let complete = dir.join(INDEX_COMPLETE);
        let reuse = keep_index() && complete.exists();
        if !reuse {
            let _ = std::fs::remove_dir_all(&dir);
        }
        let mut index = TantivySearch::open(&dir).unwrap();
        let mut indexing = serde_json::json!({});
        if reuse {
            println!(
                "indexing, ours: not measured (BENCH_SEARCH_KEEP_INDEX: reusing {})",
                dir.display()
            );
            indexing["ours_reused_index"] = serde_json::json!(true);
        } else {
            let index_secs = build_index(&index, size).await;
            std::fs::write(&complete, size.to_string()).unwrap();
            let ours_rate = size as f64 / index_secs;
            println!(
                "indexing, ours: {ours_rate:.0} docs/s ({index_secs:.1} s, {BATCH} per upsert, one commit each)"
            );
            indexing["ours_docs_per_sec"] = serde_json::json!(ours_rate);
            indexing["ours_secs"] = serde_json::json!(index_secs);
            // Opened again, so ours reads the index as committed, like raw tantivy opening
            // the directory: the same segments for both, with no merge still running from
            // the build (which would leave ours reading the older, unmerged segments).
            drop(index);
            index = TantivySearch::open(&dir).unwrap();
        }

        let mut conn = if skip_postgres() {
            println!("Postgres: skipped (BENCH_SEARCH_SKIP_POSTGRES)");
            None
        } else {
            let mut conn = pg_database(&admin).await;
            let (copy_secs, gin_secs) = pg_load(&mut conn, size).await;
            let pg_rate = size as f64 / (copy_secs + gin_secs);
            println!(
                "indexing, Postgres: {pg_rate:.0} docs/s (COPY with generated tsvector {copy_secs:.1} s + GIN index and ANALYZE {gin_secs:.1} s)"
            );
            indexing["postgres_docs_per_sec"] = serde_json::json!(pg_rate);
            indexing["postgres_copy_secs"] = serde_json::json!(copy_secs);
            indexing["postgres_gin_secs"] = serde_json::json!(gin_secs);
            Some(conn)
        };

        let raw_index = raw::Raw::open(&dir, raw::Shape::SameAsOurs);
        let flat_index = raw::Raw::open(&dir, raw::Shape::Flat);
        println!("index: {} segments", raw_index.segments());
        indexing["segments"] = serde_json::json!(raw_index.segments());
        let [ours_results, raw_results, flat_results, pg_results] = measure(&mut Engines {
            ours: &index,
            raw: &raw_index,
            flat: &flat_index,
            postgres: conn.as_mut(),
        })
        .await;
        if let Some(conn) = conn {
            drop(conn);
            pg_drop(&admin).await;
        }

        all.push(report(
            size,
            indexing,
            [
                ("ours", &ours_results),
                ("raw_tantivy", &raw_results),
                ("raw_tantivy_flat", &flat_results),
                ("postgres", &pg_results),
            ],
        ));
        drop(raw_index);
        drop(flat_index);
        drop(index);
        if !keep_index() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    println!(
        "\nNote: Postgres typo queries use plainto_tsquery on the misspelt text: FTS has no typo \
         tolerance, so they find (almost) nothing. Postgres computes no facets and no total."
    );
    let out = target.join("bench/search.json");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let json = serde_json::json!({ "machine": machine(), "runs_per_kind": runs(), "sizes": all });
    std::fs::write(&out, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    println!("wrote {}", out.display());
}
