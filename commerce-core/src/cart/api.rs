//! The cart's JSON request and response shapes, field for field as in the seed documents
//! (`cartId`, `totalItems`, `totalPrice`, `item` with `productId`, `name`, `price`,
//! `quantity`, `subtotal`). Amounts are decimal strings, never floats.
//!
//! Requests parse with `from_json`, which turns any malformed body into
//! [`Error::InvalidInput`] naming the field, and resolve against the catalog into typed
//! ids and quantities.

use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Cart, CartLine, Quantity};
use crate::catalog::Catalog;
use crate::error::{Entity, Error};
use crate::ids::{CartId, CustomerId, ProductId, VariantId};

/// The JSON field names of the requests, for naming the one at fault.
const FIELDS: [&str; 5] = ["userId", "productId", "variantId", "cartId", "quantity"];

/// Parses a body; a failure names the field at fault (the one whose value is wrong, or
/// the one missing), or `body` when the JSON itself is broken or has an unknown field
/// (the message names it).
fn parse_json<T: DeserializeOwned>(body: &str) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let broken_json = e.inner().is_syntax() || e.inner().is_eof();
        let field = FIELDS
            .into_iter()
            .find(|f| {
                !broken_json && (path == *f || message.starts_with(&format!("missing field `{f}`")))
            })
            .unwrap_or("body");
        Error::invalid(field, message)
    })?;
    deserializer
        .end()
        .map_err(|e| Error::invalid("body", e.to_string()))?;
    Ok(value)
}

/// Finds the variant a request means: `variantId` when given (it must belong to the
/// product), otherwise the product's only variant.
fn resolve_variant(
    catalog: &Catalog,
    product_id: &str,
    variant_id: Option<&str>,
) -> Result<VariantId, Error> {
    let product_id: ProductId = product_id
        .parse()
        .map_err(|_| Error::invalid("productId", "not a valid product id"))?;
    let product = catalog
        .product(product_id)
        .ok_or_else(|| Error::not_found(Entity::Product, product_id))?;
    match (variant_id, product.variants()) {
        (Some(id), variants) => {
            let id: VariantId = id
                .parse()
                .map_err(|_| Error::invalid("variantId", "not a valid variant id"))?;
            variants
                .iter()
                .find(|v| v.id == id)
                .map(|v| v.id)
                .ok_or_else(|| Error::not_found(Entity::Variant, id))
        }
        (None, [only]) => Ok(only.id),
        (None, _) => Err(Error::invalid(
            "variantId",
            "this product has several variants; say which",
        )),
    }
}

fn quantity(n: i64) -> Result<Quantity, Error> {
    Quantity::new(n)
}

/// `POST /cart/items`: `{"userId": "...", "productId": "...", "quantity": 2}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddItemRequest {
    /// The customer; absent for a guest.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The product.
    pub product_id: String,
    /// The variant, needed when the product has more than one.
    #[serde(default)]
    pub variant_id: Option<String>,
    /// Units to add.
    pub quantity: i64,
}

impl AddItemRequest {
    /// Parses a request body.
    pub fn from_json(body: &str) -> Result<Self, Error> {
        parse_json(body)
    }

    /// The customer id, when given.
    pub fn customer(&self) -> Result<Option<CustomerId>, Error> {
        self.user_id
            .as_deref()
            .map(|id| {
                id.parse()
                    .map_err(|_| Error::invalid("userId", "not a valid user id"))
            })
            .transpose()
    }

    /// The variant and quantity it asks for.
    pub fn resolve(&self, catalog: &Catalog) -> Result<(VariantId, Quantity), Error> {
        let quantity = quantity(self.quantity)?;
        let variant = resolve_variant(catalog, &self.product_id, self.variant_id.as_deref())?;
        Ok((variant, quantity))
    }
}

