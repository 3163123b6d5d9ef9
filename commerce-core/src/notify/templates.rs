//! Message templates: a default for every [`NotificationKind`], which a host may
//! override one by one. Rendering is pure (minijinja, no I/O).
//!
//! Each kind has three templates, named after [`NotificationKind::as_str`]:
//! `<kind>.subject.txt` (one line), `<kind>.txt` (plain text) and `<kind>.html` (HTML,
//! auto-escaped). They render the notification's context (see
//! [`Commerce::notification_queuer`](crate::Commerce::notification_queuer) for what each
//! kind's context holds; money arrives formatted for its currency). Undefined variables
//! are errors, so a template that names data the context lacks fails to render instead
//! of sending a message with holes.

use std::fmt;
use std::sync::Arc;

use minijinja::{Environment, UndefinedBehavior};

use super::NotificationKind;
use crate::error::Error;

/// The three parts of a rendered notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// The template set: defaults for every kind, plus the host's overrides. Cheap to clone.
#[derive(Clone)]
pub struct Templates {
    env: Arc<Environment<'static>>,
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.env.templates().map(|(name, _)| name).collect();
        f.debug_struct("Templates").field("names", &names).finish()
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}

impl Templates {
    /// The built-in templates for every kind.
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in DEFAULTS {
            // The defaults are fixed text checked by the tests; one that failed to parse
            // would be left out and fail to render, never panic.
            let _ = env.add_template(name, source);
        }
        Templates { env: Arc::new(env) }
    }

    /// The same set with the template `name` (e.g. `"order_confirmation.html"`) replaced
    /// by `source`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `name` is not one of the kinds' template names or
    /// `source` is not a valid template; the set is unchanged.
    pub fn with_template(mut self, name: &str, source: &str) -> Result<Self, Error> {
        if !DEFAULTS.iter().any(|(known, _)| *known == name) {
            return Err(Error::invalid(
                "template",
                "no notification template has this name",
            ));
        }
        let env = Arc::make_mut(&mut self.env);
        env.add_template_owned(name.to_owned(), source.to_owned())
            .map_err(|e| Error::invalid("template", e.to_string()))?;
        Ok(self)
    }

    /// Renders `kind`'s subject, text and HTML with `context`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (field `template`) naming the template and what went wrong,
    /// e.g. a variable the context lacks.
    pub fn render(
        &self,
        kind: NotificationKind,
        context: &serde_json::Value,
    ) -> Result<Rendered, Error> {
        let part = |suffix: &str| -> Result<String, Error> {
            let name = format!("{}.{suffix}", kind.as_str());
            self.env
                .get_template(&name)
                .and_then(|template| template.render(minijinja::value::Serde(context)))
                .map_err(|e| Error::invalid("template", format!("{name}: {e}")))
        };
        Ok(Rendered {
            // One line, whatever the template or the data did: no header injection.
            subject: part("subject.txt")?
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            text: part("txt")?,
            html: part("html")?,
        })
    }
}

macro_rules! order_lines_text {
    () => {
        "{% for line in lines %}\
  {{ line.quantity }} x {{ line.name }} ({{ line.sku }}) at {{ line.unit_price }}: {{ line.total }}\n\
{% endfor %}\n\
Items:    {{ totals.items }}\n\
Discount: {{ totals.discount }}\n\
Shipping: {{ totals.shipping }}\n\
Shipping discount: {{ totals.shipping_discount }}\n\
Tax:      {{ totals.tax }}\n\
Total:    {{ totals.total }}\n"
    };
}

macro_rules! order_lines_html {
    () => {
        "<table>\n\
<tr><th>Item</th><th>SKU</th><th>Qty</th><th>Price</th><th>Total</th></tr>\n\
{% for line in lines %}<tr><td>{{ line.name }}</td><td>{{ line.sku }}</td><td>{{ line.quantity }}</td>\
<td>{{ line.unit_price }}</td><td>{{ line.total }}</td></tr>\n{% endfor %}\
<tr><td colspan=\"4\">Items</td><td>{{ totals.items }}</td></tr>\n\
<tr><td colspan=\"4\">Discount</td><td>{{ totals.discount }}</td></tr>\n\
<tr><td colspan=\"4\">Shipping</td><td>{{ totals.shipping }}</td></tr>\n\
<tr><td colspan=\"4\">Shipping discount</td><td>{{ totals.shipping_discount }}</td></tr>\n\
<tr><td colspan=\"4\">Tax</td><td>{{ totals.tax }}</td></tr>\n\
<tr><th colspan=\"4\">Total</th><th>{{ totals.total }}</th></tr>\n\
</table>\n"
    };
}

