//! Carts: lines with a price snapshot, the rules for changing them, several carts per
//! customer, guest-cart merging, abandonment and repricing.
//!
//! Every operation either succeeds or returns an error and leaves the cart exactly as it
//! was.

mod api;
mod merge;
mod quantity;
mod reprice;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use api::{
    AddItemRequest, CartItemResponse, CartItemView, RemoveItemRequest, RemoveItemResponse,
    UpdateItemRequest,
};
pub use merge::MergeReport;
pub use quantity::{CartLimits, Quantity};
pub use reprice::{LineChange, RepriceReport};

use crate::catalog::{Catalog, Product, Sku, Variant};
use crate::error::{Entity, Error};
use crate::ids::{CartId, CustomerId, ProductId, VariantId};
use crate::money::{Currency, Money};
use crate::pricing::{
    CouponCode, CouponRejection, CustomerGroup, PriceBook, PricingContext, Promotion, UnitPrice,
    find_coupon,
};

/// What a cart is for. A customer has one open `Shopping` cart and may keep others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CartPurpose {
    /// The cart being bought from.
    #[default]
    Shopping,
    /// Items put aside for later.
    SavedForLater,
    /// A wish list.
    Wishlist,
}

/// Where a cart is in its life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CartStatus {
    /// In use.
    #[default]
    Open,
    /// Idle for longer than the store allows; any change reopens it.
    Abandoned,
    /// Turned into an order; no further changes.
    CheckedOut,
}

impl Serialize for Cart {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Cart::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for Cart {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let cart = Cart::deserialize(deserializer)?;
        cart.validate().map_err(serde::de::Error::custom)?;
        Ok(cart)
    }
}

/// One line of a cart: a variant, how many, and the unit price when it was added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// The product.
    pub product: ProductId,
    /// The variant.
    pub variant: VariantId,
    /// The variant's SKU when added.
    pub sku: Sku,
    /// The product's name when added.
    pub name: String,
    /// The unit price the shopper saw when adding or last changing the line.
    pub unit_price: Money,
    /// Units.
    pub quantity: u32,
    /// When it was first added.
    pub added_at: DateTime<Utc>,
}

impl CartLine {
    /// `unit_price × quantity` at the snapshot price.
    pub fn subtotal(&self) -> Result<Money, Error> {
        self.unit_price.times(self.quantity)
    }
}

/// What cart operations read: the catalog, the prices, the store's limits, and who is
/// shopping when.
#[derive(Clone, Copy, Debug)]
pub struct CartContext<'a> {
    /// Products and variants.
    pub catalog: &'a Catalog,
    /// Prices for the snapshot.
    pub prices: &'a PriceBook,
    /// The store's cart bounds.
    pub limits: CartLimits,
    /// The shopper's group, for group prices.
    pub group: Option<&'a CustomerGroup>,
    /// The current time.
    pub now: DateTime<Utc>,
}

impl CartContext<'_> {
    /// The product, variant and current unit price of `quantity` units of `variant` in
    /// `currency`, if it can be bought.
    fn quote(
        &self,
        variant: VariantId,
        currency: Currency,
        quantity: u32,
    ) -> Result<(&Product, &Variant, UnitPrice), Error> {
        let (product, found) = self.catalog.purchasable(variant)?;
        let price = self
            .prices
            .unit_price(variant, currency, self.group, quantity, self.now)?;
        Ok((product, found, price))
    }
}

/// A cart in one currency. Deserializing checks what the operations guarantee: every
/// line has at least one unit, is priced in the cart's currency, and appears once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct Cart {
    id: CartId,
    customer: Option<CustomerId>,
    purpose: CartPurpose,
    status: CartStatus,
    currency: Currency,
    lines: Vec<CartLine>,
    coupons: Vec<CouponCode>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    version: u64,
}

