//! Stripe's objects as the core's payment types.

use commerce_core::payment::{PaymentRef, PaymentStatus, ProviderPayment};
use commerce_core::{Currency, Error, Money};
use stripe_shared::{ApiErrors, PaymentIntent, PaymentIntentStatus};

/// The core's currency for Stripe's (lower-case) code.
pub(crate) fn currency(code: &stripe_types::Currency) -> Result<Currency, Error> {
    Currency::parse(&code.to_string())
}

/// Stripe's currency for the core's.
pub(crate) fn stripe_currency(currency: Currency) -> Result<stripe_types::Currency, Error> {
    currency
        .code()
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| Error::invalid("currency", "not supported by Stripe"))
}

/// An amount in minor units, which must be more than zero.
pub(crate) fn minor_units(amount: Money) -> Result<i64, Error> {
    let minor = amount.to_minor_units()?;
    if minor <= 0 {
        return Err(Error::invalid("amount", "must be more than zero"));
    }
    Ok(minor)
}

/// The decline or failure code of a payment error.
pub(crate) fn failure_code(error: &ApiErrors) -> String {
    error
        .decline_code
        .clone()
        .or_else(|| error.code.as_ref().map(|c| c.as_str().to_owned()))
        .unwrap_or_else(|| "payment_failed".to_owned())
}

/// The core's view of a PaymentIntent.
pub(crate) fn payment(intent: &PaymentIntent) -> Result<ProviderPayment, Error> {
    let currency = currency(&intent.currency)?;
    let status = match &intent.status {
        PaymentIntentStatus::RequiresPaymentMethod => match &intent.last_payment_error {
            Some(error) => PaymentStatus::Failed {
                code: failure_code(error),
            },
            None => PaymentStatus::RequiresConfirmation,
        },
        PaymentIntentStatus::RequiresConfirmation => PaymentStatus::RequiresConfirmation,
        PaymentIntentStatus::RequiresAction => PaymentStatus::RequiresAction {
            url: intent
                .next_action
                .as_ref()
                .and_then(|a| a.redirect_to_url.as_ref())
                .and_then(|r| r.url.clone()),
        },
        PaymentIntentStatus::Processing => PaymentStatus::Processing,
        PaymentIntentStatus::RequiresCapture => PaymentStatus::RequiresCapture,
        PaymentIntentStatus::Succeeded => PaymentStatus::Succeeded,
        PaymentIntentStatus::Canceled => PaymentStatus::Cancelled,
        // Anything newer than this crate: not final, so the core waits for news.
        _ => PaymentStatus::Processing,
    };
    Ok(ProviderPayment {
        reference: PaymentRef(intent.id.as_str().to_owned()),
        status,
        amount: Money::from_minor_units(intent.amount, currency),
        authorized: Money::from_minor_units(intent.amount_capturable, currency),
        captured: Money::from_minor_units(intent.amount_received, currency),
        client_secret: intent.client_secret.clone(),
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn minor_units_are_exact_for_every_exponent() {
        let cases = [
            (Decimal::new(1999, 2), Currency::USD, 1999),
            (Decimal::new(1999, 0), Currency::JPY, 1999),
            (Decimal::new(1999, 3), Currency::KWD, 1999),
            (Decimal::new(5, 1), Currency::EUR, 50),
        ];
        for (amount, currency, minor) in cases {
            assert_eq!(minor_units(Money::new(amount, currency)).unwrap(), minor);
        }
        assert!(minor_units(Money::new(Decimal::new(15, 1), Currency::JPY)).is_err());
        assert!(minor_units(Money::new(Decimal::ZERO, Currency::USD)).is_err());
        assert!(minor_units(Money::new(Decimal::new(-1, 0), Currency::USD)).is_err());
    }

    #[test]
    fn currencies_round_trip_through_stripes_codes() {
        for currency in [Currency::USD, Currency::JPY, Currency::KWD, Currency::EUR] {
            let stripe = stripe_currency(currency).unwrap();
            assert_eq!(stripe.to_string(), currency.code().to_ascii_lowercase());
            assert_eq!(self::currency(&stripe).unwrap(), currency);
        }
    }
}
