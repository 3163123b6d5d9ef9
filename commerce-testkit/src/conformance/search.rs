//! Conformance cases: the search index port. Unlike the storage areas these take a fresh,
//! empty [`SearchIndex`] rather than [`Stores`](commerce_core::ports::Stores), and are
//! not part of [`conformance_suite!`](crate::conformance_suite); a search adapter runs
//! them with [`search_conformance!`](crate::search_conformance):
//!
//! ```text
//! async fn fresh() -> std::sync::Arc<dyn commerce_core::ports::SearchIndex> {
//!     std::sync::Arc::new(commerce_core::memory::MemorySearch::new())
//! }
//! commerce_testkit::search_conformance!(fresh);
//! ```
//!
//! Every case loads [`fixture`] (30 products in two shops under Electronics › Phones /
//! Laptops and Home › Kitchen, priced in USD and EUR) and asserts behaviour, never exact
//! scores: what is found, what is excluded, how facet counts add up, how sorts order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use commerce_core::ports::SearchIndex;
use commerce_core::search::{
    Facets, MAX_PAGE_SIZE, PriceBucket, PriceRange, SearchDocument, SearchFilters, SearchQuery,
    SearchRating, SearchResults, SortOrder, Suggest, Suggestions,
};
use commerce_core::{CategoryId, Currency, ProductId, ShopId};
use rust_decimal::Decimal;

use crate::fixtures::{dec, money, now};

/// The search cases, as tests: `$fresh().await` must return a fresh, empty
/// `Arc<dyn SearchIndex>`.
#[macro_export]
macro_rules! search_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            search,
            $fresh,
            [
                stored_documents_come_back,
                empty_text_lists_everything_best_rated_first,
                found_by_name_brand_category_and_sku,
                every_word_must_match,
                found_by_one_typo_in_a_short_word,
                found_by_two_typos_in_a_long_word,
                two_typos_in_a_five_letter_word_find_nothing,
                no_typos_under_four_letters,
                phrases_match_adjacent_words_in_order,
                name_matches_rank_above_description_matches,
                relevance_ties_go_to_rating_then_sales,
                category_filter_includes_sub_categories,
                brand_filter_is_case_insensitive,
                price_filter_reads_the_query_currency,
                min_rating_filter,
                in_stock_filter,
                shop_filter,
                filters_combine_with_text,
                facet_counts_add_up,
                each_facet_ignores_only_its_own_filter,
                facets_follow_the_text,
                facets_only_when_asked,
                every_sort_orders_across_pages,
                page_size_is_clamped_and_pages_cover_all_hits,
                hits_show_the_price_in_the_query_currency,
                upsert_replaces_a_document,
                removed_products_disappear,
                replace_all_replaces_everything,
                suggest_completes_product_names,
                suggest_offers_categories_and_brands,
                suggest_respects_the_limit,
                suggest_forgets_names_no_live_product_has,
                hostile_text_never_errors,
                more_like_this_finds_products_sharing_words_best_first,
                a_price_change_reaches_the_price_filter_and_sort,
            ]
        );
    };
}

/// Top-level fixture category.
pub const ELECTRONICS: CategoryId = CategoryId::from_u128(0xE1);
/// Under [`ELECTRONICS`].
pub const PHONES: CategoryId = CategoryId::from_u128(0xE2);
/// Under [`ELECTRONICS`].
pub const LAPTOPS: CategoryId = CategoryId::from_u128(0xE3);
/// Top-level fixture category.
pub const HOME: CategoryId = CategoryId::from_u128(0xA1);
/// Under [`HOME`].
pub const KITCHEN: CategoryId = CategoryId::from_u128(0xA2);
/// The first fixture shop.
pub const SHOP_A: ShopId = ShopId::from_u128(0x5A);
/// The second fixture shop.
pub const SHOP_B: ShopId = ShopId::from_u128(0x5B);

/// The fixture product numbered `n` (1 to 30).
pub fn product(n: u128) -> ProductId {
    ProductId::from_u128(n)
}

/// A fixture category's lineage (itself, then its ancestors) with names.
fn lineage(category: CategoryId) -> Vec<(CategoryId, &'static str)> {
    let name = |c: CategoryId| match c {
        c if c == ELECTRONICS => "Electronics",
        c if c == PHONES => "Phones",
        c if c == LAPTOPS => "Laptops",
        c if c == HOME => "Home",
        c if c == KITCHEN => "Kitchen",
        _ => "Other",
    };
    let parent = |c: CategoryId| match c {
        c if c == PHONES || c == LAPTOPS => Some(ELECTRONICS),
        c if c == KITCHEN => Some(HOME),
        _ => None,
    };
    let mut chain = vec![(category, name(category))];
    let mut at = category;
    while let Some(up) = parent(at) {
        chain.push((up, name(up)));
        at = up;
    }
    chain
}

/// Builds a search document in a few words:
/// `Doc::new(1, "Apple iPhone 15").brand("Apple").category(PHONES).usd("799.00").build()`.
///
/// Defaults: shop [`SHOP_A`], SKU `SKU-<n>`, no category, brand or price, unrated, no
/// sales, in stock, created `n` days before the fixture's now.
#[derive(Clone, Debug)]
pub struct Doc(SearchDocument);

impl Doc {
    /// Product number `n` named `name`.
    pub fn new(n: u128, name: &str) -> Doc {
        let days = i64::try_from(n).unwrap_or(0);
        Doc(SearchDocument {
            product: product(n),
            shop: SHOP_A,
            name: name.to_owned(),
            description: String::new(),
            brand: None,
            categories: Vec::new(),
            category_names: Vec::new(),
            skus: vec![format!("SKU-{n}")],
            prices: BTreeMap::new(),
            in_stock: true,
            rating: SearchRating::default(),
            sales: 0,
            created_at: now() - Duration::days(days),
        })
    }

    /// Sets the description.
    pub fn description(mut self, text: &str) -> Doc {
        self.0.description = text.to_owned();
        self
    }

    /// Sets the brand.
    pub fn brand(mut self, brand: &str) -> Doc {
        self.0.brand = Some(brand.to_owned());
        self
    }

    /// Puts it in a fixture category (with its ancestors).
    pub fn category(mut self, category: CategoryId) -> Doc {
        let (ids, names) = lineage(category)
            .into_iter()
            .map(|(id, name)| (id, name.to_owned()))
            .unzip();
        self.0.categories = ids;
        self.0.category_names = names;
        self
    }

