//! # commerce-search
//!
//! Product search for commerce-rs on [tantivy]: [`TantivySearch`] implements the core's
//! [`SearchIndex`] port, in RAM ([`TantivySearch::in_memory`]) or in a directory
//! ([`TantivySearch::open`]).
//!
//! ```
//! use commerce_core::Currency;
//! use commerce_core::ports::SearchIndex;
//! use commerce_core::search::{SearchQuery, Suggest};
//! use commerce_search::TantivySearch;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), commerce_core::Error> {
//! let index = TantivySearch::in_memory()?;
//! // index.upsert(documents).await?;  — one commit per call
//! let page = index.search(&SearchQuery::new("blue \"enamel mug\"", Currency::EUR)).await?;
//! assert_eq!(page.total, 0);
//! let typed = index.suggest(&Suggest::new("enam", 5)).await?;
//! assert!(typed.products.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! ## Schema
//!
//! | field | kind | for |
//! | --- | --- | --- |
//! | `product` | id string, fast, stored | upserts delete by it; [`document`](SearchIndex::document) |
//! | `name`, `brand`, `category_names`, `sku`, `description` | text with positions | full text, phrases; [`more_like_this`](SearchIndex::more_like_this) (all but `sku`) |
//! | `name_prefix` | every prefix of every name word | autosuggest |
//! | `brand_key` | lower-cased brand, whole | the brand filter (exact, case-insensitive) |
//! | `brand_facet` | brand as given, whole, fast | the brand facet; brand suggestions |
//! | `category` | category ids (ancestors included) | the category filter (sub-categories included) |
//! | `category_facet` | `"{id}\u{1f}{name}"` per category, fast | the category facet with names; category suggestions |
//! | `shop`, `in_stock` | id string, bool | filters |
//! | `rating`, `rating_count`, `sales`, `created_at` | fast `i64`/`u64` | sorts, tie-breaks, the rating filter and facet |
//! | `product_high`, `product_low` | the product id's two halves, fast `u64` | the last tie-break of every order |
//! | `price_usd`, `price_eur`, ... | one fast `i64` per [`Currency`](commerce_core::Currency) | price filter, sort and facet in the shopper's currency |
//! | `document` | the [`SearchDocument`] as JSON, stored | hits and [`document`](SearchIndex::document), exactly as given |
//!
//! Decimal values (prices, rating averages) are indexed as whole millionths of the unit
//! (`i64`, saturating): exact for every currency's minor units. A filter bound rounds
//! towards the inside of its range, so `min 9.99` never admits 9.989.
//!
//! Whole values (brands in the facet and the filter, category names in the facet) keep at
//! most 1 KiB: tantivy would drop a longer term from the inverted index altogether.
//!
//! One fast field per currency rather than one multi-valued price field keeps a product's
//! price in a currency a single column read, which is what sorting and bucketing need;
//! products not sold in a currency simply have no value there (sorted last, excluded by a
//! price range, in no price bucket).
//!
//! ## Words
//!
//! Text fields use a tokenizer registered by this crate that follows the core's rule
//! ([`normalize`](commerce_core::search::normalize)): runs of `char::is_alphanumeric`,
//! lower-cased character by character, cut to
//! [`MAX_WORD_CHARS`](commerce_core::search::MAX_WORD_CHARS). tantivy's `SimpleTokenizer` +
//! `LowerCaser` split the same way but cut nothing, so query words (cut by the core) and
//! indexed words could differ; owning the tokenizer keeps them equal.
//!
//! ## Queries
//!
//! Shopper text goes through [`parse_terms`](commerce_core::search::parse_terms) only,
//! never tantivy's query parser, so no input is a syntax. Every term must match; a term
//! matches if it matches in any searched field, and scores what it scores in the best
//! of them (a `DisjunctionMaxQuery`, as the in-memory index scores); the terms' scores
//! add up:
//!
//! - a **word** matches exactly (BM25, boosted) or, from 4 characters, within its typo
//!   budget ([`edit_budget`](commerce_core::search::edit_budget): a `FuzzyTermQuery`,
//!   transpositions costing one, a constant score boosted half as much as an exact match);
//! - a **phrase** is a `PhraseQuery` (one word: an exact `TermQuery`), boosted like an exact
//!   word.
//!
//! Field boosts (exact/typo): name 16/8, brand 10/5, category names 6/3, SKU 6 (exact
//! only: a code one edit from another is another product's code), description 2/1 — the
//! port's order. No terms: everything matches.
//!
//! Filters are extra required clauses scoring nothing: a term on `category`, any of the
//! lower-cased brands on `brand_key`, a range on the currency's price column, a range on
//! `rating`, a term on `in_stock`, a term on `shop`.
//!
//! ## Order and pages
//!
//! One collector computes each hit's sort key from fast fields: relevance is
//! `(score, rating, sales)`, so equal scores go to the better rated, then the better
//! selling; prices put priced products first; newest reads `created_at`; rating breaks ties
//! by the number of ratings. Every order ends on the product id (lowest first), as the
//! in-memory index does, so pages are stable however segments are laid out. `total` comes
//! from a `Count` in the same pass; a page past the end is empty without collecting.
//!
//! ## Facets
//!
//! A facet collector counts, from fast fields, the category facet values (a product lists
//! its category and every ancestor), brands, price buckets and "n stars and up". Facets
//! whose own filter is not set are counted in the main pass; each facet whose filter is
//! set gets one more pass with every other filter, so its counts show the alternatives.
//!
//! ## Autosuggest
//!
//! The last word typed is one exact term on `name_prefix` (so a one-letter prefix costs one
//! posting list, not a term-dictionary walk); earlier words are exact terms on `name`;
//! products come best-selling first, then by product id. (The in-memory index breaks
//! sales ties by name before id; doing that here needs a fast column of whole names,
//! which halved indexing throughput at a million products, so ties go by id only.)
//! Category and brand names are read from the facet
//! columns' dictionaries and their words put in a sorted map (cached per index
//! generation), so the names with a word starting with the prefix are one range of it;
//! each is checked to still have products and counted (the term's document frequency
//! in a segment without deletes, its postings against the live documents otherwise).
//!
//! ## Writes
//!
//! One `IndexWriter` behind a mutex. [`upsert`](SearchIndex::upsert) deletes each product's
//! id term and adds its document, [`remove`](SearchIndex::remove) deletes the terms,
//! [`replace_all`](SearchIndex::replace_all) deletes everything and adds the new set; each
//! call is one commit followed by a reader reload, so writes are visible when the call
//! returns and searchers never see half a batch. A failed batch is rolled back.
//!
//! Writes run on tokio's blocking pool; reads run in place (`block_in_place`) on a
//! multi-threaded runtime and on the blocking pool on a current-thread one (inline when
//! there is no runtime). tantivy errors become [`Error::Unavailable`] with a message.
//!
//! [`SearchDocument`]: commerce_core::search::SearchDocument

