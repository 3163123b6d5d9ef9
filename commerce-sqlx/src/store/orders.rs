//! The order port: placing an order atomically (idempotency key, cart, promotion limits,
//! order, events, stock) and changing it with a version check.
//!
//! `place_order` runs in one transaction whose locks are taken in one order — the
//! idempotency key, the cart, the limited promotions, then the stock levels (last, so the
//! hottest rows are held for the shortest time) — and either commits all of it or none.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_core::cart::{Cart, CartStatus, writable};
use commerce_core::order::{Order, OrderNumber, OrderStatus};
use commerce_core::payment::{IdempotencyKey, PaymentRef};
use commerce_core::ports::{OrderStore, OrderUpdate, PlaceOrder, Placed, PromotionLimit};
use commerce_core::pricing::PromotionUsage;
use commerce_core::{CustomerId, Entity, Error, OrderId, PromotionId, ShopId};

use super::inventory::{apply_effect_in, reserve_in};
use super::outbox::append_in;
use super::stock::placeholders;
use super::{SqlStore, fetch_doc};
use crate::backend::{Backend, Sql};
use crate::error::{DbError, done, retry};

/// Newest first, as the port promises (ties broken by number, like the in-memory store).
fn newest_first(orders: &mut [Order]) {
    orders
        .sort_by(|a, b| (b.created_at, b.number.as_str()).cmp(&(a.created_at, a.number.as_str())));
}

