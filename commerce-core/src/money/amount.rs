//! `Money`: an exact decimal amount in one currency.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Currency, RoundingMode};
use crate::error::Error;

/// An exact amount of one currency.
///
/// Arithmetic between two amounts is checked: different currencies give
/// [`Error::CurrencyMismatch`], overflow gives [`Error::Overflow`]; nothing panics and
/// nothing converts silently. An amount may carry more decimals than the currency's minor
/// units while a computation is under way; [`Money::round`] brings it back to minor units.
///
/// Serialized as `{"amount": "12.34", "currency": "USD"}`: the amount is a decimal
/// string, never a float, and deserializing a JSON number is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount of `currency`, exactly as given (not rounded).
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero of `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Money::new(Decimal::ZERO, currency)
    }

    /// Parses a decimal string such as `"19.99"`, strictly: an optional `-`, ASCII digits,
    /// and optionally a `.` followed by at most the currency's minor units of digits.
    ///
    /// Refused with [`Error::InvalidInput`] on `amount` rather than reinterpreted:
    /// surrounding or inner spaces, a `+`, exponents, separators such as `_` or `,`,
    /// `".5"` and `"5."`, negative zero (`"-0"`, `"-0.00"`), and more decimals than the
    /// currency has, even zeros (`"10.000"` USD, `"10.0"` JPY).
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::invalid("amount", reason);
        let unsigned = amount.strip_prefix('-').unwrap_or(amount);
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (unsigned, None),
        };
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
            return Err(invalid(
                "not a plain decimal number such as 19.99 (digits, one '.', no spaces)",
            ));
        }
        let places = currency.minor_units();
        if fraction.is_some_and(|f| f.len() > places as usize) {
            return Err(invalid(&format!("{currency} has {places} decimal places")));
        }
        let value =
            Decimal::from_str_exact(amount).map_err(|_| invalid("too large or too precise"))?;
        if value.is_zero() && amount.starts_with('-') {
            return Err(invalid("negative zero is not an amount"));
        }
        Ok(Money::new(value, currency))
    }

    /// Builds an amount from a count of minor units: `from_minor_units(1999, USD)` is 19.99,
    /// `from_minor_units(1999, JPY)` is 1999, `from_minor_units(1999, KWD)` is 1.999.
    pub fn from_minor_units(minor: i64, currency: Currency) -> Self {
        Money::new(Decimal::new(minor, currency.minor_units()), currency)
    }

    /// The exact count of minor units, as a payment provider or a column wants it.
    ///
    /// Refuses ([`Error::NotInMinorUnits`]) an amount finer than the currency allows rather
    /// than rounding it, and an amount too large for `i64` with [`Error::Overflow`].
    pub fn to_minor_units(&self) -> Result<i64, Error> {
        let places = self.currency.minor_units();
        let scale = self.amount.scale();
        let mantissa = if scale <= places {
            // Already at or coarser than minor units: scale the mantissa up, exactly.
            10_i128
                .checked_pow(places - scale)
                .and_then(|shift| self.amount.mantissa().checked_mul(shift))
                .ok_or(Error::Overflow)?
        } else {
            // Finer: acceptable only if the extra digits are zeros.
            let shift = 10_i128.pow(scale - places);
            let mantissa = self.amount.mantissa();
            if mantissa % shift != 0 {
                return Err(Error::NotInMinorUnits { amount: *self });
            }
            mantissa / shift
        };
        i64::try_from(mantissa).map_err(|_| Error::Overflow)
    }

    /// The decimal amount.
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// True when the amount has no more decimals than the currency's minor units.
    pub fn is_in_minor_units(&self) -> bool {
        self.amount.normalize().scale() <= self.currency.minor_units()
    }

    /// Rounds to the currency's minor units with `mode`, and fixes the scale so that
    /// `10 USD` displays as `10.00`.
    pub fn round(self, mode: RoundingMode) -> Self {
        let places = self.currency.minor_units();
        let mut amount = self.amount.round_dp_with_strategy(places, mode.strategy());
        amount.rescale(places);
        Money::new(amount, self.currency)
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// True when the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// True when the amount is above zero.
    pub fn is_positive(&self) -> bool {
        self.amount.is_sign_positive() && !self.amount.is_zero()
    }

    /// Fails with [`Error::CurrencyMismatch`] unless `other` is in the same currency.
    pub fn ensure_same_currency(&self, other: Currency) -> Result<(), Error> {
        if self.currency == other {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch {
                expected: self.currency,
                found: other,
            })
        }
    }

    /// `self + other`, in the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money, Error> {
        self.ensure_same_currency(other.currency)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(Error::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self - other`, in the same currency.
    pub fn checked_sub(self, other: Money) -> Result<Money, Error> {
        self.ensure_same_currency(other.currency)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(Error::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × factor`, unrounded.
    pub fn checked_mul(self, factor: Decimal) -> Result<Money, Error> {
        let amount = self.amount.checked_mul(factor).ok_or(Error::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × quantity`.
    pub fn times(self, quantity: u32) -> Result<Money, Error> {
        self.checked_mul(Decimal::from(quantity))
    }

    /// The smaller of two amounts of the same currency.
    pub fn min(self, other: Money) -> Result<Money, Error> {
        self.ensure_same_currency(other.currency)?;
        Ok(if other.amount < self.amount {
            other
        } else {
            self
        })
    }

    /// The sum of `amounts`, all of which must be in `currency`.
    pub fn sum<I>(currency: Currency, amounts: I) -> Result<Money, Error>
    where
        I: IntoIterator<Item = Money>,
    {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }
}

impl fmt::Display for Money {
    /// `12.30 USD`, `1500 JPY`, `1.250 KWD`: at least the currency's minor units.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut amount = self.amount;
        if amount.scale() < self.currency.minor_units() {
            amount.rescale(self.currency.minor_units());
        }
        write!(f, "{amount} {}", self.currency)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn minor_units_convert_exactly_both_ways() {
        let yen = Money::from_minor_units(1999, Currency::JPY);
        assert_eq!(yen.amount(), dec!(1999));
        let dinar = Money::from_minor_units(1999, Currency::KWD);
        assert_eq!(dinar.amount(), dec!(1.999));
        assert_eq!(dinar.to_minor_units(), Ok(1999));
        assert_eq!(
            Money::new(dec!(19.9), Currency::USD).to_minor_units(),
            Ok(1990)
        );
    }

    #[test]
    fn amounts_finer_than_minor_units_are_refused_not_rounded() {
        let sub_cent = Money::new(dec!(0.005), Currency::USD);
        assert!(matches!(
            sub_cent.to_minor_units(),
            Err(Error::NotInMinorUnits { .. })
        ));
        let fractional_yen = Money::new(dec!(1.5), Currency::JPY);
        assert!(fractional_yen.to_minor_units().is_err());
    }

    #[test]
    fn arithmetic_across_currencies_is_a_typed_error() {
        let usd = Money::new(dec!(1), Currency::USD);
        let eur = Money::new(dec!(1), Currency::EUR);
        assert_eq!(
            usd.checked_add(eur),
            Err(Error::CurrencyMismatch {
                expected: Currency::USD,
                found: Currency::EUR
            })
        );
    }

    #[test]
    fn overflow_is_a_typed_error_not_a_panic() {
        let huge = Money::new(Decimal::MAX, Currency::USD);
        assert_eq!(huge.checked_add(huge), Err(Error::Overflow));
        assert_eq!(huge.times(2), Err(Error::Overflow));
        assert_eq!(huge.to_minor_units(), Err(Error::Overflow));
    }

    #[test]
    fn rounding_modes_differ_only_on_ties() {
        let tie = Money::new(dec!(2.345), Currency::USD);
        assert_eq!(
            tie.round(RoundingMode::HalfAwayFromZero).amount(),
            dec!(2.35)
        );
        assert_eq!(tie.round(RoundingMode::HalfEven).amount(), dec!(2.34));
        let negative_tie = Money::new(dec!(-2.345), Currency::USD);
        assert_eq!(
            negative_tie.round(RoundingMode::HalfAwayFromZero).amount(),
            dec!(-2.35)
        );
    }

    #[test]
    fn serializes_as_a_decimal_string_and_refuses_floats() {
        let price = Money::new(dec!(25.00), Currency::USD);
        let json = serde_json::to_string(&price).unwrap_or_default();
        assert_eq!(json, r#"{"amount":"25.00","currency":"USD"}"#);
        let float = serde_json::from_str::<Money>(r#"{"amount":25.0,"currency":"USD"}"#);
        assert!(float.is_err());
        let back = serde_json::from_str::<Money>(&json).ok();
        assert_eq!(back, Some(price));
    }

    #[test]
    fn display_shows_at_least_the_minor_units() {
        assert_eq!(Money::new(dec!(10), Currency::USD).to_string(), "10.00 USD");
        assert_eq!(
            Money::new(dec!(1500), Currency::JPY).to_string(),
            "1500 JPY"
        );
        assert_eq!(
            Money::new(dec!(1.25), Currency::KWD).to_string(),
            "1.250 KWD"
        );
    }
}
