//! The shell's own pages: log in, log out, change password, switch language,
//! assets and the health check.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::form::NoFields;
use super::url::safe_next;
use super::{
    set_cookie, AppError, AppState, CsrfForm, Ctx, FieldErrors, KNOWN_BROWSER_COOKIE, LANG_COOKIE, SESSION_COOKIE,
};
use crate::audit::{self, Change};
use crate::auth::throttle::{self, Attempt};
use crate::auth::{self, login, password, session};
use crate::i18n::Locale;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account/password", get(password_form).post(change_password))
        .route("/account/sessions", get(sessions_page))
        .route("/account/sessions/end", post(end_session))
        .route("/account/sessions/end-others", post(end_other_sessions))
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
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, AppError> {
    let username = form.username.trim().chars().take(64).collect::<String>();
    let next = safe_next(form.next.as_deref());
    let fail = |error: &str| {
        ctx.page(
            ctx.t("登录", "Log in"),
            &LoginPage { ctx: &ctx, l: ctx.locale, username: &username, next: &next, error },
        )
    };
    if username.is_empty() || form.password.is_empty() {
        return fail(ctx.t("请输入用户名和密码。", "Enter your user name and password."));
    }
    let key = state.signing_key().await?;
    let browser = super::cookie(&headers, KNOWN_BROWSER_COOKIE).and_then(|c| login::known_browser(key, c, &username));
    let from = match browser {
        Some(id) => Attempt::KnownBrowser(id),
        None => Attempt::Unknown(&ctx.client_addr),
    };
    if let Some(wait) = throttle::wait(&state.db, &username, &from).await? {
        let seconds = wait.num_seconds().max(1).to_string();
        return fail(
            &ctx.t(
                "登录失败次数过多，请 {s} 秒后再试（失败越多等待越长，最长 15 分钟）。",
                "Too many failed attempts. Try again in {s} seconds (each failure waits longer, up to 15 minutes).",
            )
            .replace("{s}", &seconds),
        );
    }
    let checked = login::check_password(&state.db, &username, &form.password).await?;
    let mut tx = state.db.begin().await?;
    let Some((account_id, role)) = checked else {
        throttle::record_failure(&mut tx, &username, &from).await?;
        let who = audit::AuditActor::system(&format!("login:{username}"));
        let who = audit::AuditActor { client_addr: Some(ctx.client_addr.clone()), ..who };
        audit::record(&mut tx, &who, Change::new("login_failed", "account", username.clone())).await?;
        tx.commit().await?;
        return fail(ctx.t("用户名或密码不正确。", "User name or password is wrong."));
    };
    throttle::clear(&mut tx, &username, &from).await?;
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin = session::Origin { user_agent, client_addr: &ctx.client_addr };
    let token = auth::create_session(&mut tx, account_id, &origin).await?;
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
    let secure = state.config.secure_cookies;
    let max_age = auth::SESSION_DAYS * 24 * 3600;
    let jar = response.headers_mut();
    jar.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, max_age, secure));
    let known = login::known_browser_cookie(key, &username);
    jar.append(header::SET_COOKIE, set_cookie(KNOWN_BROWSER_COOKIE, &known, 180 * 24 * 3600, secure));
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
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let stored = state
        .db
        .fetch_one("SELECT password_hash FROM accounts WHERE id = $1", &[actor.account_id.into()])
        .await?
        .text("password_hash")?;
    let mut errors = FieldErrors::default();
    if !password::verify_or_dummy(&form.current, Some(&stored)).await {
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
    // Whoever else holds a session or token opened with the old password is out; this browser stays in.
    let current = super::cookie(&headers, SESSION_COOKIE);
    let new_hash = password::hash_off_thread(&form.new_password).await;
    let mut tx = state.db.begin().await?;
    let (sessions, tokens) = login::set_password(&mut tx, actor.account_id, &new_hash, current).await?;
    let ended = serde_json::json!({ "sessions_ended": sessions, "api_tokens_revoked": tokens });
    let change = Change::new("change_password", "account", actor.account_id).after(ended);
    audit::record(&mut tx, &ctx.audit_actor(), change).await?;
    tx.commit().await?;
    Ok(super::redirect_with_flash("/", ctx.t("密码已修改。", "Password changed.")))
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    sessions: Vec<session::SessionInfo>,
}

/// 我的会话: where the account is signed in, to end what its owner does not know.
async fn sessions_page(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let current = super::cookie(&headers, SESSION_COOKIE);
    let sessions = session::sessions_of(&state.db, actor.account_id, current).await?;
    ctx.page(ctx.t("我的会话", "My sessions"), &SessionsPage { ctx: &ctx, l: ctx.locale, sessions })
}

#[derive(Deserialize)]
struct EndSessionForm {
    #[serde(default)]
    session: String,
}

async fn end_session(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<EndSessionForm>,
) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let mut tx = state.db.begin().await?;
    // Only the account's own sessions match, so another's id ends nothing.
    if !session::end_session(&mut tx, actor.account_id, &form.session).await? {
        return Ok(super::redirect_with_flash(
            "/account/sessions",
            ctx.t("该会话已结束。", "That session had already ended."),
        ));
    }
    audit::record(&mut tx, &ctx.audit_actor(), Change::new("end_session", "account", actor.account_id)).await?;
    tx.commit().await?;
    Ok(super::redirect_with_flash("/account/sessions", ctx.t("会话已结束。", "Session ended.")))
}

async fn end_other_sessions(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let actor = ctx.actor()?;
    let mut tx = state.db.begin().await?;
    let current = super::cookie(&headers, SESSION_COOKIE);
    let ended = session::end_other_sessions(&mut tx, actor.account_id, current).await?;
    let change = Change::new("end_other_sessions", "account", actor.account_id)
        .after(serde_json::json!({ "sessions_ended": ended }));
    audit::record(&mut tx, &ctx.audit_actor(), change).await?;
    tx.commit().await?;
    Ok(super::redirect_with_flash("/account/sessions", ctx.t("其他会话已全部结束。", "All other sessions ended.")))
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
    state.progress.read_anywhere(actor.account_id, &token).await?.map(Json).ok_or(AppError::NotFound)
}

async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    state.db.scalar_i64("SELECT 1 AS ok", &[]).await?;
    Ok(Json(serde_json::json!({ "status": "ok", "database": format!("{:?}", state.db.backend()).to_lowercase() })))
}
