//! An index in a directory: reopened as it was left, and an index of another schema
//! refused with a typed error until it is recreated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use commerce_core::Currency;
use commerce_core::Error;
use commerce_core::ports::SearchIndex;
use commerce_core::search::{SearchQuery, Suggest};
use commerce_search::TantivySearch;
use commerce_testkit::products;
use tantivy::schema::{STORED, Schema, TEXT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopened_index_answers_as_it_was_left() {
    let dir = tempfile::tempdir().unwrap();
    let index = TantivySearch::open(dir.path()).unwrap();
    index
        .upsert((0..50).map(|n| products::product(7, n)).collect())
        .await
        .unwrap();
    let query = SearchQuery::new("", Currency::USD);
    let before = index.search(&query).await.unwrap();
    drop(index);

    let index = TantivySearch::open(dir.path()).unwrap();
    let after = index.search(&query).await.unwrap();
    assert_eq!(after.total, 50);
    assert_eq!(after, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_of_another_schema_is_a_conflict_until_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let mut other = Schema::builder();
    let title = other.add_text_field("title", TEXT | STORED);
    let index = tantivy::Index::create_in_dir(dir.path(), other.build()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    writer
        .add_document(tantivy::doc!(title => "an old document"))
        .unwrap();
    writer.commit().unwrap();
    drop(writer);

    match TantivySearch::open(dir.path()) {
        Err(Error::Conflict(message)) => {
            assert!(message.contains("another schema"), "{message}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Refusing changed nothing: the old index is still there.
    assert!(tantivy::Index::open_in_dir(dir.path()).is_ok());

    let index = TantivySearch::recreate(dir.path()).unwrap();
    let page = index
        .search(&SearchQuery::new("", Currency::USD))
        .await
        .unwrap();
    assert_eq!(page.total, 0);
    let product = products::product(7, 1);
    let prefix: String = product.name.chars().take(3).collect();
    index.upsert(vec![product.clone()]).await.unwrap();
    let suggestions = index.suggest(&Suggest::new(prefix, 5)).await.unwrap();
    assert_eq!(suggestions.products.len(), 1);
    assert_eq!(suggestions.products[0].product, product.product);
    drop(index);
    assert!(TantivySearch::open(dir.path()).is_ok());
}

/// tantivy's "more like this" weighs a word by its document frequency, which still counts
/// replaced (deleted) versions of documents, against the live documents; a word in every
/// product of a catalog whose products are updated in place would then count more
/// documents than there are, which tantivy asserts never happens. Such words are left out
/// (they say nothing about similarity), so similar products keep working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn similar_products_survive_products_updated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let index = TantivySearch::open(dir.path()).unwrap();
    let mut docs: Vec<_> = (0..6).map(|n| products::product(7, n)).collect();
    for doc in &mut docs {
        doc.name = format!("Lamp {}", doc.name);
    }
    index.upsert(docs.clone()).await.unwrap();
    // Each sale updates the product's document: the old version is deleted, and the
    // first segment keeps it until a merge.
    for doc in docs.iter_mut().take(4) {
        doc.sales += 1;
        index.upsert(vec![doc.clone()]).await.unwrap();
    }
    let similar = index.more_like_this(docs[0].product, 5).await.unwrap();
    let similar = similar.expect("tantivy answers 'more like this'");
    assert!(!similar.contains(&docs[0].product));
    assert!(similar.iter().all(|p| docs.iter().any(|d| d.product == *p)));
}
