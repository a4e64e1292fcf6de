//! The shell's own pages: log in, log out, change password, switch language,
//! assets and the health check.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::form::NoFields;
use super::url::safe_next;
use super::{set_cookie, AppError, AppState, CsrfForm, Ctx, FieldErrors, LANG_COOKIE, SESSION_COOKIE};
use crate::audit::{self, Change};
use crate::auth::{self, password, Role, Throttle};
use crate::i18n::Locale;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account/password", get(password_form).post(change_password))
        .route("/lang", get(switch_lang))
        .route("/assets/{*path}", get(super::assets::serve))
        .route("/healthz", get(healthz))
        .route("/progress/{token}", get(progress))
        .route("/imports/reports/{token}", get(crate::sheet::reports::download))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    username: &'a str,
    next: &'a str,
    error: &'a str,
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_form(ctx: Ctx, Query(q): Query<LoginQuery>) -> Result<Response, AppError> {
    let next = safe_next(q.next.as_deref());
    ctx.page(ctx.t("登录", "Log in"), &LoginPage { ctx: &ctx, l: ctx.locale, username: "", next: &next, error: "" })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, AppError> {
    let username = form.username.trim().chars().take(64).collect::<String>();
    let next = safe_next(form.next.as_deref());
    let mut tx = state.db.begin().await?;
    let fail = |error: &str| {
        ctx.page(
            ctx.t("登录", "Log in"),
            &LoginPage { ctx: &ctx, l: ctx.locale, username: &username, next: &next, error },
        )
    };
    if username.is_empty() || form.password.is_empty() {
        return fail(ctx.t("请输入用户名和密码。", "Enter your user name and password."));
    }
    if Throttle::locked(&mut tx, &username, &ctx.client_addr).await? {
        tx.commit().await?;
        return fail(
            ctx.t("登录失败次数过多，请 15 分钟后再试。", "Too many failed attempts. Try again in 15 minutes."),
        );
    }
    let row = tx
        .fetch_optional(
            "SELECT id, password_hash, role FROM accounts WHERE username = $1 AND active = TRUE",
            &[username.as_str().into()],
        )
        .await?;
    let (account_id, role) = match row {
        Some(r) if password::verify(&form.password, &r.text("password_hash")?) => {
            (r.i64("id")?, Role::parse(&r.text("role")?))
        }
        _ => {
            Throttle::record_failure(&mut tx, &username, &ctx.client_addr).await?;
            let who = audit::AuditActor::system(&format!("login:{username}"));
            let who = audit::AuditActor { client_addr: Some(ctx.client_addr.clone()), ..who };
            audit::record(&mut tx, &who, Change::new("login_failed", "account", username.clone())).await?;
            tx.commit().await?;
            return fail(ctx.t("用户名或密码不正确。", "User name or password is wrong."));
        }
    };
    Throttle::clear(&mut tx, &username).await?;
    let token = auth::create_session(&mut tx, account_id).await?;
    let who = audit::AuditActor {
        account_id: Some(account_id),
        label: username.clone(),
        client_addr: Some(ctx.client_addr.clone()),
    };
    audit::record(&mut tx, &who, Change::new("login", "account", account_id)).await?;
    tx.commit().await?;
    // Without a page to return to, a role starts where its day's work is.
    let start = state.start_pages.iter().find(|(r, _)| Some(*r) == role).map(|(_, href)| *href);
    let next = if next == "/" { start.unwrap_or("/") } else { &next };
    let mut response = Redirect::to(next).into_response();
    let max_age = auth::SESSION_DAYS * 24 * 3600;
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, max_age, state.config.secure_cookies));
    Ok(response)
}

async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    if let (Some(token), Some(actor)) = (super::cookie(&headers, SESSION_COOKIE), ctx.actor.as_ref()) {
        let mut tx = state.db.begin().await?;
        auth::delete_session(&mut tx, token).await?;
        audit::record(&mut tx, &ctx.audit_actor(), Change::new("logout", "account", actor.account_id)).await?;
        tx.commit().await?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies));
    Ok(response)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    errors: FieldErrors,
}

async fn password_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.actor()?;
    ctx.page(
        ctx.t("修改密码", "Change password"),
        &PasswordPage { ctx: &ctx, l: ctx.locale, errors: FieldErrors::default() },
    )
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let mut tx = state.db.begin().await?;
    let stored = tx
        .fetch_one("SELECT password_hash FROM accounts WHERE id = $1", &[actor.account_id.into()])
        .await?
        .text("password_hash")?;
    let mut errors = FieldErrors::default();
    if !password::verify(&form.current, &stored) {
        errors.add("current", ctx.t("当前密码不正确。", "The current password is wrong."));
    }
    if !password::strong_enough(&form.new_password) {
        errors.add(
            "new_password",
            ctx.t("新密码至少 8 位，且须同时包含字母和数字。", "At least 8 characters, with letters and digits."),
        );
    }
    if form.new_password != form.confirm {
        errors.add("confirm", ctx.t("两次输入的新密码不一致。", "The two new passwords differ."));
    }
    if !errors.is_empty() {
        return ctx.page(ctx.t("修改密码", "Change password"), &PasswordPage { ctx: &ctx, l: ctx.locale, errors });
    }
    tx.execute(
        "UPDATE accounts SET password_hash = $1 WHERE id = $2",
        &[password::hash(&form.new_password).into(), actor.account_id.into()],
    )
    .await?;
    audit::record(&mut tx, &ctx.audit_actor(), Change::new("change_password", "account", actor.account_id)).await?;
    tx.commit().await?;
    Ok(super::redirect_with_flash("/", ctx.t("密码已修改。", "Password changed.")))
}

#[derive(Deserialize)]
struct LangQuery {
    to: Option<String>,
    back: Option<String>,
}

async fn switch_lang(Query(q): Query<LangQuery>) -> Response {
    let locale = q.to.as_deref().and_then(Locale::parse).unwrap_or_default();
    let back = safe_next(q.back.as_deref());
    // Drop a `lang=` already in the address so the cookie decides.
    let back = strip_lang_param(&back);
    let mut response = Redirect::to(&back).into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(LANG_COOKIE, locale.tag(), 365 * 24 * 3600, false));
    response
}

fn strip_lang_param(path: &str) -> String {
    match path.split_once('?') {
        Some((p, q)) => {
            let kept: Vec<&str> = q.split('&').filter(|kv| !kv.starts_with("lang=")).collect();
            if kept.is_empty() {
                p.to_owned()
            } else {
                format!("{p}?{}", kept.join("&"))
            }
        }
        None => path.to_owned(),
    }
}

/// How far the caller's own work named `token` has come; 404 for anyone else's.
async fn progress(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Json<super::progress::Done>, AppError> {
    let actor = ctx.actor()?;
    state.progress.read(actor.account_id, &token).map(Json).ok_or(AppError::NotFound)
}

async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    state.db.scalar_i64("SELECT 1 AS ok", &[]).await?;
    Ok(Json(serde_json::json!({ "status": "ok", "database": format!("{:?}", state.db.backend()).to_lowercase() })))
}