    /// Replaces the SKUs.
    pub fn skus(mut self, skus: &[&str]) -> Doc {
        self.0.skus = skus.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Prices it in `currency`.
    pub fn price(mut self, amount: &str, currency: Currency) -> Doc {
        self.0.prices.insert(currency, money(amount, currency));
        self
    }

    /// Prices it in US dollars.
    pub fn usd(self, amount: &str) -> Doc {
        self.price(amount, Currency::USD)
    }

    /// Prices it in euros.
    pub fn eur(self, amount: &str) -> Doc {
        self.price(amount, Currency::EUR)
    }

    /// Rates it `average` (e.g. `"4.5"`) over `count` ratings.
    pub fn rating(mut self, average: &str, count: u32) -> Doc {
        self.0.rating = SearchRating {
            average: dec(average),
            count,
        };
        self
    }

    /// Sets the units sold.
    pub fn sales(mut self, sales: u64) -> Doc {
        self.0.sales = sales;
        self
    }

    /// Marks it sold out.
    pub fn out_of_stock(mut self) -> Doc {
        self.0.in_stock = false;
        self
    }

    /// Moves it to `shop`.
    pub fn shop(mut self, shop: ShopId) -> Doc {
        self.0.shop = shop;
        self
    }

    /// Sets when it was created.
    pub fn created_at(mut self, at: DateTime<Utc>) -> Doc {
        self.0.created_at = at;
        self
    }

    /// The document.
    pub fn build(self) -> SearchDocument {
        self.0
    }
}

/// The 30 fixture documents. Notable ones: 1–3 Apple iPhones (3 sold out), 4–5 Samsung
/// Galaxy phones (5 sold out), 7–10 laptops, 10 and 30 not sold in EUR, 25 sold only in
/// EUR, 17/22/24/26 without a brand, 26 without a category, 27–29 notebooks that tie on
/// relevance, 18 has "kettle" in its name and 19 only in its description.
#[rustfmt::skip]
pub fn fixture() -> Vec<SearchDocument> {
    use Doc as D;
    let b = SHOP_B;
    vec![
        D::new(1, "Apple iPhone 15 Pro").brand("Apple").category(PHONES)
            .skus(&["APL-IP15P-128", "APL-IP15P-256"]).usd("999.00").eur("1099.00")
            .rating("4.8", 320).sales(900)
            .description("Titanium smartphone with a pro camera system."),
        D::new(2, "Apple iPhone 15").brand("Apple").category(PHONES).usd("799.00")
            .eur("879.00").rating("4.6", 510).sales(1500)
            .description("The everyday smartphone with a bright display."),
        D::new(3, "Apple iPhone 14").brand("Apple").category(PHONES).usd("699.00")
            .eur("769.00").rating("4.5", 800).sales(700).out_of_stock()
            .description("Last year's smartphone at a lower price."),
        D::new(4, "Samsung Galaxy S24").brand("Samsung").category(PHONES).shop(b)
            .usd("899.00").eur("949.00").rating("4.5", 400).sales(650)
            .description("Android smartphone with a vivid screen."),
        D::new(5, "Samsung Galaxy S24 Ultra").brand("Samsung").category(PHONES).shop(b)
            .usd("1299.00").eur("1399.00").rating("4.7", 150).sales(300).out_of_stock()
            .description("Android flagship with a stylus."),
        D::new(6, "Google Pixel 8").brand("Google").category(PHONES).shop(b)
            .usd("699.00").eur("749.00").rating("4.4", 220).sales(400)
            .description("Android smartphone with a clever camera."),
        D::new(7, "Apple MacBook Air 13").brand("Apple").category(LAPTOPS)
            .usd("1099.00").eur("1199.00").rating("4.9", 260).sales(350)
            .description("Thin and light laptop for every day."),
        D::new(8, "Dell XPS 13").brand("Dell").category(LAPTOPS).shop(b)
            .usd("1199.00").eur("1299.00").rating("4.3", 90).sales(120)
            .description("Compact laptop with an edge to edge display."),
        D::new(9, "Lenovo ThinkPad X1 Carbon").brand("Lenovo").category(LAPTOPS).shop(b)
            .usd("1499.00").eur("1599.00").rating("4.6", 110).sales(140)
            .description("Business laptop with a great keyboard."),
        D::new(10, "Samsung Galaxy Book 3").brand("Samsung").category(LAPTOPS).shop(b)
            .usd("999.00").rating("4.1", 40).sales(60)
            .description("Laptop with a sharp AMOLED screen."),
        D::new(11, "Sony Noise Cancelling Headphones").brand("Sony").category(ELECTRONICS)
            .usd("349.00").eur("379.00").rating("4.7", 600).sales(800)
            .description("Wireless over-ear headphones."),
        D::new(12, "Bose Wireless Earbuds").brand("Bose").category(ELECTRONICS)
            .usd("249.00").eur("279.00").rating("4.4", 300).sales(450)
            .description("True wireless earbuds with a long battery life."),
        D::new(13, "Mechanical Keyboard").brand("Keychron").category(ELECTRONICS)
            .usd("120.00").eur("130.00").rating("4.6", 210).sales(260)
            .description("Hot swappable switches and a sturdy aluminium frame."),
        D::new(14, "Wireless Mouse").brand("Logitech").category(ELECTRONICS).shop(b)
            .usd("25.00").eur("27.00").rating("4.2", 900).sales(2000)
            .description("Quiet clicks and a long battery life."),
        D::new(15, "USB-C Charger").brand("Anker").category(ELECTRONICS).shop(b)
            .usd("19.99").eur("21.99").rating("4.5", 1200).sales(3000)
            .description("Fast charger for tablets and laptops."),
        D::new(16, "Enamel Coffee Mug").brand("Hearth").category(KITCHEN)
            .usd("12.00").eur("11.00").rating("4.3", 75).sales(500)
            .description("Speckled mug in enamel for camp and kitchen."),
        D::new(17, "Blue Enamel Mug").category(KITCHEN).usd("9.00").eur("8.50")
            .rating("3.9", 30).sales(210)
            .description("A sturdy mug that survives the dishwasher."),
        D::new(18, "Ceramic Tea Kettle").brand("Hearth").category(KITCHEN)
            .usd("45.00").eur("42.00").rating("4.1", 60).sales(95)
            .description("Whistles on gas and induction hobs."),
        D::new(19, "Camping Stove").brand("Trail").category(HOME).shop(b)
            .usd("65.00").eur("60.00").rating("4.8", 500).sales(900)
            .description("Boils a kettle of water in four minutes."),
        D::new(20, "Cast Iron Skillet").brand("Hearth").category(KITCHEN)
            .usd("39.00").eur("36.00").rating("4.7", 400).sales(600)
            .description("Preseasoned for oven and campfire."),
        D::new(21, "Chef Knife Set").brand("Hearth").category(KITCHEN)
            .usd("89.00").eur("85.00").rating("4.5", 150).sales(220).out_of_stock()
            .description("Three forged knives in a wooden block."),
        D::new(22, "Wooden Cutting Board").category(KITCHEN).shop(b)
            .usd("29.00").eur("27.00").rating("4.0", 50).sales(180)
            .description("End grain board made from walnut."),
        D::new(23, "Desk Lamp").brand("Lumen").category(HOME).shop(b)
            .usd("35.00").eur("33.00").rating("3.8", 40).sales(150)
            .description("Adjustable arm and warm light."),
        D::new(24, "Wool Throw Blanket").category(HOME).usd("60.00").eur("55.00")
            .rating("4.6", 80).sales(130)
            .description("Soft merino throw for the sofa."),
        D::new(25, "Vintage Radio").brand("Roberts").category(ELECTRONICS).shop(b)
            .eur("149.00").rating("4.2", 20).sales(30)
            .description("A radio with a retro look."),
        D::new(26, "Gift Card").usd("50.00").eur("50.00").sales(1000)
            .description("A card to give."),
        D::new(27, "Dotted Notebook").brand("Paperline").category(HOME)
            .usd("14.00").eur("13.00").rating("4.0", 50).sales(40)
            .description("Ninety-six sheets of dotted paper."),
        D::new(28, "Lined Notebook").brand("Paperline").category(HOME)
            .usd("14.00").eur("13.00").rating("4.5", 50).sales(20)
            .description("Ninety-six sheets of lined paper."),
        D::new(29, "Plain Notebook").brand("Paperline").category(HOME).shop(b)
            .usd("14.00").eur("13.00").rating("4.5", 50).sales(80)
            .description("Ninety-six sheets of plain paper."),
        D::new(30, "Standing Desk Frame").brand("Lumen").category(HOME).shop(b)
            .usd("499.99").out_of_stock()
            .description("Electric frame; bring your own top."),
    ]
    .into_iter()
    .map(Doc::build)
    .collect()
}

/// Loads the fixture into `index` and returns it.
pub async fn load(index: &dyn SearchIndex) -> Vec<SearchDocument> {
    let docs = fixture();
    index.upsert(docs.clone()).await.expect("index the fixture");
    docs
}

/// A first page of up to [`MAX_PAGE_SIZE`] in USD, with facets.
fn query(text: &str) -> SearchQuery {
    let mut query = SearchQuery::new(text, Currency::USD).with_facets();
    query.per_page = MAX_PAGE_SIZE;
    query
}

/// The facets of results whose query asked for them.
fn facets_of(results: &SearchResults) -> &Facets {
    results.facets.as_ref().expect("facets were asked for")
}

async fn run(index: &dyn SearchIndex, query: &SearchQuery) -> SearchResults {
    index
        .search(query)
        .await
        .unwrap_or_else(|e| panic!("search {query:?}: {e}"))
}

/// The hits' products, in order.
async fn hits(index: &dyn SearchIndex, query: &SearchQuery) -> Vec<ProductId> {
    run(index, query)
        .await
        .hits
        .iter()
        .map(|h| h.product)
        .collect()
}

/// The hits' products for `text`, unfiltered.
async fn found(index: &dyn SearchIndex, text: &str) -> Vec<ProductId> {
    hits(index, &query(text)).await
}

async fn suggest(index: &dyn SearchIndex, prefix: &str, limit: u32) -> Suggestions {
    index
        .suggest(&Suggest::new(prefix, limit))
        .await
        .unwrap_or_else(|e| panic!("suggest {prefix:?}: {e}"))
}

fn ids(numbers: &[u128]) -> BTreeSet<ProductId> {
    numbers.iter().map(|&n| product(n)).collect()
}

fn set(products: &[ProductId]) -> BTreeSet<ProductId> {
    products.iter().copied().collect()
}

/// The fixture's products passing `keep`.
fn where_(docs: &[SearchDocument], keep: impl Fn(&SearchDocument) -> bool) -> BTreeSet<ProductId> {
    docs.iter().filter(|d| keep(d)).map(|d| d.product).collect()
}

/// The position of `product` in `hits` (panics when absent).
fn position(hits: &[ProductId], product: ProductId) -> usize {
    hits.iter()
        .position(|p| *p == product)
        .unwrap_or_else(|| panic!("{product} not among the hits {hits:?}"))
}

// ---------------------------------------------------------------------------------------
// Storage

/// `document` returns what was upserted; unknown products are `None`.
pub async fn stored_documents_come_back(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    for doc in &docs {
        assert_eq!(
            index.document(doc.product).await.unwrap().as_ref(),
            Some(doc)
        );
    }
    assert_eq!(index.document(product(999)).await.unwrap(), None);
}

/// Empty text matches every document; by relevance they all tie, so the best rated come
/// first, then the best selling.
pub async fn empty_text_lists_everything_best_rated_first(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    let results = run(index.as_ref(), &query("")).await;
    assert_eq!(results.total, 30);
    let got: Vec<ProductId> = results.hits.iter().map(|h| h.product).collect();
    assert_eq!(set(&got), where_(&docs, |_| true));
    let by_id: BTreeMap<ProductId, &SearchDocument> = docs.iter().map(|d| (d.product, d)).collect();
    let keys: Vec<(Decimal, u64)> = got
        .iter()
        .map(|p| (by_id[p].rating.average, by_id[p].sales))
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] >= w[1]),
        "rating then sales descending: {keys:?}"
    );
    assert_eq!(found(index.as_ref(), "  ").await.len(), 30, "blank text");
    assert_eq!(found(index.as_ref(), "!!! ??").await.len(), 30, "no words");
}

