//! Account administration (账号管理): the province manages every account;
//! university staff create and edit staff accounts of their own institution.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::{login, password, session, Actor, Owners, Role, Scope};
use kernel::db::{Db, DbResult, FromRow, Row, Tx};
use kernel::web::listing::{Listing, Match};
use kernel::web::table::{ListUrl, Paging, Sort};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors};
use kernel::{time, validate, Locale};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(list_page).post(create))
        .route("/admin/accounts/new", get(new_page))
        .route("/admin/accounts/{id}", get(edit_page).post(update))
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub institution: Option<String>,
    pub college: Option<String>,
    pub employer: Option<String>,
    pub active: bool,
}

#[derive(Debug, Default, Deserialize)]
struct AccountFilter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<String>,
}

const SORTS: &[(&str, &str)] = &[("username", "a.username"), ("name", "a.display_name"), ("role", "a.role")];

/// Only the province and whole-institution staff administer accounts.
fn admin_scope(ctx: &Ctx) -> Result<Scope, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    match actor.scope() {
        s @ (Scope::Province | Scope::Institution { college_id: None, .. }) => Ok(s),
        _ => Err(AppError::Forbidden),
    }
}

async fn list(
    db: &Db,
    scope: &Scope,
    f: &AccountFilter,
    sort: &Sort,
    paging: &mut Paging,
) -> kernel::DbResult<Vec<AccountRow>> {
    let owners = Owners { institution: Some("a.institution_id"), ..Owners::NONE };
    let Ok(listing) = Listing::new(
        "FROM accounts a LEFT JOIN institutions i ON i.id = a.institution_id \
         LEFT JOIN colleges c ON c.id = a.college_id LEFT JOIN employers e ON e.id = a.employer_id",
    )
    .scoped(scope, owners) else {
        return Ok(Vec::new());
    };
    listing
        .search(&f.q, &[Match::Contains("a.username"), Match::Contains("a.display_name")])
        .equals("a.role", &f.role)
        .page(db, AccountRow::COLUMNS, &sort.order_by(), paging)
        .await
}

impl AccountRow {
    const COLUMNS: &str = "a.id, a.username, a.display_name, a.role, a.active, i.name AS institution, \
        c.name AS college, e.name AS employer";
}

impl FromRow for AccountRow {
    fn from_row(r: &Row) -> DbResult<AccountRow> {
        Ok(AccountRow {
            id: r.i64("id")?,
            username: r.text("username")?,
            display_name: r.text("display_name")?,
            role: r.text("role")?,
            institution: r.opt_text("institution")?,
            college: r.opt_text("college")?,
            employer: r.opt_text("employer")?,
            active: r.bool("active")?,
        })
    }
}

pub fn role_label(role: &str, l: Locale) -> &'static str {
    Role::parse(role).map(|r| r.label(l)).unwrap_or("")
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct ListPage<'a> {
    l: Locale,
    f: &'a AccountFilter,
    rows: Vec<AccountRow>,
    pager: String,
    sort: &'a Sort,
    url: &'a ListUrl,
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<AccountFilter>,
) -> Result<Response, AppError> {
    let scope = admin_scope(&ctx)?;
    let sort = Sort::parse(f.sort.as_deref(), f.dir.as_deref(), SORTS);
    let mut paging = Paging::parse(f.page.as_deref());
    let rows = list(&state.db, &scope, &f, &sort, &mut paging).await?;
    let url = ListUrl::new(
        "/admin/accounts",
        &[
            ("q", &f.q),
            ("role", &f.role),
            ("sort", f.sort.as_deref().unwrap_or("")),
            ("dir", f.dir.as_deref().unwrap_or("")),
        ],
    );
    let pager = paging.html(&url, ctx.locale);
    ctx.page(ctx.t("账号管理", "Accounts"), &ListPage { l: ctx.locale, f: &f, rows, pager, sort: &sort, url: &url })
}

/// The account form, for creating and editing.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub role: String,
    /// 院校代码 of a university staff account.
    #[serde(default)]
    pub institution_code: String,
    /// 院系代码 within that institution, for college-scoped staff.
    #[serde(default)]
    pub college_code: String,
    /// 统一社会信用代码 of an employer account.
    #[serde(default)]
    pub employer_code: String,
    /// 身份证号 of a graduate account; when editing, empty keeps the graduate
    /// linked, so the form never carries a stored number back.
    #[serde(default)]
    pub graduate_id_number: String,
    #[serde(default)]
    pub active: Option<String>,
}

