//! ISO 4217 currencies and their minor units.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

macro_rules! currencies {
    ($($code:ident => $minor:literal, $name:literal;)+) => {
        /// An ISO 4217 currency the engine knows, with its number of minor units.
        ///
        /// Parsing is the only way to make one from text: `"USD".parse::<Currency>()`.
        /// Unknown codes are a typed [`Error::UnknownCurrency`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Currency {
            $(
                #[doc = $name]
                $code,
            )+
        }

        impl Currency {
            /// Every currency the engine knows, in code order.
            pub const ALL: &'static [Currency] = &[$(Currency::$code,)+];

            /// The three-letter ISO 4217 code, upper case.
            pub const fn code(self) -> &'static str {
                match self {
                    $(Currency::$code => stringify!($code),)+
                }
            }

            /// How many decimal places the currency's minor unit has
            /// (JPY 0, USD 2, KWD 3).
            pub const fn minor_units(self) -> u32 {
                match self {
                    $(Currency::$code => $minor,)+
                }
            }

            /// The currency's English name.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Currency::$code => $name,)+
                }
            }
        }
    };
}

currencies! {
    AED => 2, "UAE dirham";
    ARS => 2, "Argentine peso";
    AUD => 2, "Australian dollar";
    BHD => 3, "Bahraini dinar";
    BRL => 2, "Brazilian real";
    CAD => 2, "Canadian dollar";
    CHF => 2, "Swiss franc";
    CLP => 0, "Chilean peso";
    CNY => 2, "Chinese yuan";
    COP => 2, "Colombian peso";
    CZK => 2, "Czech koruna";
    DKK => 2, "Danish krone";
    EUR => 2, "Euro";
    GBP => 2, "Pound sterling";
    HKD => 2, "Hong Kong dollar";
    HUF => 2, "Hungarian forint";
    IDR => 2, "Indonesian rupiah";
    ILS => 2, "Israeli new shekel";
    INR => 2, "Indian rupee";
    ISK => 0, "Icelandic krona";
    JOD => 3, "Jordanian dinar";
    JPY => 0, "Japanese yen";
    KRW => 0, "South Korean won";
    KWD => 3, "Kuwaiti dinar";
    MXN => 2, "Mexican peso";
    MYR => 2, "Malaysian ringgit";
    NOK => 2, "Norwegian krone";
    NZD => 2, "New Zealand dollar";
    OMR => 3, "Omani rial";
    PHP => 2, "Philippine peso";
    PLN => 2, "Polish zloty";
    QAR => 2, "Qatari riyal";
    RON => 2, "Romanian leu";
    RUB => 2, "Russian ruble";
    SAR => 2, "Saudi riyal";
    SEK => 2, "Swedish krona";
    SGD => 2, "Singapore dollar";
    THB => 2, "Thai baht";
    TND => 3, "Tunisian dinar";
    TRY => 2, "Turkish lira";
    TWD => 2, "New Taiwan dollar";
    UAH => 2, "Ukrainian hryvnia";
    USD => 2, "United States dollar";
    VND => 0, "Vietnamese dong";
    ZAR => 2, "South African rand";
}

impl Currency {
    /// Parses an ISO 4217 code. Lower-case codes (as Stripe writes them) are accepted;
    /// surrounding white space is not.
    pub fn parse(code: &str) -> Result<Self, Error> {
        let unknown = || Error::UnknownCurrency {
            code: code.chars().take(16).collect(),
        };
        if code.len() != 3 {
            return Err(unknown());
        }
        let upper = code.to_ascii_uppercase();
        Currency::ALL
            .iter()
            .copied()
            .find(|c| c.code() == upper)
            .ok_or_else(unknown)
    }
}

impl FromStr for Currency {
    type Err = Error;

    fn from_str(code: &str) -> Result<Self, Error> {
        Currency::parse(code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(Currency::JPY.minor_units(), 0);
        assert_eq!(Currency::USD.minor_units(), 2);
        assert_eq!(Currency::KWD.minor_units(), 3);
        assert_eq!(Currency::BHD.minor_units(), 3);
    }

    #[test]
    fn parsing_accepts_lower_case_and_rejects_unknown_codes() {
        assert_eq!(Currency::parse("eur"), Ok(Currency::EUR));
        assert!(matches!(
            Currency::parse("XXX"),
            Err(Error::UnknownCurrency { .. })
        ));
        assert!(matches!(
            Currency::parse(" USD"),
            Err(Error::UnknownCurrency { .. })
        ));
        assert!(matches!(
            Currency::parse("€"),
            Err(Error::UnknownCurrency { .. })
        ));
    }

    #[test]
    fn codes_round_trip_through_serde() {
        for &c in Currency::ALL {
            let json = serde_json::to_string(&c).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", c.code()));
            assert_eq!(serde_json::from_str::<Currency>(&json).ok(), Some(c));
        }
    }
}