// ---------------------------------------------------------------------------------------
// Matching

/// Name, brand, category name and SKU words each find a product; case is ignored.
pub async fn found_by_name_brand_category_and_sku(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    assert!(found(index, "Skillet").await.contains(&product(20)), "name");
    assert!(
        found(index, "LOGITECH").await.contains(&product(14)),
        "brand"
    );
    let kitchen = set(&found(index, "kitchen").await);
    assert!(
        ids(&[16, 17, 18, 20, 21, 22]).is_subset(&kitchen),
        "category"
    );
    assert!(
        found(index, "APL-IP15P-256").await.contains(&product(1)),
        "SKU"
    );
    assert!(
        found(index, "ip15p").await.contains(&product(1)),
        "SKU part"
    );
    assert!(
        found(index, "ip15x").await.is_empty(),
        "SKUs match exactly, never within a typo"
    );
    assert!(
        found(index, "walnut").await.contains(&product(22)),
        "description"
    );
    assert!(found(index, "zzyzx").await.is_empty(), "unknown word");
}

/// Every word of the text must match (somewhere in the document).
pub async fn every_word_must_match(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    assert_eq!(set(&found(index, "samsung galaxy").await), ids(&[4, 5, 10]));
    assert_eq!(set(&found(index, "galaxy ultra").await), ids(&[5]));
    assert_eq!(set(&found(index, "apple laptop").await), ids(&[7]));
    assert!(found(index, "apple zzyzx").await.is_empty());
}

/// One edit (substitution or transposition) in a word of 4 to 7 letters still finds it.
pub async fn found_by_one_typo_in_a_short_word(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    assert!(
        found(index, "galaxi").await.contains(&product(4)),
        "substitution"
    );
    assert!(
        found(index, "iphnoe").await.contains(&product(1)),
        "transposition"
    );
    assert!(
        found(index, "skilet").await.contains(&product(20)),
        "deletion"
    );
    assert!(
        found(index, "blankket").await.contains(&product(24)),
        "insertion"
    );
}

/// Two edits in a word of 8 letters or more still find it.
pub async fn found_by_two_typos_in_a_long_word(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    assert!(found(index, "mecanicl").await.contains(&product(13)));
    assert!(found(index, "tinkpadd").await.contains(&product(9)));
}

