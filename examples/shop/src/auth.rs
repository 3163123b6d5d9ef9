//! Who is calling: a session token from `Authorization: Bearer <token>` (the API) or the
//! `session` cookie (the pages). No token is a guest; a malformed, unknown, expired or
//! revoked one is 401.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use commerce::identity::Principal;

use crate::errors::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "session";

/// The caller: a principal, and the token it came with (to sign out).
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who acts.
    pub principal: Principal,
    /// The session token, when one was sent.
    pub token: Option<String>,
}

/// The session token a request carries, if any: the bearer token first, then the cookie.
pub fn token_of(parts: &Parts) -> Option<String> {
    if let Some(value) = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.trim();
        return Some(
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .unwrap_or(value)
                .trim()
                .to_owned(),
        );
    }
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match token_of(parts) {
            None => Ok(Caller {
                principal: Principal::Guest,
                token: None,
            }),
            Some(token) => {
                let principal = state.commerce.authenticate(&token).await?;
                Ok(Caller {
                    principal,
                    token: Some(token),
                })
            }
        }
    }
}

/// Like [`Caller`] but a guest is refused with 401 (for endpoints that need a session).
#[derive(Debug, Clone)]
pub struct SignedIn(pub Caller);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.principal == Principal::Guest {
            return Err(ApiError::from(commerce::Error::Unauthenticated(
                "send Authorization: Bearer <token> (from POST /api/auth/login)",
            )));
        }
        Ok(SignedIn(caller))
    }
}
