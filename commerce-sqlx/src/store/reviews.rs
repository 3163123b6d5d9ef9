//! The review port on SQL: reviews as documents with the columns the aggregates, the
//! listing and the compare-and-swap need, and one `review_ratings` row per product.
//!
//! Every change locks the product's `review_ratings` row first (creating it if needed),
//! then writes the review, recounts the product's visible reviews with one `GROUP BY`,
//! stores the counts and appends the events — one transaction. Concurrent changes to one
//! product's reviews therefore queue on that row and each recount sees the others'
//! committed writes; the `UNIQUE (product_id, customer_id)` constraint backs "one review
//! per customer per product".

use async_trait::async_trait;
use commerce_core::events::EventRecord;
use commerce_core::ports::{ReviewStore, ReviewUpdate};
use commerce_core::review::{Rating, RatingSummary, Review, ReviewPage, counts_as_received};
use commerce_core::{CustomerId, Entity, Error, ProductId, ReviewId};

use super::outbox::append_in;
use super::{SqlStore, fetch_doc};
use crate::backend::{Backend, Sql, corrupt};
use crate::error::{DbError, retry};
use commerce_core::order::OrderStatus;

fn version(v: u64) -> Result<i64, DbError> {
    i64::try_from(v).map_err(|_| Error::invalid("version", "out of range").into())
}

