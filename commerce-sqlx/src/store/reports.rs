//! The report port: every figure is one aggregate query (`GROUP BY`, `SUM`, `COUNT`), so
//! the database does the work and nothing loads every order.
//!
//! The core computes the buckets (UTC instants where each local day, week or month
//! starts); a query selects the orders placed in the whole window
//! (`created_at >= start AND created_at < end`) and gives each the index of its bucket
//! by comparing `created_at` with the boundaries (see `bucket_index`), which works the
//! same on SQLite (times are integer microseconds there, no time zones needed) and on
//! Postgres. Amounts are summed
//! as integer minor units (`order_lines.total_minor`, `orders.lines_minor`,
//! `orders.refunded_minor`, written when an order is stored), so sums are exact on both.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_core::Error;
use commerce_core::cart::CartPurpose;
use commerce_core::money::{Currency, Money};
use commerce_core::order::{Order, OrderStatus};
use commerce_core::ports::ReportStore;
use commerce_core::report::{
    BucketSales, CartConversion, LowStockItem, ProductRank, ProductSales, RefundSummary,
    SalesQuery, StatusCount, revenue_statuses,
};
use commerce_core::{ProductId, ShopId};

use super::SqlStore;
use super::stock::sku_of;
use crate::backend::{Backend, Sql, Value, corrupt};
use crate::error::{DbError, done};

/// How a cart purpose is stored in `carts.purpose` (its serde name).
pub(crate) fn cart_purpose(purpose: CartPurpose) -> &'static str {
    match purpose {
        CartPurpose::Shopping => "shopping",
        CartPurpose::SavedForLater => "saved_for_later",
        CartPurpose::Wishlist => "wishlist",
    }
}

/// The sum of an order's line totals in minor units.
pub(crate) fn lines_minor(order: &Order) -> Result<i64, DbError> {
    let mut sum: i64 = 0;
    for line in &order.lines {
        sum = sum
            .checked_add(line.total.to_minor_units()?)
            .ok_or(Error::Overflow)?;
    }
    Ok(sum)
}

/// Inserts an order's `order_lines` rows, in one statement.
pub(crate) async fn insert_lines<DB: Backend>(
    conn: &mut DB::Connection,
    order: &Order,
) -> Result<(), DbError> {
    if order.lines.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..order.lines.len())
        .map(|i| {
            let p = i * 7 + 1;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                p,
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6
            )
        })
        .collect();
    let mut insert = Sql::new(format!(
        "INSERT INTO order_lines (order_id, line_no, shop_id, product_id, name, quantity, \
         total_minor) VALUES {}",
        rows.join(", ")
    ));
    for (i, line) in order.lines.iter().enumerate() {
        insert = insert
            .bind(order.id.as_uuid())
            .bind(i64::try_from(i).map_err(|_| Error::Overflow)?)
            .bind(line.shop.as_uuid())
            .bind(line.product.as_uuid())
            .bind(line.name.as_str())
            .bind(i64::from(line.quantity))
            .bind(line.total.to_minor_units()?);
    }
    DB::execute(conn, insert).await?;
    Ok(())
}

