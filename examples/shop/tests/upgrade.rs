//! The shop starting over a data directory whose search index another version built:
//! the index is emptied and rebuilt from the database, and search works as before.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use commerce::Currency;
use commerce::search::SearchQuery;
use commerce_shop::{Config, prepare};
use tantivy::schema::{STORED, Schema, TEXT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_built_by_another_version_is_rebuilt_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::local(dir.path());
    let everything = SearchQuery::new("", Currency::USD);
    let (state, loaded) = prepare(&config).await.unwrap();
    assert!(loaded >= 300);
    assert!(!state.search_recreated);
    let before = state.commerce.search(&everything).await.unwrap().total;
    assert!(before >= 300);
    drop(state);

    // Another version's index in its place.
    let search = dir.path().join("search");
    std::fs::remove_dir_all(&search).unwrap();
    std::fs::create_dir_all(&search).unwrap();
    let mut schema = Schema::builder();
    let title = schema.add_text_field("title", TEXT | STORED);
    let index = tantivy::Index::create_in_dir(&search, schema.build()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    writer.add_document(tantivy::doc!(title => "old")).unwrap();
    writer.commit().unwrap();
    drop(writer);

    let (state, loaded) = prepare(&config).await.unwrap();
    assert_eq!(loaded, 0, "the demo catalog is already in the database");
    assert!(state.search_recreated);
    let after = state.commerce.search(&everything).await.unwrap().total;
    assert_eq!(after, before);
}