mod collect;
mod columns;
mod deferred;
mod query;
mod read;
mod schema;
mod tokenizer;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use commerce_core::search::{SearchDocument, SearchQuery, SearchResults, Suggest, Suggestions};
use commerce_core::{Error, ProductId, ports::SearchIndex};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};
use tokio::runtime::RuntimeFlavor;

use crate::columns::ColumnCache;
use crate::read::VocabularyCache;
use crate::schema::Fields;

/// Indexing memory per writer thread.
const WRITER_MEMORY_PER_THREAD: usize = 64 * 1024 * 1024;
/// At most this many indexing threads.
const MAX_WRITER_THREADS: usize = 4;

/// A product search index on tantivy. Cheap to clone (clones share the index).
#[derive(Clone)]
pub struct TantivySearch {
    inner: Arc<Inner>,
}

struct Inner {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    vocabulary: VocabularyCache,
    columns: Arc<ColumnCache>,
    path: Option<PathBuf>,
}

impl fmt::Debug for TantivySearch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TantivySearch")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

/// A tantivy (or I/O) failure as the core's "try again later" error.
fn unavailable(error: impl fmt::Display) -> Error {
    Error::Unavailable(format!("search index: {error}"))
}

impl TantivySearch {
    /// A new, empty index held in memory.
    pub fn in_memory() -> Result<Self, Error> {
        let (schema, fields) = schema::build();
        Self::with_index(Index::create_in_ram(schema), fields, None)
    }

    /// The index in `path`, created (with the directory) if there is none.
    ///
    /// Fails with [`Error::Conflict`] if the directory holds an index with another schema
    /// (built by another version of this crate): the index is derived data, so
    /// [`recreate`](Self::recreate) it and fill it again with
    /// `Commerce::rebuild_search_index` (or [`replace_all`](SearchIndex::replace_all)).
    /// Fails with [`Error::Unavailable`] on I/O errors or if another writer has it open.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        std::fs::create_dir_all(path).map_err(unavailable)?;
        let directory = MmapDirectory::open(path).map_err(unavailable)?;
        let (schema, fields) = schema::build();
        if Index::exists(&directory).map_err(unavailable)? {
            let existing = Index::open(directory.clone()).map_err(unavailable)?;
            if existing.schema() != schema {
                return Err(Error::Conflict(format!(
                    "the search index in {} was built with another schema (by another \
                     version of commerce-search); recreate it and rebuild it from the stores",
                    path.display()
                )));
            }
        }
        let index = Index::open_or_create(directory, schema).map_err(unavailable)?;
        Self::with_index(index, fields, Some(path.to_owned()))
    }

    /// A new, empty index in `path`, replacing whatever the directory held (an index
    /// [`open`](Self::open) refuses, say). Everything in the directory is removed: give
    /// the index a directory of its own.
    pub fn recreate(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        match std::fs::remove_dir_all(path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(unavailable(error)),
        }
        Self::open(path)
    }

    fn with_index(index: Index, fields: Fields, path: Option<PathBuf>) -> Result<Self, Error> {
        let tokenizers = index.tokenizers();
        tokenizers.register(tokenizer::WORDS, tokenizer::WordTokenizer::default());
        tokenizers.register(tokenizer::PREFIXES, tokenizer::PrefixTokenizer::default());
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_WRITER_THREADS);
        let writer = index
            .writer_with_num_threads(threads, threads * WRITER_MEMORY_PER_THREAD)
            .map_err(unavailable)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(unavailable)?;
        Ok(TantivySearch {
            inner: Arc::new(Inner {
                reader,
                writer: Mutex::new(writer),
                fields,
                vocabulary: VocabularyCache::default(),
                columns: Arc::default(),
                path,
            }),
        })
    }

    /// The directory the index lives in (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Runs a read: on a multi-threaded runtime in place on this worker
    /// (`block_in_place`: reads are short, and this saves the hop to the blocking pool and
    /// back on every query), on the blocking pool on a current-thread runtime, and inline
    /// outside a runtime.
    async fn read<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, Error> + Send + 'static,
    {
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) if runtime.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| work(&self.inner))
            }
            _ => self.blocking(work).await,
        }
    }

    /// Runs `work` on tokio's blocking pool (inline outside a runtime).
    async fn blocking<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, Error> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => runtime
                .spawn_blocking(move || work(&inner))
                .await
                .map_err(unavailable)?,
            Err(_) => work(&inner),
        }
    }
}

