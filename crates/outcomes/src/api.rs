//! The outcomes area's JSON API under /api/v1, for a university's student
//! information system (pushing its roster, destinations and agreement steps)
//! and the province's systems (pulling placement figures). Each room keeps
//! its own handlers in its `api.rs`, every route registered together with
//! its OpenAPI entry; pushes go through the same checks and writes as the
//! pages, and a refused push answers 422 with the refused cells as JSON.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use kernel::sheet::{Errors, Explain};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{Db, Locale};

use crate::roster::{pages::uploader, InstitutionCohort};
use crate::OutcomesState;

/// The outcomes API routes, each registered together with its OpenAPI entry.
pub fn routes() -> OpenApiRouter<OutcomesState> {
    OpenApiRouter::with_openapi(OutcomesApi::openapi())
        .merge(crate::roster::api::routes())
        .merge(crate::destinations::api::routes())
        .merge(crate::agreements::api::routes())
        .merge(crate::statistics::api::routes())
}

/// What the outcomes API document holds besides its paths.
#[derive(OpenApi)]
#[openapi(
    components(schemas(Refused, CellError, ApiError)),
    tags(
        (name = "roster", description = "生源: a university's roster pushed by its own systems"),
        (name = "destinations", description = "毕业去向: destinations pushed one at a time or in an all-or-nothing batch"),
        (name = "agreements", description = "网上签约: agreement states and the steps a party takes"),
        (name = "statistics", description = "统计: placement figures for any grouping and day"),
    )
)]
struct OutcomesApi;

/// The body of every error answer but a refused push's (401, 403, 404, 409, 400).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"error": "无权访问", "message": "您的账号没有查看此内容的权限。", "status": 403}))]
pub struct ApiError {
    /// The error's title, in the caller's language (`Accept-Language`, Chinese by default).
    pub error: String,
    pub message: String,
    pub status: u16,
}

/// A refused push (422): every refused cell; nothing was written.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"errors": [{"row": 2, "column": "id_number", "value": "43010219990101001X", "problem": "invalid_number", "message": "身份证号校验位不正确"}], "total": 1}))]
pub struct Refused {
    pub errors: Vec<CellError>,
    /// How many cells were refused.
    pub total: usize,
}

/// One refused cell.
#[derive(Serialize, ToSchema)]
pub struct CellError {
    /// The row's place in the pushed array, from 1.
    pub row: usize,
    /// The field, as the request names it.
    pub column: String,
    pub value: String,
    /// The reason's stable name (`required`, `unknown_code`, `duplicate`, `id_number_taken`, …).
    pub problem: String,
    /// The reason in the caller's language.
    pub message: String,
}

impl Refused {
    /// The refused cells of a pushed table, each column named by `field` (header → field name).
    pub fn of<P: Explain>(
        errors: Errors<P>,
        key: impl Fn(&P) -> &'static str,
        field: impl Fn(&str) -> Option<&'static str>,
        l: Locale,
    ) -> Refused {
        let total = errors.total;
        let errors: Vec<CellError> = errors
            .listed
            .into_iter()
            .map(|e| CellError {
                row: e.row,
                column: field(&e.column).map(str::to_owned).unwrap_or_else(|| e.column.clone()),
                value: e.value.clone(),
                problem: key(&e.problem).to_owned(),
                message: e.reason(l),
            })
            .collect();
        Refused { errors, total }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, Json(self)).into_response()
    }
}

/// The institution and cohort a push fills: staff of a whole institution
/// push for their own, the province for any; other callers get 403, an
/// unknown institution or cohort 404.
pub async fn target(
    state: &AppState,
    ctx: &Ctx,
    institution: &str,
    cohort: i64,
) -> Result<InstitutionCohort, AppError> {
    let scope = uploader(ctx)?;
    let institution_id = institution_id(&state.db, institution).await?.ok_or(AppError::NotFound)?;
    if scope.institution().is_some_and(|own| own != institution_id) {
        return Err(AppError::Forbidden);
    }
    if registry::cohorts::get(&state.db, cohort).await?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(InstitutionCohort { institution_id, cohort })
}

async fn institution_id(db: &Db, code: &str) -> Result<Option<i64>, AppError> {
    let row = db.fetch_optional("SELECT id FROM institutions WHERE code = $1", &[code.trim().into()]).await?;
    Ok(row.map(|r| r.i64("id")).transpose()?)
}
