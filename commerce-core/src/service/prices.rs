//! Use cases: a variant's price in a price list, set by the variant's seller or an admin,
//! one stored row at a time.

use crate::error::{Entity, Error};
use crate::events::{DomainEvent, EventRecord};
use crate::identity::Principal;
use crate::ids::{PriceListId, ProductId, VariantId};
use crate::ports::PriceChange;
use crate::pricing::{PriceRecord, VariantPrice};

use super::Commerce;

impl Commerce {
    /// A variant's price in a list with its version (anyone may read prices), if it has
    /// one there.
    pub async fn variant_price(
        &self,
        list: PriceListId,
        variant: VariantId,
    ) -> Result<Option<PriceRecord>, Error> {
        self.stores.pricing.price(list, variant).await
    }

    /// Sets the price (base, quantity tiers, sale with its window) of one variant of
    /// `product` in `list`: the seller who owns the product's shop or an admin may;
    /// anyone else is `Forbidden`. `expected_version` is the version the caller read
    /// ([`Commerce::variant_price`]; `0` for a variant with no price in the list yet):
    /// when someone changed the price since, the answer is `Conflict` and nothing
    /// changes. A price in another currency than the list's, negative or finer than
    /// minor units is refused naming the field. Only this price's row changes, with a
    /// `price.updated` event in the same step, so the cost does not depend on how many
    /// prices the store has.
    pub async fn set_variant_price(
        &self,
        actor: Principal,
        product: ProductId,
        variant: VariantId,
        list: PriceListId,
        price: VariantPrice,
        expected_version: u64,
    ) -> Result<PriceRecord, Error> {
        let found = self
            .stores
            .catalog
            .product(product)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Product, product))?;
        self.require_shop_access(actor, found.shop(), "set prices")
            .await?;
        if found.variant(variant).is_none() {
            return Err(Error::not_found(Entity::Variant, variant));
        }
        // The lists without any price: what the check needs, whatever the catalog's size.
        let rules = self.stores.pricing.rules_for(&[]).await?;
        rules
            .price_book
            .lists()
            .iter()
            .find(|l| l.id == list)
            .ok_or_else(|| Error::not_found(Entity::PriceList, list))?
            .check(&price)?;
        let version = expected_version
            .checked_add(1)
            .ok_or_else(|| Error::invalid("version", "out of range"))?;
        let event = DomainEvent::PriceUpdated {
            product,
            variant,
            list,
            version,
        };
        self.stores
            .pricing
            .put_price(PriceChange {
                list,
                variant,
                price,
                expected_version,
                events: vec![EventRecord::new(self.now(), event)],
            })
            .await
    }
}
