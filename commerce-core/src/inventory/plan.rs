//! Planning a reservation: which locations supply the units a request wants.

use std::collections::HashSet;

use super::{ReservationRequest, ReservedUnits, StockLevel, StockPolicy};
use crate::catalog::Sku;
use crate::error::Error;

/// Units of a SKU that can be promised right now across `levels`: the sum of each
/// location's positive availability.
pub fn reservable(levels: &[StockLevel]) -> i64 {
    levels
        .iter()
        .map(|level| level.available().max(0))
        .fold(0_i64, i64::saturating_add)
}

/// Units of a SKU available across `levels` (`on_hand - reserved` summed; negative only
/// for backorders).
pub fn total_available(levels: &[StockLevel]) -> i64 {
    levels
        .iter()
        .map(StockLevel::available)
        .fold(0_i64, i64::saturating_add)
}

/// Decides where `quantity` units of `policy.sku` are held, given the SKU's `levels` at
/// every location (in any order).
///
/// Units are taken from locations in ascending location id, never more than a location
/// has available. If that is not enough and the policy allows backorders, the shortfall
/// is booked at the first location, whose availability then goes negative. The result
/// lists each supplying location once, in ascending location id, and its quantities sum
/// exactly to `quantity`.
///
/// # Errors
/// [`Error::InvalidInput`] (`quantity`) for zero units;
/// [`Error::InsufficientStock`] when the units are not available and backorders are not
/// allowed, or the SKU is stocked at no location at all (a backorder needs somewhere to
/// be booked).
pub fn plan_reservation(
    levels: &[StockLevel],
    policy: &StockPolicy,
    quantity: u32,
) -> Result<Vec<ReservedUnits>, Error> {
    if quantity == 0 {
        return Err(Error::invalid("quantity", "must be at least 1"));
    }
    let mut ordered: Vec<&StockLevel> = levels.iter().filter(|l| l.sku == policy.sku).collect();
    ordered.sort_by_key(|level| level.location);

    let mut remaining = quantity;
    let mut plan: Vec<ReservedUnits> = Vec::new();
    for level in &ordered {
        if remaining == 0 {
            break;
        }
        let take = u32::try_from(level.available().clamp(0, i64::from(remaining))).unwrap_or(0);
        if take > 0 {
            plan.push(ReservedUnits {
                sku: policy.sku.clone(),
                location: level.location,
                quantity: take,
            });
            remaining -= take;
        }
    }
    if remaining == 0 {
        return Ok(plan);
    }
    let first = match ordered.first() {
        Some(first) if policy.backorder => first.location,
        _ => {
            return Err(Error::InsufficientStock {
                sku: policy.sku.clone(),
                requested: quantity,
                available: reservable(levels),
            });
        }
    };
    match plan.first_mut() {
        Some(units) if units.location == first => units.quantity += remaining,
        _ => plan.insert(
            0,
            ReservedUnits {
                sku: policy.sku.clone(),
                location: first,
                quantity: remaining,
            },
        ),
    }
    Ok(plan)
}

