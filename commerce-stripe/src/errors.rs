//! Stripe's failures as the core's errors, without Stripe's JSON.

use commerce_core::{Entity, Error};
use stripe::StripeError;

/// Whether trying the same request again (with the same key) may succeed.
pub(crate) fn is_retryable(error: &StripeError) -> bool {
    match error {
        StripeError::Stripe(_, status) => *status == 409 || *status == 429 || *status >= 500,
        StripeError::ClientError(_) | StripeError::Timeout => true,
        StripeError::JSONDeserialize(_) | StripeError::ConfigError(_) => false,
    }
}

/// Maps a failed call (`what` names it, `payment` is the PaymentIntent if any).
pub(crate) fn map_error(what: &str, payment: Option<&str>, error: StripeError) -> Error {
    let retryable = is_retryable(&error);
    match error {
        StripeError::Stripe(api, status) => {
            let card_error = api.type_.as_str() == "card_error";
            if status == 402 || card_error {
                let code = api
                    .decline_code
                    .clone()
                    .or_else(|| api.code.as_ref().map(|c| c.as_str().to_owned()))
                    .unwrap_or_else(|| "card_declined".to_owned());
                return Error::PaymentDeclined { code };
            }
            if status == 404
                && let Some(payment) = payment
            {
                return Error::not_found(Entity::Payment, payment);
            }
            Error::Provider {
                retryable,
                message: format!("Stripe refused to {what} (HTTP {status})"),
            }
        }
        StripeError::Timeout => Error::Provider {
            retryable: true,
            message: format!("Stripe did not answer in time to {what}"),
        },
        StripeError::ClientError(_) => Error::Provider {
            retryable: true,
            message: format!("could not reach Stripe to {what}"),
        },
        StripeError::JSONDeserialize(_) => Error::Provider {
            retryable: false,
            message: format!("Stripe's answer to {what} was unreadable"),
        },
        StripeError::ConfigError(_) => {
            Error::invalid("stripe", "the client configuration is invalid")
        }
    }
}

#[cfg(test)]
mod tests {
    use commerce_core::ErrorKind;

    use super::*;

    #[test]
    fn network_errors_and_timeouts_are_retryable_and_say_nothing_of_stripe() {
        for error in [
            StripeError::Timeout,
            StripeError::ClientError("connection reset {\"secret\":1}".into()),
        ] {
            assert!(is_retryable(&error));
            match map_error("read a payment", Some("pi_1"), error) {
                Error::Provider { retryable, message } => {
                    assert!(retryable);
                    assert!(!message.contains('{'), "{message}");
                }
                other => panic!("expected a provider error, got {other:?}"),
            }
        }
    }

    #[test]
    fn unreadable_answers_and_bad_configuration_are_not_retried() {
        let error = StripeError::JSONDeserialize("{\"raw\":true}".into());
        assert!(!is_retryable(&error));
        match map_error("read a payment", None, error) {
            Error::Provider { retryable, message } => {
                assert!(!retryable);
                assert!(!message.contains('{'), "{message}");
            }
            other => panic!("expected a provider error, got {other:?}"),
        }
        let error = map_error("read a payment", None, StripeError::ConfigError("x".into()));
        assert!(matches!(error.kind(), ErrorKind::InvalidInput { .. }));
    }
}