/// Two edits in a five-letter word are too many.
pub async fn two_typos_in_a_five_letter_word_find_nothing(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    assert!(
        found(index, "pixle").await.contains(&product(6)),
        "one edit finds it"
    );
    assert!(
        !found(index, "poxil").await.contains(&product(6)),
        "two edits do not"
    );
}

/// Words under four letters must match exactly.
pub async fn no_typos_under_four_letters(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    assert_eq!(set(&found(index, "mug").await), ids(&[16, 17]));
    assert!(found(index, "mog").await.is_empty());
}

/// Quoted words match only adjacent and in order, with no typos.
pub async fn phrases_match_adjacent_words_in_order(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    assert_eq!(set(&found(index, "\"iphone 15\"").await), ids(&[1, 2]));
    assert!(found(index, "pro 15").await.contains(&product(1)));
    assert!(
        !found(index, "\"pro 15\"").await.contains(&product(1)),
        "order"
    );
    assert!(found(index, "apple pro").await.contains(&product(1)));
    assert!(
        !found(index, "\"apple pro\"").await.contains(&product(1)),
        "adjacency"
    );
    assert_eq!(set(&found(index, "enamel mug").await), ids(&[16, 17]));
    assert_eq!(set(&found(index, "\"enamel mug\"").await), ids(&[17]));
    assert!(
        found(index, "\"galaxi\"").await.is_empty(),
        "no typos in phrases"
    );
    assert_eq!(
        set(&found(index, "\"samsung galaxy\" ultra").await),
        ids(&[5])
    );
}

/// A product with the word in its name ranks above one with it only in its description,
/// even when that one is better rated and sells more.
pub async fn name_matches_rank_above_description_matches(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let got = found(index.as_ref(), "kettle").await;
    assert!(
        position(&got, product(18)) < position(&got, product(19)),
        "{got:?}"
    );
}

/// Products matching equally are ordered by rating, then by sales.
pub async fn relevance_ties_go_to_rating_then_sales(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let got = found(index.as_ref(), "notebook").await;
    assert_eq!(got, vec![product(29), product(28), product(27)]);
}

// ---------------------------------------------------------------------------------------
// Filters

async fn filtered(index: &dyn SearchIndex, filters: SearchFilters) -> BTreeSet<ProductId> {
    let mut q = query("");
    q.filters = filters;
    set(&hits(index, &q).await)
}

/// A category finds its own products and its sub-categories'.
pub async fn category_filter_includes_sub_categories(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    let index = index.as_ref();
    for category in [ELECTRONICS, PHONES, LAPTOPS, HOME, KITCHEN] {
        let filters = SearchFilters {
            category: Some(category),
            ..SearchFilters::default()
        };
        let expected = where_(&docs, |d| d.categories.contains(&category));
        assert_eq!(filtered(index, filters).await, expected, "{category}");
    }
    let electronics = SearchFilters {
        category: Some(ELECTRONICS),
        ..SearchFilters::default()
    };
    let got = filtered(index, electronics).await;
    assert!(ids(&[1, 7, 13]).is_subset(&got) && !got.contains(&product(16)));
    let unknown = SearchFilters {
        category: Some(CategoryId::from_u128(0xFFFF)),
        ..SearchFilters::default()
    };
    assert!(filtered(index, unknown).await.is_empty());
}

/// Brands match exactly, ignoring case; several brands are alternatives.
pub async fn brand_filter_is_case_insensitive(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    let brands = |names: &[&str]| SearchFilters {
        brands: names.iter().map(|s| (*s).to_owned()).collect(),
        ..SearchFilters::default()
    };
    assert_eq!(
        filtered(index, brands(&["apple"])).await,
        ids(&[1, 2, 3, 7])
    );
    assert_eq!(
        filtered(index, brands(&["APPLE", "Dell"])).await,
        ids(&[1, 2, 3, 7, 8])
    );
    assert!(filtered(index, brands(&["App"])).await.is_empty(), "exact");
}

/// A price range reads prices in the query's currency, ends inclusive; products not sold
/// in that currency are excluded.
pub async fn price_filter_reads_the_query_currency(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    let index = index.as_ref();
    let ranges = [
        (Some("25.00"), Some("50.00")),
        (Some("100"), None),
        (None, Some("14.00")),
        (Some("140"), Some("160")),
    ];
    for currency in [Currency::USD, Currency::EUR] {
        for (min, max) in ranges {
            let range = PriceRange {
                min: min.map(dec),
                max: max.map(dec),
            };
            let mut q = query("");
            q.currency = currency;
            q.filters.price = Some(range);
            let expected = where_(&docs, |d| {
                d.price_in(currency).is_some_and(|p| range.contains(p))
            });
            assert_eq!(
                set(&hits(index, &q).await),
                expected,
                "{currency:?} {range:?}"
            );
        }
    }
    let mut q = query("");
    q.filters.price = Some(PriceRange {
        min: Some(dec("25.00")),
        max: Some(dec("25.00")),
    });
    assert_eq!(
        set(&hits(index, &q).await),
        ids(&[14]),
        "both ends inclusive"
    );
    q.currency = Currency::EUR;
    q.filters.price = Some(PriceRange {
        min: Some(dec("140")),
        max: Some(dec("160")),
    });
    assert_eq!(set(&hits(index, &q).await), ids(&[25]), "sold only in EUR");
    q.filters.price = Some(PriceRange::default());
    let in_eur = where_(&docs, |d| d.price_in(Currency::EUR).is_some());
    assert_eq!(
        set(&hits(index, &q).await),
        in_eur,
        "an open range still needs a price"
    );
}

/// A minimum rating keeps products rated at least that on average.
pub async fn min_rating_filter(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    for min in ["4.5", "4", "0.1"] {
        let filters = SearchFilters {
            min_rating: Some(dec(min)),
            ..SearchFilters::default()
        };
        let expected = where_(&docs, |d| d.rating.average >= dec(min));
        assert_eq!(filtered(index.as_ref(), filters).await, expected, "{min}");
    }
}

/// "In stock only" drops sold-out products.
pub async fn in_stock_filter(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    let filters = SearchFilters {
        in_stock_only: true,
        ..SearchFilters::default()
    };
    let got = filtered(index.as_ref(), filters).await;
    assert_eq!(got, where_(&docs, |d| d.in_stock));
    assert!(got.is_disjoint(&ids(&[3, 5, 21, 30])));
}

/// A shop filter keeps that shop's products.
pub async fn shop_filter(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    for shop in [SHOP_A, SHOP_B, ShopId::from_u128(0xFFFF)] {
        let filters = SearchFilters {
            shop: Some(shop),
            ..SearchFilters::default()
        };
        let expected = where_(&docs, |d| d.shop == shop);
        assert_eq!(filtered(index.as_ref(), filters).await, expected, "{shop}");
    }
}

