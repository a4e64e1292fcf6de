//! Profile pages: the graduate keeps its own (/recruitment/profile) and its
//! résumé; a viewer the graduate allows reads it (/recruitment/profiles/{id}).

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use kernel::auth::Role;
use kernel::files::{FileError, Kind};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors, Upload};
use kernel::Locale;

use super::rules::{self, ProfileForm, Viewing, Visibility};
use super::{Education, Profile};
use crate::postings::Choices;

/// The largest résumé accepted.
const RESUME_LIMIT: usize = 5 * 1024 * 1024;

pub fn routes() -> Router<crate::RecruitmentState> {
    Router::new()
        .route("/recruitment/profile", get(own_page).post(save))
        .route(
            "/recruitment/profile/resume",
            post(upload_resume).layer(DefaultBodyLimit::max(RESUME_LIMIT + 64 * 1024)),
        )
        .route("/recruitment/profiles/{id}", get(view_page))
        .route("/recruitment/profiles/{id}/resume", get(resume))
}

#[derive(Template)]
#[template(path = "profile_form.html")]
struct OwnPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    education: Education,
    form: ProfileForm,
    has_resume: bool,
    errors: FieldErrors,
    resume_error: String,
    choices: Choices,
    visibilities: Vec<(&'static str, &'static str)>,
}

impl OwnPage<'_> {
    /// (field, label zh, label en, value) of the text parts.
    fn texts(&self) -> Vec<(&'static str, &'static str, &'static str, &str)> {
        let f = &self.form;
        vec![
            ("skills", "技能", "Skills", &f.skills),
            ("certificates", "证书", "Certificates", &f.certificates),
            ("internships", "实习经历", "Internships", &f.internships),
            ("self_intro", "自我介绍", "About me", &f.self_intro),
        ]
    }
    fn chosen(&self, list: &str, code: &str) -> bool {
        let values = match list {
            "region" => &self.form.intended_regions,
            "industry" => &self.form.intended_industries,
            _ => &self.form.intended_positions,
        };
        values.iter().any(|v| v == code)
    }
}

fn form_of(p: &Profile) -> ProfileForm {
    let c = &p.content;
    ProfileForm {
        skills: c.skills.clone().unwrap_or_default(),
        certificates: c.certificates.clone().unwrap_or_default(),
        internships: c.internships.clone().unwrap_or_default(),
        self_intro: c.self_intro.clone().unwrap_or_default(),
        intended_regions: c.intended_regions.clone(),
        intended_industries: c.intended_industries.clone(),
        intended_positions: c.intended_positions.clone(),
        intended_salary: c.intended_salary.map(|s| s.to_string()).unwrap_or_default(),
        visibility: c.visibility.key().to_owned(),
    }
}

async fn mine(state: &AppState, ctx: &Ctx) -> Result<Education, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    super::education(&state.db, graduate_id, ctx.locale).await?.ok_or(AppError::NotFound)
}

async fn render_own(
    state: &AppState,
    ctx: &Ctx,
    education: Education,
    form: ProfileForm,
    errors: FieldErrors,
    resume_error: String,
) -> Result<Response, AppError> {
    let has_resume = super::get(&state.db, education.graduate_id).await?.resume_sha256.is_some();
    let choices = Choices::load(&state.db, ctx.locale).await?;
    let visibilities = Visibility::ALL.iter().map(|v| (v.key(), v.label(ctx.locale))).collect();
    let page = OwnPage { ctx, l: ctx.locale, education, form, has_resume, errors, resume_error, choices, visibilities };
    ctx.page(ctx.t("我的简历", "My profile"), &page)
}

async fn own_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let education = mine(&state, &ctx).await?;
    let form = form_of(&super::get(&state.db, education.graduate_id).await?);
    render_own(&state, &ctx, education, form, FieldErrors::default(), String::new()).await
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let education = mine(&state, &ctx).await?;
    let form = ProfileForm::from_pairs(&pairs);
    let allowed = crate::postings::allowed(&state.db).await?;
    let known = |kind: &str, code: &str| match kind {
        "region" => allowed.regions.contains(code),
        "industry" => allowed.industries.contains(code),
        _ => allowed.positions.contains(code),
    };
    let checked = match rules::check(&form, known, ctx.locale) {
        Ok(c) => c,
        Err(errors) => return render_own(&state, &ctx, education, form, errors, String::new()).await,
    };
    let mut tx = state.db.begin().await?;
    super::save(&mut tx, &ctx.audit_actor(), &education, &checked).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/profile", ctx.t("简历已保存。", "Profile saved.")))
}