/// Where an account's scope points, resolved from the codes people type.
#[derive(Debug, Default, Clone, Copy)]
struct ScopeIds {
    institution_id: Option<i64>,
    college_id: Option<i64>,
    employer_id: Option<i64>,
    graduate_id: Option<i64>,
}

/// `linked`: the graduate an edited account already names, kept when the
/// form leaves the ID number empty.
async fn resolve_scope(
    tx: &mut Tx,
    scope: &Scope,
    form: &AccountForm,
    linked: Option<i64>,
    role: Role,
    l: Locale,
    errors: &mut FieldErrors,
) -> kernel::DbResult<ScopeIds> {
    let mut ids = ScopeIds::default();
    match role {
        Role::UniversityStaff => {
            let institution = match scope.institution() {
                Some(own) => Some(own),
                None => tx
                    .fetch_optional(
                        "SELECT id FROM institutions WHERE code = $1",
                        &[form.institution_code.trim().into()],
                    )
                    .await?
                    .map(|r| r.i64("id"))
                    .transpose()?,
            };
            match institution {
                None => errors.add("institution_code", l.pick("院校代码不存在。", "No institution has this code.")),
                Some(inst) => {
                    ids.institution_id = Some(inst);
                    let code = form.college_code.trim();
                    if !code.is_empty() {
                        match tx
                            .fetch_optional(
                                "SELECT id FROM colleges WHERE institution_id = $1 AND code = $2",
                                &[inst.into(), code.into()],
                            )
                            .await?
                        {
                            Some(r) => ids.college_id = Some(r.i64("id")?),
                            None => errors.add(
                                "college_code",
                                l.pick("本校没有这个院系代码。", "This institution has no college with this code."),
                            ),
                        }
                    }
                }
            }
        }
        Role::Employer => {
            let code = validate::normalize(&form.employer_code);
            match tx.fetch_optional("SELECT id FROM employers WHERE credit_code = $1", &[code.into()]).await? {
                Some(r) => ids.employer_id = Some(r.i64("id")?),
                None => errors.add(
                    "employer_code",
                    l.pick("没有以此统一社会信用代码注册的单位。", "No employer is registered with this credit code."),
                ),
            }
        }
        Role::Graduate if form.graduate_id_number.trim().is_empty() && linked.is_some() => {
            ids.graduate_id = linked;
        }
        Role::Graduate => {
            let regions = crate::reference::region_index_in(tx).await?;
            match validate::id_card(&form.graduate_id_number, |code| regions.knows(code)) {
                Err(e) => errors.add(
                    "graduate_id_number",
                    match l {
                        Locale::Zh => format!("身份证号{}", e.message(l)),
                        Locale::En => format!("ID number {}", e.message(l)),
                    },
                ),
                Ok(card) => match crate::graduates::by_id_number(tx, &card.number).await? {
                    Some(g) => ids.graduate_id = Some(g.id),
                    None => errors.add(
                        "graduate_id_number",
                        l.pick("没有这个身份证号的毕业生。", "No graduate has this ID number."),
                    ),
                },
            }
        }
        Role::ProvinceAdmin | Role::Expert => {}
    }
    Ok(ids)
}