/// Filters combine with each other and with the text.
pub async fn filters_combine_with_text(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    let mut q = query("galaxy");
    q.filters.in_stock_only = true;
    assert_eq!(set(&hits(index, &q).await), ids(&[4, 10]));
    q.filters.category = Some(PHONES);
    assert_eq!(set(&hits(index, &q).await), ids(&[4]));
    let mut q = query("");
    q.filters = SearchFilters {
        category: Some(PHONES),
        in_stock_only: true,
        shop: Some(SHOP_B),
        ..SearchFilters::default()
    };
    assert_eq!(set(&hits(index, &q).await), ids(&[4, 6]));
    q.filters.min_rating = Some(dec("4.5"));
    assert_eq!(set(&hits(index, &q).await), ids(&[4]));
}

// ---------------------------------------------------------------------------------------
// Facets

/// Which facet's filter to leave out when checking that facet.
#[derive(Clone, Copy, PartialEq)]
enum Own {
    Category,
    Brand,
    Price,
    Rating,
}

/// Whether `doc` passes `filters` in `currency`, leaving out the `except` filter.
fn passes(doc: &SearchDocument, f: &SearchFilters, currency: Currency, except: Own) -> bool {
    let category =
        except == Own::Category || f.category.is_none_or(|c| doc.categories.contains(&c));
    let brand = except == Own::Brand
        || f.brands.is_empty()
        || doc
            .brand
            .as_deref()
            .is_some_and(|b| f.brands.iter().any(|x| x.eq_ignore_ascii_case(b)));
    let price = except == Own::Price
        || f.price
            .is_none_or(|r| doc.price_in(currency).is_some_and(|p| r.contains(p)));
    let rating = except == Own::Rating || f.min_rating.is_none_or(|m| doc.rating.average >= m);
    let rest = (!f.in_stock_only || doc.in_stock) && f.shop.is_none_or(|s| doc.shop == s);
    category && brand && price && rating && rest
}

fn count<'a>(docs: impl Iterator<Item = &'a SearchDocument>) -> u64 {
    u64::try_from(docs.count()).unwrap()
}

/// Checks every facet of `results` against the fixture: each computed over the documents
/// passing every filter of `q` but its own (with empty text).
fn assert_facets(docs: &[SearchDocument], q: &SearchQuery, results: &SearchResults) {
    let (f, currency) = (&q.filters, q.currency);
    let facet_docs = |own: Own| docs.iter().filter(move |d| passes(d, f, currency, own));

    let mut categories: BTreeMap<CategoryId, (String, u64)> = BTreeMap::new();
    for doc in facet_docs(Own::Category) {
        for (id, name) in doc.categories.iter().zip(&doc.category_names) {
            categories.entry(*id).or_insert((name.clone(), 0)).1 += 1;
        }
    }
    let got: BTreeMap<CategoryId, (String, u64)> = facets_of(results)
        .categories
        .iter()
        .map(|c| (c.category, (c.name.clone(), c.count)))
        .collect();
    assert_eq!(got, categories, "category facet for {f:?}");
    let counts: Vec<u64> = facets_of(results)
        .categories
        .iter()
        .map(|c| c.count)
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most first: {counts:?}"
    );

    let mut brands: BTreeMap<String, u64> = BTreeMap::new();
    for doc in facet_docs(Own::Brand) {
        if let Some(brand) = &doc.brand {
            *brands.entry(brand.clone()).or_default() += 1;
        }
    }
    let got: BTreeMap<String, u64> = facets_of(results)
        .brands
        .iter()
        .map(|b| (b.value.clone(), b.count))
        .collect();
    assert_eq!(got, brands, "brand facet for {f:?}");
    let order: Vec<(u64, &str)> = facets_of(results)
        .brands
        .iter()
        .map(|b| (b.count, b.value.as_str()))
        .collect();
    assert!(
        order
            .windows(2)
            .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 <= w[1].1)),
        "brands most first, ties by name: {order:?}"
    );

    let buckets: Vec<(PriceBucket, u64)> = PriceBucket::all()
        .into_iter()
        .map(|bucket| {
            let n = count(
                facet_docs(Own::Price)
                    .filter(|d| d.price_in(currency).is_some_and(|p| bucket.contains(p))),
            );
            (bucket, n)
        })
        .collect();
    let got: Vec<(PriceBucket, u64)> = facets_of(results)
        .prices
        .iter()
        .map(|b| (b.bucket, b.count))
        .collect();
    assert_eq!(got, buckets, "price facet for {f:?}");

    let ratings: Vec<(u8, u64)> = [4u8, 3, 2, 1]
        .into_iter()
        .map(|n| {
            let min = Decimal::from(n);
            (
                n,
                count(facet_docs(Own::Rating).filter(|d| d.rating.average >= min)),
            )
        })
        .collect();
    let got: Vec<(u8, u64)> = facets_of(results)
        .ratings
        .iter()
        .map(|r| (r.at_least, r.count))
        .collect();
    assert_eq!(got, ratings, "rating facet for {f:?}");
}

/// Without filters: price buckets add up to the products priced in the currency, brand
/// counts to the products with a brand, and a category counts its sub-categories'
/// products.
pub async fn facet_counts_add_up(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    for currency in [Currency::USD, Currency::EUR] {
        let mut q = query("");
        q.currency = currency;
        let results = run(index.as_ref(), &q).await;
        assert_facets(&docs, &q, &results);
        let facets = &facets_of(&results);
        let priced = count(docs.iter().filter(|d| d.price_in(currency).is_some()));
        assert_eq!(facets.prices.iter().map(|b| b.count).sum::<u64>(), priced);
        let branded = count(docs.iter().filter(|d| d.brand.is_some()));
        assert_eq!(facets.brands.iter().map(|b| b.count).sum::<u64>(), branded);
        let of = |c: CategoryId| {
            facets
                .categories
                .iter()
                .find(|x| x.category == c)
                .map_or(0, |x| x.count)
        };
        assert_eq!(of(ELECTRONICS), of(PHONES) + of(LAPTOPS) + 6);
        assert_eq!(of(PHONES), 6);
        assert_eq!(facets.ratings.len(), 4);
        assert_eq!(facets.ratings[3].count, 28, "two products are unrated");
    }
}

/// A facet is computed under every active filter except its own: picking a brand still
/// shows the other brands' counts, within the chosen category.
pub async fn each_facet_ignores_only_its_own_filter(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    let combos = [
        SearchFilters {
            category: Some(PHONES),
            brands: vec!["Apple".into()],
            ..SearchFilters::default()
        },
        SearchFilters {
            price: Some(PriceRange {
                min: None,
                max: Some(dec("50")),
            }),
            min_rating: Some(dec("4.5")),
            ..SearchFilters::default()
        },
        SearchFilters {
            category: Some(HOME),
            brands: vec!["hearth".into(), "Paperline".into()],
            price: Some(PriceRange {
                min: Some(dec("10")),
                max: Some(dec("100")),
            }),
            min_rating: Some(dec("4.2")),
            in_stock_only: true,
            shop: Some(SHOP_A),
        },
    ];
    for filters in combos {
        let mut q = query("");
        q.filters = filters;
        let results = run(index.as_ref(), &q).await;
        assert_facets(&docs, &q, &results);
    }

    let mut q = query("");
    q.filters.category = Some(PHONES);
    q.filters.brands = vec!["Apple".into()];
    let results = run(index.as_ref(), &q).await;
    assert_eq!(results.total, 3);
    let brands: BTreeMap<&str, u64> = facets_of(&results)
        .brands
        .iter()
        .map(|b| (b.value.as_str(), b.count))
        .collect();
    let expected = BTreeMap::from([("Apple", 3), ("Samsung", 2), ("Google", 1)]);
    assert_eq!(brands, expected, "other brands shown, within Phones only");
    let laptops = facets_of(&results)
        .categories
        .iter()
        .find(|c| c.category == LAPTOPS);
    assert_eq!(
        laptops.map(|c| c.count),
        Some(1),
        "other categories, Apple only"
    );
}

