//! The graduate's signing card (签约二维码): a QR code the graduate shows at a
//! fair or an interview; the employer's HR scans it, logs in, and sends the
//! invitation without typing the graduate's ID number. The card names the
//! graduate by a random token that expires and that the graduate can replace.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{Duration, Utc};

use kernel::auth::{session, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors, NoFields};
use kernel::{mask, time, Db, DbResult, Locale, Tx};

use super::Invitation;

/// How long a card works.
const VALID_DAYS: i64 = 30;

pub fn routes() -> Router<crate::OutcomesState> {
    Router::new()
        .route("/agreements/card", get(own_card).post(renew))
        .route("/agreements/card/{token}", get(scanned).post(invite))
}

/// Replaces the graduate's card with a new one; the old one stops working.
pub async fn issue(tx: &mut Tx, graduate_id: i64) -> DbResult<String> {
    tx.execute("DELETE FROM graduate_cards WHERE graduate_id = $1", &[graduate_id.into()]).await?;
    let token = session::random_token();
    let now = Utc::now();
    tx.execute(
        "INSERT INTO graduate_cards (token, graduate_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        &[
            token.as_str().into(),
            graduate_id.into(),
            time::format_utc(now).into(),
            time::format_utc(now + Duration::days(VALID_DAYS)).into(),
        ],
    )
    .await?;
    Ok(token)
}

/// The graduate a card names, while it is valid.
pub async fn holder(db: &Db, token: &str) -> DbResult<Option<i64>> {
    let row = db
        .fetch_optional(
            "SELECT graduate_id FROM graduate_cards WHERE token = $1 AND expires_at > $2",
            &[token.into(), time::now_utc().into()],
        )
        .await?;
    row.map(|r| r.i64("graduate_id")).transpose()
}

/// The address a phone opens from the card.
fn card_url(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    format!("{}/agreements/card/{token}", kernel::web::url::public_base(&state.config, headers))
}

#[derive(Template)]
#[template(path = "card.html")]
struct CardPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    name: String,
    institution: String,
    url: String,
    qr: String,
    expires: String,
}

async fn own_card(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let current = state
        .db
        .fetch_optional(
            "SELECT token, expires_at FROM graduate_cards WHERE graduate_id = $1 AND expires_at > $2",
            &[graduate_id.into(), time::now_utc().into()],
        )
        .await?;
    let (token, expires) = match current {
        Some(r) => (r.text("token")?, r.text("expires_at")?),
        None => {
            let mut tx = state.db.begin().await?;
            let token = issue(&mut tx, graduate_id).await?;
            tx.commit().await?;
            (token, time::format_utc(Utc::now() + Duration::days(VALID_DAYS)))
        }
    };
    let g = state
        .db
        .fetch_one(
            "SELECT g.name, i.name AS institution FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE g.id = $1",
            &[graduate_id.into()],
        )
        .await?;
    let url = card_url(&state, &headers, &token);
    let page = CardPage {
        ctx: &ctx,
        l: ctx.locale,
        name: g.text("name")?,
        institution: g.text("institution")?,
        qr: kernel::qr::svg(&url).unwrap_or_default(),
        url,
        expires: time::display(&expires),
    };
    ctx.page(ctx.t("我的签约二维码", "My signing card"), &page)
}

async fn renew(State(state): State<AppState>, ctx: Ctx, CsrfForm(_): CsrfForm<NoFields>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let graduate_id = actor.graduate_id.ok_or(AppError::Forbidden)?;
    let mut tx = state.db.begin().await?;
    issue(&mut tx, graduate_id).await?;
    let subject = kernel::audit::Subject { graduate_id: Some(graduate_id), institution_id: actor.institution_id };
    let change = kernel::audit::Change::new("renew", "graduate_card", graduate_id).about(subject);
    kernel::audit::record(&mut tx, &ctx.audit_actor(), change).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/agreements/card",
        ctx.t("已换新二维码，旧码失效。", "New card issued; the old one no longer works."),
    ))
}

/// The graduate as an employer sees it from the card: no full ID number.
struct Holder {
    name: String,
    student_no: String,
    id_number: String,
    institution: String,
    major: String,
    level: String,
}

async fn holder_of(state: &AppState, token: &str) -> Result<(i64, Holder), AppError> {
    let graduate_id = holder(&state.db, token).await?.ok_or(AppError::NotFound)?;
    let r = state
        .db
        .fetch_one(
            "SELECT g.name, g.student_no, g.id_number, g.education_level, i.name AS institution, m.name AS major \
             FROM graduates g JOIN institutions i ON i.id = g.institution_id JOIN majors m ON m.id = g.major_id WHERE g.id = $1",
            &[graduate_id.into()],
        )
        .await?;
    Ok((
        graduate_id,
        Holder {
            name: r.text("name")?,
            student_no: r.text("student_no")?,
            id_number: r.text("id_number")?,
            institution: r.text("institution")?,
            major: r.text("major")?,
            level: r.text("education_level")?,
        },
    ))
}

#[derive(Template)]
#[template(path = "card_invite.html")]
struct InvitePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    token: &'a str,
    name: &'a str,
    masked_id: String,
    institution: &'a str,
    major: &'a str,
    level: &'a str,
    form: Invitation,
    errors: FieldErrors,
    held_back: Option<&'static str>,
}

impl InvitePage<'_> {
    fn fields(&self) -> Vec<(&'static str, &'static str, &'static str, &str)> {
        self.form.offer_fields()
    }
}

async fn render_invite(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    form: Invitation,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let (_, h) = holder_of(state, token).await?;
    let held_back = registry::employers::held_back(&state.db, actor, ctx.locale).await?;
    let level = kernel::codes::label_of_name(&state.db, "education_level", &h.level, ctx.locale).await?;
    let page = InvitePage {
        ctx,
        l: ctx.locale,
        token,
        name: &h.name,
        masked_id: mask::id_number(&h.id_number),
        institution: &h.institution,
        major: &h.major,
        level: &level,
        form,
        errors,
        held_back,
    };
    ctx.page(ctx.t("扫码发起签约", "Invite from a signing card"), &page)
}

async fn scanned(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Result<Response, AppError> {
    render_invite(&state, &ctx, &token, Invitation::default(), FieldErrors::default()).await
}

async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<Invitation>,
) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::Employer])?;
    let employer_id = actor.employer_id.ok_or(AppError::Forbidden)?;
    let (_, h) = holder_of(&state, &token).await?;
    // The card stands for the name, student number and ID number the form would ask for.
    let invitation = Invitation { name: h.name, student_no: h.student_no, id_number: h.id_number, ..form.clone() };
    let mut tx = state.db.begin().await?;
    match super::invite(&mut tx, &ctx.audit_actor(), employer_id, &invitation, ctx.locale).await? {
        Ok(id) => {
            tx.commit().await?;
            state.cache.clear();
            Ok(redirect_with_flash(&format!("/agreements/{id}"), ctx.t("签约邀请已发出。", "Invitation sent.")))
        }
        Err(errors) => {
            // Give the connection back before rendering reads through the pool: under a burst of
            // invitations, refused ones holding theirs while waiting for another exhaust it.
            drop(tx);
            render_invite(&state, &ctx, &token, form, errors).await
        }
    }
}