/// Creates an account after checking the form; staff may only create staff of their own institution.
pub async fn create_account(
    tx: &mut Tx,
    who: &AuditActor,
    scope: &Scope,
    form: &AccountForm,
    l: Locale,
) -> Result<Result<i64, FieldErrors>, kernel::DbError> {
    let mut errors = FieldErrors::default();
    let username = form.username.trim();
    if username.is_empty()
        || username.chars().count() > 32
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        errors.add(
            "username",
            l.pick(
                "用户名须为 1-32 位字母、数字、点、下划线或连字符。",
                "Use 1 to 32 letters, digits, dot, underscore or hyphen.",
            ),
        );
    }
    let display_name = form.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 40 {
        errors.add("display_name", l.pick("姓名须为 1-40 个字。", "A name needs 1 to 40 characters."));
    }
    if !password::strong_enough(&form.password) {
        errors.add(
            "password",
            l.pick("密码至少 8 位，且须同时包含字母和数字。", "At least 8 characters, with letters and digits."),
        );
    }
    let role = match (scope, Role::parse(&form.role)) {
        (Scope::Institution { .. }, _) => Role::UniversityStaff,
        (_, Some(r)) => r,
        (_, None) => {
            errors.add("role", l.pick("请选择角色。", "Choose a role."));
            Role::Expert
        }
    };
    let ids = resolve_scope(tx, scope, form, None, role, l, &mut errors).await?;
    if errors.get("username").is_none()
        && tx.fetch_optional("SELECT id FROM accounts WHERE username = $1", &[username.into()]).await?.is_some()
    {
        errors.add("username", l.pick("该用户名已被使用。", "This user name is taken."));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let id = tx
        .insert_returning_id(
            "INSERT INTO accounts (username, display_name, password_hash, role, institution_id, college_id, employer_id, graduate_id, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9)",
            &[
                username.into(),
                display_name.into(),
                password::hash_off_thread(&form.password).await.into(),
                role.as_str().into(),
                ids.institution_id.into(),
                ids.college_id.into(),
                ids.employer_id.into(),
                ids.graduate_id.into(),
                time::now_utc().into(),
            ],
        )
        .await?;
    let after = account_json(tx, id).await?;
    audit::record(tx, who, Change::created("account", id, after)).await?;
    Ok(Ok(id))
}

/// The audited image of an account: never the password hash.
async fn account_json(tx: &mut Tx, id: i64) -> kernel::DbResult<serde_json::Value> {
    let row = tx
        .fetch_one("SELECT id, username, display_name, role, institution_id, college_id, employer_id, graduate_id, active FROM accounts WHERE id = $1", &[id.into()])
        .await?;
    Ok(row.to_json())
}

#[derive(Template)]
#[template(path = "account_form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    form: AccountForm,
    errors: FieldErrors,
    /// `None` when creating.
    account_id: Option<i64>,
    /// The graduate an edited graduate account names, ID number masked.
    graduate: Option<String>,
    province: bool,
    roles: Vec<(&'static str, &'static str)>,
}

fn form_page(
    ctx: &Ctx,
    scope: &Scope,
    form: AccountForm,
    errors: FieldErrors,
    account_id: Option<i64>,
    graduate: Option<String>,
) -> Result<Response, AppError> {
    let title =
        if account_id.is_some() { ctx.t("编辑账号", "Edit account") } else { ctx.t("新建账号", "New account") };
    let roles = Role::ALL.iter().map(|r| (r.as_str(), r.label(ctx.locale))).collect();
    ctx.page(
        title,
        &FormPage {
            ctx,
            l: ctx.locale,
            form,
            errors,
            account_id,
            graduate,
            province: matches!(scope, Scope::Province),
            roles,
        },
    )
}