/// The states that count as revenue, as an SQL list of literals (our own constants).
fn revenue_list() -> String {
    revenue_statuses()
        .into_iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A statement over a query's orders, with its placeholders numbered as it grows.
struct Statement {
    args: Vec<Value>,
}

impl Statement {
    fn new() -> Self {
        Statement { args: Vec::new() }
    }

    /// Binds `value` and returns its placeholder.
    fn arg(&mut self, value: impl Into<Value>) -> String {
        self.args.push(value.into());
        format!("${}", self.args.len())
    }

    fn sql(self, text: String) -> Sql {
        self.args
            .into_iter()
            .fold(Sql::new(text), |sql, value| sql.bind(value))
    }
}

/// `FROM orders o` with the joins and conditions that select a query's orders placed in
/// `[start, end)`, in its currency, with a line of its shop. With `lines`, the order's
/// lines are joined as `l` (for a shop only its own: that join is then the shop
/// filter); without, a shop's orders are those with its `order_shops` row. `revenue`
/// keeps only orders that count as revenue.
fn selected_orders(
    st: &mut Statement,
    query: &SalesQuery,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    revenue: bool,
    lines: bool,
) -> String {
    let shop = match (query.scope.shop(), lines) {
        (Some(shop), true) => format!(
            " JOIN order_lines l ON l.order_id = o.id AND l.shop_id = {}",
            st.arg(shop.as_uuid())
        ),
        (None, true) => " JOIN order_lines l ON l.order_id = o.id".to_owned(),
        (Some(shop), false) => format!(
            " JOIN order_shops s ON s.order_id = o.id AND s.shop_id = {}",
            st.arg(shop.as_uuid())
        ),
        (None, false) => String::new(),
    };
    let start = st.arg(start);
    let end = st.arg(end);
    let currency = st.arg(query.currency.code());
    let status = if revenue {
        format!(" AND o.status IN ({})", revenue_list())
    } else {
        String::new()
    };
    format!(
        "FROM orders o{shop} WHERE o.created_at >= {start} AND o.created_at < {end} \
         AND o.currency = {currency}{status}"
    )
}

/// The index of the bucket `o.created_at` falls in, for an order known to be placed in
/// buckets `lo..hi` (consecutive): a binary search written as nested `CASE`s, so each
/// order costs about log2(buckets) comparisons in one scan of the window (a join
/// against a list of buckets would compare every order with every bucket).
fn bucket_index(st: &mut Statement, query: &SalesQuery, lo: usize, hi: usize) -> String {
    if hi - lo <= 1 {
        return lo.to_string();
    }
    let mid = lo + (hi - lo) / 2;
    let boundary = st.arg(query.buckets[mid].start);
    let below = bucket_index(st, query, lo, mid);
    let above = bucket_index(st, query, mid, hi);
    format!("CASE WHEN o.created_at < {boundary} THEN {below} ELSE {above} END")
}

/// A row's bigint column as a count.
fn count<DB: Backend>(row: &DB::Row, column: &str) -> Result<u64, DbError> {
    let n = DB::int(row, column)?;
    u64::try_from(n).map_err(|_| corrupt(format!("negative count {n} in {column}")))
}

/// A row's minor-units column as money.
fn money<DB: Backend>(row: &DB::Row, column: &str, currency: Currency) -> Result<Money, DbError> {
    Ok(Money::from_minor_units(DB::int(row, column)?, currency))
}

#[async_trait]
impl<DB: Backend> ReportStore for SqlStore<DB> {
    async fn sales_by_bucket(&self, query: &SalesQuery) -> Result<Vec<BucketSales>, Error> {
        let mut sales = vec![BucketSales::zero(query.currency); query.buckets.len()];
        if query.buckets.is_empty() {
            return Ok(sales);
        }
        let Some(window) = query.window() else {
            return Ok(sales);
        };
        let mut st = Statement::new();
        let bucket = bucket_index(&mut st, query, 0, query.buckets.len());
        let text = match query.scope.shop() {
            // A shop: its lines only; an order with several of its lines counts once.
            Some(_) => {
                let from = selected_orders(&mut st, query, window, true, true);
                format!(
                    "SELECT r.i AS i, COUNT(DISTINCT r.id) AS n, \
                     CAST(SUM(r.amount) AS BIGINT) AS revenue \
                     FROM (SELECT CAST({bucket} AS BIGINT) AS i, o.id AS id, \
                     l.total_minor AS amount {from}) r GROUP BY r.i"
                )
            }
            None => {
                let from = selected_orders(&mut st, query, window, true, false);
                format!(
                    "SELECT r.i AS i, COUNT(*) AS n, CAST(SUM(r.amount) AS BIGINT) AS revenue \
                     FROM (SELECT CAST({bucket} AS BIGINT) AS i, o.lines_minor AS amount \
                     {from}) r GROUP BY r.i"
                )
            }
        };
        let rows = self.read_all(st.sql(text)).await?;
        for row in rows {
            let figures = (|| {
                let i = DB::int(&row, "i")?;
                Ok::<_, DbError>((
                    i,
                    BucketSales {
                        orders: count::<DB>(&row, "n")?,
                        revenue: money::<DB>(&row, "revenue", query.currency)?,
                    },
                ))
            })();
            let (i, figures) = done(figures)?;
            let slot = usize::try_from(i)
                .ok()
                .and_then(|i| sales.get_mut(i))
                .ok_or_else(|| Error::Unavailable(format!("bucket {i} out of range")))?;
            *slot = figures;
        }
        Ok(sales)
    }

    async fn top_products(
        &self,
        query: &SalesQuery,
        rank: ProductRank,
        limit: usize,
    ) -> Result<Vec<ProductSales>, Error> {
        let Some(window) = query.window() else {
            return Ok(Vec::new());
        };
        let mut st = Statement::new();
        let from = selected_orders(&mut st, query, window, true, true);
        let limit = st.arg(i64::try_from(limit).unwrap_or(i64::MAX));
        let order_by = match rank {
            ProductRank::Units => "units",
            ProductRank::Revenue => "revenue",
        };
        let text = format!(
            "SELECT l.product_id AS product_id, MAX(l.name) AS name, \
             CAST(SUM(l.quantity) AS BIGINT) AS units, \
             CAST(SUM(l.total_minor) AS BIGINT) AS revenue \
             {from} GROUP BY l.product_id ORDER BY {order_by} DESC, l.product_id LIMIT {limit}"
        );
        let rows = self.read_all(st.sql(text)).await?;
        done(
            rows.iter()
                .map(|row| {
                    Ok(ProductSales {
                        product: ProductId::from_uuid(DB::uuid(row, "product_id")?),
                        name: DB::text(row, "name")?,
                        units: count::<DB>(row, "units")?,
                        revenue: money::<DB>(row, "revenue", query.currency)?,
                    })
                })
                .collect(),
        )
    }

    async fn status_counts(&self, query: &SalesQuery) -> Result<Vec<StatusCount>, Error> {
        let Some(window) = query.window() else {
            return Ok(Vec::new());
        };
        let mut st = Statement::new();
        let from = selected_orders(&mut st, query, window, false, false);
        let text = format!("SELECT o.status AS status, COUNT(*) AS n {from} GROUP BY o.status");
        let rows = self.read_all(st.sql(text)).await?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in &rows {
            let status = done(DB::text(row, "status"))?;
            let status = OrderStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == status)
                .ok_or_else(|| Error::Unavailable(format!("unknown order status {status:?}")))?;
            counts.push(StatusCount {
                status,
                orders: done(count::<DB>(row, "n"))?,
            });
        }
        counts.sort_by_key(|c| OrderStatus::ALL.iter().position(|s| *s == c.status));
        Ok(counts)
    }

    async fn refunds(&self, query: &SalesQuery) -> Result<RefundSummary, Error> {
        let mut summary = RefundSummary {
            orders: 0,
            amount: Money::zero(query.currency),
            shared_orders: 0,
        };
        let Some(window) = query.window() else {
            return Ok(summary);
        };
        let mut st = Statement::new();
        let from = selected_orders(&mut st, query, window, true, false);
        // For a shop, an order another shop has lines in is shared: counted apart,
        // without its amount.
        let shared = match query.scope.shop() {
            Some(shop) => format!(
                "CASE WHEN EXISTS (SELECT 1 FROM order_shops x WHERE x.order_id = o.id \
                 AND x.shop_id <> {}) THEN 1 ELSE 0 END",
                st.arg(shop.as_uuid())
            ),
            None => "0".to_owned(),
        };
        let text = format!(
            "SELECT CAST(COALESCE(SUM(1 - r.shared), 0) AS BIGINT) AS n, \
             CAST(COALESCE(SUM(CASE WHEN r.shared = 1 THEN 0 ELSE r.refunded END), 0) AS BIGINT) \
             AS amount, CAST(COALESCE(SUM(r.shared), 0) AS BIGINT) AS shared \
             FROM (SELECT o.refunded_minor AS refunded, {shared} AS shared {from} \
             AND o.refunded_minor > 0) r"
        );
        if let Some(row) = self.read_one(st.sql(text)).await? {
            summary = done((|| {
                Ok::<_, DbError>(RefundSummary {
                    orders: count::<DB>(&row, "n")?,
                    amount: money::<DB>(&row, "amount", query.currency)?,
                    shared_orders: count::<DB>(&row, "shared")?,
                })
            })())?;
        }
        Ok(summary)
    }

    async fn cart_conversion(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<CartConversion, Error> {
        let select = Sql::new(
            "SELECT COUNT(*) AS created, \
             CAST(COALESCE(SUM(CASE WHEN checked_out THEN 1 ELSE 0 END), 0) AS BIGINT) AS converted \
             FROM carts WHERE purpose = $1 AND created_at >= $2 AND created_at < $3",
        )
        .bind(cart_purpose(CartPurpose::Shopping))
        .bind(start)
        .bind(end);
        let row = self.read_one(select).await?;
        done(
            row.map(|row| {
                Ok(CartConversion {
                    carts_created: count::<DB>(&row, "created")?,
                    carts_converted: count::<DB>(&row, "converted")?,
                })
            })
            .unwrap_or(Ok(CartConversion {
                carts_created: 0,
                carts_converted: 0,
            })),
        )
    }

    async fn low_stock(&self, shop: Option<ShopId>) -> Result<Vec<LowStockItem>, Error> {
        let (join, select) = match shop {
            Some(shop) => (
                " JOIN products pr ON pr.id = v.product_id AND pr.shop_id = $1",
                Some(shop),
            ),
            None => ("", None),
        };
        let text = format!(
            "SELECT l.sku AS sku, v.product_id AS product_id, \
             CAST(SUM(l.on_hand - l.reserved) AS BIGINT) AS available, \
             p.low_stock_threshold AS threshold \
             FROM stock_levels l JOIN stock_policies p ON p.sku = l.sku \
             JOIN product_variants v ON v.sku = l.sku{join} \
             WHERE p.low_stock_threshold IS NOT NULL \
             GROUP BY l.sku, v.product_id, p.low_stock_threshold \
             HAVING SUM(l.on_hand - l.reserved) <= p.low_stock_threshold"
        );
        let mut sql = Sql::new(text);
        if let Some(shop) = select {
            sql = sql.bind(shop.as_uuid());
        }
        let rows = self.read_all(sql).await?;
        let mut items = done(
            rows.iter()
                .map(|row| {
                    let threshold = DB::int(row, "threshold")?;
                    Ok(LowStockItem {
                        sku: sku_of(&DB::text(row, "sku")?)?,
                        product: ProductId::from_uuid(DB::uuid(row, "product_id")?),
                        available: DB::int(row, "available")?,
                        threshold: u32::try_from(threshold)
                            .map_err(|_| corrupt(format!("low-stock threshold {threshold}")))?,
                    })
                })
                .collect::<Result<Vec<_>, DbError>>(),
        )?;
        // By SKU as the core orders them (bytewise), not by the database's collation.
        items.sort_by(|a, b| a.sku.cmp(&b.sku));
        Ok(items)
    }
}
