//! Money as people read it in a message.

use crate::money::Money;

/// `amount` for a person: digits grouped by thousands, exactly the currency's minor
/// units (rounded half away from zero if it had more), then the currency code —
/// `1,234.50 USD`, `1,500 JPY`, `1.250 KWD`.
pub fn format_money(amount: &Money) -> String {
    let minor = amount.currency().minor_units();
    let mut value = amount.amount();
    value =
        value.round_dp_with_strategy(minor, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    value.rescale(minor);
    let text = value.abs().to_string();
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_owned(), Some(f.to_owned())),
        None => (text, None),
    };
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f} {}", amount.currency()),
        None => format!("{sign}{grouped} {}", amount.currency()),
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::money::Currency;

    #[test]
    fn money_is_shown_with_the_currencys_minor_units_and_grouped_thousands() {
        let shown = |amount, currency| format_money(&Money::new(amount, currency));
        assert_eq!(shown(dec!(1234.5), Currency::USD), "1,234.50 USD");
        assert_eq!(shown(dec!(1500), Currency::JPY), "1,500 JPY");
        assert_eq!(shown(dec!(1.25), Currency::KWD), "1.250 KWD");
        assert_eq!(shown(dec!(1234567.891), Currency::KWD), "1,234,567.891 KWD");
        assert_eq!(shown(dec!(-12), Currency::EUR), "-12.00 EUR");
        assert_eq!(shown(dec!(0.005), Currency::USD), "0.01 USD");
        assert_eq!(shown(dec!(999), Currency::USD), "999.00 USD");
    }
}