/// The built-in templates, by name.
const DEFAULTS: [(&str, &str); 24] = [
    ("welcome.subject.txt", "Welcome to the shop"),
    (
        "welcome.txt",
        "Hello {{ name or email }},\n\nyour account {{ email }} is ready. Happy shopping!\n",
    ),
    (
        "welcome.html",
        "<p>Hello {{ name or email }},</p>\n<p>your account <b>{{ email }}</b> is ready. Happy shopping!</p>\n",
    ),
    (
        "order_confirmation.subject.txt",
        "Order {{ number }} confirmed",
    ),
    (
        "order_confirmation.txt",
        concat!(
            "Thank you for your order {{ number }}.\n\n",
            order_lines_text!()
        ),
    ),
    (
        "order_confirmation.html",
        concat!(
            "<p>Thank you for your order <b>{{ number }}</b>.</p>\n",
            order_lines_html!()
        ),
    ),
    (
        "payment_failed.subject.txt",
        "Payment for order {{ number }} failed",
    ),
    (
        "payment_failed.txt",
        "Your payment of {{ total }} for order {{ number }} did not go through ({{ code }}).\n\
Please try again with another payment method.\n",
    ),
    (
        "payment_failed.html",
        "<p>Your payment of <b>{{ total }}</b> for order <b>{{ number }}</b> did not go through ({{ code }}).</p>\n\
<p>Please try again with another payment method.</p>\n",
    ),
    (
        "shipping_update.subject.txt",
        "Order {{ number }} has shipped",
    ),
    (
        "shipping_update.txt",
        "Order {{ number }} is on its way with {{ carrier }}.\nTracking number: {{ tracking_number }}\n\
Track it: {{ tracking_url }}\n",
    ),
    (
        "shipping_update.html",
        "<p>Order <b>{{ number }}</b> is on its way with {{ carrier }}.</p>\n\
<p>Tracking number: <a href=\"{{ tracking_url }}\">{{ tracking_number }}</a></p>\n",
    ),
    ("delivered.subject.txt", "Order {{ number }} was delivered"),
    (
        "delivered.txt",
        "Order {{ number }} was delivered. We hope you enjoy it!\n",
    ),
    (
        "delivered.html",
        "<p>Order <b>{{ number }}</b> was delivered. We hope you enjoy it!</p>\n",
    ),
    ("password_reset.subject.txt", "Reset your password"),
    (
        "password_reset.txt",
        "Someone asked to reset the password of {{ email }}.\n\
Use the link from the reset page within the hour; if it was not you, ignore this message.\n",
    ),
    (
        "password_reset.html",
        "<p>Someone asked to reset the password of <b>{{ email }}</b>.</p>\n\
<p>Use the link from the reset page within the hour; if it was not you, ignore this message.</p>\n",
    ),
    ("low_stock.subject.txt", "Low stock: {{ sku }}"),
    (
        "low_stock.txt",
        "{{ product }} ({{ sku }}) is down to {{ available }} units (threshold {{ threshold }}).\n",
    ),
    (
        "low_stock.html",
        "<p><b>{{ product }}</b> ({{ sku }}) is down to {{ available }} units (threshold {{ threshold }}).</p>\n",
    ),
    (
        "back_in_stock.subject.txt",
        "{{ product }} is back in stock",
    ),
    (
        "back_in_stock.txt",
        "Good news: {{ product }} ({{ sku }}) is back in stock.\n",
    ),
    (
        "back_in_stock.html",
        "<p>Good news: <b>{{ product }}</b> ({{ sku }}) is back in stock.</p>\n",
    ),
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn context() -> serde_json::Value {
        json!({
            "name": "Ada", "email": "ada@example.com", "number": "100042",
            "total": "1,234.50 USD", "code": "card_declined", "carrier": "UPS",
            "tracking_number": "1Z999", "tracking_url": "https://track.test/1Z999?a=1&b=2",
            "sku": "MUG-1", "product": "Mug <large>", "available": 3, "threshold": 5,
            "lines": [{ "name": "Mug", "sku": "MUG-1", "quantity": 2,
                        "unit_price": "10.00 USD", "total": "20.00 USD" }],
            "totals": { "items": "20.00 USD", "discount": "0.00 USD", "shipping": "5.00 USD",
                        "shipping_discount": "0.00 USD", "tax": "1.00 USD",
                        "total": "26.00 USD" },
        })
    }

    #[test]
    fn every_kind_renders_a_subject_text_and_html() {
        let templates = Templates::new();
        for kind in NotificationKind::ALL {
            let rendered = templates.render(kind, &context()).unwrap();
            assert!(!rendered.subject.is_empty(), "{kind:?}");
            assert!(!rendered.subject.contains('\n'), "{kind:?}");
            assert!(
                !rendered.text.is_empty() && !rendered.html.is_empty(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let rendered = Templates::new()
            .render(NotificationKind::LowStock, &context())
            .unwrap();
        assert!(
            rendered.html.contains("Mug &lt;large&gt;"),
            "{}",
            rendered.html
        );
        assert!(rendered.text.contains("Mug <large>"), "{}", rendered.text);
        let shipped = Templates::new()
            .render(NotificationKind::ShippingUpdate, &context())
            .unwrap();
        assert!(shipped.text.contains("https://track.test/1Z999?a=1&b=2"));
        assert!(shipped.html.contains("1Z999"));
    }

    #[test]
    fn a_missing_variable_fails_naming_the_template() {
        let error = Templates::new()
            .render(
                NotificationKind::OrderConfirmation,
                &json!({ "number": "1" }),
            )
            .unwrap_err();
        assert!(error.to_string().contains("order_confirmation"), "{error}");
    }

    #[test]
    fn a_host_override_replaces_only_its_template() {
        let templates = Templates::new()
            .with_template("welcome.subject.txt", "Hi {{ name }}!")
            .unwrap();
        let rendered = templates
            .render(NotificationKind::Welcome, &context())
            .unwrap();
        assert_eq!(rendered.subject, "Hi Ada!");
        assert!(rendered.text.contains("ada@example.com"));
        let default = Templates::new()
            .render(NotificationKind::Welcome, &context())
            .unwrap();
        assert_eq!(default.subject, "Welcome to the shop");
    }

    #[test]
    fn a_subject_is_always_one_line() {
        let templates = Templates::new()
            .with_template("delivered.subject.txt", "Order\r\n{{ number }}\nBcc: x@y.z")
            .unwrap();
        let rendered = templates
            .render(
                NotificationKind::Delivered,
                &json!({ "number": "7\r\nX-Evil: 1" }),
            )
            .unwrap();
        assert_eq!(rendered.subject, "Order 7 X-Evil: 1 Bcc: x@y.z");
    }
}
