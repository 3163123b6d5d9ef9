//! A store in a few lines: `Store::new(Currency::USD).product("Mug", "9.99")`.

use chrono::{DateTime, TimeZone, Utc};
use commerce_core::cart::{Cart, CartContext, CartLimits, CartPurpose, Quantity};
use commerce_core::catalog::{
    Catalog, Category, NewProduct, Product, ProductStatus, Shop, Sku, Slug, Variant, Weight,
};
use commerce_core::pricing::{
    PriceList, PricedCart, PricingContext, PricingRules, Promotion, Region, ShippingMethod,
    TaxCategory, TaxMode, TaxRate, VariantPrice,
};
use commerce_core::{
    CartId, CategoryId, Currency, CustomerId, Error, Money, PriceListId, ProductId, PromotionId,
    SellerId, ShippingMethodId, ShopId, VariantId,
};
use rust_decimal::Decimal;

/// A fixed instant all fixtures use as "now": 2026-03-01 12:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("a valid fixed date")
}

/// Parses `"3.33"` as an amount of `currency`.
pub fn money(amount: &str, currency: Currency) -> Money {
    Money::parse(amount, currency).unwrap_or_else(|e| panic!("fixture amount {amount}: {e}"))
}

/// Parses a decimal literal.
pub fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap_or_else(|e| panic!("fixture decimal {s}: {e}"))
}

/// A variant in the fixture store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// Its product.
    pub product: ProductId,
    /// The variant.
    pub variant: VariantId,
}

/// A one-shop store: catalog, pricing rules, and a retail price list in one currency.
#[derive(Clone, Debug)]
pub struct Store {
    /// The catalog.
    pub catalog: Catalog,
    /// Price book, promotions, tax, shipping and settings.
    pub rules: PricingRules,
    /// The store's currency.
    pub currency: Currency,
    /// The one shop.
    pub shop: ShopId,
    /// The retail price list every [`Store::product`] is priced in.
    pub retail: PriceListId,
    /// Where the shopper ships to (US by default).
    pub ship_to: Region,
    /// Cart limits.
    pub limits: CartLimits,
    next_id: u128,
}

impl Store {
    /// An empty tax-exclusive store shipping to the US.
    pub fn new(currency: Currency) -> Self {
        let shop = ShopId::from_u128(1);
        let mut catalog = Catalog::new();
        catalog
            .add_shop(Shop::new(shop, SellerId::from_u128(1), "Fixture Shop").expect("shop"))
            .expect("add shop");
        let retail = PriceListId::from_u128(1);
        let mut rules = PricingRules::default();
        rules
            .price_book
            .add_list(PriceList::new(retail, "Retail", currency, None))
            .expect("retail list");
        Store {
            catalog,
            rules,
            currency,
            shop,
            retail,
            ship_to: Region::country("US").expect("US"),
            limits: CartLimits::default(),
            next_id: 1000,
        }
    }

    fn next(&mut self) -> u128 {
        self.next_id += 1;
        self.next_id
    }

    /// Switches the store to tax-inclusive prices.
    pub fn tax_inclusive(mut self) -> Self {
        self.rules.settings.tax_mode = TaxMode::Inclusive;
        self
    }

    /// An amount in the store's currency.
    pub fn money(&self, amount: &str) -> Money {
        money(amount, self.currency)
    }

    /// Adds a category.
    pub fn category(&mut self, name: &str, parent: Option<CategoryId>) -> CategoryId {
        let id = CategoryId::from_u128(self.next());
        let category = Category::new(id, parent, name).expect("category");
        self.catalog
            .categories_mut()
            .insert(category)
            .expect("insert category");
        id
    }

    /// Adds an active one-variant product at `price`, weighing 500 g, uncategorised.
    pub fn product(&mut self, name: &str, price: &str) -> Item {
        self.product_with(name, price, None, 500)
    }

    /// Adds an active one-variant product in `category` weighing `grams`.
    pub fn product_with(
        &mut self,
        name: &str,
        price: &str,
        category: Option<CategoryId>,
        grams: u32,
    ) -> Item {
        let n = self.next();
        let item = Item {
            product: ProductId::from_u128(n),
            variant: VariantId::from_u128(n),
        };
        let sku = Sku::parse(&format!("SKU-{n}")).expect("sku");
        let product = Product::new(NewProduct {
            id: item.product,
            shop: self.shop,
            name: name.to_owned(),
            slug: Some(Slug::from_name(&format!("{name} {n}")).expect("slug")),
            description: String::new(),
            status: ProductStatus::Active,
            category,
            brand: None,
            attributes: Default::default(),
            tax_category: TaxCategory::standard(),
            media: Vec::new(),
            variants: vec![Variant::new(item.variant, sku, Weight::grams(grams))],
            created_at: now(),
        })
        .unwrap_or_else(|e| panic!("product {name}: {e}"));
        self.catalog
            .upsert_product(product)
            .expect("upsert product");
        self.set_price(item, VariantPrice::new(self.money(price)));
        item
    }