/// `'delivered', 'completed'`: the statuses [`counts_as_received`] accepts, as SQL.
fn received_statuses() -> String {
    OrderStatus::ALL
        .into_iter()
        .filter(|&s| counts_as_received(s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Locks `product`'s aggregates row, creating it first if needed.
async fn lock_ratings<DB: Backend>(
    conn: &mut DB::Connection,
    product: ProductId,
) -> Result<(), DbError> {
    let create = Sql::new(
        "INSERT INTO review_ratings (product_id) VALUES ($1) ON CONFLICT (product_id) DO NOTHING",
    )
    .bind(product.as_uuid());
    DB::execute(conn, create).await?;
    let lock = Sql::new(format!(
        "SELECT product_id FROM review_ratings WHERE product_id = $1{}",
        DB::FOR_UPDATE
    ))
    .bind(product.as_uuid());
    DB::fetch_optional(conn, lock).await?;
    Ok(())
}

/// Recounts `product`'s visible reviews and stores the counts; returns them.
async fn recount<DB: Backend>(
    conn: &mut DB::Connection,
    product: ProductId,
) -> Result<RatingSummary, DbError> {
    let count = Sql::new(
        "SELECT rating, COUNT(*) AS n FROM reviews WHERE product_id = $1 AND visible \
         GROUP BY rating",
    )
    .bind(product.as_uuid());
    let mut summary = RatingSummary::default();
    for row in DB::fetch_all(conn, count).await? {
        let rating = Rating::new(DB::int(&row, "rating")?)
            .map_err(|e| corrupt(format_args!("stored rating: {e}")))?;
        let n = u32::try_from(DB::int(&row, "n")?).map_err(|_| corrupt("review count"))?;
        summary.histogram[usize::from(rating.stars() - 1)] = n;
    }
    let mut store = Sql::new(
        "UPDATE review_ratings SET stars_1 = $1, stars_2 = $2, stars_3 = $3, stars_4 = $4, \
         stars_5 = $5 WHERE product_id = $6",
    );
    for n in summary.histogram {
        store = store.bind(i64::from(n));
    }
    DB::execute(conn, store.bind(product.as_uuid())).await?;
    Ok(summary)
}

fn summary_of<DB: Backend>(row: &DB::Row) -> Result<RatingSummary, DbError> {
    let mut summary = RatingSummary::default();
    for (slot, column) in summary
        .histogram
        .iter_mut()
        .zip(["stars_1", "stars_2", "stars_3", "stars_4", "stars_5"])
    {
        *slot = u32::try_from(DB::int(row, column)?).map_err(|_| corrupt(column))?;
    }
    Ok(summary)
}

/// The stored review `id`, locked, checked to be at `expected_version`.
async fn current<DB: Backend>(
    conn: &mut DB::Connection,
    id: ReviewId,
    expected_version: u64,
) -> Result<Review, DbError> {
    let select = Sql::new(format!(
        "SELECT doc FROM reviews WHERE id = $1{}",
        DB::FOR_UPDATE
    ))
    .bind(id.as_uuid());
    let stored: Review = fetch_doc::<DB, Review>(conn, select)
        .await?
        .ok_or_else(|| Error::not_found(Entity::Review, id))?;
    if stored.version != expected_version {
        return Err(Error::Conflict(format!(
            "review {id} changed (version {}, expected {expected_version})",
            stored.version
        ))
        .into());
    }
    Ok(stored)
}

impl<DB: Backend> SqlStore<DB> {
    async fn create_review_once(
        &self,
        review: &Review,
        events: &[EventRecord],
    ) -> Result<RatingSummary, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        lock_ratings::<DB>(&mut tx, review.product).await?;
        let clash = Sql::new(
            "SELECT id FROM reviews WHERE (product_id = $1 AND customer_id = $2) OR id = $3",
        )
        .bind(review.product.as_uuid())
        .bind(review.customer.as_uuid())
        .bind(review.id.as_uuid());
        if DB::fetch_optional(&mut tx, clash).await?.is_some() {
            return Err(Error::Conflict(format!(
                "customer {} has already reviewed product {} (or review {} exists)",
                review.customer, review.product, review.id
            ))
            .into());
        }
        let insert = Sql::new(
            "INSERT INTO reviews (id, product_id, customer_id, visible, rating, version, \
             created_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(review.id.as_uuid())
        .bind(review.product.as_uuid())
        .bind(review.customer.as_uuid())
        .bind(review.is_visible())
        .bind(i64::from(review.rating.stars()))
        .bind(version(review.version)?)
        .bind(review.created_at)
        .doc(review)?;
        DB::execute(&mut tx, insert).await?;
        let summary = recount::<DB>(&mut tx, review.product).await?;
        append_in::<DB>(&mut tx, events).await?;
        tx.commit().await?;
        Ok(summary)
    }

    async fn update_review_once(&self, update: &ReviewUpdate) -> Result<Review, DbError> {
        let review = &update.review;
        let mut tx = DB::begin_write(&self.pool).await?;
        lock_ratings::<DB>(&mut tx, review.product).await?;
        let stored = current::<DB>(&mut tx, review.id, update.expected_version).await?;
        if (stored.product, stored.customer) != (review.product, review.customer) {
            return Err(Error::Conflict(format!(
                "review {} cannot move to another product or author",
                review.id
            ))
            .into());
        }
        let write = Sql::new(
            "UPDATE reviews SET visible = $1, rating = $2, version = $3, doc = $4 WHERE id = $5",
        )
        .bind(review.is_visible())
        .bind(i64::from(review.rating.stars()))
        .bind(version(review.version)?)
        .doc(review)?
        .bind(review.id.as_uuid());
        DB::execute(&mut tx, write).await?;
        recount::<DB>(&mut tx, review.product).await?;
        append_in::<DB>(&mut tx, &update.events).await?;
        tx.commit().await?;
        Ok(review.clone())
    }

    async fn delete_review_once(
        &self,
        id: ReviewId,
        expected_version: u64,
        events: &[EventRecord],
    ) -> Result<(), DbError> {
        let find = Sql::new("SELECT doc FROM reviews WHERE id = $1").bind(id.as_uuid());
        let mut conn = self.pool.acquire().await?;
        let product = fetch_doc::<DB, Review>(&mut conn, find)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Review, id))?
            .product;
        drop(conn);
        let mut tx = DB::begin_write(&self.pool).await?;
        lock_ratings::<DB>(&mut tx, product).await?;
        current::<DB>(&mut tx, id, expected_version).await?;
        let delete = Sql::new("DELETE FROM reviews WHERE id = $1").bind(id.as_uuid());
        DB::execute(&mut tx, delete).await?;
        recount::<DB>(&mut tx, product).await?;
        append_in::<DB>(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl<DB: Backend> ReviewStore for SqlStore<DB> {
    async fn create_review(
        &self,
        review: Review,
        events: Vec<EventRecord>,
    ) -> Result<RatingSummary, Error> {
        retry(|| self.create_review_once(&review, &events)).await
    }

    async fn update_review(&self, update: ReviewUpdate) -> Result<Review, Error> {
        retry(|| self.update_review_once(&update)).await
    }

    async fn delete_review(
        &self,
        id: ReviewId,
        expected_version: u64,
        events: Vec<EventRecord>,
    ) -> Result<(), Error> {
        retry(|| self.delete_review_once(id, expected_version, &events)).await
    }

    async fn review(&self, id: ReviewId) -> Result<Option<Review>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM reviews WHERE id = $1").bind(id.as_uuid()))
            .await
    }

    async fn review_by_author(
        &self,
        product: ProductId,
        customer: CustomerId,
    ) -> Result<Option<Review>, Error> {
        self.read_doc(
            Sql::new("SELECT doc FROM reviews WHERE product_id = $1 AND customer_id = $2")
                .bind(product.as_uuid())
                .bind(customer.as_uuid()),
        )
        .await
    }

    async fn product_reviews(
        &self,
        product: ProductId,
        page: ReviewPage,
    ) -> Result<Vec<Review>, Error> {
        let offset = i64::try_from(page.offset()).unwrap_or(i64::MAX);
        self.read_docs(
            Sql::new(
                "SELECT doc FROM reviews WHERE product_id = $1 AND visible \
                 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
            )
            .bind(product.as_uuid())
            .bind(i64::from(page.size()))
            .bind(offset),
        )
        .await
    }

    async fn rating_summary(&self, product: ProductId) -> Result<RatingSummary, Error> {
        let row = self
            .read_one(
                Sql::new("SELECT * FROM review_ratings WHERE product_id = $1")
                    .bind(product.as_uuid()),
            )
            .await?;
        match row {
            Some(row) => crate::error::done(summary_of::<DB>(&row)),
            None => Ok(RatingSummary::default()),
        }
    }

    async fn rating_summaries(&self) -> Result<Vec<(ProductId, RatingSummary)>, Error> {
        let rows = self
            .read_all(Sql::new(
                "SELECT * FROM review_ratings \
                 WHERE stars_1 + stars_2 + stars_3 + stars_4 + stars_5 > 0 ORDER BY product_id",
            ))
            .await?;
        crate::error::done(
            rows.iter()
                .map(|row| {
                    Ok((
                        ProductId::from_uuid(DB::uuid(row, "product_id")?),
                        summary_of::<DB>(row)?,
                    ))
                })
                .collect(),
        )
    }

    async fn has_received(&self, customer: CustomerId, product: ProductId) -> Result<bool, Error> {
        let found = self
            .read_one(
                Sql::new(format!(
                    "SELECT o.id FROM orders o WHERE o.customer_id = $1 \
                     AND o.status IN ({statuses}) AND {has_product} LIMIT 1",
                    statuses = received_statuses(),
                    has_product = DB::order_has_product("o", "$2"),
                ))
                .bind(customer.as_uuid())
                .bind(product.to_string()),
            )
            .await?;
        Ok(found.is_some())
    }
}