/// Claims `key` for this checkout: `None` if it was free (it is now ours until commit),
/// else the order and cart it was used for.
async fn claim_key<DB: Backend>(
    conn: &mut DB::Connection,
    place: &PlaceOrder,
) -> Result<Option<(OrderId, uuid::Uuid)>, DbError> {
    let claim = Sql::new(
        "INSERT INTO idempotency_keys (key, order_id, cart_id) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(place.idempotency_key.as_str())
    .bind(place.order.id.as_uuid())
    .bind(place.cart.id().as_uuid());
    if DB::execute(conn, claim).await? == 1 {
        return Ok(None);
    }
    // Taken by a checkout that committed (a concurrent one holding it made the insert
    // wait until it finished).
    let select = Sql::new("SELECT order_id, cart_id FROM idempotency_keys WHERE key = $1")
        .bind(place.idempotency_key.as_str());
    let row = DB::fetch_optional(conn, select)
        .await?
        .ok_or_else(|| DbError::Retry(Error::Unavailable("idempotency key in flux".into())))?;
    Ok(Some((
        OrderId::from_uuid(DB::uuid(&row, "order_id")?),
        DB::uuid(&row, "cart_id")?,
    )))
}

/// Locks the usage-limited promotions (in id order) and returns their usage by orders
/// not cancelled: by everyone, and by `customer`.
async fn locked_usage<DB: Backend>(
    conn: &mut DB::Connection,
    limits: &[PromotionLimit],
    customer: CustomerId,
) -> Result<PromotionUsage, DbError> {
    let mut ids: Vec<PromotionId> = limits.iter().map(|l| l.promotion).collect();
    ids.sort();
    ids.dedup();
    for id in &ids {
        let create = Sql::new(
            "INSERT INTO promotion_locks (promotion_id) VALUES ($1) ON CONFLICT (promotion_id) DO NOTHING",
        )
        .bind(id.as_uuid());
        DB::execute(conn, create).await?;
        let lock = Sql::new(format!(
            "SELECT promotion_id FROM promotion_locks WHERE promotion_id = $1{}",
            DB::FOR_UPDATE
        ))
        .bind(id.as_uuid());
        DB::fetch_optional(conn, lock).await?;
    }
    let mut count = Sql::new(format!(
        "SELECT p.promotion_id, p.customer_id FROM order_promotions p \
         JOIN orders o ON o.id = p.order_id \
         WHERE o.status <> 'cancelled' AND p.promotion_id IN ({})",
        placeholders(1, ids.len())
    ));
    for id in &ids {
        count = count.bind(id.as_uuid());
    }
    usage_from::<DB>(DB::fetch_all(conn, count).await?, Some(customer))
}

/// Tallies `(promotion_id, customer_id)` rows into usage.
fn usage_from<DB: Backend>(
    rows: Vec<DB::Row>,
    customer: Option<CustomerId>,
) -> Result<PromotionUsage, DbError> {
    let mut usage = PromotionUsage::default();
    for row in rows {
        let promotion = PromotionId::from_uuid(DB::uuid(&row, "promotion_id")?);
        *usage.total.entry(promotion).or_default() += 1;
        if Some(CustomerId::from_uuid(DB::uuid(&row, "customer_id")?)) == customer {
            *usage.by_shopper.entry(promotion).or_default() += 1;
        }
    }
    Ok(usage)
}

/// Inserts a new order with its shop and promotion index rows.
async fn insert_order<DB: Backend>(
    conn: &mut DB::Connection,
    order: &Order,
) -> Result<(), DbError> {
    let insert = Sql::new(
        "INSERT INTO orders (id, number, customer_id, cart_id, status, version, currency, total, \
         payment_ref, reservation_expires_at, created_at, doc, lines_minor, refunded_minor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(order.id.as_uuid())
    .bind(order.number.as_str())
    .bind(order.customer.as_uuid())
    .bind(order.cart.as_uuid())
    .bind(order.status.as_str())
    .bind(version(order.version)?)
    .bind(order.currency.code())
    .bind(order.totals.total.amount())
    .bind(order.payment.reference.as_ref().map(|r| r.0.clone()))
    .bind(order.reservation_expires_at)
    .bind(order.created_at)
    .doc(order)?
    .bind(super::reports::lines_minor(order)?)
    .bind(order.payment.refunded.to_minor_units()?);
    DB::execute(conn, insert).await?;
    super::reports::insert_lines::<DB>(conn, order).await?;
    let mut shops: Vec<ShopId> = order.lines.iter().map(|l| l.shop).collect();
    shops.sort();
    shops.dedup();
    for shop in shops {
        let index = Sql::new("INSERT INTO order_shops (order_id, shop_id) VALUES ($1, $2)")
            .bind(order.id.as_uuid())
            .bind(shop.as_uuid());
        DB::execute(conn, index).await?;
    }
    let mut promotions = order.promotions.clone();
    promotions.sort();
    promotions.dedup();
    for promotion in promotions {
        let index = Sql::new(
            "INSERT INTO order_promotions (order_id, promotion_id, customer_id) VALUES ($1, $2, $3)",
        )
        .bind(order.id.as_uuid())
        .bind(promotion.as_uuid())
        .bind(order.customer.as_uuid());
        DB::execute(conn, index).await?;
    }
    Ok(())
}

/// Stores the checked-out cart (locked earlier) as `writable` computed it.
async fn store_cart<DB: Backend>(conn: &mut DB::Connection, cart: &Cart) -> Result<(), DbError> {
    let upsert = Sql::new(
        "INSERT INTO carts (id, customer_id, checked_out, version, created_at, doc, purpose) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET \
         customer_id = excluded.customer_id, checked_out = excluded.checked_out, \
         version = excluded.version, doc = excluded.doc, purpose = excluded.purpose",
    )
    .bind(cart.id().as_uuid())
    .bind(cart.customer().map(|c| c.as_uuid()))
    .bind(cart.status() == CartStatus::CheckedOut)
    .bind(version(cart.version())?)
    .bind(cart.created_at())
    .doc(cart)?
    .bind(super::reports::cart_purpose(cart.purpose()));
    DB::execute(conn, upsert).await?;
    Ok(())
}

/// A version as stored.
fn version(v: u64) -> Result<i64, DbError> {
    i64::try_from(v).map_err(|_| Error::invalid("version", "out of range").into())
}

impl<DB: Backend> SqlStore<DB> {
    async fn place_order_once(&self, place: &PlaceOrder) -> Result<Placed, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        if let Some((order, cart)) = claim_key::<DB>(&mut tx, place).await? {
            if cart != place.cart.id().as_uuid() {
                return Err(Error::Conflict(format!(
                    "idempotency key {} was used for another cart",
                    place.idempotency_key
                ))
                .into());
            }
            let select = Sql::new("SELECT doc FROM orders WHERE id = $1").bind(order.as_uuid());
            let order: Order = fetch_doc::<DB, _>(&mut tx, select)
                .await?
                .ok_or_else(|| Error::not_found(Entity::Order, order))?;
            return Ok(Placed {
                order,
                created: false,
            });
        }
        let order = &place.order;
        let select = Sql::new(format!(
            "SELECT doc FROM carts WHERE id = $1{}",
            DB::FOR_UPDATE
        ))
        .bind(place.cart.id().as_uuid());
        let stored: Option<Cart> = fetch_doc::<DB, _>(&mut tx, select).await?;
        let cart = writable(stored.as_ref(), &place.cart)?;
        if !place.promotion_limits.is_empty() {
            let usage =
                locked_usage::<DB>(&mut tx, &place.promotion_limits, order.customer).await?;
            if let Some(limit) = place.promotion_limits.iter().find(|l| !l.allows(&usage)) {
                return Err(Error::Conflict(format!(
                    "promotion {} has reached its usage limit; price the cart again",
                    limit.promotion
                ))
                .into());
            }
        }
        insert_order::<DB>(&mut tx, order)
            .await
            .map_err(|e| match e {
                DbError::Fail(Error::Conflict(_)) => {
                    DbError::Fail(Error::Conflict(format!("order {} exists", order.number)))
                }
                other => other,
            })?;
        store_cart::<DB>(&mut tx, &cart).await?;
        append_in::<DB>(&mut tx, &place.events).await?;
        // Last: the stock rows are the most contended, so they are locked for the
        // shortest time.
        reserve_in::<DB>(&mut tx, &place.reservation, order.created_at).await?;
        tx.commit().await?;
        Ok(Placed {
            order: order.clone(),
            created: true,
        })
    }

    async fn update_order_once(&self, update: &OrderUpdate) -> Result<Order, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let order = &update.order;
        let select = Sql::new(format!(
            "SELECT number, version FROM orders WHERE id = $1{}",
            DB::FOR_UPDATE
        ))
        .bind(order.id.as_uuid());
        let row = DB::fetch_optional(&mut tx, select)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Order, order.id))?;
        let stored = DB::int(&row, "version")?;
        if stored != version(update.expected_version)? {
            return Err(Error::Conflict(format!(
                "order {} changed (version {stored}, expected {})",
                DB::text(&row, "number")?,
                update.expected_version
            ))
            .into());
        }
        apply_effect_in::<DB>(
            &mut tx,
            order.reservation_id(),
            update.stock,
            order.changed_at(),
        )
        .await?;
        let store = Sql::new(
            "UPDATE orders SET status = $2, version = $3, payment_ref = $4, total = $5, doc = $6, \
             refunded_minor = $7 WHERE id = $1",
        )
        .bind(order.id.as_uuid())
        .bind(order.status.as_str())
        .bind(version(order.version)?)
        .bind(order.payment.reference.as_ref().map(|r| r.0.clone()))
        .bind(order.totals.total.amount())
        .doc(order)?
        .bind(order.payment.refunded.to_minor_units()?);
        DB::execute(&mut tx, store).await?;
        append_in::<DB>(&mut tx, &update.events).await?;
        tx.commit().await?;
        Ok(order.clone())
    }

    /// Orders matching `condition` (a `WHERE` clause over `orders`), newest first.
    async fn orders_where(&self, sql: Sql) -> Result<Vec<Order>, Error> {
        let mut orders: Vec<Order> = self.read_docs(sql).await?;
        newest_first(&mut orders);
        Ok(orders)
    }
}

