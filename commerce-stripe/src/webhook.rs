//! Stripe's signed webhooks as the core's payment notices.

use chrono::{DateTime, Utc};
use commerce_core::payment::{PaymentNotice, PaymentOutcome, PaymentRef, signed_recently};
use commerce_core::{Error, Money, OrderId};
use stripe_shared::{Charge, PaymentIntent, PaymentIntentStatus};
use stripe_webhook::{EventObject, Webhook, WebhookError};

use crate::payments::ORDER_ID;
use crate::views;

/// Verifies `signature` (the `Stripe-Signature` header) over `payload` with `secret`,
/// within 5 minutes of `now`, and maps the event.
pub(crate) fn verify(
    payload: &[u8],
    signature: &str,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<PaymentNotice>, Error> {
    let text = std::str::from_utf8(payload)
        .map_err(|_| Error::Unauthenticated("webhook payload is not UTF-8"))?;
    if !fresh(signature, now) {
        return Err(Error::Unauthenticated("webhook signature too old"));
    }
    let event = Webhook::construct_event_with_timestamp(text, signature, secret, now.timestamp())
        .map_err(|e| match e {
        WebhookError::BadKey => Error::invalid("webhook_secret", "unusable key"),
        WebhookError::BadHeader(_) => {
            Error::Unauthenticated("webhook signature missing or malformed")
        }
        WebhookError::BadSignature => {
            Error::Unauthenticated("webhook signature missing or does not match")
        }
        WebhookError::BadTimestamp(_) => Error::Unauthenticated("webhook signature too old"),
        WebhookError::BadParse(_) => Error::invalid("webhook", "unreadable Stripe event"),
    })?;
    let event_id = event.id.as_str().to_owned();
    let notice = |intent: &PaymentIntent, outcome: PaymentOutcome| PaymentNotice {
        event_id: event_id.clone(),
        payment: PaymentRef(intent.id.as_str().to_owned()),
        order: order_of(intent),
        outcome,
    };
    Ok(match &event.data.object {
        EventObject::PaymentIntentSucceeded(intent) => {
            let currency = views::currency(&intent.currency)?;
            Some(notice(
                intent,
                PaymentOutcome::Succeeded {
                    captured: Money::from_minor_units(intent.amount_received, currency),
                },
            ))
        }
        EventObject::PaymentIntentAmountCapturableUpdated(intent)
            if intent.status == PaymentIntentStatus::RequiresCapture =>
        {
            let currency = views::currency(&intent.currency)?;
            Some(notice(
                intent,
                PaymentOutcome::Authorized {
                    amount: Money::from_minor_units(intent.amount_capturable, currency),
                },
            ))
        }
        EventObject::PaymentIntentPaymentFailed(intent) => {
            let code = intent
                .last_payment_error
                .as_deref()
                .map(views::failure_code)
                .unwrap_or_else(|| "payment_failed".to_owned());
            Some(notice(intent, PaymentOutcome::Failed { code }))
        }
        EventObject::PaymentIntentCanceled(intent) => {
            Some(notice(intent, PaymentOutcome::Cancelled))
        }
        EventObject::ChargeRefunded(charge) => refunded(event_id.clone(), charge)?,
        _ => None,
    })
}

/// Whether every `t=` timestamp in the header that is a number was signed recently
/// ([`signed_recently`]: checked arithmetic, so no header value can overflow, where
/// `async-stripe` subtracts unchecked after checking the signature). Headers without a
/// readable timestamp are left to `async-stripe`, which refuses them.
fn fresh(signature: &str, now: DateTime<Utc>) -> bool {
    signature
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(key, _)| *key == "t")
        .filter_map(|(_, value)| value.parse::<i64>().ok())
        .all(|t| signed_recently(t, now))
}

/// The order a PaymentIntent's metadata names, if it names a valid one.
fn order_of(intent: &PaymentIntent) -> Option<OrderId> {
    intent.metadata.get(ORDER_ID).and_then(|id| id.parse().ok())
}

/// `charge.refunded`: the newest refund in the charge's list, if Stripe included it.
fn refunded(event_id: String, charge: &Charge) -> Result<Option<PaymentNotice>, Error> {
    let Some(intent) = &charge.payment_intent else {
        return Ok(None);
    };
    let Some(refund) = charge
        .refunds
        .as_ref()
        .and_then(|list| list.data.iter().max_by_key(|r| r.created))
    else {
        return Ok(None);
    };
    let currency = views::currency(&refund.currency)?;
    Ok(Some(PaymentNotice {
        event_id,
        payment: PaymentRef(intent.id().as_str().to_owned()),
        order: charge.metadata.get(ORDER_ID).and_then(|id| id.parse().ok()),
        outcome: PaymentOutcome::Refunded {
            reference: refund.id.as_str().to_owned(),
            amount: Money::from_minor_units(refund.amount, currency),
        },
    }))
}
