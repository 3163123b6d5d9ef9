//! The pricing port on SQL: the rules are one document in the one row `id = 1` of
//! `pricing_rules`, with their price lists stored empty, and every price is a row of
//! `prices` with its own version. `save_rules` replaces both as a whole, in one
//! transaction; `put_price` changes one row with a compare-and-swap on its version and
//! appends its events in the same transaction. Pricing a cart reads the document and
//! only its variants' prices, in one snapshot.

use async_trait::async_trait;
use commerce_core::ports::{PriceChange, PricingStore};
use commerce_core::pricing::{PriceBook, PriceRecord, PricingRules, VariantPrice};
use commerce_core::{Error, PriceListId, VariantId};

use super::SqlStore;
use super::outbox::append_in;
use super::stock::placeholders;
use crate::backend::{Backend, Sql, corrupt};
use crate::error::{DbError, retry};

/// Rows per multi-row `INSERT` (three parameters each).
const ROWS_PER_INSERT: usize = 300;
/// Variant ids per `IN (...)` list.
const IDS_PER_SELECT: usize = 500;

/// `rules` with every price list emptied: what the document holds.
fn without_prices(rules: &PricingRules) -> Result<PricingRules, Error> {
    let mut book = PriceBook::new();
    for list in rules.price_book.lists() {
        book.add_list(list.without_prices())?;
    }
    Ok(PricingRules {
        price_book: book,
        ..rules.clone()
    })
}

#[async_trait]
impl<DB: Backend> PricingStore for SqlStore<DB> {
    async fn rules(&self) -> Result<PricingRules, Error> {
        retry(|| self.rules_once(None)).await
    }

    async fn rules_for(&self, variants: &[VariantId]) -> Result<PricingRules, Error> {
        retry(|| self.rules_once(Some(variants))).await
    }

    async fn save_rules(&self, rules: PricingRules) -> Result<(), Error> {
        retry(|| self.save_rules_once(&rules)).await
    }

    async fn price(
        &self,
        list: PriceListId,
        variant: VariantId,
    ) -> Result<Option<PriceRecord>, Error> {
        retry(|| async {
            let select =
                Sql::new("SELECT doc, version FROM prices WHERE variant_id = $1 AND list_id = $2")
                    .bind(variant.as_uuid())
                    .bind(list.as_uuid());
            let mut conn = self.pool.acquire().await.map_err(DbError::from)?;
            let Some(row) = DB::fetch_optional(&mut conn, select).await? else {
                return Ok(None);
            };
            Ok(Some(PriceRecord {
                list,
                variant,
                price: DB::doc(&row, "doc")?,
                version: version_of::<DB>(&row)?,
            }))
        })
        .await
    }

    async fn put_price(&self, change: PriceChange) -> Result<PriceRecord, Error> {
        retry(|| self.put_price_once(&change)).await
    }
}

/// A stored price's version.
fn version_of<DB: Backend>(row: &DB::Row) -> Result<u64, DbError> {
    let version = DB::int(row, "version")?;
    u64::try_from(version).map_err(|_| corrupt(format_args!("a price at version {version}")))
}

impl<DB: Backend> SqlStore<DB> {
    /// The rules with every price (`None`) or only those of `variants`, in one snapshot.
    async fn rules_once(&self, variants: Option<&[VariantId]>) -> Result<PricingRules, DbError> {
        let mut tx = DB::begin_snapshot(&self.pool).await?;
        let doc = DB::fetch_optional(
            &mut tx,
            Sql::new("SELECT doc FROM pricing_rules WHERE id = 1"),
        )
        .await?;
        let Some(doc) = doc else {
            return Ok(PricingRules::default());
        };
        let mut rules: PricingRules = DB::doc(&doc, "doc")?;
        let selects: Vec<Sql> = match variants {
            None => vec![Sql::new("SELECT variant_id, list_id, doc FROM prices")],
            Some(variants) => variants
                .chunks(IDS_PER_SELECT)
                .map(|chunk| {
                    let mut select = Sql::new(format!(
                        "SELECT variant_id, list_id, doc FROM prices WHERE variant_id IN ({})",
                        placeholders(1, chunk.len())
                    ));
                    for variant in chunk {
                        select = select.bind(variant.as_uuid());
                    }
                    select
                })
                .collect(),
        };
        for select in selects {
            for row in DB::fetch_all(&mut tx, select).await? {
                let variant = VariantId::from_uuid(DB::uuid(&row, "variant_id")?);
                let list = PriceListId::from_uuid(DB::uuid(&row, "list_id")?);
                let price: VariantPrice = DB::doc(&row, "doc")?;
                rules
                    .price_book
                    .list_mut(list)
                    .ok_or_else(|| corrupt(format_args!("a price for unknown list {list}")))?
                    .set_price(variant, price)
                    .map_err(|e| corrupt(format_args!("stored price of {variant}: {e}")))?;
            }
        }
        tx.commit().await?;
        Ok(rules)
    }

    /// One price, compare-and-swap on its version: an update of the row at
    /// `expected_version`, or an insert where there is none (`0`); anything else touched
    /// no row and is a stale version.
    async fn put_price_once(&self, change: &PriceChange) -> Result<PriceRecord, DbError> {
        let version = change
            .expected_version
            .checked_add(1)
            .and_then(|v| i64::try_from(v).ok())
            .ok_or_else(|| DbError::Fail(Error::invalid("version", "out of range")))?;
        let mut tx = DB::begin_write(&self.pool).await?;
        let write = if change.expected_version == 0 {
            Sql::new(
                "INSERT INTO prices (variant_id, list_id, doc, version) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (variant_id, list_id) DO NOTHING",
            )
        } else {
            Sql::new(
                "UPDATE prices SET doc = $3, version = $4 \
                 WHERE variant_id = $1 AND list_id = $2 AND version = $4 - 1",
            )
        }
        .bind(change.variant.as_uuid())
        .bind(change.list.as_uuid())
        .doc(&change.price)?
        .bind(version);
        if DB::execute(&mut tx, write).await? != 1 {
            return Err(DbError::Fail(Error::Conflict(format!(
                "the price of variant {} in list {} is no longer at version {}",
                change.variant, change.list, change.expected_version
            ))));
        }
        append_in::<DB>(&mut tx, &change.events).await?;
        tx.commit().await?;
        Ok(PriceRecord {
            list: change.list,
            variant: change.variant,
            price: change.price.clone(),
            version: change.expected_version + 1,
        })
    }

    /// Writes `rules` over the stored ones, document and prices, in one transaction.
    async fn save_rules_once(&self, rules: &PricingRules) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let upsert = Sql::new(
            "INSERT INTO pricing_rules (id, doc) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )
        .doc(&without_prices(rules)?)?;
        DB::execute(&mut tx, upsert).await?;
        DB::execute(&mut tx, Sql::new("DELETE FROM prices")).await?;
        let rows: Vec<(VariantId, PriceListId, &VariantPrice)> = rules
            .price_book
            .lists()
            .iter()
            .flat_map(|list| {
                list.prices()
                    .map(|(variant, price)| (variant, list.id, price))
            })
            .collect();
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect();
            let mut insert = Sql::new(format!(
                "INSERT INTO prices (variant_id, list_id, doc) VALUES {}",
                values.join(", ")
            ));
            for (variant, list, price) in chunk {
                insert = insert
                    .bind(variant.as_uuid())
                    .bind(list.as_uuid())
                    .doc(price)?;
            }
            DB::execute(&mut tx, insert).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
