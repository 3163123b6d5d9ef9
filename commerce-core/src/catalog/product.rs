//! Products and their variants.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Sku, Slug};
use crate::error::Error;
use crate::ids::{CategoryId, ProductId, ShopId, VariantId};
use crate::pricing::TaxCategory;
use crate::text::{self, MAX_DESCRIPTION_CHARS, MAX_LABEL_CHARS, MAX_LINE_CHARS, MAX_URL_CHARS};

/// Where a product is in its life: only `Active` products can be bought.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// Being prepared; invisible to shoppers.
    #[default]
    Draft,
    /// For sale.
    Active,
    /// No longer sold; kept for order history.
    Archived,
}

impl fmt::Display for ProductStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Active => "active",
            ProductStatus::Archived => "archived",
        })
    }
}

/// A shipping weight in whole grams.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Weight(u32);

impl Weight {
    /// A weight of `grams`.
    pub const fn grams(grams: u32) -> Self {
        Weight(grams)
    }

    /// The weight in grams.
    pub const fn as_grams(self) -> u32 {
        self.0
    }
}

/// A picture or video of a product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// Where the file is served from.
    pub url: String,
    /// Alternative text for screen readers.
    pub alt: String,
    /// Display order, lowest first.
    pub position: u32,
}

/// One purchasable form of a product: a SKU with its options (size, colour, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// The variant's id.
    pub id: VariantId,
    /// Its stock-keeping unit.
    pub sku: Sku,
    /// Option values such as `size = "XL"`, `colour = "red"`.
    pub options: BTreeMap<String, String>,
    /// Shipping weight of one unit.
    pub weight: Weight,
}

impl Variant {
    /// A variant with no options.
    pub fn new(id: VariantId, sku: Sku, weight: Weight) -> Self {
        Variant {
            id,
            sku,
            options: BTreeMap::new(),
            weight,
        }
    }

    /// Adds an option value (builder style).
    pub fn with_option(mut self, name: &str, value: &str) -> Self {
        self.options.insert(name.to_owned(), value.to_owned());
        self
    }
}

/// What a caller supplies to create a [`Product`]; [`Product::new`] checks it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewProduct {
    /// The product's id.
    pub id: ProductId,
    /// The shop selling it.
    pub shop: ShopId,
    /// Display name, one line of 1–200 characters.
    pub name: String,
    /// URL slug; derived from the name when `None`.
    pub slug: Option<Slug>,
    /// Long description (may be empty): at most
    /// [`MAX_DESCRIPTION_CHARS`](crate::text::MAX_DESCRIPTION_CHARS) characters, lines allowed.
    pub description: String,
    /// Initial status.
    pub status: ProductStatus,
    /// The category it is filed under.
    pub category: Option<CategoryId>,
    /// The brand, if any.
    pub brand: Option<String>,
    /// Free-form attributes (material, origin, ...): one-line names and non-empty values.
    pub attributes: BTreeMap<String, String>,
    /// Which tax rates apply.
    pub tax_category: TaxCategory,
    /// Pictures, in any order (sorted by position on creation).
    pub media: Vec<Media>,
    /// At least one variant; SKUs unique within the product.
    pub variants: Vec<Variant>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<Product> for NewProduct {
    /// A product's fields, to edit and check again with [`Product::new`].
    fn from(p: Product) -> Self {
        NewProduct {
            id: p.id,
            shop: p.shop,
            name: p.name.to_string(),
            slug: Some(p.slug),
            description: p.description,
            status: p.status,
            category: p.category,
            brand: p.brand,
            attributes: p.attributes,
            tax_category: p.tax_category,
            media: p.media,
            variants: p.variants,
            created_at: p.created_at,
        }
    }
}

/// Name–value pairs (attributes, variant options), each checked as one line: names of
/// at most [`MAX_LABEL_CHARS`] characters, values of at most `max_value`. Two names that
/// are the same once trimmed are refused rather than one silently replacing the other.
fn pairs(
    field: &'static str,
    pairs: BTreeMap<String, String>,
    max_value: usize,
) -> Result<BTreeMap<String, String>, Error> {
    let mut checked = BTreeMap::new();
    for (name, value) in pairs {
        let name = text::line(field, &name, MAX_LABEL_CHARS)?;
        let value = text::line(field, &value, max_value)?;
        if checked.insert(name, value).is_some() {
            return Err(Error::invalid(field, "a name appears twice"));
        }
    }
    Ok(checked)
}