impl Inner {
    /// The writer; after a panic mid-batch the lock is recovered and the half-written
    /// batch rolled back.
    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter>, Error> {
        match self.writer.lock() {
            Ok(writer) => Ok(writer),
            Err(poisoned) => {
                let mut writer = poisoned.into_inner();
                self.writer.clear_poison();
                writer.rollback().map_err(unavailable)?;
                Ok(writer)
            }
        }
    }

    /// Applies `batch` to the writer and commits it as one, then makes it visible;
    /// rolls it back if any step fails.
    fn write(
        &self,
        batch: impl FnOnce(&mut IndexWriter) -> tantivy::Result<()>,
    ) -> Result<(), Error> {
        let mut writer = self.writer()?;
        let outcome = batch(&mut writer).and_then(|()| writer.commit().map(drop));
        if let Err(error) = outcome {
            // The rollback's own failure changes nothing for the caller.
            let _ = writer.rollback();
            return Err(unavailable(error));
        }
        drop(writer);
        self.reader.reload().map_err(unavailable)
    }

    fn product_term(&self, product: ProductId) -> Term {
        Term::from_field_text(self.fields.product, &product.to_string())
    }

    /// Documents for `documents`, before taking the writer.
    fn prepare(
        &self,
        documents: &[SearchDocument],
    ) -> Result<Vec<tantivy::TantivyDocument>, Error> {
        documents
            .iter()
            .map(|doc| schema::to_tantivy(&self.fields, doc).map_err(unavailable))
            .collect()
    }
}

#[async_trait]
impl SearchIndex for TantivySearch {
    async fn upsert(&self, documents: Vec<SearchDocument>) -> Result<(), Error> {
        if documents.is_empty() {
            return Ok(());
        }
        self.blocking(move |inner| {
            let prepared = inner.prepare(&documents)?;
            inner.write(|writer| {
                for (doc, prepared) in documents.iter().zip(prepared) {
                    writer.delete_term(inner.product_term(doc.product));
                    writer.add_document(prepared)?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn remove(&self, products: &[ProductId]) -> Result<(), Error> {
        if products.is_empty() {
            return Ok(());
        }
        let products = products.to_vec();
        self.blocking(move |inner| {
            inner.write(|writer| {
                for product in products {
                    writer.delete_term(inner.product_term(product));
                }
                Ok(())
            })
        })
        .await
    }

    async fn replace_all(&self, documents: Vec<SearchDocument>) -> Result<(), Error> {
        self.blocking(move |inner| {
            let prepared = inner.prepare(&documents)?;
            inner.write(|writer| {
                writer.delete_all_documents()?;
                for (doc, prepared) in documents.iter().zip(prepared) {
                    // The same product twice in one rebuild: the last one stays.
                    writer.delete_term(inner.product_term(doc.product));
                    writer.add_document(prepared)?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn document(&self, product: ProductId) -> Result<Option<SearchDocument>, Error> {
        self.read(move |inner| {
            read::document(&inner.reader.searcher(), &inner.fields, product).map_err(unavailable)
        })
        .await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, Error> {
        let query = query.clone();
        self.read(move |inner| {
            read::search(
                &inner.reader.searcher(),
                &inner.fields,
                &inner.columns,
                &query,
            )
            .map_err(unavailable)
        })
        .await
    }

    async fn more_like_this(
        &self,
        product: ProductId,
        limit: usize,
    ) -> Result<Option<Vec<ProductId>>, Error> {
        self.blocking(move |inner| {
            read::more_like_this(&inner.reader.searcher(), &inner.fields, product, limit)
                .map(Some)
                .map_err(unavailable)
        })
        .await
    }

    async fn suggest(&self, request: &Suggest) -> Result<Suggestions, Error> {
        let request = request.clone();
        self.read(move |inner| {
            read::suggest(
                &inner.reader.searcher(),
                &inner.fields,
                &inner.columns,
                &inner.vocabulary,
                &request,
            )
            .map_err(unavailable)
        })
        .await
    }
}