#[async_trait]
impl<DB: Backend> OrderStore for SqlStore<DB> {
    async fn next_order_number(&self) -> Result<u64, Error> {
        let n = retry(|| async {
            let mut conn = self.pool.acquire().await?;
            let row = DB::fetch_optional(&mut conn, Sql::new(DB::NEXT_ORDER_NUMBER))
                .await?
                .ok_or_else(|| Error::Unavailable("the order number counter is missing".into()))?;
            DB::int(&row, "n")
        })
        .await?;
        u64::try_from(n).map_err(|_| Error::Unavailable(format!("order number {n} out of range")))
    }

    async fn place_order(&self, place: PlaceOrder) -> Result<Placed, Error> {
        retry(|| self.place_order_once(&place)).await
    }

    async fn order(&self, id: OrderId) -> Result<Option<Order>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM orders WHERE id = $1").bind(id.as_uuid()))
            .await
    }

    async fn order_by_number(&self, number: &OrderNumber) -> Result<Option<Order>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM orders WHERE number = $1").bind(number.as_str()))
            .await
    }

    async fn order_by_payment(&self, payment: &PaymentRef) -> Result<Option<Order>, Error> {
        self.read_doc(
            Sql::new("SELECT doc FROM orders WHERE payment_ref = $1").bind(payment.0.as_str()),
        )
        .await
    }

    async fn order_by_idempotency_key(&self, key: &IdempotencyKey) -> Result<Option<Order>, Error> {
        self.read_doc(
            Sql::new(
                "SELECT o.doc FROM idempotency_keys k JOIN orders o ON o.id = k.order_id \
                 WHERE k.key = $1",
            )
            .bind(key.as_str()),
        )
        .await
    }

    async fn orders_of_customer(&self, customer: CustomerId) -> Result<Vec<Order>, Error> {
        self.orders_where(
            Sql::new("SELECT doc FROM orders WHERE customer_id = $1").bind(customer.as_uuid()),
        )
        .await
    }

    async fn orders_of_shop(&self, shop: ShopId) -> Result<Vec<Order>, Error> {
        self.orders_where(
            Sql::new(
                "SELECT o.doc FROM order_shops s JOIN orders o ON o.id = s.order_id \
                 WHERE s.shop_id = $1",
            )
            .bind(shop.as_uuid()),
        )
        .await
    }

    async fn update_order(&self, update: OrderUpdate) -> Result<Order, Error> {
        retry(|| self.update_order_once(&update)).await
    }

    async fn unpaid_expired(&self, now: DateTime<Utc>) -> Result<Vec<Order>, Error> {
        self.orders_where(
            Sql::new("SELECT doc FROM orders WHERE status = $1 AND reservation_expires_at <= $2")
                .bind(OrderStatus::PendingPayment.as_str())
                .bind(now),
        )
        .await
    }

    async fn promotion_usage(&self, customer: Option<CustomerId>) -> Result<PromotionUsage, Error> {
        let rows = self
            .read_all(Sql::new(
                "SELECT p.promotion_id, p.customer_id FROM order_promotions p \
                 JOIN orders o ON o.id = p.order_id WHERE o.status <> 'cancelled'",
            ))
            .await?;
        done(usage_from::<DB>(rows, customer))
    }
}