/// A product with at least one variant. Fields are read through accessors so that the
/// invariants checked by [`Product::new`] keep holding; to change more than the status,
/// turn it into a [`NewProduct`], edit, and check it again with [`Product::new`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    id: ProductId,
    shop: ShopId,
    name: Arc<str>,
    slug: Slug,
    description: String,
    status: ProductStatus,
    category: Option<CategoryId>,
    brand: Option<String>,
    attributes: BTreeMap<String, String>,
    tax_category: TaxCategory,
    media: Vec<Media>,
    variants: Vec<Variant>,
    created_at: DateTime<Utc>,
}

impl Product {
    /// Checks a [`NewProduct`]: a name, a valid slug, at least one variant, no SKU or
    /// variant id twice, and every text by the one rule of [`crate::text`] (trimmed,
    /// bounded in characters, no control characters): the name one line of at most
    /// [`MAX_LINE_CHARS`], the brand of at most [`MAX_LABEL_CHARS`], the description
    /// at most [`MAX_DESCRIPTION_CHARS`] on several lines, attribute names
    /// [`MAX_LABEL_CHARS`] and values [`MAX_LINE_CHARS`], variant option names and
    /// values [`MAX_LABEL_CHARS`], media alt texts [`MAX_LINE_CHARS`] and URLs
    /// [`MAX_URL_CHARS`]. A refusal names `name`, `brand`, `description`, `attributes`,
    /// `options` or `media`.
    pub fn new(new: NewProduct) -> Result<Self, Error> {
        let name = text::line("name", &new.name, MAX_LINE_CHARS)?;
        let slug = match new.slug {
            Some(slug) => slug,
            None => Slug::from_name(&name)?,
        };
        if new.variants.is_empty() {
            return Err(Error::invalid(
                "variants",
                "a product needs at least one variant",
            ));
        }
        let mut skus = BTreeSet::new();
        let mut ids = BTreeSet::new();
        for variant in &new.variants {
            if !skus.insert(&variant.sku) || !ids.insert(variant.id) {
                return Err(Error::invalid(
                    "variants",
                    format!("SKU {} or its id appears twice", variant.sku),
                ));
            }
        }
        let brand = text::optional_line("brand", new.brand.as_deref(), MAX_LABEL_CHARS)?;
        let description =
            text::optional_text("description", Some(&new.description), MAX_DESCRIPTION_CHARS)?
                .unwrap_or_default();
        let attributes = pairs("attributes", new.attributes, MAX_LINE_CHARS)?;
        let variants = new
            .variants
            .into_iter()
            .map(|variant| {
                Ok(Variant {
                    options: pairs("options", variant.options, MAX_LABEL_CHARS)?,
                    ..variant
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let mut media = new
            .media
            .into_iter()
            .map(|m| {
                Ok(Media {
                    url: text::line("media", &m.url, MAX_URL_CHARS)?,
                    alt: text::optional_line("media", Some(&m.alt), MAX_LINE_CHARS)?
                        .unwrap_or_default(),
                    position: m.position,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        media.sort_by_key(|m| m.position);
        Ok(Product {
            id: new.id,
            shop: new.shop,
            name: name.into(),
            slug,
            description,
            status: new.status,
            category: new.category,
            brand,
            attributes,
            tax_category: new.tax_category,
            media,
            variants,
            created_at: new.created_at,
        })
    }

    /// The product's id.
    pub fn id(&self) -> ProductId {
        self.id
    }
    /// The shop selling it.
    pub fn shop(&self) -> ShopId {
        self.shop
    }
    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Display name, shared: cloning it does not copy the text.
    pub fn shared_name(&self) -> Arc<str> {
        Arc::clone(&self.name)
    }
    /// URL slug.
    pub fn slug(&self) -> &Slug {
        &self.slug
    }
    /// Long description.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// Current status.
    pub fn status(&self) -> ProductStatus {
        self.status
    }
    /// True when the product can be bought.
    pub fn is_active(&self) -> bool {
        self.status == ProductStatus::Active
    }
    /// The category it is filed under.
    pub fn category(&self) -> Option<CategoryId> {
        self.category
    }
    /// The brand.
    pub fn brand(&self) -> Option<&str> {
        self.brand.as_deref()
    }
    /// Free-form attributes.
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }
    /// Which tax rates apply.
    pub fn tax_category(&self) -> &TaxCategory {
        &self.tax_category
    }
    /// Pictures, by position.
    pub fn media(&self) -> &[Media] {
        &self.media
    }
    /// The variants (at least one).
    pub fn variants(&self) -> &[Variant] {
        &self.variants
    }
    /// One variant by id.
    pub fn variant(&self, id: VariantId) -> Option<&Variant> {
        self.variants.iter().find(|v| v.id == id)
    }
    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// Changes the status (publishing, archiving, or back to draft).
    pub fn set_status(&mut self, status: ProductStatus) {
        self.status = status;
    }
}
