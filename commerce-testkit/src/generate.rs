//! Deterministic generators: the same seed gives the same store, cart and promotions on
//! every machine, so benchmark runs compare like with like.

use chrono::Duration;
use commerce_core::Currency;
use commerce_core::cart::{Cart, CartLimits};
use commerce_core::catalog::Weight;
use commerce_core::pricing::{
    Benefit, Condition, CouponCode, PricingContext, Promotion, ShippingMethod, Target, WeightTier,
};

use crate::fixtures::{Item, Store, dec, now};

/// SplitMix64: a tiny, well-known, fixed pseudo-random sequence.
#[derive(Clone, Debug)]
pub struct Sequence(u64);

impl Sequence {
    /// A sequence starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Sequence(seed)
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// A store with a category tree, `lines` products in a cart (one unit to four of each),
/// `promotions` live promotions of every kind, a state tax and weight-based shipping —
/// the workload of the pricing benchmark.
pub fn priced_cart_workload(
    lines: usize,
    promotions: usize,
    seed: u64,
) -> (Store, Cart, PricingContext) {
    let mut rng = Sequence::new(seed);
    let mut store = Store::new(Currency::USD);
    store.limits = CartLimits {
        max_line_quantity: 99,
        max_lines: lines.max(1),
    };
    let mut leaves = Vec::new();
    for root in 0..5 {
        let parent = store.category(&format!("Department {root}"), None);
        for child in 0..4 {
            leaves.push(store.category(&format!("Aisle {root}-{child}"), Some(parent)));
        }
    }
    let items: Vec<Item> = (0..lines)
        .map(|i| {
            let cents = 100 + rng.below(19_900);
            let price = format!("{}.{:02}", cents / 100, cents % 100);
            let category = leaves[i % leaves.len()];
            let grams = u32::try_from(50 + rng.below(2_000)).unwrap_or(500);
            store.product_with(&format!("Product {i}"), &price, Some(category), grams)
        })
        .collect();
    store.tax("US", "Sales tax", "0.0725");
    let shipping = store.shipping_id();
    let tiers = vec![
        WeightTier {
            up_to: Weight::grams(1_000),
            price: store.money("4.99"),
        },
        WeightTier {
            up_to: Weight::grams(10_000),
            price: store.money("9.99"),
        },
        WeightTier {
            up_to: Weight::grams(u32::MAX),
            price: store.money("24.99"),
        },
    ];
    store.shipping(
        ShippingMethod::by_weight(shipping, "Ground", tiers).free_over(store.money("500.00")),
    );

    let mut codes = Vec::new();
    for p in 0..promotions {
        let id = store.promotion_id();
        let leaf = leaves[p % leaves.len()];
        let some_products = (0..5).map(|_| items[rng.below(items.len() as u64) as usize].product);
        let benefit = match p % 6 {
            0 => Benefit::PercentOffItems {
                target: Target::categories([leaf]),
                percent: dec("10"),
            },
            1 => Benefit::AmountOffItems {
                target: Target::products(some_products),
                amount_per_unit: store.money("0.50"),
            },
            2 => Benefit::BuyXGetY {
                target: Target::categories([leaf]),
                buy: 2,
                get: 1,
                percent: dec("50"),
            },
            3 => Benefit::PercentOffOrder { percent: dec("5") },
            4 => Benefit::AmountOffOrder {
                amount: store.money("3.00"),
            },
            _ => Benefit::FreeShipping,
        };
        let mut promotion = Promotion::new(id, &format!("Promotion {p}"), benefit).map(|promo| {
            promo
                .priority(i32::try_from(rng.below(10)).unwrap_or(0))
                .when(Condition::DateWindow {
                    starts_at: Some(now() - Duration::days(7)),
                    ends_at: Some(now() + Duration::days(7)),
                })
                .when(Condition::MinSubtotal {
                    amount: store.money("10.00"),
                })
        });
        if p % 5 == 4 {
            let code = CouponCode::parse(&format!("SAVE{p}")).expect("code");
            codes.push(code.clone());
            promotion = promotion.map(|promo| promo.with_coupon(code));
        }
        store.promote(promotion);
    }

    let lines_with_quantities: Vec<(Item, u32)> = items
        .iter()
        .map(|&item| (item, 1 + u32::try_from(rng.below(4)).unwrap_or(0)))
        .collect();
    let mut cart = store.cart_with(&lines_with_quantities);
    let mut context = store.context();
    for code in &codes {
        cart.apply_coupon(code.as_str(), &store.rules.promotions, &context)
            .expect("generated coupon applies");
    }
    context.shipping_method = Some(shipping);
    (store, cart, context)
}