async fn new_page(ctx: Ctx) -> Result<Response, AppError> {
    let scope = admin_scope(&ctx)?;
    let form = AccountForm { active: Some("on".into()), ..AccountForm::default() };
    form_page(&ctx, &scope, form, FieldErrors::default(), None, None)
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Result<Response, AppError> {
    let scope = admin_scope(&ctx)?;
    let mut tx = state.db.begin().await?;
    match create_account(&mut tx, &ctx.audit_actor(), &scope, &form, ctx.locale).await? {
        Ok(id) => {
            tx.commit().await?;
            Ok(redirect_with_flash(&format!("/admin/accounts/{id}"), ctx.t("账号已创建。", "Account created.")))
        }
        Err(errors) => form_page(&ctx, &scope, AccountForm { password: String::new(), ..form }, errors, None, None),
    }
}

/// An account the scope may administer: its form, the account, and the
/// graduate it names as `viewer` may see them.
struct Loaded {
    form: AccountForm,
    account: Actor,
    graduate: Option<String>,
}

/// Loads an account the scope may administer.
async fn load(db: &Db, scope: &Scope, viewer: &Actor, id: i64) -> Result<Loaded, AppError> {
    let row = db
        .fetch_optional(
            "SELECT a.id, a.username, a.display_name, a.role, a.institution_id, a.college_id, a.employer_id, a.graduate_id, a.active, \
             i.code AS institution_code, c.code AS college_code, e.credit_code, g.name AS graduate_name, g.id_number \
             FROM accounts a LEFT JOIN institutions i ON i.id = a.institution_id LEFT JOIN colleges c ON c.id = a.college_id \
             LEFT JOIN employers e ON e.id = a.employer_id LEFT JOIN graduates g ON g.id = a.graduate_id WHERE a.id = $1",
            &[id.into()],
        )
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = Actor::from_row(&row)?.ok_or(AppError::NotFound)?;
    if let Some(own) = scope.institution() {
        if actor.institution_id != Some(own) || actor.role != Role::UniversityStaff {
            return Err(AppError::Forbidden);
        }
    }
    let form = AccountForm {
        username: actor.username.clone(),
        display_name: actor.display_name.clone(),
        password: String::new(),
        role: actor.role.as_str().to_owned(),
        institution_code: row.opt_text("institution_code")?.unwrap_or_default(),
        college_code: row.opt_text("college_code")?.unwrap_or_default(),
        employer_code: row.opt_text("credit_code")?.unwrap_or_default(),
        graduate_id_number: String::new(),
        active: row.bool("active")?.then(|| "on".to_owned()),
    };
    let graduate = match (row.opt_text("graduate_name")?, row.opt_text("id_number")?) {
        (Some(name), Some(number)) => Some(crate::graduates::Graduate::named_for(&name, &number, viewer)),
        _ => None,
    };
    Ok(Loaded { form, account: actor, graduate })
}

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let scope = admin_scope(&ctx)?;
    let loaded = load(&state.db, &scope, ctx.actor()?, id).await?;
    form_page(&ctx, &scope, loaded.form, FieldErrors::default(), Some(id), loaded.graduate)
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Result<Response, AppError> {
    let scope = admin_scope(&ctx)?;
    let Loaded { form: current, account: actor, graduate } = load(&state.db, &scope, ctx.actor()?, id).await?;
    let l = ctx.locale;
    let mut errors = FieldErrors::default();
    let display_name = form.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 40 {
        errors.add("display_name", l.pick("姓名须为 1-40 个字。", "A name needs 1 to 40 characters."));
    }
    if !form.password.is_empty() && !password::strong_enough(&form.password) {
        errors.add(
            "password",
            l.pick("密码至少 8 位，且须同时包含字母和数字。", "At least 8 characters, with letters and digits."),
        );
    }
    let role = match scope {
        Scope::Province => Role::parse(&form.role).unwrap_or(actor.role),
        _ => Role::UniversityStaff,
    };
    let active = form.active.is_some();
    let new_hash = match form.password.is_empty() {
        true => None,
        false => Some(password::hash_off_thread(&form.password).await),
    };
    if ctx.actor.as_ref().map(|a| a.account_id) == Some(id) && !active {
        errors.add("active", l.pick("不能停用自己的账号。", "You cannot deactivate your own account."));
    }
    let mut tx = state.db.begin().await?;
    let ids = resolve_scope(&mut tx, &scope, &form, actor.graduate_id, role, l, &mut errors).await?;
    if !errors.is_empty() {
        let form = AccountForm { username: current.username, password: String::new(), ..form };
        return form_page(&ctx, &scope, form, errors, Some(id), graduate);
    }
    let before = account_json(&mut tx, id).await?;
    tx.execute(
        "UPDATE accounts SET display_name = $1, role = $2, institution_id = $3, college_id = $4, employer_id = $5, graduate_id = $6, active = $7 WHERE id = $8",
        &[display_name.into(), role.as_str().into(), ids.institution_id.into(), ids.college_id.into(), ids.employer_id.into(), ids.graduate_id.into(), active.into(), id.into()],
    )
    .await?;
    // A reset password ends every session and API token the old one opened.
    let reset = match &new_hash {
        None => None,
        Some(new_hash) => Some(login::set_password(&mut tx, id, new_hash, None).await?),
    };
    if !active {
        session::end_other_sessions(&mut tx, id, None).await?;
    }
    let mut after = account_json(&mut tx, id).await?;
    if let Some((sessions, tokens)) = reset {
        after["password_reset"] = true.into();
        after["sessions_ended"] = sessions.into();
        after["api_tokens_revoked"] = tokens.into();
    }
    audit::record(&mut tx, &ctx.audit_actor(), Change::updated("account", id, before, after)).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/admin/accounts/{id}"), ctx.t("账号已保存。", "Account saved.")))
}
