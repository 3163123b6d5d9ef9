//! Sign-up, login, logout and the caller's profile.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use commerce::identity::{Account, Principal, Profile, Role};
use serde::{Deserialize, Serialize};

use super::IdempotencyKeyParam;
use super::extract::JsonBody;
use crate::auth::SignedIn;
use crate::errors::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignUp {
    email: String,
    password: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Login {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ProfileUpdate {
    name: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    marketing_opt_in: bool,
}

/// An account as the API shows it (never the password hash).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AccountView {
    id: String,
    email: String,
    role: Role,
    name: String,
    phone: Option<String>,
    marketing_opt_in: bool,
}

impl AccountView {
    fn of(account: &Account) -> Self {
        AccountView {
            id: account.id.to_string(),
            email: account.email.as_str().to_owned(),
            role: account.role,
            name: account.profile.name.clone(),
            phone: account.profile.phone.clone(),
            marketing_opt_in: account.profile.marketing_opt_in,
        }
    }
}

/// A session: the token to send as `Authorization: Bearer`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionView {
    token: String,
    principal: Principal,
}

/// Signs up a customer: `{"email", "password" (8-128 characters), "name"}`.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth",
    params(IdempotencyKeyParam),
    responses((status = 201, description = "The new account"),
        (status = 400, description = "A field is missing or invalid (named in `field`)"),
        (status = 409, description = "The e-mail is registered already")))]
pub(crate) async fn signup(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SignUp>,
) -> ApiResult<(StatusCode, Json<AccountView>)> {
    let account = state
        .commerce
        .register(
            &request.email,
            &request.password,
            &request.name,
            Role::Customer,
            Principal::Guest,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AccountView::of(&account))))
}

/// Signs in: `{"email", "password"}` → a session token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth",
    params(IdempotencyKeyParam),
    responses((status = 200, description = "The session token and who it acts as"),
        (status = 400, description = "Malformed body"),
        (status = 401, description = "Wrong e-mail or password")))]
pub(crate) async fn login(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<Login>,
) -> ApiResult<Json<SessionView>> {
    let (token, principal) = state
        .commerce
        .login(&request.email, &request.password)
        .await?;
    Ok(Json(SessionView {
        token: token.expose().to_owned(),
        principal,
    }))
}

/// Ends the caller's session.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    params(IdempotencyKeyParam),
    responses((status = 204, description = "Signed out"),
        (status = 401, description = "No valid session")))]
pub(crate) async fn logout(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> ApiResult<StatusCode> {
    if let Some(token) = caller.token {
        state.commerce.logout(&token).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

fn account_of(principal: Principal) -> Result<commerce::AccountId, ApiError> {
    principal
        .account()
        .ok_or_else(|| ApiError::from(commerce::Error::Unauthenticated("sign in to see a profile")))
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses((status = 200, description = "The caller's account"),
        (status = 401, description = "No valid session")))]
pub(crate) async fn me(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> ApiResult<Json<AccountView>> {
    let id = account_of(caller.principal)?;
    let account = state.commerce.profile(caller.principal, id).await?;
    Ok(Json(AccountView::of(&account)))
}

/// Updates the caller's profile: `{"name", "phone"?, "marketingOptIn"?}`.
#[utoipa::path(put, path = "/api/me", tag = "auth",
    params(IdempotencyKeyParam),
    responses((status = 200, description = "The updated account"),
        (status = 400, description = "A field is invalid"),
        (status = 401, description = "No valid session")))]
pub(crate) async fn update_me(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBody(request): JsonBody<ProfileUpdate>,
) -> ApiResult<Json<AccountView>> {
    let id = account_of(caller.principal)?;
    let account = state
        .commerce
        .update_profile(
            caller.principal,
            id,
            Profile {
                name: request.name,
                phone: request.phone,
                marketing_opt_in: request.marketing_opt_in,
            },
        )
        .await?;
    Ok(Json(AccountView::of(&account)))
}
