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
