//! `POST /api/v1/destinations` (one graduate, as the destination form) and
//! `POST /api/v1/destinations/batch` (as the batch page: all or none).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use kernel::sheet::{self, Input, Table, TableRow};
use kernel::web::{AppError, AppState, Ctx};

use super::batch::{self, BatchOutcome};
use super::DestinationForm;
use crate::api::{target, ApiError, CellError, Refused};

pub fn routes() -> OpenApiRouter<crate::OutcomesState> {
    OpenApiRouter::new().routes(routes!(push_destination)).routes(routes!(push_batch))
}

/// A graduate's destination, as the form and the batch file give it: codes
/// from the cohort's code tables; which fields a category needs is the form's rule.
#[derive(Deserialize, ToSchema, Default, Clone)]
#[serde(default)]
#[schema(example = json!({"student_no": "2018010001", "category_code": "10", "employer_name": "示例科技有限公司",
    "credit_code": "91350100M000100Y43", "position_code": "10", "nature_code": "10", "industry_code": "I",
    "region_code": "430100", "signed_on": "2022-06-30"}))]
pub struct DestinationIn {
    /// 学号 of a graduate of the institution's cohort (required)
    pub student_no: String,
    /// 毕业去向类别代码 (required)
    pub category_code: String,
    /// 单位名称; filled in from the registry when a registered credit code is given
    pub employer_name: String,
    /// 统一社会信用代码
    pub credit_code: String,
    /// 工作职位类别代码
    pub position_code: String,
    /// 单位性质代码
    pub nature_code: String,
    /// 单位行业代码
    pub industry_code: String,
    /// 单位所在地代码 (GB/T 2260)
    pub region_code: String,
    /// 签约日期, YYYY-MM-DD
    pub signed_on: String,
    /// 备注
    pub note: String,
}

impl DestinationIn {
    fn cell(&self, field: &str) -> &str {
        match field {
            "student_no" => &self.student_no,
            "category_code" => &self.category_code,
            "employer_name" => &self.employer_name,
            "credit_code" => &self.credit_code,
            "position_code" => &self.position_code,
            "nature_code" => &self.nature_code,
            "industry_code" => &self.industry_code,
            "region_code" => &self.region_code,
            "signed_on" => &self.signed_on,
            _ => &self.note,
        }
    }

    fn form(self) -> DestinationForm {
        DestinationForm {
            category_code: self.category_code,
            employer_name: self.employer_name,
            credit_code: self.credit_code,
            position_code: self.position_code,
            nature_code: self.nature_code,
            industry_code: self.industry_code,
            region_code: self.region_code,
            signed_on: self.signed_on,
            note: self.note,
            correction: String::new(),
        }
    }
}

/// One graduate's destination.
#[derive(Deserialize, ToSchema)]
pub struct DestinationPush {
    /// The institution's 5-digit 院校代码.
    pub institution: String,
    /// The cohort (届别).
    pub cohort: i64,
    #[serde(flatten)]
    pub destination: DestinationIn,
}

/// Destinations of one institution's cohort, recorded all together or not at all.
#[derive(Deserialize, ToSchema)]
pub struct DestinationBatch {
    pub institution: String,
    pub cohort: i64,
    pub rows: Vec<DestinationIn>,
}

/// A destination recorded.
#[derive(Serialize, ToSchema)]
pub struct Recorded {
    /// The destination event written.
    pub event_id: i64,
}

/// A batch recorded.
#[derive(Serialize, ToSchema)]
pub struct BatchRecorded {
    pub rows: usize,
}

/// Records one graduate's destination with the destination form's checks.
#[utoipa::path(post, path = "/api/v1/destinations", tag = "destinations", request_body = DestinationPush,
    responses(
        (status = 201, description = "recorded", body = Recorded),
        (status = 401, description = "no valid token", body = ApiError),
        (status = 403, description = "not the province or staff of this whole institution", body = ApiError),
        (status = 404, description = "no such institution, cohort or student number", body = ApiError),
        (status = 422, description = "refused fields (row 1); nothing written", body = Refused),
    ),
    security(("bearer" = [])))]
async fn push_destination(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(push): Json<DestinationPush>,
) -> Result<Response, AppError> {
    let into = target(&state, &ctx, &push.institution, push.cohort).await?;
    let student_no = push.destination.student_no.trim().to_owned();
    let graduate_id = super::graduate_by_student_no(&state.db, into.institution_id, into.cohort, &student_no)
        .await?
        .ok_or(AppError::NotFound)?;
    let pushed = push.destination.clone();
    let mut tx = state.db.begin().await?;
    match super::record(&mut tx, &ctx.audit_actor(), graduate_id, push.destination.form(), ctx.locale).await? {
        Ok(event_id) => {
            tx.commit().await?;
            state.cache.clear();
            Ok((StatusCode::CREATED, Json(Recorded { event_id })).into_response())
        }
        Err((_, errors)) => {
            let errors: Vec<CellError> = errors
                .iter()
                .map(|(field, message)| CellError {
                    row: 1,
                    column: field.to_owned(),
                    value: pushed.cell(field).to_owned(),
                    problem: sheet::Problem::Field(String::new()).key().to_owned(),
                    message: message.to_owned(),
                })
                .collect();
            Ok(Refused { total: errors.len(), errors }.into_response())
        }
    }
}

/// Records a batch of destinations with the batch page's checks: every row
/// is checked first, then all are recorded in one transaction, or none.
#[utoipa::path(post, path = "/api/v1/destinations/batch", tag = "destinations", request_body = DestinationBatch,
    responses(
        (status = 201, description = "all recorded", body = BatchRecorded),
        (status = 401, description = "no valid token", body = ApiError),
        (status = 403, description = "not the province or staff of this whole institution", body = ApiError),
        (status = 404, description = "no such institution or cohort", body = ApiError),
        (status = 422, description = "refused rows; nothing written", body = Refused),
    ),
    security(("bearer" = [])))]
async fn push_batch(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(push): Json<DestinationBatch>,
) -> Result<Response, AppError> {
    let into = target(&state, &ctx, &push.institution, push.cohort).await?;
    let who = ctx.audit_actor();
    let (input, limits) = (Input::Table(table(&push.rows)), state.config.sheet_limits());
    match batch::import(&state.db, &who, into, input, ctx.locale, limits, |_| ()).await? {
        BatchOutcome::Recorded { rows } => {
            state.cache.clear();
            Ok((StatusCode::CREATED, Json(BatchRecorded { rows })).into_response())
        }
        BatchOutcome::Rejected { errors, .. } => {
            let field = |column: &str| sheet::field_of(batch::COLUMNS, column);
            Ok(Refused::of(errors, sheet::Problem::key, field, ctx.locale).into_response())
        }
    }
}

/// The pushed rows as a batch sheet, each row numbered by its place in the array.
fn table(rows: &[DestinationIn]) -> Table {
    Table {
        header_line: 0,
        headers: batch::COLUMNS.iter().map(|(field, _)| batch::header(field).to_owned()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, row)| TableRow {
                line: i + 1,
                cells: batch::COLUMNS.iter().map(|(field, _)| row.cell(field).trim().to_owned()).collect(),
                refused: Vec::new(),
            })
            .collect(),
    }
}