    /// Replaces an item's retail price entry.
    pub fn set_price(&mut self, item: Item, price: VariantPrice) {
        self.rules
            .price_book
            .list_mut(self.retail)
            .expect("retail list")
            .set_price(item.variant, price)
            .expect("set price");
    }

    /// Changes a product's status.
    pub fn set_status(&mut self, item: Item, status: ProductStatus) {
        let mut product = self.catalog.product(item.product).expect("product").clone();
        product.set_status(status);
        self.catalog.upsert_product(product).expect("upsert");
    }

    /// Adds a tax rate for the whole of `country` on the standard category.
    pub fn tax(&mut self, country: &str, name: &str, rate: &str) {
        let rate = TaxRate {
            name: name.to_owned(),
            country: commerce_core::pricing::CountryCode::parse(country).expect("country"),
            state: None,
            category: TaxCategory::standard(),
            rate: dec(rate),
        };
        self.rules.taxes.add(rate).expect("tax rate");
    }

    /// Adds a shipping method and returns its id.
    pub fn shipping(&mut self, method: ShippingMethod) -> ShippingMethodId {
        let id = method.id;
        self.rules.shipping_methods.push(method);
        id
    }

    /// A fresh shipping-method id.
    pub fn shipping_id(&mut self) -> ShippingMethodId {
        ShippingMethodId::from_u128(self.next())
    }

    /// A fresh promotion id; ids grow in creation order.
    pub fn promotion_id(&mut self) -> PromotionId {
        PromotionId::from_u128(self.next())
    }

    /// Adds a promotion.
    pub fn promote(&mut self, promotion: Result<Promotion, Error>) -> PromotionId {
        let promotion = promotion.expect("promotion");
        let id = promotion.id;
        self.rules.promotions.push(promotion);
        id
    }

    /// An empty guest shopping cart.
    pub fn cart(&mut self) -> Cart {
        Cart::new(
            CartId::from_u128(self.next()),
            None,
            CartPurpose::Shopping,
            self.currency,
            now(),
        )
    }

    /// What cart operations read, for a guest at [`now`].
    pub fn cart_context(&self) -> CartContext<'_> {
        CartContext {
            catalog: &self.catalog,
            prices: &self.rules.price_book,
            limits: self.limits,
            group: None,
            now: now(),
        }
    }

    /// A cart holding `(item, quantity)` lines.
    pub fn cart_with(&mut self, lines: &[(Item, u32)]) -> Cart {
        let mut cart = self.cart();
        for &(item, quantity) in lines {
            let quantity = Quantity::new(i64::from(quantity)).expect("quantity");
            cart.add_item(&self.cart_context(), item.variant, quantity)
                .unwrap_or_else(|e| panic!("add to cart: {e}"));
        }
        cart
    }

    /// A signed-in customer's shopping cart holding `(item, quantity)` lines, made at
    /// `at` with a fresh id (for tests that save it in a store and check it out).
    pub fn customer_cart(
        &self,
        customer: CustomerId,
        lines: &[(Item, u32)],
        at: DateTime<Utc>,
    ) -> Cart {
        let mut cart = Cart::new(
            CartId::random(),
            Some(customer),
            CartPurpose::Shopping,
            self.currency,
            at,
        );
        let context = CartContext {
            now: at,
            ..self.cart_context()
        };
        for &(item, quantity) in lines {
            let quantity = Quantity::new(i64::from(quantity)).expect("quantity");
            cart.add_item(&context, item.variant, quantity)
                .unwrap_or_else(|e| panic!("add to cart: {e}"));
        }
        cart
    }

    /// A guest pricing context at [`now`], shipping to [`Store::ship_to`].
    pub fn context(&self) -> PricingContext {
        PricingContext::guest(now(), self.ship_to.clone())
    }

    /// Prices `cart` for `context`.
    pub fn price(&self, cart: &Cart, context: &PricingContext) -> Result<PricedCart, Error> {
        commerce_core::pricing::price_cart(cart, &self.catalog, &self.rules, context)
    }
}
