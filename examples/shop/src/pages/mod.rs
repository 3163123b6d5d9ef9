//! The server-rendered storefront: plain HTML forms and links (no JavaScript needed;
//! a few lines of it only fill the autosuggest list as one types). Templates are
//! minijinja with auto-escaping; sessions are the core's tokens in an `HttpOnly` cookie.

mod account;
mod admin;
mod cart;
mod chart;
mod reviews;
mod seller;
mod store;

use std::sync::LazyLock;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use commerce::identity::Principal;
use commerce::{Error, ErrorKind};
use minijinja::Environment;
use serde::Serialize;

use crate::auth::{SESSION_COOKIE, token_of};
use crate::errors::{ApiError, status_of};
use crate::state::AppState;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("templates/base.html")),
        ("home.html", include_str!("templates/home.html")),
        (
            "product_grid.html",
            include_str!("templates/product_grid.html"),
        ),
        ("search.html", include_str!("templates/search.html")),
        ("product.html", include_str!("templates/product.html")),
        ("cart.html", include_str!("templates/cart.html")),
        ("checkout.html", include_str!("templates/checkout.html")),
        ("orders.html", include_str!("templates/orders.html")),
        ("order.html", include_str!("templates/order.html")),
        ("login.html", include_str!("templates/login.html")),
        ("seller.html", include_str!("templates/seller.html")),
        (
            "admin_orders.html",
            include_str!("templates/admin_orders.html"),
        ),
        ("error.html", include_str!("templates/error.html")),
    ] {
        if let Err(e) = env.add_template(name, source) {
            eprintln!("template {name} does not parse: {e}");
        }
    }
    env
});

/// The pages' routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(store::home))
        .route("/search", get(store::search))
        .route("/category/{id}", get(store::category))
        .route("/product/{id}", get(store::product))
        .route("/product/{id}/review", post(reviews::write))
        .route("/cart", get(cart::view))
        .route("/cart/add", post(cart::add))
        .route("/cart/update", post(cart::update))
        .route("/cart/remove", post(cart::remove))
        .route("/cart/coupon", post(cart::coupon))
        .route("/checkout", get(cart::checkout_form).post(cart::checkout))
        .route("/login", get(account::login_form).post(account::login))
        .route("/signup", get(account::signup_form).post(account::signup))
        .route("/logout", post(account::logout))
        .route("/orders", get(account::orders))
        .route("/orders/{id}", get(account::order))
        .route("/seller", get(seller::dashboard))
        .route("/admin/orders", get(admin::orders))
        .route("/admin/orders/{id}/status", post(admin::set_status))
        .route("/admin/reviews/{id}/hide", post(reviews::hide))
}

/// Who is looking at a page: a bad or expired session cookie reads as a guest (the
/// page then asks them to log in), never as an error page.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Viewer {
    #[serde(skip)]
    principal: Principal,
    #[serde(skip)]
    token: Option<String>,
    role: &'static str,
    email: String,
    name: String,
}

impl Viewer {
    fn guest() -> Self {
        Viewer {
            principal: Principal::Guest,
            token: None,
            role: "guest",
            email: String::new(),
            name: String::new(),
        }
    }

    fn is_guest(&self) -> bool {
        self.principal == Principal::Guest
    }

    /// The template's `user`: `None` for a guest.
    fn user(&self) -> Option<&Viewer> {
        (!self.is_guest()).then_some(self)
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = token_of(parts) else {
            return Ok(Viewer::guest());
        };
        let Ok(principal) = state.commerce.authenticate(&token).await else {
            return Ok(Viewer::guest());
        };
        let role = match principal {
            Principal::Guest => "guest",
            Principal::Customer(_) => "customer",
            Principal::Seller(_) => "seller",
            Principal::Admin(_) => "admin",
        };
        let (email, name) = match principal.account() {
            Some(id) => match state.commerce.profile(principal, id).await {
                Ok(account) => (account.email.as_str().to_owned(), account.profile.name),
                Err(_) => (String::new(), String::new()),
            },
            None => (String::new(), String::new()),
        };
        Ok(Viewer {
            principal,
            token: Some(token),
            role,
            email,
            name,
        })
    }
}

/// A page that could not be shown: an HTML error page with the right status, or a
/// redirect to the login page when the viewer must sign in.
#[derive(Debug)]
pub(crate) enum PageError {
    /// Sign in first, then come back to this path.
    Login(String),
    /// Show this status and message.
    Show(StatusCode, String),
}

impl From<Error> for PageError {
    fn from(error: Error) -> Self {
        match error.kind() {
            ErrorKind::Unauthenticated => PageError::Login("/".to_owned()),
            _ => PageError::Show(status_of(&error).0, error.to_string()),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        if error.status == StatusCode::UNAUTHORIZED {
            return PageError::Login("/".to_owned());
        }
        PageError::Show(error.status, error.message)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Login(next) => {
                Redirect::to(&format!("/login?next={}", encode(&next))).into_response()
            }
            PageError::Show(status, message) => {
                let body = render_html(
                    "error.html",
                    minijinja::context! { status => status.to_string(), error => message, user => () },
                );
                (status, body).into_response()
            }
        }
    }
}

/// A page's result.
pub(crate) type PageResult = Result<Response, PageError>;

fn render_html(name: &str, context: minijinja::Value) -> Html<String> {
    match TEMPLATES.get_template(name).and_then(|t| t.render(context)) {
        Ok(html) => Html(html),
        Err(e) => Html(format!(
            "<!doctype html><p>template {name} failed: {}</p>",
            minijinja::HtmlEscape(&e.to_string())
        )),
    }
}

/// Renders a template with `context` (plus `user` from the viewer).
pub(crate) fn render(name: &str, viewer: &Viewer, context: minijinja::Value) -> PageResult {
    let context = minijinja::context! { user => ser(&viewer.user()), ..context };
    Ok(render_html(name, context).into_response())
}

/// Requires a signed-in viewer; otherwise sends them to log in and come back to `here`.
pub(crate) fn require_signed_in(viewer: &Viewer, here: &str) -> Result<(), PageError> {
    if viewer.is_guest() {
        Err(PageError::Login(here.to_owned()))
    } else {
        Ok(())
    }
}

/// A 303 to `to` (after a form post).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A 303 to `to`, setting (or with `None`, clearing) the session cookie.
pub(crate) fn with_session(to: &str, token: Option<&str>) -> Response {
    let cookie = match token {
        Some(token) => format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    };
    ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
}

/// The value of form field `name`.
pub(crate) fn field(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A required form field; its absence is a 400 naming it.
pub(crate) fn required(form: &[(String, String)], name: &str) -> Result<String, PageError> {
    field(form, name).ok_or_else(|| {
        PageError::Show(
            StatusCode::BAD_REQUEST,
            format!("invalid {name}: this field is required"),
        )
    })
}

/// Any serialisable value for a template.
pub(crate) fn ser<T: Serialize>(value: &T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

/// Percent-encodes a query-string value.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Parses an `application/x-www-form-urlencoded` body (malformed bytes are replaced,
/// never an error).
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}
