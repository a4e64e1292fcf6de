//! Institutions (院校), their colleges (院系) and the majors they offer (专业).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{self, post};
use axum::Router;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use kernel::audit::{self, Change, Subject};
use kernel::auth::{Owners, Role, Scope};
use kernel::db::{Db, DbResult, FromRow, Row, SqlBuilder};
use kernel::web::form::clean;
use kernel::web::listing::{Listing, Match};
use kernel::web::table::{ListUrl, Paging, Sort};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors};
use kernel::Locale;

use crate::error::{RegistryError, Result};
use crate::scope::{can_edit_institution, can_read_institution};
use crate::stats::StructureCounts;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry/institutions", routing::get(list_page))
        .route("/registry/institutions/{id}", routing::get(detail_page))
        .route("/registry/institutions/{id}/colleges", post(add_college))
        .route("/registry/colleges/{id}", post(rename_college))
        .route("/registry/institutions/{id}/majors", post(add_major))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Institution {
    pub id: i64,
    /// 院校代码 (5 digits).
    pub code: String,
    /// 学校标识码 (10 digits).
    pub identifier: String,
    pub name: String,
    pub city: String,
    pub region_code: Option<String>,
    /// 本科 or 专科.
    pub level: String,
    /// 公办 or 民办.
    pub ownership: String,
}

impl Institution {
    pub const COLUMNS: &'static str = "i.id, i.code, i.identifier, i.name, i.city, i.region_code, i.level, i.ownership";
}