/// Checks a reservation request's shape: at least one line, every quantity at least 1,
/// each SKU at most once. Returns the SKUs in line order.
///
/// # Errors
/// [`Error::InvalidInput`] (`lines` or `quantity`) naming what is wrong.
pub fn check_request(request: &ReservationRequest) -> Result<Vec<Sku>, Error> {
    if request.lines.is_empty() {
        return Err(Error::invalid(
            "lines",
            "a reservation needs at least one line",
        ));
    }
    let mut seen = HashSet::new();
    let mut skus = Vec::with_capacity(request.lines.len());
    for line in &request.lines {
        if line.quantity == 0 {
            return Err(Error::invalid("quantity", "must be at least 1"));
        }
        if !seen.insert(&line.sku) {
            return Err(Error::invalid(
                "lines",
                format!("SKU {} appears more than once", line.sku.as_str()),
            ));
        }
        skus.push(line.sku.clone());
    }
    Ok(skus)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::ids::LocationId;

    fn sku() -> Sku {
        Sku::parse("MUG-1").unwrap()
    }

    fn level(location: u128, on_hand: i64, reserved: i64) -> StockLevel {
        StockLevel {
            sku: sku(),
            location: LocationId::from_u128(location),
            on_hand,
            reserved,
        }
    }

    fn policy(backorder: bool) -> StockPolicy {
        StockPolicy {
            backorder,
            ..StockPolicy::strict(sku())
        }
    }

    fn units(location: u128, quantity: u32) -> ReservedUnits {
        ReservedUnits {
            sku: sku(),
            location: LocationId::from_u128(location),
            quantity,
        }
    }

    #[test]
    fn units_come_from_locations_in_ascending_id() {
        let levels = [level(3, 10, 0), level(1, 2, 1), level(2, 4, 0)];
        let plan = plan_reservation(&levels, &policy(false), 6).unwrap();
        assert_eq!(plan, vec![units(1, 1), units(2, 4), units(3, 1)]);
    }

    #[test]
    fn strict_sku_short_of_units_is_insufficient_stock_naming_what_is_available() {
        let levels = [level(1, 2, 0), level(2, 3, 4)];
        let err = plan_reservation(&levels, &policy(false), 3).unwrap_err();
        assert_eq!(
            err,
            Error::InsufficientStock {
                sku: sku(),
                requested: 3,
                available: 2
            }
        );
    }

    #[test]
    fn backorder_shortfall_goes_to_the_first_location() {
        let levels = [level(2, 1, 0), level(1, 0, 0)];
        let plan = plan_reservation(&levels, &policy(true), 4).unwrap();
        assert_eq!(plan, vec![units(1, 3), units(2, 1)]);

        let levels = [level(1, 2, 0), level(2, 1, 0)];
        let plan = plan_reservation(&levels, &policy(true), 5).unwrap();
        assert_eq!(plan, vec![units(1, 4), units(2, 1)]);
    }

    #[test]
    fn backorder_needs_a_location() {
        let err = plan_reservation(&[], &policy(true), 1).unwrap_err();
        assert!(matches!(err, Error::InsufficientStock { available: 0, .. }));
    }

    #[test]
    fn zero_units_are_invalid() {
        let err = plan_reservation(&[level(1, 5, 0)], &policy(false), 0).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidInput {
                field: "quantity",
                ..
            }
        ));
    }

    fn levels() -> impl Strategy<Value = Vec<StockLevel>> {
        prop::collection::btree_map(0_u128..20, (-5_i64..50, 0_i64..50), 0..6).prop_map(|m| {
            m.into_iter()
                .map(|(location, (on_hand, reserved))| level(location, on_hand, reserved))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn a_plan_sums_to_the_request_and_never_oversells_without_backorder(
            levels in levels(),
            backorder in any::<bool>(),
            quantity in 1_u32..120,
        ) {
            match plan_reservation(&levels, &policy(backorder), quantity) {
                Ok(plan) => {
                    let total: u64 = plan.iter().map(|u| u64::from(u.quantity)).sum();
                    prop_assert_eq!(total, u64::from(quantity));
                    prop_assert!(plan.windows(2).all(|w| w[0].location < w[1].location));
                    prop_assert!(plan.iter().all(|u| u.quantity > 0));
                    let first = levels.iter().map(|l| l.location).min();
                    for units in &plan {
                        let level = levels.iter().find(|l| l.location == units.location);
                        prop_assert!(level.is_some());
                        let available = level.map_or(0, StockLevel::available).max(0);
                        if !backorder || Some(units.location) != first {
                            prop_assert!(i64::from(units.quantity) <= available);
                        }
                    }
                    if !backorder {
                        prop_assert!(i64::from(quantity) <= reservable(&levels));
                    }
                }
                Err(Error::InsufficientStock { requested, available, .. }) => {
                    prop_assert_eq!(requested, quantity);
                    prop_assert_eq!(available, reservable(&levels));
                    prop_assert!(levels.is_empty() || (!backorder && available < i64::from(quantity)));
                }
                Err(other) => prop_assert!(false, "unexpected error {other}"),
            }
        }

        #[test]
        fn a_plan_takes_from_lower_locations_first(
            levels in levels(),
            quantity in 1_u32..120,
        ) {
            if let Ok(plan) = plan_reservation(&levels, &policy(false), quantity) {
                // Every location before the last supplier gave all it had.
                if let Some(last) = plan.last().map(|u| u.location) {
                    for level in levels.iter().filter(|l| l.location < last) {
                        let given = plan
                            .iter()
                            .find(|u| u.location == level.location)
                            .map_or(0, |u| i64::from(u.quantity));
                        prop_assert_eq!(given, level.available().max(0));
                    }
                }
            }
        }
    }
}
