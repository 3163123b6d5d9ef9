//! Deterministic generators: the same seed gives the same store, cart and promotions on
//! every machine, so benchmark runs compare like with like.

use chrono::Duration;
use commerce_core::Currency;
use commerce_core::cart::{Cart, CartLimits};
use commerce_core::catalog::Weight;
use commerce_core::pricing::{
    Benefit, Condition, CouponCode, CustomerGroup, PricingContext, Promotion, ShippingMethod,
    Target, WeightTier,
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

/// How the generated promotions relate to the cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromotionMix {
    /// A promotions table as a shop runs it: category and product offers, buy-X-get-Y,
    /// several coupon promotions of which the cart carries one, offers for customer groups
    /// the shopper is not in, spend tiers that do not combine with other offers, free
    /// shipping. Every promotion is live and evaluated; each applies only where its rules
    /// say so.
    Shop,
    /// The worst case: every promotion is combinable, every coupon is on the cart, and a
    /// third of them are order discounts that all stack on every line.
    EverythingStacks,
}

/// A 200-line-style workload: a store with a category tree (5 departments × 4 aisles),
/// `lines` products in the cart (1–4 units each), `promotions` live promotions mixed as
/// `mix` says, a sales tax and weight-based shipping with a free-shipping threshold.
pub fn priced_cart_workload(
    lines: usize,
    promotions: usize,
    mix: PromotionMix,
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

    let live = Condition::DateWindow {
        starts_at: Some(now() - Duration::days(7)),
        ends_at: Some(now() + Duration::days(7)),
    };
    let mut codes = Vec::new();
    for p in 0..promotions {
        let id = store.promotion_id();
        let leaf = leaves[p % leaves.len()];
        let mut some_products = Vec::new();
        for _ in 0..5 {
            some_products.push(items[rng.below(items.len() as u64) as usize].product);
        }
        let priority = i32::try_from(rng.below(10)).unwrap_or(0);
        let name = format!("Promotion {p}");
        let promotion = match mix {
            PromotionMix::EverythingStacks => {
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
                let mut promotion = Promotion::new(id, &name, benefit)
                    .expect("generated promotion")
                    .priority(priority)
                    .when(live.clone())
                    .when(Condition::MinSubtotal {
                        amount: store.money("10.00"),
                    });
                if p % 5 == 4 {
                    let code = CouponCode::parse(&format!("SAVE{p}")).expect("code");
                    codes.push(code.clone());
                    promotion = promotion.with_coupon(code);
                }
                promotion
            }
            PromotionMix::Shop => {
                let percent = dec(&(5 + rng.below(26)).to_string());
                let promotion = match p % 10 {
                    0..=3 => Promotion::new(
                        id,
                        &name,
                        Benefit::PercentOffItems {
                            target: Target::categories([leaf]),
                            percent,
                        },
                    ),
                    4 => Promotion::new(
                        id,
                        &name,
                        Benefit::AmountOffItems {
                            target: Target::products(some_products),
                            amount_per_unit: store.money("1.00"),
                        },
                    ),
                    5 => Promotion::new(
                        id,
                        &name,
                        Benefit::BuyXGetY {
                            target: Target::categories([leaf]),
                            buy: 2,
                            get: 1,
                            percent: dec("100"),
                        },
                    ),
                    6 => {
                        let code = CouponCode::parse(&format!("SAVE{p}")).expect("code");
                        codes.push(code.clone());
                        Promotion::new(id, &name, Benefit::PercentOffOrder { percent: dec("10") })
                            .map(|p| p.with_coupon(code))
                    }
                    7 => Promotion::new(id, &name, Benefit::PercentOffOrder { percent }).map(|p| {
                        p.when(Condition::CustomerGroups {
                            groups: [CustomerGroup::parse("vip").expect("group")].into(),
                        })
                    }),
                    8 => {
                        let threshold = store.money(&format!("{}.00", 50 * (1 + p / 10)));
                        let off = store.money(&format!("{}.00", 5 * (1 + p / 10)));
                        Promotion::new(id, &name, Benefit::AmountOffOrder { amount: off }).map(
                            |p| {
                                p.when(Condition::MinSubtotal { amount: threshold })
                                    .exclusive()
                            },
                        )
                    }
                    _ => Promotion::new(id, &name, Benefit::FreeShipping).map(|p| {
                        p.when(Condition::MinSubtotal {
                            amount: store.money("75.00"),
                        })
                    }),
                };
                // Spend tiers go last: they apply only when no other offer did.
                let priority = if p % 10 == 8 { -1 } else { priority };
                promotion
                    .expect("generated promotion")
                    .priority(priority)
                    .when(live.clone())
            }
        };
        store.promote(Ok(promotion));
    }

    let lines_with_quantities: Vec<(Item, u32)> = items
        .iter()
        .map(|&item| (item, 1 + u32::try_from(rng.below(4)).unwrap_or(0)))
        .collect();
    let mut cart = store.cart_with(&lines_with_quantities);
    let mut context = store.context();
    let entered = match mix {
        PromotionMix::Shop => &codes[..codes.len().min(1)],
        PromotionMix::EverythingStacks => &codes[..],
    };
    for code in entered {
        cart.apply_coupon(code.as_str(), &store.rules.promotions, &context)
            .expect("generated coupon applies");
    }
    context.shipping_method = Some(shipping);
    (store, cart, context)
}
