//! Use cases: product search, and keeping the search index current.
//!
//! Access: anyone may search, guests included; the index only ever holds active
//! products. Rebuilding the index is for admins.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::Commerce;
use crate::catalog::{Catalog, Product, Sku};
use crate::error::Error;
use crate::events::{DomainEvent, OutboxEntry};
use crate::identity::Principal;
use crate::ids::{EventId, OrderId, ProductId, VariantId};
use crate::ports::{SearchIndex, Subscriber};
use crate::search::{
    SearchDocument, SearchQuery, SearchRating, SearchResults, Suggest, Suggestions,
};

impl Commerce {
    /// The search index configured with [`Commerce::with_search`], if any.
    pub fn search_index(&self) -> Option<&Arc<dyn SearchIndex>> {
        self.search.as_ref()
    }

    /// A page of active products matching `query`, with facet counts. Anyone may search;
    /// shopper text is never a syntax, so any text gives results or an empty page.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when no search index is configured or the index fails.
    pub async fn search(&self, query: &SearchQuery) -> Result<SearchResults, Error> {
        self.index()?.search(query).await
    }

    /// Completions for what a shopper is typing: products, categories and brands.
    ///
    /// # Errors
    /// As for [`Commerce::search`].
    pub async fn suggest(&self, request: &Suggest) -> Result<Suggestions, Error> {
        self.index()?.suggest(request).await
    }

    /// Rebuilds the whole search index from the stores, in one
    /// [`SearchIndex::replace_all`]: a document for every active product, with its lowest
    /// price for everyone per currency, whether any variant can be bought now (units
    /// available, or backorders allowed) and the units sold in orders that are paid and
    /// not cancelled or refunded, and its rating from the review aggregates
    /// ([`ReviewStore::rating_summaries`](crate::ports::ReviewStore::rating_summaries)).
    /// Returns how many products were indexed.
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless `actor` is an admin; [`Error::Unavailable`] when no
    /// search index is configured. The index is unchanged on error.
    pub async fn rebuild_search_index(&self, actor: Principal) -> Result<u64, Error> {
        actor.require_admin("rebuild the search index")?;
        let index = self.index()?;
        let catalog = self.stores.catalog.catalog().await?;
        let rules = self.stores.pricing.rules().await?;
        let sales = self.units_sold(&catalog).await?;
        let ratings: HashMap<ProductId, SearchRating> = self
            .stores
            .reviews
            .rating_summaries()
            .await?
            .into_iter()
            .map(|(product, summary)| (product, summary.search_rating()))
            .collect();
        let mut documents = Vec::new();
        for product in catalog.products().filter(|p| p.is_active()) {
            let in_stock = self.can_be_bought(product).await?;
            let sold = sales.get(&product.id()).copied().unwrap_or(0);
            documents.push(SearchDocument::from_catalog(
                product,
                &catalog,
                &rules.price_book,
                in_stock,
                ratings.get(&product.id()).copied().unwrap_or_default(),
                sold,
            ));
        }
        let count = u64::try_from(documents.len()).unwrap_or(u64::MAX);
        index.replace_all(documents).await?;
        Ok(count)
    }

    /// A subscriber that keeps the search index current from events, for
    /// [`Commerce::publish_events`]:
    ///
    /// - `product.created` / `product.updated`: the product's document is rebuilt from the
    ///   stores (rating from the review aggregates, kept sales), or removed when the
    ///   product is not active;
    /// - `review.created` / `review.updated` / `review.deleted`: the reviewed product's
    ///   document is rebuilt the same way, so its rating follows the aggregates;
    /// - `product.deleted`: the document is removed;
    /// - `stock.*`: the document of the product selling that SKU is rebuilt (its
    ///   "in stock" follows);
    /// - `order.paid`: each ordered product's units are added to its sales.
    ///
    /// Rebuilding a document is idempotent. Sales are counted once per event id that
    /// this subscriber handled: the ids it remembers live in this process only, so after
    /// a restart a re-delivered `order.paid` may count twice, and concurrent deliveries
    /// of two orders of one product may lose an increment; a
    /// [`Commerce::rebuild_search_index`] recomputes sales from the orders. Price changes
    /// and cancellations publish no event the indexer follows; they reach the index with
    /// the product's next change or a rebuild.
    ///
    /// Without a configured search index, every event is refused with
    /// [`Error::Unavailable`] (and stays in the outbox).
    pub fn search_indexer(&self) -> Arc<dyn Subscriber> {
        Arc::new(SearchIndexer {
            engine: self.clone(),
            counted: Mutex::new(HashSet::new()),
        })
    }

    pub(super) fn index(&self) -> Result<&Arc<dyn SearchIndex>, Error> {
        self.search
            .as_ref()
            .ok_or_else(|| Error::Unavailable("no search index configured".into()))
    }

