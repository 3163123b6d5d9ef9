//! Use cases: sales reports and the low-stock list, for sellers (their own shop) and
//! administrators (every shop, or one). Customers and guests see none.

use serde::{Deserialize, Serialize};

use super::Commerce;
use crate::error::{Entity, Error};
use crate::identity::Principal;
use crate::money::Currency;
use crate::report::{
    BucketSales, LowStockItem, ProductRank, ReportPeriod, ReportScope, RevenueBucket,
    RevenueSummary, SalesQuery, SalesReport, average_order_value,
};

/// The most top products a report lists.
pub const MAX_TOP_PRODUCTS: usize = 100;

/// What a sales report is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRequest {
    /// Whose figures.
    pub scope: ReportScope,
    /// The only currency counted (orders in others are excluded, never converted).
    pub currency: Currency,
    /// The local dates, time zone and bucket size.
    pub period: ReportPeriod,
    /// How many top products to list by units and by revenue (at most
    /// [`MAX_TOP_PRODUCTS`]).
    pub top: usize,
}

/// The figures a low-stock report lists, with the scope they are for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStockReport {
    /// Whose SKUs.
    pub scope: ReportScope,
    /// SKUs at or below their threshold, by SKU.
    pub items: Vec<LowStockItem>,
}

impl Commerce {
    /// A sales report (see [`crate::report`] for what counts): revenue, revenue orders
    /// and average order value per bucket and in total, top products by units and by
    /// revenue, orders by state, refunds, and — for all shops — cart conversion.
    ///
    /// All shops: administrators only. One shop: its seller or an administrator. Anyone
    /// else gets `Forbidden` (a seller asking about a shop that does not exist too, so
    /// the answer does not tell which shops exist); `InvalidInput { field: "top" }` past
    /// [`MAX_TOP_PRODUCTS`].
    pub async fn sales_report(
        &self,
        actor: Principal,
        request: ReportRequest,
    ) -> Result<SalesReport, Error> {
        self.authorize_report(actor, request.scope).await?;
        if request.top > MAX_TOP_PRODUCTS {
            return Err(Error::invalid(
                "top",
                format!("at most {MAX_TOP_PRODUCTS} top products"),
            ));
        }
        let reports = &self.stores.reports;
        let query = SalesQuery {
            scope: request.scope,
            currency: request.currency,
            buckets: request.period.buckets().to_vec(),
        };
        let sales = reports.sales_by_bucket(&query).await?;
        if sales.len() != query.buckets.len() {
            return Err(Error::Unavailable(format!(
                "the report store returned {} buckets for {}",
                sales.len(),
                query.buckets.len()
            )));
        }
        let mut total = BucketSales::zero(request.currency);
        let mut buckets = Vec::with_capacity(sales.len());
        for (bucket, sales) in query.buckets.iter().zip(sales) {
            total.orders += sales.orders;
            total.revenue = total.revenue.checked_add(sales.revenue)?;
            buckets.push(RevenueBucket {
                first_day: bucket.first_day,
                start: bucket.start,
                end: bucket.end,
                sales,
                average_order_value: average_order_value(sales)?,
            });
        }
        let conversion = match (request.scope, query.window()) {
            (ReportScope::AllShops, Some((start, end))) => {
                Some(reports.cart_conversion(start, end).await?)
            }
            _ => None,
        };
        Ok(SalesReport {
            scope: request.scope,
            currency: request.currency,
            time_zone: request.period.zone().to_owned(),
            buckets,
            total: RevenueSummary {
                sales: total,
                average_order_value: average_order_value(total)?,
            },
            top_by_units: reports
                .top_products(&query, ProductRank::Units, request.top)
                .await?,
            top_by_revenue: reports
                .top_products(&query, ProductRank::Revenue, request.top)
                .await?,
            statuses: reports.status_counts(&query).await?,
            refunds: reports.refunds(&query).await?,
            conversion,
        })
    }

    /// SKUs at or below their low-stock threshold, for the same people as
    /// [`Commerce::sales_report`].
    pub async fn low_stock_report(
        &self,
        actor: Principal,
        scope: ReportScope,
    ) -> Result<LowStockReport, Error> {
        self.authorize_report(actor, scope).await?;
        Ok(LowStockReport {
            scope,
            items: self.stores.reports.low_stock(scope.shop()).await?,
        })
    }

    /// Whether `actor` may see the figures of `scope`.
    async fn authorize_report(&self, actor: Principal, scope: ReportScope) -> Result<(), Error> {
        const ACTION: &str = "read sales reports";
        match (actor, scope) {
            (Principal::Admin(_), ReportScope::AllShops) => Ok(()),
            (Principal::Admin(_), ReportScope::Shop(id)) => {
                match self.stores.catalog.shop(id).await? {
                    Some(_) => Ok(()),
                    None => Err(Error::not_found(Entity::Shop, id)),
                }
            }
            (Principal::Seller(seller), ReportScope::Shop(id)) => {
                match self.stores.catalog.shop(id).await? {
                    Some(shop) if shop.seller == seller => Ok(()),
                    _ => Err(Error::forbidden(ACTION)),
                }
            }
            _ => Err(Error::forbidden(ACTION)),
        }
    }
}
