//! The caller's notification history (the in-app inbox and every other channel).

use axum::Json;
use axum::extract::State;
use commerce::Error;
use commerce::notify::Notification;

use crate::auth::SignedIn;
use crate::errors::ApiResult;
use crate::state::AppState;

/// Every notification sent (or failed) to the caller, oldest first.
#[utoipa::path(get, path = "/api/notifications", tag = "notifications",
    responses((status = 200, description = "The history"),
        (status = 401, description = "Not signed in")))]
pub(crate) async fn history(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> ApiResult<Json<Vec<Notification>>> {
    let account = caller
        .principal
        .account()
        .ok_or(Error::Unauthenticated("sign in to see notifications"))?;
    Ok(Json(
        state
            .commerce
            .notification_history(caller.principal, account)
            .await?,
    ))
}