/// `PUT /cart/items`: `{"cartId": "...", "productId": "...", "quantity": 3}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateItemRequest {
    /// The cart.
    pub cart_id: String,
    /// The product.
    pub product_id: String,
    /// The variant, needed when the product has more than one.
    #[serde(default)]
    pub variant_id: Option<String>,
    /// The new number of units.
    pub quantity: i64,
}

impl UpdateItemRequest {
    /// Parses a request body.
    pub fn from_json(body: &str) -> Result<Self, Error> {
        parse_json(body)
    }

    /// The cart, variant and quantity it asks for.
    pub fn resolve(&self, catalog: &Catalog) -> Result<(CartId, VariantId, Quantity), Error> {
        let cart = parse_cart_id(&self.cart_id)?;
        let quantity = quantity(self.quantity)?;
        let variant = resolve_variant(catalog, &self.product_id, self.variant_id.as_deref())?;
        Ok((cart, variant, quantity))
    }
}

/// `DELETE /cart/items`: `{"cartId": "...", "productId": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveItemRequest {
    /// The cart.
    pub cart_id: String,
    /// The product.
    pub product_id: String,
    /// The variant, needed when the product has more than one.
    #[serde(default)]
    pub variant_id: Option<String>,
}

impl RemoveItemRequest {
    /// Parses a request body.
    pub fn from_json(body: &str) -> Result<Self, Error> {
        parse_json(body)
    }

    /// The cart and variant it names.
    pub fn resolve(&self, catalog: &Catalog) -> Result<(CartId, VariantId), Error> {
        let cart = parse_cart_id(&self.cart_id)?;
        let variant = resolve_variant(catalog, &self.product_id, self.variant_id.as_deref())?;
        Ok((cart, variant))
    }
}

fn parse_cart_id(id: &str) -> Result<CartId, Error> {
    id.parse()
        .map_err(|_| Error::invalid("cartId", "not a valid cart id"))
}

/// The `item` of a cart response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartItemView {
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub name: String,
    /// Unit price (snapshot), as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    /// Units.
    pub quantity: u32,
    /// `price × quantity`, as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub subtotal: Decimal,
}

impl CartItemView {
    /// The view of one line.
    pub fn of(line: &CartLine) -> Result<Self, Error> {
        Ok(CartItemView {
            product_id: line.product,
            name: line.name.clone(),
            price: line.unit_price.amount(),
            quantity: line.quantity,
            subtotal: line.subtotal()?.amount(),
        })
    }
}

/// The response to adding or updating an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartItemResponse {
    /// The cart.
    pub cart_id: CartId,
    /// Units in the cart.
    pub total_items: u64,
    /// The cart's subtotal at snapshot prices, as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub total_price: Decimal,
    /// The line that changed.
    pub item: CartItemView,
}

impl CartItemResponse {
    /// The response for `cart` after the line of `variant` changed.
    pub fn of(cart: &Cart, variant: VariantId) -> Result<Self, Error> {
        let line = cart
            .line(variant)
            .ok_or_else(|| Error::not_found(Entity::CartLine, variant))?;
        Ok(CartItemResponse {
            cart_id: cart.id(),
            total_items: cart.total_items(),
            total_price: cart.subtotal()?.amount(),
            item: CartItemView::of(line)?,
        })
    }
}

/// The response to removing an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveItemResponse {
    /// The cart.
    pub cart_id: CartId,
    /// Units left in the cart.
    pub total_items: u64,
    /// The cart's subtotal at snapshot prices, as a decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub total_price: Decimal,
    /// `"Item removed successfully."`
    pub message: String,
}

impl RemoveItemResponse {
    /// The response for `cart` after a removal.
    pub fn of(cart: &Cart) -> Result<Self, Error> {
        Ok(RemoveItemResponse {
            cart_id: cart.id(),
            total_items: cart.total_items(),
            total_price: cart.subtotal()?.amount(),
            message: "Item removed successfully.".to_owned(),
        })
    }
}