    /// Whether any variant of `product` can be bought now: units available, or
    /// backorders allowed.
    pub(super) async fn can_be_bought(&self, product: &Product) -> Result<bool, Error> {
        let inventory = &self.stores.inventory;
        for variant in product.variants() {
            if inventory.available(&variant.sku).await? > 0
                || inventory.policy(&variant.sku).await?.backorder
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Units sold per product: the lines of every order that is paid and not cancelled
    /// or refunded, found through the shops of `catalog`.
    async fn units_sold(&self, catalog: &Catalog) -> Result<HashMap<ProductId, u64>, Error> {
        let mut seen: HashSet<OrderId> = HashSet::new();
        let mut sold: HashMap<ProductId, u64> = HashMap::new();
        for shop in catalog.shops() {
            for order in self.stores.orders.orders_of_shop(shop.id).await? {
                if !order.status.is_paid() || !seen.insert(order.id) {
                    continue;
                }
                for line in &order.lines {
                    let units = sold.entry(line.product).or_default();
                    *units = units.saturating_add(u64::from(line.quantity));
                }
            }
        }
        Ok(sold)
    }
}

/// The subscriber [`Commerce::search_indexer`] returns.
struct SearchIndexer {
    engine: Commerce,
    /// `order.paid` events whose sales were counted (this process only).
    counted: Mutex<HashSet<EventId>>,
}

impl SearchIndexer {
    /// Rebuilds one product's document from the stores (its rating from the review
    /// aggregates), keeping its sales; removes it when the product is gone or not active.
    async fn refresh(&self, index: &dyn SearchIndex, id: ProductId) -> Result<(), Error> {
        let stores = &self.engine.stores;
        let catalog = stores.catalog.catalog_for(&[id], &[]).await?;
        let Some(product) = catalog.product(id).filter(|p| p.is_active()) else {
            return index.remove(&[id]).await;
        };
        let variants: Vec<VariantId> = product.variants().iter().map(|v| v.id).collect();
        let rules = stores.pricing.rules_for(&variants).await?;
        let in_stock = self.engine.can_be_bought(product).await?;
        let rating = stores.reviews.rating_summary(id).await?.search_rating();
        let sales = index.document(id).await?.map_or(0, |d| d.sales);
        let document = SearchDocument::from_catalog(
            product,
            &catalog,
            &rules.price_book,
            in_stock,
            rating,
            sales,
        );
        index.upsert(vec![document]).await
    }

    /// Rebuilds the document of the product selling `sku`, if any.
    async fn refresh_sku(&self, index: &dyn SearchIndex, sku: &Sku) -> Result<(), Error> {
        match self.engine.stores.catalog.product_by_sku(sku).await? {
            Some(product) => self.refresh(index, product.id()).await,
            None => Ok(()),
        }
    }

    /// Adds a paid order's units to its products' sales, once per event id.
    async fn count_sales(
        &self,
        index: &dyn SearchIndex,
        event: EventId,
        order: OrderId,
    ) -> Result<(), Error> {
        if self.counted()?.contains(&event) {
            return Ok(());
        }
        if let Some(order) = self.engine.stores.orders.order(order).await? {
            let mut units: BTreeMap<ProductId, u64> = BTreeMap::new();
            for line in &order.lines {
                let sold = units.entry(line.product).or_default();
                *sold = sold.saturating_add(u64::from(line.quantity));
            }
            let mut documents = Vec::new();
            for (product, sold) in units {
                if let Some(mut document) = index.document(product).await? {
                    document.sales = document.sales.saturating_add(sold);
                    documents.push(document);
                }
            }
            if !documents.is_empty() {
                index.upsert(documents).await?;
            }
        }
        self.counted()?.insert(event);
        Ok(())
    }

    fn counted(&self) -> Result<std::sync::MutexGuard<'_, HashSet<EventId>>, Error> {
        self.counted
            .lock()
            .map_err(|_| Error::Unavailable("search indexer poisoned by an earlier panic".into()))
    }
}

#[async_trait]
impl Subscriber for SearchIndexer {
    fn name(&self) -> &str {
        "search-indexer"
    }

    async fn handle(&self, entry: &OutboxEntry) -> Result<(), Error> {
        let index = self.engine.index()?.as_ref();
        match &entry.record.event {
            DomainEvent::ProductCreated { product, .. }
            | DomainEvent::ProductUpdated { product, .. }
            | DomainEvent::PriceUpdated { product, .. } => self.refresh(index, *product).await,
            DomainEvent::ProductDeleted { product, .. } => index.remove(&[*product]).await,
            DomainEvent::StockDecreased(change) | DomainEvent::StockIncreased(change) => {
                self.refresh_sku(index, &change.sku).await
            }
            DomainEvent::StockLow { sku, .. } | DomainEvent::BackInStock { sku, .. } => {
                self.refresh_sku(index, sku).await
            }
            DomainEvent::OrderPaid { order, .. } => {
                self.count_sales(index, entry.record.id, *order).await
            }
            DomainEvent::ReviewCreated { product, .. }
            | DomainEvent::ReviewUpdated { product, .. }
            | DomainEvent::ReviewDeleted { product, .. } => self.refresh(index, *product).await,
            _ => Ok(()),
        }
    }
}
