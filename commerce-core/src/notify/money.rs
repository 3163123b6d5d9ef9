//! Money as people read it in a message.

use crate::money::Money;

/// `amount` for a person: digits grouped by thousands, exactly the currency's minor
/// units (rounded half away from zero if it had more), then the currency code —
/// `1,234.50 USD`, `1,500 JPY`, `1.250 KWD`.
pub fn format_money(amount: &Money) -> String {
    let minor = amount.currency().minor_units();
    let mut value = amount.amount();
    value = value.round_dp_with_strategy(
        minor,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
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
