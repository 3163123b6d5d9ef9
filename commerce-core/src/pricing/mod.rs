//! Pricing: price lists, promotions, tax and shipping, and [`price_cart`], the pure
//! function that combines them into a [`PricedCart`].

mod context;
mod country;
mod engine;
mod price_list;
mod priced;
mod promotion;
mod shipping;
mod tax;

pub use context::{
    CustomerGroup, PricingContext, PricingRules, PromotionUsage, Shopper, StoreSettings,
};
pub use country::CountryCode;
pub use engine::price_cart;
pub use price_list::{
    PriceBook, PriceKind, PriceList, PriceRecord, QuantityTier, SalePrice, UnitPrice, VariantPrice,
};
pub use priced::{
    Adjustment, AdjustmentReason, AppliedTax, NotApplied, PricedCart, PricedLine, PricedShipping,
    PromotionOutcome, PromotionResult, RejectedCoupon, TaxLine, Totals,
};
pub use promotion::{
    Benefit, Condition, CouponCode, CouponRejection, Promotion, Stacking, Target, find_coupon,
};
pub use shipping::{ShippingMethod, ShippingRate, WeightTier};
pub use tax::{Region, TaxCategory, TaxMode, TaxRate, TaxTable};
