//! API tokens (接口令牌) for machine clients: issued by the province for an
//! account, scoped exactly like that account, shown once, revocable.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::{self, Role};
use kernel::db::DbResult;
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors, NoFields};
use kernel::Db;
use kernel::{time, Locale};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/tokens", get(page).post(issue)).route("/admin/tokens/{id}/revoke", post(revoke))
}

struct TokenRow {
    id: i64,
    name: String,
    username: String,
    created_at: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    rows: Vec<TokenRow>,
    errors: FieldErrors,
    issued: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    errors: FieldErrors,
    issued: Option<String>,
) -> Result<Response, AppError> {
    let rows = state
        .db
        .fetch_all("SELECT t.id, t.name, a.username, t.created_at, t.revoked_at FROM api_tokens t JOIN accounts a ON a.id = t.account_id ORDER BY t.id DESC", &[])
        .await?
        .iter()
        .map(|r| Ok(TokenRow { id: r.i64("id")?, name: r.text("name")?, username: r.text("username")?, created_at: time::display(&r.text("created_at")?), revoked: r.opt_text("revoked_at")?.is_some() }))
        .collect::<kernel::DbResult<_>>()?;
    ctx.page(ctx.t("接口令牌", "API tokens"), &TokensPage { ctx, l: ctx.locale, rows, errors, issued })
}

async fn page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    render(&state, &ctx, FieldErrors::default(), None).await
}

#[derive(Deserialize)]
struct IssueForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
}

async fn issue(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<IssueForm>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let mut errors = FieldErrors::default();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        errors.add("name", ctx.t("用途说明须为 1-60 个字。", "Describe the use in 1 to 60 characters."));
    }
    let account = active_account(&state.db, form.username.trim()).await?;
    if account.is_none() {
        errors.add("username", ctx.t("没有这个启用中的账号。", "No active account has this user name."));
    }
    let (Some(account), true) = (account, errors.is_empty()) else {
        return render(&state, &ctx, errors, None).await;
    };
    let token = issue_token(&state.db, &ctx.audit_actor(), account, name).await?;
    render(&state, &ctx, FieldErrors::default(), Some(token)).await
}

/// The id of the active account called `username`, the only kind a token may act as.
pub async fn active_account(db: &Db, username: &str) -> DbResult<Option<i64>> {
    let sql = "SELECT id FROM accounts WHERE username = $1 AND active = TRUE";
    db.fetch_optional(sql, &[username.into()]).await?.map(|r| r.i64("id")).transpose()
}

/// Issues an API token acting as `account_id`, audited as `who`'s; the token is
/// returned once here and kept only as its hash.
pub async fn issue_token(db: &Db, who: &AuditActor, account_id: i64, name: &str) -> DbResult<String> {
    let mut tx = db.begin().await?;
    let (id, token) = auth::issue_api_token(&mut tx, account_id, name).await?;
    let after = serde_json::json!({ "name": name, "account_id": account_id });
    audit::record(&mut tx, who, Change::new("issue", "api_token", id).after(after)).await?;
    tx.commit().await?;
    Ok(token)
}

async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    ctx.require(&[Role::ProvinceAdmin])?;
    let mut tx = state.db.begin().await?;
    let changed = tx
        .execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            &[time::now_utc().into(), id.into()],
        )
        .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, &ctx.audit_actor(), Change::new("revoke", "api_token", id)).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/admin/tokens", ctx.t("令牌已作废。", "Token revoked.")))
}