impl FromRow for Institution {
    fn from_row(r: &Row) -> kernel::DbResult<Institution> {
        Ok(Institution {
            id: r.i64("id")?,
            code: r.text("code")?,
            identifier: r.text("identifier")?,
            name: r.text("name")?,
            city: r.text("city")?,
            region_code: r.opt_text("region_code")?,
            level: r.text("level")?,
            ownership: r.text("ownership")?,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct InstitutionFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub ownership: String,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
    /// `xlsx` or `csv`: every matching institution as a file.
    #[serde(default)]
    pub format: String,
}

const SORTS: &[(&str, &str)] =
    &[("code", "i.code"), ("name", "i.name"), ("city", "i.city"), ("level", "i.level"), ("graduates", "graduates")];

/// Institutions matching the filter that the scope may see, one page of them,
/// each with its graduates of the current cohort (`counts`).
pub async fn list(
    db: &Db,
    counts: &HashMap<i64, i64>,
    scope: &Scope,
    f: &InstitutionFilter,
    sort: &Sort,
    paging: &mut Paging,
) -> Result<Vec<(Institution, i64)>> {
    let institutions = Owners { institution: Some("i.id"), ..Owners::NONE };
    let listing = Listing::new("FROM institutions i")
        .scoped(scope, institutions)
        .map_err(|_| RegistryError::Forbidden)?
        .search(&f.q, &[Match::Contains("i.name"), Match::Contains("i.code")])
        .equals("i.level", &f.level)
        .equals("i.city", &f.city)
        .equals("i.ownership", &f.ownership);
    // A province has a few hundred institutions at most: sort and page them here,
    // which also lets the list sort by the cached graduate counts.
    let found: Vec<Institution> = listing.all(db, Institution::COLUMNS, &sort.order_by()).await?;
    let mut all: Vec<(Institution, i64)> = found
        .into_iter()
        .map(|inst| {
            let n = counts.get(&inst.id).copied().unwrap_or(0);
            (inst, n)
        })
        .collect();
    if sort.key == "graduates" {
        all.sort_by_key(|(_, n)| *n);
        if sort.desc {
            all.reverse();
        }
    }
    paging.total = all.len() as i64;
    Ok(all.into_iter().skip(paging.offset() as usize).take(paging.size() as usize).collect())
}

/// (id, name) of every institution the scope may see, by code: for pickers.
pub async fn names(db: &Db, scope: &Scope) -> Result<Vec<(i64, String)>> {
    let mut w = SqlBuilder::new("SELECT i.id, i.name FROM institutions i WHERE 1 = 1");
    scope
        .restrict(&mut w, Owners { institution: Some("i.id"), ..Owners::NONE })
        .map_err(|_| RegistryError::Forbidden)?;
    w.push(" ORDER BY i.code");
    let rows = db.fetch_all(&w.sql, &w.params).await?;
    Ok(rows.iter().map(|r| Ok((r.i64("id")?, r.text("name")?))).collect::<DbResult<_>>()?)
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Institution> {
    if !can_read_institution(scope, id) {
        return Err(RegistryError::Forbidden);
    }
    let row = db
        .fetch_optional(&format!("SELECT {} FROM institutions i WHERE i.id = $1", Institution::COLUMNS), &[id.into()])
        .await?;
    Ok(Institution::from_row(&row.ok_or(RegistryError::NotFound)?)?)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Institution> {
    let row = db
        .fetch_optional(
            &format!("SELECT {} FROM institutions i WHERE i.code = $1", Institution::COLUMNS),
            &[code.into()],
        )
        .await?;
    Ok(Institution::from_row(&row.ok_or(RegistryError::NotFound)?)?)
}

#[derive(Debug, Clone, Serialize)]
pub struct College {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub majors: i64,
    pub graduates: i64,
}

/// The colleges of an institution with their majors and graduates counted.
pub async fn colleges(
    db: &Db,
    institution_id: i64,
    counts: &StructureCounts,
    majors: &[Major],
) -> Result<Vec<College>> {
    let rows = db
        .fetch_all(
            "SELECT id, code, name FROM colleges WHERE institution_id = $1 ORDER BY code",
            &[institution_id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let id = r.i64("id")?;
            Ok(College {
                id,
                code: r.text("code")?,
                name: r.text("name")?,
                majors: majors.iter().filter(|m| m.college_id == id).count() as i64,
                graduates: counts.by_college.get(&id).copied().unwrap_or(0),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Major {
    pub id: i64,
    pub college_id: i64,
    pub college_name: String,
    pub code: String,
    pub name: String,
    pub level: String,
    pub graduates: i64,
}

pub async fn majors(db: &Db, institution_id: i64, counts: &StructureCounts) -> Result<Vec<Major>> {
    let rows = db
        .fetch_all(
            "SELECT m.id, m.college_id, c.name AS college_name, m.code, m.name, m.level \
             FROM majors m JOIN colleges c ON c.id = m.college_id WHERE m.institution_id = $1 ORDER BY c.code, m.level, m.code",
            &[institution_id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let id = r.i64("id")?;
            Ok(Major {
                id,
                college_id: r.i64("college_id")?,
                college_name: r.text("college_name")?,
                code: r.text("code")?,
                name: r.text("name")?,
                level: r.text("level")?,
                graduates: counts.by_major.get(&id).copied().unwrap_or(0),
            })
        })
        .collect()
}

#[derive(Template)]
#[template(path = "institutions.html")]
struct ListPage<'a> {
    l: Locale,
    f: &'a InstitutionFilter,
    rows: Vec<(Institution, i64)>,
    cities: Vec<String>,
    pager: String,
    sort: &'a Sort,
    url: &'a ListUrl,
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<InstitutionFilter>,
) -> std::result::Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let sort = Sort::parse(f.sort.as_deref(), f.dir.as_deref(), SORTS);
    let counts = crate::stats::graduates_by_institution(&state, crate::cohorts::latest_year(&state).await?).await?;
    if f.format == "xlsx" || f.format == "csv" {
        let rows = list(&state.db, &counts, &actor.scope(), &f, &sort, &mut Paging::everything()).await?;
        return export(&rows, &f.format, ctx.locale);
    }
    let mut paging = Paging::parse(f.page.as_deref());
    let rows = list(&state.db, &counts, &actor.scope(), &f, &sort, &mut paging).await?;
    let cities = state
        .db
        .fetch_all("SELECT DISTINCT city FROM institutions ORDER BY city", &[])
        .await?
        .iter()
        .map(|r| r.text("city"))
        .collect::<kernel::DbResult<_>>()?;
    let url = ListUrl::new(
        "/registry/institutions",
        &[
            ("q", &f.q),
            ("level", &f.level),
            ("city", &f.city),
            ("ownership", &f.ownership),
            ("sort", f.sort.as_deref().unwrap_or("")),
            ("dir", f.dir.as_deref().unwrap_or("")),
        ],
    );
    let pager = paging.html(&url, ctx.locale);
    ctx.page(
        ctx.t("院校", "Institutions"),
        &ListPage { l: ctx.locale, f: &f, rows, cities, pager, sort: &sort, url: &url },
    )
}

/// The institution list as a file, with this cohort's graduates.
fn export(rows: &[(Institution, i64)], format: &str, l: Locale) -> std::result::Result<Response, AppError> {
    let header = [
        ("院校代码", "Code"),
        ("学校标识码", "Identifier"),
        ("院校名称", "Name"),
        ("所在城市", "City"),
        ("办学层次", "Level"),
        ("办学性质", "Ownership"),
        ("毕业生数", "Graduates"),
    ];
    let mut table = vec![header.iter().map(|(zh, en)| l.pick(zh, en).to_owned()).collect::<Vec<_>>()];
    table.extend(rows.iter().map(|(i, graduates)| {
        vec![
            i.code.clone(),
            i.identifier.clone(),
            i.name.clone(),
            i.city.clone(),
            i.level.clone(),
            i.ownership.clone(),
            graduates.to_string(),
        ]
    }));
    kernel::web::export::download(&table, format, "institutions", l.pick("院校", "Institutions"), None)
}

#[derive(Template)]
#[template(path = "institution.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    inst: Institution,
    colleges: Vec<College>,
    majors: Vec<Major>,
    can_edit: bool,
    errors: FieldErrors,
    form: NewMajorForm,
    college_form: NewCollegeForm,
    /// (code, name, level) of every catalogue major, for the picker.
    catalogue: std::sync::Arc<Vec<(String, String, String)>>,
}

async fn render_detail(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FieldErrors,
    form: NewMajorForm,
    college_form: NewCollegeForm,
) -> std::result::Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    let scope = actor.scope();
    let inst = get(&state.db, &scope, id).await?;
    let counts = crate::stats::structure_counts(state, id).await?;
    let majors = majors(&state.db, id, &counts).await?;
    let colleges = colleges(&state.db, id, &counts, &majors).await?;
    let can_edit = can_edit_institution(&scope, id);
    let catalogue = if can_edit { crate::stats::catalogue(state).await? } else { Default::default() };
    let title = inst.name.clone();
    ctx.page(
        &title,
        &DetailPage { ctx, l: ctx.locale, inst, colleges, majors, can_edit, errors, form, college_form, catalogue },
    )
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> std::result::Result<Response, AppError> {
    render_detail(&state, &ctx, id, FieldErrors::default(), NewMajorForm::default(), NewCollegeForm::default()).await
}

#[derive(Debug, Default, Deserialize)]
struct NewCollegeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

fn check_edit(ctx: &Ctx, institution_id: i64) -> std::result::Result<(), AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    if can_edit_institution(&actor.scope(), institution_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn add_college(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<NewCollegeForm>,
) -> std::result::Result<Response, AppError> {
    check_edit(&ctx, id)?;
    let mut errors = FieldErrors::default();
    let code = clean(&form.code, 100);
    let name = clean(&form.name, 200);
    match &code {
        None => errors.add("college_code", ctx.t("请填写院系代码。", "Enter the college code.")),
        Some(c) if c.chars().count() > 16 || !c.chars().all(|ch| ch.is_ascii_alphanumeric()) => {
            errors.add("college_code", ctx.t("院系代码只能是 1-16 位字母或数字。", "Use 1 to 16 letters or digits."))
        }
        _ => {}
    }
    match &name {
        None => errors.add("college_name", ctx.t("请填写院系名称。", "Enter the college name.")),
        Some(n) if n.chars().count() > 60 => {
            errors.add("college_name", ctx.t("院系名称不能超过 60 个字。", "At most 60 characters."))
        }
        _ => {}
    }
    if errors.is_empty() {
        let mut tx = state.db.begin().await?;
        let (code, name) = (code.unwrap_or_default(), name.unwrap_or_default());
        match tx
            .insert_returning_id(
                "INSERT INTO colleges (institution_id, code, name) VALUES ($1, $2, $3)",
                &[id.into(), code.as_str().into(), name.as_str().into()],
            )
            .await
        {
            Ok(college_id) => {
                let after = serde_json::json!({ "institution_id": id, "code": code, "name": name });
                let change = Change::created("college", college_id, after).about(Subject::institution(id));
                audit::record(&mut tx, &ctx.audit_actor(), change).await?;
                tx.commit().await?;
                return Ok(redirect_with_flash(
                    &format!("/registry/institutions/{id}"),
                    ctx.t("院系已添加。", "College added."),
                ));
            }
            Err(kernel::DbError::Duplicate(_)) => errors.add(
                "college_code",
                ctx.t("本校已有这个院系代码。", "This institution already has that college code."),
            ),
            Err(e) => return Err(e.into()),
        }
    }
    render_detail(&state, &ctx, id, errors, NewMajorForm::default(), form).await
}

#[derive(Debug, Deserialize)]
struct RenameForm {
    #[serde(default)]
    name: String,
}

async fn rename_college(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(college_id): Path<i64>,
    CsrfForm(form): CsrfForm<RenameForm>,
) -> std::result::Result<Response, AppError> {
    let row = state
        .db
        .fetch_optional("SELECT id, institution_id, code, name FROM colleges WHERE id = $1", &[college_id.into()])
        .await?
        .ok_or(AppError::NotFound)?;
    let institution_id = row.i64("institution_id")?;
    check_edit(&ctx, institution_id)?;
    let Some(name) = clean(&form.name, 61).filter(|n| n.chars().count() <= 60) else {
        return Ok(redirect_with_flash(
            &format!("/registry/institutions/{institution_id}"),
            ctx.t("院系名称须为 1-60 个字，未修改。", "A college name needs 1 to 60 characters; nothing changed."),
        ));
    };
    let mut tx = state.db.begin().await?;
    tx.execute("UPDATE colleges SET name = $1 WHERE id = $2", &[name.as_str().into(), college_id.into()]).await?;
    let after = serde_json::json!({ "institution_id": institution_id, "code": row.text("code")?, "name": name });
    let change = Change::updated("college", college_id, row.to_json(), after);
    audit::record(&mut tx, &ctx.audit_actor(), change.about(Subject::institution(institution_id))).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/registry/institutions/{institution_id}"),
        ctx.t("院系名称已修改。", "College renamed."),
    ))
}

#[derive(Debug, Default, Deserialize)]
struct NewMajorForm {
    #[serde(default)]
    college_id: String,
    #[serde(default)]
    major_code: String,
}

async fn add_major(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<NewMajorForm>,
) -> std::result::Result<Response, AppError> {
    check_edit(&ctx, id)?;
    let mut errors = FieldErrors::default();
    let college = match form.college_id.parse::<i64>() {
        Ok(cid) => {
            state
                .db
                .fetch_optional(
                    "SELECT id FROM colleges WHERE id = $1 AND institution_id = $2",
                    &[cid.into(), id.into()],
                )
                .await?
        }
        Err(_) => None,
    };
    if college.is_none() {
        errors.add("college_id", ctx.t("请选择本校的一个院系。", "Choose one of this institution's colleges."));
    }
    // The picker sends "code|level"; the catalogue decides name and level.
    let (code, level) = form.major_code.split_once('|').unwrap_or((form.major_code.as_str(), ""));
    let entry = state
        .db
        .fetch_optional(
            "SELECT catalogue, code, name, level FROM major_catalogue WHERE code = $1 AND level = $2",
            &[kernel::validate::normalize(code).into(), level.into()],
        )
        .await?;
    if entry.is_none() {
        errors.add("major_code", ctx.t("请从专业目录中选择专业。", "Choose a major from the catalogue."));
    }
    if let (Some(college), Some(entry), true) = (college, entry, errors.is_empty()) {
        let college_id = college.i64("id")?;
        let mut tx = state.db.begin().await?;
        let params = [
            id.into(),
            college_id.into(),
            entry.text("catalogue")?.into(),
            entry.text("code")?.into(),
            entry.text("name")?.into(),
            entry.text("level")?.into(),
        ];
        match tx.insert_returning_id("INSERT INTO majors (institution_id, college_id, catalogue, code, name, level) VALUES ($1, $2, $3, $4, $5, $6)", &params).await {
            Ok(major_id) => {
                let after = serde_json::json!({ "institution_id": id, "college_id": college_id, "code": entry.text("code")?, "name": entry.text("name")?, "level": entry.text("level")? });
                let change = Change::created("major", major_id, after).about(Subject::institution(id));
                audit::record(&mut tx, &ctx.audit_actor(), change).await?;
                tx.commit().await?;
                return Ok(redirect_with_flash(&format!("/registry/institutions/{id}"), ctx.t("专业已添加。", "Major added.")));
            }
            Err(kernel::DbError::Duplicate(_)) => errors.add("major_code", ctx.t("该院系已开设这个专业。", "This college already offers that major.")),
            Err(e) => return Err(e.into()),
        }
    }
    render_detail(&state, &ctx, id, errors, form, NewCollegeForm::default()).await
}