async fn upload_resume(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, AppError> {
    let education = mine(&state, &ctx).await?;
    let l = ctx.locale;
    let Some(upload) = Upload::read(multipart).await else {
        let message = l.pick(
            "上传失败：文件超过 5 MB 或传输中断。",
            "Upload failed: the file is over 5 MB or the transfer broke.",
        );
        return refused_resume(&state, &ctx, education, message).await;
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    if Kind::judge(&upload.bytes) != Some(Kind::Pdf) {
        let message = l.pick("简历只接受完整的 PDF 文件。", "The résumé must be a whole PDF file.");
        return refused_resume(&state, &ctx, education, message).await;
    }
    let stored = match state.config.files().put_document(&upload.bytes, RESUME_LIMIT) {
        Ok(stored) => stored,
        Err(FileError::TooLarge { .. }) => {
            return refused_resume(
                &state,
                &ctx,
                education,
                l.pick("简历不能超过 5 MB。", "The résumé may be at most 5 MB."),
            )
            .await
        }
        Err(FileError::Empty) => {
            return refused_resume(&state, &ctx, education, l.pick("请选择简历文件。", "Choose the résumé file.")).await
        }
        Err(e) => return Err(AppError::Internal(anyhow::anyhow!(e))),
    };
    let mut tx = state.db.begin().await?;
    super::set_resume(&mut tx, &ctx.audit_actor(), &education, &stored.sha256).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/recruitment/profile", l.pick("简历 PDF 已上传。", "Résumé uploaded.")))
}

async fn refused_resume(
    state: &AppState,
    ctx: &Ctx,
    education: Education,
    message: &str,
) -> Result<Response, AppError> {
    let form = form_of(&super::get(&state.db, education.graduate_id).await?);
    render_own(state, ctx, education, form, FieldErrors::default(), message.to_owned()).await
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ViewPage {
    l: Locale,
    education: Education,
    profile: Profile,
    regions: Vec<String>,
    industries: Vec<String>,
    positions: Vec<String>,
}

/// The profile and its owner, if the viewer may see them (else 404: a hidden profile does not exist for them).
async fn visible(state: &AppState, ctx: &Ctx, graduate_id: i64) -> Result<(Education, Profile), AppError> {
    // Experts review programmes, not people: refused outright, as other pages refuse a role.
    let viewer = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer, Role::Graduate])?;
    let education = super::education(&state.db, graduate_id, ctx.locale).await?.ok_or(AppError::NotFound)?;
    let profile = super::get(&state.db, graduate_id).await?;
    let (applied_to_viewer, viewer_approved) = match (viewer.role, viewer.employer_id) {
        (Role::Employer, Some(employer_id)) => (
            super::applied_to(&state.db, graduate_id, employer_id).await?,
            registry::employers::held_back(&state.db, viewer, ctx.locale).await?.is_none(),
        ),
        _ => (false, false),
    };
    let viewing = Viewing {
        viewer,
        graduate_id,
        graduate_institution_id: education.institution_id,
        visibility: profile.content.visibility,
        applied_to_viewer,
        viewer_approved,
    };
    if !rules::may_see(&viewing) {
        return Err(AppError::NotFound);
    }
    Ok((education, profile))
}

async fn view_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (education, profile) = visible(&state, &ctx, id).await?;
    let choices = Choices::load(&state.db, ctx.locale).await?;
    let names = |codes: &[String], table: &[(String, String)]| -> Vec<String> {
        codes
            .iter()
            .map(|c| table.iter().find(|(k, _)| k == c).map(|(_, v)| v.trim().to_owned()).unwrap_or_else(|| c.clone()))
            .collect()
    };
    let c = &profile.content;
    let regions = names(&c.intended_regions, &choices.regions);
    let industries = names(&c.intended_industries, &choices.industries);
    let positions = names(&c.intended_positions, &choices.positions);
    let title = format!("{}{}", education.name, ctx.t("的简历", "'s profile"));
    ctx.page(&title, &ViewPage { l: ctx.locale, education, profile, regions, industries, positions })
}

async fn resume(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (education, profile) = visible(&state, &ctx, id).await?;
    let sha = profile.resume_sha256.ok_or(AppError::NotFound)?;
    let bytes = state.config.files().get(&sha).map_err(|_| AppError::NotFound)?;
    let name = kernel::files::download_name(ctx.t("简历", "resume"), education.graduate_id, "application/pdf");
    Ok(kernel::web::export::attachment("application/pdf", &name, bytes))
}
