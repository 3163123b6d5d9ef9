//! In-memory report figures: the same sums as the database adapters, by iteration.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{MemoryCarts, MemoryCatalog, MemoryInventory, MemoryOrders};
use crate::cart::{CartPurpose, CartStatus};
use crate::error::Error;
use crate::ids::{ProductId, ShopId};
use crate::money::{Currency, Money};
use crate::order::{Order, OrderLine, OrderStatus};
use crate::ports::{CatalogStore, ReportStore};
use crate::report::{
    BucketSales, CartConversion, LowStockItem, ProductRank, ProductSales, RefundSummary,
    SalesQuery, StatusCount, counts_as_revenue,
};

/// Report figures over the in-memory orders, carts, stock and catalog.
#[derive(Debug)]
pub struct MemoryReports {
    orders: Arc<MemoryOrders>,
    carts: Arc<MemoryCarts>,
    inventory: Arc<MemoryInventory>,
    catalog: Arc<MemoryCatalog>,
}

impl MemoryReports {
    /// Figures over these stores.
    pub fn new(
        orders: Arc<MemoryOrders>,
        carts: Arc<MemoryCarts>,
        inventory: Arc<MemoryInventory>,
        catalog: Arc<MemoryCatalog>,
    ) -> Self {
        MemoryReports {
            orders,
            carts,
            inventory,
            catalog,
        }
    }

    /// The orders a query counts (placed in its window, in its currency, with a line of
    /// its shop), each with the lines of the scope.
    fn selected(&self, query: &SalesQuery) -> Result<Vec<(Order, Vec<OrderLine>)>, Error> {
        let Some((start, end)) = query.window() else {
            return Ok(Vec::new());
        };
        let shop = query.scope.shop();
        self.orders.with_orders(|orders| {
            orders
                .values()
                .filter(|o| {
                    o.currency == query.currency && o.created_at >= start && o.created_at < end
                })
                .filter_map(|o| {
                    let lines: Vec<OrderLine> = o
                        .lines
                        .iter()
                        .filter(|l| shop.is_none_or(|s| l.shop == s))
                        .cloned()
                        .collect();
                    (!lines.is_empty()).then(|| (o.clone(), lines))
                })
                .collect()
        })
    }
}

fn sum(currency: Currency, lines: &[OrderLine]) -> Result<Money, Error> {
    Money::sum(currency, lines.iter().map(|l| l.total))
}

#[async_trait]
impl ReportStore for MemoryReports {
    async fn sales_by_bucket(&self, query: &SalesQuery) -> Result<Vec<BucketSales>, Error> {
        let mut sales = vec![BucketSales::zero(query.currency); query.buckets.len()];
        for (order, lines) in self.selected(query)? {
            if !counts_as_revenue(order.status) {
                continue;
            }
            let Some(i) = query
                .buckets
                .iter()
                .position(|b| order.created_at >= b.start && order.created_at < b.end)
            else {
                continue;
            };
            sales[i].orders += 1;
            sales[i].revenue = sales[i].revenue.checked_add(sum(query.currency, &lines)?)?;
        }
        Ok(sales)
    }

    async fn top_products(
        &self,
        query: &SalesQuery,
        rank: ProductRank,
        limit: usize,
    ) -> Result<Vec<ProductSales>, Error> {
        let mut products: BTreeMap<ProductId, ProductSales> = BTreeMap::new();
        for (order, lines) in self.selected(query)? {
            if !counts_as_revenue(order.status) {
                continue;
            }
            for line in lines {
                let entry = products
                    .entry(line.product)
                    .or_insert_with(|| ProductSales {
                        product: line.product,
                        name: line.name.clone(),
                        units: 0,
                        revenue: Money::zero(query.currency),
                    });
                if line.name.as_bytes() > entry.name.as_bytes() {
                    entry.name = line.name.clone();
                }
                entry.units += u64::from(line.quantity);
                entry.revenue = entry.revenue.checked_add(line.total)?;
            }
        }
        let mut ranked: Vec<ProductSales> = products.into_values().collect();
        match rank {
            ProductRank::Units => {
                ranked.sort_by(|a, b| b.units.cmp(&a.units).then(a.product.cmp(&b.product)))
            }
            ProductRank::Revenue => ranked.sort_by(|a, b| {
                b.revenue
                    .amount()
                    .cmp(&a.revenue.amount())
                    .then(a.product.cmp(&b.product))
            }),
        }
        ranked.truncate(limit);
        Ok(ranked)
    }

    async fn status_counts(&self, query: &SalesQuery) -> Result<Vec<StatusCount>, Error> {
        let mut counts: HashMap<OrderStatus, u64> = HashMap::new();
        for (order, _) in self.selected(query)? {
            *counts.entry(order.status).or_default() += 1;
        }
        Ok(OrderStatus::ALL
            .into_iter()
            .filter_map(|status| {
                counts
                    .get(&status)
                    .map(|&orders| StatusCount { status, orders })
            })
            .collect())
    }

    async fn refunds(&self, query: &SalesQuery) -> Result<RefundSummary, Error> {
        let mut summary = RefundSummary {
            orders: 0,
            amount: Money::zero(query.currency),
            shared_orders: 0,
        };
        for (order, lines) in self.selected(query)? {
            if !counts_as_revenue(order.status) || !order.payment.refunded.is_positive() {
                continue;
            }
            if lines.len() < order.lines.len() {
                summary.shared_orders += 1;
            } else {
                summary.orders += 1;
                summary.amount = summary.amount.checked_add(order.payment.refunded)?;
            }
        }
        Ok(summary)
    }

    async fn cart_conversion(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<CartConversion, Error> {
        let carts = self.carts.locked()?;
        let mut conversion = CartConversion {
            carts_created: 0,
            carts_converted: 0,
        };
        for cart in carts.values().filter(|c| {
            c.purpose() == CartPurpose::Shopping && c.created_at() >= start && c.created_at() < end
        }) {
            conversion.carts_created += 1;
            if cart.status() == CartStatus::CheckedOut {
                conversion.carts_converted += 1;
            }
        }
        Ok(conversion)
    }

    async fn low_stock(&self, shop: Option<ShopId>) -> Result<Vec<LowStockItem>, Error> {
        let catalog = self.catalog.catalog().await?;
        let products: HashMap<_, _> = catalog
            .products()
            .filter(|p| shop.is_none_or(|s| p.shop() == s))
            .flat_map(|p| p.variants().iter().map(move |v| (v.sku.clone(), p.id())))
            .collect();
        let mut low: Vec<LowStockItem> = self
            .inventory
            .low_stock_levels()?
            .into_iter()
            .filter_map(|(sku, available, threshold)| {
                let product = *products.get(&sku)?;
                Some(LowStockItem {
                    sku,
                    product,
                    available,
                    threshold,
                })
            })
            .collect();
        low.sort_by(|a, b| a.sku.cmp(&b.sku));
        Ok(low)
    }
}
