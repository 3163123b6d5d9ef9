//! Where a parsing mistake costs money the parsers are strict: amounts, country codes and
//! stock deltas that are almost right are refused, naming the field, never reinterpreted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use commerce_core::pricing::{CountryCode, Region};
use commerce_core::{Currency, ErrorKind, Money};
use proptest::prelude::*;

fn amount_refusal(text: &str, currency: Currency) -> Option<ErrorKind> {
    Money::parse(text, currency).err().map(|e| e.kind())
}

#[test]
fn amounts_with_surrounding_spaces_are_refused() {
    for text in [" 10.00", "10.00 ", "\t10.00", "10.00\n", " 1 "] {
        assert_eq!(
            amount_refusal(text, Currency::USD),
            Some(ErrorKind::InvalidInput { field: "amount" }),
            "{text:?}"
        );
    }
}

#[test]
fn negative_zero_is_refused() {
    for text in ["-0", "-0.00", "-0.0"] {
        assert_eq!(
            amount_refusal(text, Currency::USD),
            Some(ErrorKind::InvalidInput { field: "amount" }),
            "{text:?}"
        );
    }
}

#[test]
fn more_decimals_than_the_currency_has_are_refused_even_when_zero() {
    assert!(amount_refusal("10.000", Currency::USD).is_some());
    assert!(amount_refusal("10.0", Currency::JPY).is_some());
    assert!(amount_refusal("1.2500", Currency::KWD).is_some());
    assert_eq!(
        Money::parse("1.250", Currency::KWD).map(|m| m.to_string()),
        Ok("1.250 KWD".to_owned())
    );
}

#[test]
fn amounts_in_other_notations_are_refused() {
    for text in [
        "+1.00", "1_000", "1e3", ".50", "5.", "1,00", "", "-", "١٠", "0x10",
    ] {
        assert!(amount_refusal(text, Currency::USD).is_some(), "{text:?}");
    }
}

#[test]
fn plain_amounts_still_parse_exactly() {
    let usd = |s| Money::parse(s, Currency::USD).map(|m| m.amount().to_string());
    assert_eq!(usd("19.99").as_deref(), Ok("19.99"));
    assert_eq!(usd("19.9").as_deref(), Ok("19.9"));
    assert_eq!(usd("0").as_deref(), Ok("0"));
    assert_eq!(usd("-5.00").as_deref(), Ok("-5.00"));
    assert_eq!(
        Money::parse("1500", Currency::JPY).map(|m| m.to_string()),
        Ok("1500 JPY".to_owned())
    );
}

#[test]
fn unassigned_country_codes_are_refused() {
    for code in ["ZZ", "XX", "AA", "QM", "EU", "UK", "XK"] {
        let error = CountryCode::parse(code).expect_err(code);
        assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "country" });
        assert!(Region::country(code).is_err(), "{code}");
    }
}

#[test]
fn assigned_country_codes_parse_in_either_case() {
    for code in ["US", "gb", "De", "AX", "ZW", "SS", "BQ", "AQ", "JP", "KW"] {
        assert_eq!(
            CountryCode::parse(code).map(|c| c.to_string()),
            Ok(code.to_uppercase()),
            "{code}"
        );
    }
}

#[test]
fn a_stored_unassigned_country_code_does_not_decode() {
    assert!(serde_json::from_str::<CountryCode>(r#""ZZ""#).is_err());
    assert!(serde_json::from_str::<CountryCode>(r#""FR""#).is_ok());
}

proptest! {
    /// Whatever two letters are given, the code parses exactly when it is one of the
    /// assigned codes, and parsing never panics on any string.
    #[test]
    fn country_parsing_never_panics(text in any::<String>()) {
        let _ = CountryCode::parse(&text);
    }

    #[test]
    fn amount_parsing_never_panics_and_round_trips(text in any::<String>(), minor in any::<i64>()) {
        let _ = Money::parse(&text, Currency::USD);
        let money = Money::from_minor_units(minor, Currency::USD);
        let shown = money.amount().to_string();
        prop_assert_eq!(Money::parse(&shown, Currency::USD), Ok(money));
    }
}
