//! `POST /api/v1/roster`: a roster pushed by a university's own system, as
//! rows of the national layout's fields, judged and written by the same
//! import as an uploaded file (all or nothing, one audit batch).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use kernel::sheet::{Input, Table, TableRow};
use kernel::web::{AppError, AppState, Ctx};

use super::columns::Field;
use super::{import, Outcome};
use crate::api::{target, ApiError, Refused};

pub fn routes() -> OpenApiRouter<crate::OutcomesState> {
    OpenApiRouter::new().routes(routes!(push_roster))
}

/// A roster for one institution's cohort.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"institution": "10530", "cohort": 2022, "rows": [{
    "student_no": "2018010001", "name": "张三", "gender": "男", "id_number": "430102200001010015",
    "origin_code": "430102", "ethnicity": "汉族", "political": "共青团员", "urban_rural": "城镇",
    "major_code": "080901", "level": "本科生毕业", "phone": "13800138000"}]}))]
pub struct RosterPush {
    /// The institution's 5-digit 院校代码.
    pub institution: String,
    /// The cohort (届别), e.g. 2022.
    pub cohort: i64,
    /// One row per graduate; a stored graduate (same student number) is updated.
    pub rows: Vec<RosterRowIn>,
}

/// A graduate's roster fields as text, as the national export has them;
/// codes may be given by code or by name, as in a file.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RosterRowIn {
    /// 学号 (required)
    pub student_no: String,
    /// 姓名 (required)
    pub name: String,
    /// 性别 (required)
    pub gender: String,
    /// 身份证号 (required, GB 11643)
    pub id_number: String,
    /// 出生日期
    pub birth_date: String,
    /// 生源地代码 (required, GB/T 2260)
    pub origin_code: String,
    /// 民族 (required)
    pub ethnicity: String,
    /// 政治面貌 (required)
    pub political: String,
    /// 城乡生源 (required)
    pub urban_rural: String,
    /// 专业代码 (required)
    pub major_code: String,
    /// 专业名称
    pub major_name: String,
    /// 学历层次 (required)
    pub level: String,
    /// 院系: needed when several colleges offer the major
    pub college: String,
    /// 手机号
    pub phone: String,
    /// 毕业年份: the cohort when given
    pub graduation_year: String,
}

impl RosterRowIn {
    fn cell(&self, field: Field) -> &str {
        match field {
            Field::StudentNo => &self.student_no,
            Field::Name => &self.name,
            Field::Gender => &self.gender,
            Field::IdNumber => &self.id_number,
            Field::BirthDate => &self.birth_date,
            Field::OriginCode => &self.origin_code,
            Field::Ethnicity => &self.ethnicity,
            Field::Political => &self.political,
            Field::UrbanRural => &self.urban_rural,
            Field::MajorCode => &self.major_code,
            Field::MajorName => &self.major_name,
            Field::Level => &self.level,
            Field::College => &self.college,
            Field::Phone => &self.phone,
            Field::GraduationYear => &self.graduation_year,
        }
    }
}

/// The pushed rows as a sheet the import reads: every field's header, and
/// each row numbered by its place in the array.
fn table(rows: &[RosterRowIn]) -> Table {
    Table {
        header_line: 0,
        headers: Field::ALL.iter().map(|f| f.header().to_owned()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, row)| TableRow {
                line: i + 1,
                cells: Field::ALL.iter().map(|f| row.cell(*f).trim().to_owned()).collect(),
                refused: Vec::new(),
            })
            .collect(),
    }
}

/// What a roster push did.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"new": 1, "updated": 0, "unchanged": 0}))]
pub struct RosterPushed {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Pushes an institution's roster for a cohort: every row is checked as an
/// uploaded file's is, then all are written, or none.
#[utoipa::path(post, path = "/api/v1/roster", tag = "roster", request_body = RosterPush,
    responses(
        (status = 200, description = "written: graduates added, updated, unchanged", body = RosterPushed),
        (status = 401, description = "no valid token", body = ApiError),
        (status = 403, description = "not the province or staff of this whole institution", body = ApiError),
        (status = 404, description = "no such institution or cohort", body = ApiError),
        (status = 422, description = "refused rows; nothing written", body = Refused),
    ),
    security(("bearer" = [])))]
async fn push_roster(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(push): Json<RosterPush>,
) -> Result<Response, AppError> {
    let into = target(&state, &ctx, &push.institution, push.cohort).await?;
    let (input, limits) = (Input::Table(table(&push.rows)), state.config.sheet_limits());
    match import(&state.db, &ctx.audit_actor(), into, input, ctx.locale, limits, |_| ()).await? {
        Outcome::Imported { new, updated, unchanged, .. } => {
            state.cache.clear();
            Ok(Json(RosterPushed { new, updated, unchanged }).into_response())
        }
        Outcome::Rejected { errors, .. } => {
            let field = |column: &str| Field::from_header(column).map(Field::key);
            Ok(Refused::of(errors, |p| p.key(), field, ctx.locale).into_response())
        }
    }
}