/// Facets count only the products matching the text.
pub async fn facets_follow_the_text(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let mut q = query("galaxy");
    q.filters.in_stock_only = true;
    let results = run(index.as_ref(), &q).await;
    let brands: Vec<(&str, u64)> = facets_of(&results)
        .brands
        .iter()
        .map(|b| (b.value.as_str(), b.count))
        .collect();
    assert_eq!(brands, vec![("Samsung", 2)]);
    let categories: BTreeMap<CategoryId, u64> = facets_of(&results)
        .categories
        .iter()
        .map(|c| (c.category, c.count))
        .collect();
    let expected = BTreeMap::from([(ELECTRONICS, 2), (PHONES, 1), (LAPTOPS, 1)]);
    assert_eq!(categories, expected);
}

/// Facets are counted only when asked for; asking changes neither the hits nor the total.
pub async fn facets_only_when_asked(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    for text in ["", "galaxy", "lamp"] {
        let mut with = query(text);
        with.filters.brands = vec!["Samsung".into(), "hearth".into()];
        with.filters.in_stock_only = true;
        let without = SearchQuery {
            facets: false,
            ..with.clone()
        };
        let counted = run(index.as_ref(), &with).await;
        let plain = run(index.as_ref(), &without).await;
        assert!(counted.facets.is_some(), "facets asked for {text:?}");
        assert_eq!(plain.facets, None, "no facets asked for {text:?}");
        assert_eq!(plain.hits, counted.hits, "same hits for {text:?}");
        assert_eq!(plain.total, counted.total, "same total for {text:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Sorting and pages

/// Every page of `q` with `per_page` hits, concatenated, checking that no page is
/// longer than asked and that `total` agrees.
async fn all_pages(index: &dyn SearchIndex, q: &SearchQuery, per_page: u32) -> Vec<ProductId> {
    let mut all = Vec::new();
    let mut q = q.clone();
    q.per_page = per_page;
    for page in 1.. {
        q.page = page;
        let results = run(index, &q).await;
        assert_eq!((results.page, results.per_page), (page, per_page));
        assert!(results.hits.len() <= per_page as usize);
        if results.hits.is_empty() {
            assert_eq!(u64::try_from(all.len()).unwrap(), results.total);
            break;
        }
        all.extend(results.hits.iter().map(|h| h.product));
    }
    all
}

/// Each sort orders by its key across pages, pages never overlap and together hold
/// every hit; unpriced products come last in both price orders.
pub async fn every_sort_orders_across_pages(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    let by_id: BTreeMap<ProductId, &SearchDocument> = docs.iter().map(|d| (d.product, d)).collect();
    let everything = where_(&docs, |_| true);
    let sorts = [
        SortOrder::Relevance,
        SortOrder::PriceAscending,
        SortOrder::PriceDescending,
        SortOrder::Newest,
        SortOrder::Rating,
        SortOrder::BestSelling,
    ];
    for sort in sorts {
        for currency in [Currency::USD, Currency::EUR] {
            let mut q = query("");
            q.sort = sort;
            q.currency = currency;
            let got = all_pages(index.as_ref(), &q, 7).await;
            assert_eq!(got.len(), docs.len(), "{sort:?}: no overlap");
            assert_eq!(set(&got), everything, "{sort:?}: every hit");
            let ordered = got.windows(2).all(|w| {
                let (a, b) = (by_id[&w[0]], by_id[&w[1]]);
                let price = |d: &SearchDocument| d.price_in(currency);
                match sort {
                    SortOrder::Relevance => {
                        (a.rating.average, a.sales) >= (b.rating.average, b.sales)
                    }
                    SortOrder::PriceAscending => match (price(a), price(b)) {
                        (Some(x), Some(y)) => x <= y,
                        (_, None) => true,
                        (None, Some(_)) => false,
                    },
                    SortOrder::PriceDescending => match (price(a), price(b)) {
                        (Some(x), Some(y)) => x >= y,
                        (_, None) => true,
                        (None, Some(_)) => false,
                    },
                    SortOrder::Newest => a.created_at >= b.created_at,
                    SortOrder::Rating => {
                        (a.rating.average, a.rating.count) >= (b.rating.average, b.rating.count)
                    }
                    SortOrder::BestSelling => a.sales >= b.sales,
                }
            });
            assert!(ordered, "{sort:?} in {currency:?}: {got:?}");
        }
    }
    let mut q = query("");
    q.sort = SortOrder::PriceAscending;
    let cheapest = hits(index.as_ref(), &q).await;
    assert_eq!(cheapest.first(), Some(&product(17)));
    assert_eq!(cheapest.last(), Some(&product(25)), "not sold in USD: last");
}

/// `per_page` is clamped to 1..=MAX_PAGE_SIZE, page 0 reads as page 1, a page past the
/// end is empty, and pages of a text search together hold every hit once.
pub async fn page_size_is_clamped_and_pages_cover_all_hits(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    let fillers: Vec<SearchDocument> = (100..220)
        .map(|n| {
            Doc::new(n, &format!("Filler Widget {n}"))
                .usd("5.00")
                .sales(u64::try_from(n).unwrap() % 7)
                .build()
        })
        .collect();
    index.upsert(fillers).await.unwrap();

    let mut q = SearchQuery::new("", Currency::USD);
    q.per_page = 1_000;
    let results = run(index, &q).await;
    assert_eq!(results.per_page, MAX_PAGE_SIZE);
    assert_eq!(results.hits.len(), MAX_PAGE_SIZE as usize);
    assert_eq!(results.total, 150);
    q.page = 2;
    assert_eq!(run(index, &q).await.hits.len(), 50);
    q.page = 3;
    let past = run(index, &q).await;
    assert!(past.hits.is_empty());
    assert_eq!(past.total, 150);
    q.page = u32::MAX;
    assert!(run(index, &q).await.hits.is_empty(), "a huge page number");

    let mut q = SearchQuery::new("widget", Currency::USD);
    q.per_page = 0;
    let one = run(index, &q).await;
    assert_eq!((one.per_page, one.hits.len(), one.total), (1, 1, 120));
    q.per_page = 20;
    q.page = 0;
    let zero = run(index, &q).await;
    q.page = 1;
    assert_eq!(zero.page, 1);
    assert_eq!(zero.hits, run(index, &q).await.hits, "page 0 is page 1");

    for sort in [SortOrder::Relevance, SortOrder::BestSelling] {
        q.sort = sort;
        let got = all_pages(index, &q, 13).await;
        assert_eq!(got.len(), 120, "{sort:?}");
        assert_eq!(set(&got).len(), 120, "{sort:?}: no product twice");
    }
}

/// Hits carry the price in the query's currency, none when not sold in it.
pub async fn hits_show_the_price_in_the_query_currency(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let mut q = query("vintage radio");
    let usd = run(index.as_ref(), &q).await;
    assert_eq!(usd.hits.len(), 1);
    assert_eq!(usd.hits[0].price, None);
    q.currency = Currency::EUR;
    let eur = run(index.as_ref(), &q).await;
    assert_eq!(eur.hits[0].price, Some(money("149.00", Currency::EUR)));
    let hit = &eur.hits[0];
    assert_eq!(
        (
            hit.shop,
            hit.name.as_str(),
            hit.brand.as_deref(),
            hit.in_stock
        ),
        (SHOP_B, "Vintage Radio", Some("Roberts"), true)
    );
    assert_eq!(hit.rating.average, dec("4.2"));
}

// ---------------------------------------------------------------------------------------
// Writes

/// Upserting a product's document again replaces the old one.
pub async fn upsert_replaces_a_document(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let renamed = Doc::new(20, "Carbon Steel Wok")
        .brand("Hearth")
        .category(KITCHEN)
        .usd("55.00")
        .out_of_stock()
        .build();
    index.upsert(vec![renamed.clone()]).await.unwrap();
    assert!(found(index.as_ref(), "skillet").await.is_empty());
    assert_eq!(found(index.as_ref(), "wok").await, vec![product(20)]);
    assert_eq!(index.document(product(20)).await.unwrap(), Some(renamed));
    assert_eq!(run(index.as_ref(), &query("")).await.total, 30);
    let mut q = query("wok");
    q.filters.in_stock_only = true;
    assert!(
        hits(index.as_ref(), &q).await.is_empty(),
        "stock replaced too"
    );
}

/// Removed products are no longer found, counted or stored; unknown ids are ignored.
pub async fn removed_products_disappear(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    index
        .remove(&[product(1), product(2), product(999)])
        .await
        .unwrap();
    assert_eq!(set(&found(index.as_ref(), "iphone").await), ids(&[3]));
    assert_eq!(index.document(product(1)).await.unwrap(), None);
    let results = run(index.as_ref(), &query("")).await;
    assert_eq!(results.total, 28);
    let apple = facets_of(&results)
        .brands
        .iter()
        .find(|b| b.value == "Apple");
    assert_eq!(apple.map(|b| b.count), Some(2));
    let suggested = suggest(index.as_ref(), "iph", 10).await;
    let names: Vec<&str> = suggested.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Apple iPhone 14"]);
    index.remove(&[]).await.unwrap();
}

/// `replace_all` leaves exactly the new documents.
pub async fn replace_all_replaces_everything(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let fresh = vec![
        Doc::new(40, "Espresso Machine").usd("300.00").build(),
        Doc::new(41, "Milk Frother").usd("40.00").build(),
    ];
    index.replace_all(fresh).await.unwrap();
    let everything = run(index.as_ref(), &query("")).await;
    assert_eq!(everything.total, 2);
    assert_eq!(set(&found(index.as_ref(), "").await), ids(&[40, 41]));
    assert!(found(index.as_ref(), "iphone").await.is_empty());
    assert_eq!(index.document(product(1)).await.unwrap(), None);
    assert!(suggest(index.as_ref(), "iph", 10).await.products.is_empty());
    index.replace_all(Vec::new()).await.unwrap();
    assert_eq!(run(index.as_ref(), &query("")).await.total, 0);
}

// ---------------------------------------------------------------------------------------
// Suggestions

/// A prefix completes product names, best selling first; earlier words must be words of
/// the name.
pub async fn suggest_completes_product_names(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    let names =
        |s: &Suggestions| -> Vec<String> { s.products.iter().map(|p| p.name.clone()).collect() };
    let iph = suggest(index, "iph", 10).await;
    assert_eq!(
        names(&iph),
        ["Apple iPhone 15", "Apple iPhone 15 Pro", "Apple iPhone 14"],
        "best selling first"
    );
    assert_eq!(iph.products[0].product, product(2));
    assert_eq!(
        names(&suggest(index, "IPH", 10).await),
        names(&iph),
        "any case"
    );
    assert_eq!(names(&suggest(index, "apple iph", 10).await), names(&iph));
    assert!(suggest(index, "samsung iph", 10).await.products.is_empty());
    let galaxy = suggest(index, "galaxy s2", 10).await;
    let got: BTreeSet<ProductId> = galaxy.products.iter().map(|p| p.product).collect();
    assert_eq!(got, ids(&[4, 5]));
    for empty in ["", "   ", "?!", "\""] {
        assert_eq!(
            suggest(index, empty, 10).await,
            Suggestions::default(),
            "{empty:?}"
        );
    }
}

/// Categories and brands with a word starting with the prefix are offered.
pub async fn suggest_offers_categories_and_brands(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    let sam = suggest(index, "sam", 10).await;
    assert_eq!(sam.brands, ["Samsung"]);
    assert!(sam.products.iter().any(|p| p.product == product(4)));
    let pho = suggest(index, "pho", 10).await;
    let categories: Vec<CategoryId> = pho.categories.iter().map(|c| c.category).collect();
    assert_eq!(categories, [PHONES]);
    assert_eq!(pho.categories[0].name, "Phones");
    let kit = suggest(index, "kit", 10).await;
    assert!(kit.categories.iter().any(|c| c.category == KITCHEN));
    let l = suggest(index, "l", 10).await;
    let l_categories: Vec<&str> = l.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(l_categories, ["Laptops"]);
    assert_eq!(l.brands, ["Lenovo", "Logitech", "Lumen"], "by name");
    let iph = suggest(index, "iph", 10).await;
    assert!(iph.categories.is_empty() && iph.brands.is_empty());
}

/// At most `limit` suggestions of each kind.
pub async fn suggest_respects_the_limit(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let index = index.as_ref();
    let s = suggest(index, "s", 2).await;
    assert_eq!(s.products.len(), 2);
    assert_eq!(s.brands.len(), 2);
    let one = suggest(index, "s", 0).await;
    assert_eq!(one.products.len(), 1, "a limit of 0 reads as 1");
    let all = suggest(index, "s", u32::MAX).await;
    assert!(all.products.len() <= 20);
    let sales: Vec<u64> = {
        let docs = fixture();
        all.products
            .iter()
            .map(|p| docs.iter().find(|d| d.product == p.product).unwrap().sales)
            .collect()
    };
    assert!(sales.windows(2).all(|w| w[0] >= w[1]), "{sales:?}");
}

/// A category or brand is suggested, and counted, by its live products only: removing
/// products lowers the count, and removing the last one drops the name.
pub async fn suggest_forgets_names_no_live_product_has(index: Arc<dyn SearchIndex>) {
    let docs = load(index.as_ref()).await;
    let index = index.as_ref();
    let laptops = |docs: &[SearchDocument]| {
        docs.iter()
            .filter(|d| d.categories.contains(&LAPTOPS))
            .count() as u64
    };
    let counted = |s: &Suggestions| -> Vec<(CategoryId, u64)> {
        s.categories.iter().map(|c| (c.category, c.count)).collect()
    };
    assert_eq!(
        counted(&suggest(index, "lap", 10).await),
        [(LAPTOPS, laptops(&docs))]
    );

    let dell_and_lenovo = [product(8), product(9)];
    index.remove(&dell_and_lenovo).await.expect("remove");
    let left: Vec<SearchDocument> = docs
        .into_iter()
        .filter(|d| !dell_and_lenovo.contains(&d.product))
        .collect();
    assert_eq!(
        counted(&suggest(index, "lap", 10).await),
        [(LAPTOPS, laptops(&left))]
    );
    assert!(suggest(index, "len", 10).await.brands.is_empty());
    assert!(suggest(index, "del", 10).await.brands.is_empty());
    assert_eq!(suggest(index, "lo", 10).await.brands, ["Logitech"]);

    index
        .remove(&[product(7), product(10)])
        .await
        .expect("remove");
    assert!(suggest(index, "lap", 10).await.categories.is_empty());
    assert_eq!(
        suggest(index, "sam", 10).await.brands,
        ["Samsung"],
        "4 and 5 are left"
    );
}

// ---------------------------------------------------------------------------------------
// Hostile input

/// Query syntax, unbalanced quotes, emoji, control characters, huge input: results or an
/// empty page, never an error.
pub async fn hostile_text_never_errors(index: Arc<dyn SearchIndex>) {
    load(index.as_ref()).await;
    let long = "iphone ".repeat(1_500);
    let noise = "a\"b(c)d:e*f?~^[x TO y]{}\\/".repeat(400);
    let inputs = [
        "name:foo AND (bar OR",
        "\"unbalanced",
        "\"",
        "\"\"",
        "\"\"\"",
        "+-&&||!(){}[]^\"~*?:\\/",
        "apple^10 iphone~2 *",
        "title:iphone OR 1=1; DROP TABLE products; --",
        "📱🔥 iphone 🙂",
        "\u{0}\u{1}\u{7}\u{1b}[31m\u{7f}",
        "\u{202e}\u{200b}\u{feff}",
        "ÅNGSTRÖM ﬁ İstanbul straße",
        "",
        " ",
        long.as_str(),
        noise.as_str(),
    ];
    for text in inputs {
        for sort in [SortOrder::Relevance, SortOrder::PriceAscending] {
            let mut q = SearchQuery::new(text, Currency::USD);
            q.sort = sort;
            q.filters.brands = vec![text.to_owned()];
            index
                .search(&q)
                .await
                .unwrap_or_else(|e| panic!("search {text:?}: {e}"));
            q.filters = SearchFilters::default();
            index
                .search(&q)
                .await
                .unwrap_or_else(|e| panic!("search {text:?}: {e}"));
        }
        index
            .suggest(&Suggest::new(text, 10))
            .await
            .unwrap_or_else(|e| panic!("suggest {text:?}: {e}"));
    }
    assert!(
        found(index.as_ref(), "📱🔥 iphone 🙂")
            .await
            .contains(&product(1))
    );
    assert!(
        found(index.as_ref(), "\"iphone")
            .await
            .contains(&product(1))
    );
    assert!(!found(index.as_ref(), long.as_str()).await.is_empty());
}

/// "More like this" (where the index has it) finds the products sharing words with the
/// product's text, those sharing most first; never the product itself nor one sharing
/// no word; nothing for an unindexed product; at most `limit`.
pub async fn more_like_this_finds_products_sharing_words_best_first(index: Arc<dyn SearchIndex>) {
    let docs = vec![
        Doc::new(1, "Blue Ceramic Mug")
            .description("Holds a large coffee")
            .build(),
        Doc::new(2, "Red Ceramic Mug").build(),
        Doc::new(3, "Blue Ceramic Mug Large").build(),
        Doc::new(4, "Garden Hose")
            .description("Green rubber")
            .build(),
        Doc::new(5, "Travel Mug").build(),
    ];
    index.upsert(docs).await.unwrap();
    let Some(similar) = index.more_like_this(product(1), 10).await.unwrap() else {
        return; // This index has no more-like-this; callers fall back.
    };
    assert_eq!(similar, [product(3), product(2), product(5)]);
    let first = index.more_like_this(product(1), 1).await.unwrap().unwrap();
    assert_eq!(first, [product(3)]);
    let unknown = index.more_like_this(product(99), 10).await.unwrap();
    assert_eq!(unknown, Some(Vec::new()));
}

/// Through the engine: after one price change and one round of `publish_events` to the
/// search indexer, the price filter and the price sort see the new price.
pub async fn a_price_change_reaches_the_price_filter_and_sort(index: Arc<dyn SearchIndex>) {
    use commerce_core::identity::Principal;
    use commerce_core::pricing::VariantPrice;

    let admin = Principal::Admin(commerce_core::AdminId::from_u128(9));
    let memory = commerce_core::memory::Memory::new();
    memory.clock.set(crate::fixtures::now());
    let (store, mug, tee) = crate::orders::two_shops();
    crate::orders::install(&store, &memory.stores, 10, crate::fixtures::now()).await;
    let engine = memory.commerce().with_search(index.clone());
    engine
        .rebuild_search_index(admin)
        .await
        .expect("index built");
    // Nothing else pending: only the price change can move the index below.
    let indexer = engine.search_indexer();
    while engine
        .publish_events(std::slice::from_ref(&indexer), 1_000)
        .await
        .expect("published")
        > 0
    {}
    let between = |min: &str, max: &str| {
        let mut q = query("");
        q.filters.price = Some(PriceRange {
            min: Some(dec(min)),
            max: Some(dec(max)),
        });
        q
    };
    let mut by_price = query("");
    by_price.sort = SortOrder::PriceAscending;
    assert_eq!(
        hits(index.as_ref(), &by_price).await,
        vec![mug.product, tee.product]
    );

    let thirty = VariantPrice::new(crate::fixtures::money("30.00", Currency::USD));
    engine
        .set_variant_price(admin, mug.product, mug.variant, store.retail, thirty, 1)
        .await
        .expect("price set");
    engine
        .publish_events(&[indexer], 1_000)
        .await
        .expect("published");
    assert_eq!(
        hits(index.as_ref(), &between("26.00", "40.00")).await,
        vec![mug.product],
        "the filter sees 30.00"
    );
    assert!(
        hits(index.as_ref(), &between("5.00", "15.00"))
            .await
            .is_empty()
    );
    assert_eq!(
        hits(index.as_ref(), &by_price).await,
        vec![tee.product, mug.product],
        "the sort sees 30.00"
    );
}
