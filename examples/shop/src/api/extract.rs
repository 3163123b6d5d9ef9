//! The API's own extractors, so that handlers take parsed input: [`JsonBody`] (a JSON
//! body whose failures are a 400 naming the field) and [`IdPath`] (an id from the path
//! whose malformed form is a 404, like an unknown one).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use commerce::{OrderId, ProductId, ReviewId};
use serde::de::DeserializeOwned;

use crate::errors::{ApiError, parse_json};

/// A JSON body parsed with [`parse_json`].
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError {
                status: e.status(),
                code: "invalid_input",
                field: Some("body".to_owned()),
                message: e.body_text(),
            })?;
        parse_json(&body).map(JsonBody)
    }
}

/// An id type a path may name, with the word its 404 uses.
pub(crate) trait PathId: std::str::FromStr {
    /// What the id names ("order").
    const WHAT: &'static str;
}

impl PathId for OrderId {
    const WHAT: &'static str = "order";
}

impl PathId for ProductId {
    const WHAT: &'static str = "product";
}

impl PathId for ReviewId {
    const WHAT: &'static str = "review";
}

/// The route's one `{id}`, parsed; a malformed id is a 404 (no such resource).
#[derive(Debug)]
pub(crate) struct IdPath<T>(pub(crate) T);

impl<T: PathId, S: Send + Sync> FromRequestParts<S> for IdPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found(format!("no {} id in the path", T::WHAT)))?;
        raw.parse()
            .map(IdPath)
            .map_err(|_| ApiError::not_found(format!("{} {raw:?} not found", T::WHAT)))
    }
}
