//! The pricing port on SQL: the rules are one document, in the one row `id = 1` of
//! `pricing_rules`, replaced as a whole.

use async_trait::async_trait;
use commerce_core::Error;
use commerce_core::ports::PricingStore;
use commerce_core::pricing::PricingRules;

use super::SqlStore;
use crate::backend::{Backend, Sql};
use crate::error::{DbError, retry};

#[async_trait]
impl<DB: Backend> PricingStore for SqlStore<DB> {
    async fn rules(&self) -> Result<PricingRules, Error> {
        let stored = self
            .read_doc(Sql::new("SELECT doc FROM pricing_rules WHERE id = 1"))
            .await?;
        Ok(stored.unwrap_or_default())
    }

    async fn save_rules(&self, rules: PricingRules) -> Result<(), Error> {
        retry(|| self.save_rules_once(&rules)).await
    }
}

impl<DB: Backend> SqlStore<DB> {
    /// Writes `rules` over the stored ones, in one transaction.
    async fn save_rules_once(&self, rules: &PricingRules) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let upsert = Sql::new(
            "INSERT INTO pricing_rules (id, doc) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )
        .doc(rules)?;
        DB::execute(&mut tx, upsert).await?;
        tx.commit().await?;
        Ok(())
    }
}