impl Cart {
    /// An empty open cart; `customer` is `None` for a guest.
    pub fn new(
        id: CartId,
        customer: Option<CustomerId>,
        purpose: CartPurpose,
        currency: Currency,
        now: DateTime<Utc>,
    ) -> Self {
        Cart {
            id,
            customer,
            purpose,
            status: CartStatus::Open,
            currency,
            lines: Vec::new(),
            coupons: Vec::new(),
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// The cart's id.
    pub fn id(&self) -> CartId {
        self.id
    }
    /// Its owner; `None` for a guest cart.
    pub fn customer(&self) -> Option<CustomerId> {
        self.customer
    }
    /// What it is for.
    pub fn purpose(&self) -> CartPurpose {
        self.purpose
    }
    /// Its status.
    pub fn status(&self) -> CartStatus {
        self.status
    }
    /// Its one currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// The lines, in the order they were added.
    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }
    /// The line for a variant.
    pub fn line(&self, variant: VariantId) -> Option<&CartLine> {
        self.lines.iter().find(|l| l.variant == variant)
    }
    /// The version storage holds (0 for a cart never stored): saving checks it, so a
    /// change computed from a stale copy is refused instead of lost.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The same cart marked as stored at `version`. For storage adapters: cart
    /// operations never change the version.
    pub fn with_version(mut self, version: u64) -> Self {
        self.version = version;
        self
    }

    /// Coupon codes applied.
    pub fn coupons(&self) -> &[CouponCode] {
        &self.coupons
    }
    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// When it last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    /// Units across all lines.
    pub fn total_items(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.quantity)).sum()
    }

    /// The sum of the lines at their snapshot prices (before promotions, tax, shipping).
    pub fn subtotal(&self) -> Result<Money, Error> {
        self.lines
            .iter()
            .try_fold(Money::zero(self.currency), |acc, l| {
                acc.checked_add(l.subtotal()?)
            })
    }

    /// Adds `quantity` units of `variant`, or more units to its line, at the current price.
    ///
    /// # Errors
    /// [`Error::NotFound`] (variant), [`Error::ProductNotActive`], [`Error::NoPrice`] in
    /// the cart's currency, [`Error::InvalidInput`] when the line would exceed the
    /// store's quantity bound or the cart its line bound, [`Error::Conflict`] on a
    /// checked-out cart. On error the cart is unchanged.
    pub fn add_item(
        &mut self,
        ctx: &CartContext<'_>,
        variant: VariantId,
        quantity: Quantity,
    ) -> Result<&CartLine, Error> {
        let existing = self.line(variant).map_or(0, |l| l.quantity);
        let wanted = existing.saturating_add(quantity.get());
        if existing == 0 && self.lines.len() >= ctx.limits.max_lines {
            return Err(Error::invalid(
                "cart",
                format!("a cart holds at most {} lines", ctx.limits.max_lines),
            ));
        }
        self.set_line(ctx, variant, wanted)
    }

    /// Sets the units of a line already in the cart, refreshing its snapshot price (a
    /// quantity tier may now apply).
    ///
    /// # Errors
    /// [`Error::NotFound`] (cart line) when the variant is not in the cart, and the errors
    /// of [`Cart::add_item`]. On error the cart is unchanged.
    pub fn update_quantity(
        &mut self,
        ctx: &CartContext<'_>,
        variant: VariantId,
        quantity: Quantity,
    ) -> Result<&CartLine, Error> {
        if self.line(variant).is_none() {
            return Err(Error::not_found(Entity::CartLine, variant));
        }
        self.set_line(ctx, variant, quantity.get())
    }

    /// Removes a line.
    ///
    /// # Errors
    /// [`Error::NotFound`] (cart line) when it is not there; [`Error::Conflict`] on a
    /// checked-out cart.
    pub fn remove_item(
        &mut self,
        variant: VariantId,
        now: DateTime<Utc>,
    ) -> Result<CartLine, Error> {
        self.ensure_open()?;
        let index = self
            .lines
            .iter()
            .position(|l| l.variant == variant)
            .ok_or_else(|| Error::not_found(Entity::CartLine, variant))?;
        self.touch(now);
        Ok(self.lines.remove(index))
    }

    /// Applies a coupon code typed by the shopper (any case). The code must belong to a
    /// promotion the shopper may use now; whether the cart meets its other conditions
    /// (minimum subtotal, ...) is reported when pricing.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed code; [`Error::Coupon`] for an unknown,
    /// expired, not yet valid, exhausted or already applied one.
    pub fn apply_coupon(
        &mut self,
        code: &str,
        promotions: &[Promotion],
        context: &PricingContext,
    ) -> Result<(), Error> {
        self.ensure_open()?;
        let code = CouponCode::parse(code)?;
        if self.coupons.contains(&code) {
            return Err(Error::Coupon {
                code: code.to_string(),
                rejection: CouponRejection::AlreadyApplied,
            });
        }
        find_coupon(promotions, &code, context)?;
        self.coupons.push(code);
        self.touch(context.now);
        Ok(())
    }

    /// Takes a coupon code off the cart; removing one that is not there changes nothing.
    pub fn remove_coupon(&mut self, code: &str, now: DateTime<Utc>) -> Result<(), Error> {
        self.ensure_open()?;
        let code = CouponCode::parse(code)?;
        let before = self.coupons.len();
        self.coupons.retain(|c| c != &code);
        if self.coupons.len() != before {
            self.touch(now);
        }
        Ok(())
    }

    /// Marks an open cart abandoned when it has been idle for `idle_after` or longer at
    /// `now`. Returns true when it changed.
    pub fn mark_abandoned_if_idle(&mut self, now: DateTime<Utc>, idle_after: Duration) -> bool {
        let idle = now.signed_duration_since(self.updated_at) >= idle_after;
        if self.status == CartStatus::Open && idle && !self.lines.is_empty() {
            self.status = CartStatus::Abandoned;
            return true;
        }
        false
    }

    /// Marks the cart as turned into an order; it accepts no further changes.
    pub fn mark_checked_out(&mut self, now: DateTime<Utc>) -> Result<(), Error> {
        self.ensure_open()?;
        self.status = CartStatus::CheckedOut;
        self.updated_at = now;
        Ok(())
    }

    /// Gives a guest cart to the customer who just signed in.
    pub fn assign_to(&mut self, customer: CustomerId) {
        self.customer = Some(customer);
    }

    /// Checks the invariants the operations keep (for carts read back from storage).
    fn validate(&self) -> Result<(), Error> {
        for (i, line) in self.lines.iter().enumerate() {
            if line.quantity == 0 {
                return Err(Error::invalid("quantity", "a cart line has no units"));
            }
            Money::zero(self.currency).ensure_same_currency(line.unit_price.currency())?;
            if self.lines[..i]
                .iter()
                .any(|other| other.variant == line.variant)
            {
                return Err(Error::invalid(
                    "lines",
                    format!("variant {} appears twice", line.variant),
                ));
            }
        }
        Ok(())
    }

    fn ensure_open(&self) -> Result<(), Error> {
        if self.status == CartStatus::CheckedOut {
            return Err(Error::Conflict(format!("cart {} is checked out", self.id)));
        }
        Ok(())
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.status = CartStatus::Open;
    }

    /// Sets a line to `quantity` units (creating it if needed) after every check passed.
    fn set_line(
        &mut self,
        ctx: &CartContext<'_>,
        variant: VariantId,
        quantity: u32,
    ) -> Result<&CartLine, Error> {
        self.ensure_open()?;
        if quantity > ctx.limits.max_line_quantity {
            return Err(Error::invalid(
                "quantity",
                format!("at most {} units of one item", ctx.limits.max_line_quantity),
            ));
        }
        let (product, found, price) = ctx.quote(variant, self.currency, quantity)?;
        let line = CartLine {
            product: product.id(),
            variant,
            sku: found.sku.clone(),
            name: product.name().to_owned(),
            unit_price: price.amount,
            quantity,
            added_at: ctx.now,
        };
        self.touch(ctx.now);
        let index = match self.lines.iter().position(|l| l.variant == variant) {
            Some(index) => {
                let added_at = self.lines[index].added_at;
                self.lines[index] = CartLine { added_at, ..line };
                index
            }
            None => {
                self.lines.push(line);
                self.lines.len() - 1
            }
        };
        Ok(&self.lines[index])
    }
}

/// Whether `cart`, read at its version, may replace `stored` (what is stored under its
/// id now); the cart as it will be stored if so. Every cart store applies this one rule:
/// a checked-out cart never changes, a stale version is a `Conflict`, and an old version
/// of a deleted cart is `NotFound`.
pub fn writable(stored: Option<&Cart>, cart: &Cart) -> Result<Cart, Error> {
    match stored {
        Some(existing) if existing.status() == CartStatus::CheckedOut => Err(Error::Conflict(
            format!("cart {} is checked out", existing.id()),
        )),
        Some(existing) if existing.version() != cart.version() => Err(Error::Conflict(format!(
            "cart {} changed since it was read (version {}, read at {})",
            existing.id(),
            existing.version(),
            cart.version()
        ))),
        None if cart.version() != 0 => Err(Error::not_found(Entity::Cart, cart.id())),
        _ => Ok(cart.clone().with_version(cart.version() + 1)),
    }
}
