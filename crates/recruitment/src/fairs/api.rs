//! `POST /api/v1/fairs/{id}/checkins`: the door (签到) for a host's own
//! scanners and turnstiles. The same store function and transaction as the
//! door page, the same scope: only the fair's hosts, any other fair is 404.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use kernel::web::{AppError, AppState, Ctx};

use super::attendance::Admitted;
use super::host_pages::{admitted_message, door, hosted};

pub fn routes() -> OpenApiRouter<crate::RecruitmentState> {
    OpenApiRouter::with_openapi(FairsApi::openapi()).routes(routes!(check_in))
}

/// What the fairs' API document holds besides its paths.
#[derive(utoipa::OpenApi)]
#[openapi(components(schemas(Code, CheckIn)))]
struct FairsApi;

/// What the scanner read or the keyboard gave.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"code": "2018010001"}))]
pub struct Code {
    /// A graduate's or booth's pass (入场码), or a graduate's student or ID number.
    pub code: String,
}

/// The door's answer.
#[derive(Serialize, ToSchema)]
pub struct CheckIn {
    /// Let in: a graduate of the fair's audience, or an approved booth's employer.
    pub admitted: bool,
    /// The first check-in; false for a repeated scan, which changes nothing.
    pub first: bool,
    /// "name · university", or "employer · booth number"; empty when refused.
    pub who: String,
    /// The first check-in, China time to the minute ("2022-03-12 09:41"); empty when refused.
    pub at: String,
    /// What the door page would say, in the request's language.
    pub message: String,
}

impl CheckIn {
    fn of(admitted: &Admitted, message: String) -> CheckIn {
        let (who, first, at) = match admitted {
            Admitted::Graduate { name, institution, first, at } => (format!("{name} · {institution}"), *first, at),
            Admitted::Booth { employer, booth_no, first, at } => (format!("{employer} · {booth_no}"), *first, at),
        };
        CheckIn { admitted: true, first, who, at: at.clone(), message }
    }
}

/// Checks in whoever the code names at the door of a fair the caller hosts.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/checkins", tag = "recruitment", request_body = Code,
    params(("id" = i64, Path, description = "the fair's id")),
    responses(
        (status = 200, description = "admitted, the first time or again", body = CheckIn),
        (status = 401, description = "no valid token"),
        (status = 403, description = "neither the province nor a university's employment office"),
        (status = 404, description = "no fair this caller hosts with this id"),
        (status = 422, description = "the code is refused (unreadable, forged, expired, another fair's, \
            unknown, not in the audience, or the door is closed); nothing written", body = CheckIn),
    ),
    security(("bearer" = [])))]
async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(code): Json<Code>,
) -> Result<Response, AppError> {
    let fair = hosted(&state, &ctx, id).await?;
    Ok(match door(&state, &ctx, &fair, &code.code).await? {
        Ok(a) => Json(CheckIn::of(&a, admitted_message(&a, ctx.locale))).into_response(),
        Err(refusal) => {
            let message = refusal.message(ctx.locale);
            let refused = CheckIn { admitted: false, first: false, who: String::new(), at: String::new(), message };
            (StatusCode::UNPROCESSABLE_ENTITY, Json(refused)).into_response()
        }
    })
}
