//! Errors as HTTP answers: the core's [`Error`] becomes a status and a JSON body
//! (`{"error": "invalid_input", "field": "quantity", "message": "..."}`) a client can act
//! on. Bad input is a 4xx naming the field; nothing a client sends yields a 500.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use commerce::{Error, ErrorKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// An error answer of the JSON API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code (`invalid_input`, `not_found`, ...).
    pub code: &'static str,
    /// The field at fault, for invalid input.
    pub field: Option<String>,
    /// What went wrong, for people.
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    message: &'a str,
}

impl ApiError {
    /// A 400 naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_input",
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// A 404 for a route or resource that does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            field: None,
            message: message.into(),
        }
    }
}

/// The status and code for each kind of core error.
pub fn status_of(error: &Error) -> (StatusCode, &'static str) {
    match error.kind() {
        ErrorKind::InvalidInput { .. } => (StatusCode::BAD_REQUEST, "invalid_input"),
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        ErrorKind::Conflict => (StatusCode::CONFLICT, "conflict"),
        ErrorKind::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        ErrorKind::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
        ErrorKind::InsufficientStock => (StatusCode::CONFLICT, "insufficient_stock"),
        ErrorKind::InvalidTransition => (StatusCode::CONFLICT, "invalid_transition"),
        ErrorKind::PaymentDeclined => (StatusCode::PAYMENT_REQUIRED, "payment_declined"),
        ErrorKind::ProviderFailure => (StatusCode::BAD_GATEWAY, "provider_failure"),
        ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        let (status, code) = status_of(&error);
        let field = match error.kind() {
            ErrorKind::InvalidInput { field } => Some(field.to_owned()),
            _ => None,
        };
        ApiError {
            status,
            code,
            field,
            message: error.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: self.code,
            field: self.field.as_deref(),
            message: &self.message,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// Parses a JSON body into `T`; a failure is a 400 naming the field at fault (its path,
/// or the missing one), or `body` when the JSON itself is broken.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("body", "a JSON body is required"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let message = e.inner().to_string();
        let path = e.path().to_string();
        let field = if e.inner().is_syntax() || e.inner().is_eof() {
            "body".to_owned()
        } else if let Some(missing) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            if path == "." {
                missing.to_owned()
            } else {
                format!("{path}.{missing}")
            }
        } else if let Some(unknown) = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
        {
            unknown.to_owned()
        } else if path == "." {
            "body".to_owned()
        } else {
            path
        };
        ApiError::invalid(field, message)
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::invalid("body", e.to_string()))?;
    Ok(value)
}

/// The JSON API's result type.
pub type ApiResult<T> = Result<T, ApiError>;
