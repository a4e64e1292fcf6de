//! Employers (用人单位): self-registration with a checked 统一社会信用代码, review
//! by the province or a university, and the employer's own view.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{self, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::{password, Actor, Owner, Owners, Role, Scope};
use kernel::db::{Db, DbResult, FromRow, Record, Row, Tx};
use kernel::files::{FileError, Stored};
use kernel::mask;
use kernel::validate::{self, IdError};
use kernel::web::cache::Cache;
use kernel::web::listing::{Listing, Match};
use kernel::web::table::{ListUrl, Paging, Sort};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx, FieldErrors, Upload};
use kernel::{time, Locale};

use crate::error::{RegistryError, Result};
use crate::gate;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/employers/register",
            routing::get(register_form).post(register).layer(DefaultBodyLimit::max(LICENCE_LIMIT + 64 * 1024)),
        )
        .route("/registry/employers", routing::get(list_page))
        .route("/registry/employers/{id}", routing::get(detail_page))
        .route("/registry/employers/{id}/review", post(review))
        .route("/registry/employers/{id}/licence", routing::get(licence))
}

/// The largest business licence scan accepted.
pub const LICENCE_LIMIT: usize = 10 * 1024 * 1024;

/// Review state (审核状态) of an employer.
pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";
/// Known only from a graduate's destination: no account, not reviewed. The
/// employer claims it by registering under the same credit code.
pub const RECORDED: &str = "recorded";
/// Merged into another employer as a duplicate (recruitment's network moves its records there).
pub const MERGED: &str = "merged";

/// The employer registry is a directory every office reads; an employer reads only itself.
const OWNERS: Owners = Owners { employer: Some("e.id"), directory: true, ..Owners::NONE };

/// What a destination record says of its employer.
pub struct Known<'a> {
    pub credit_code: &'a str,
    pub name: Option<&'a str>,
    pub region_code: Option<&'a str>,
    pub nature_code: Option<&'a str>,
    pub industry_code: Option<&'a str>,
}

/// The registry's employer with this credit code. When the registry has none,
/// one is entered from what the destination says, marked as known only from a
/// destination (未注册, `RECORDED`); the employer can later register under the
/// same code and claim it.
pub async fn id_for_destination(tx: &mut Tx, who: &AuditActor, known: Known<'_>) -> DbResult<i64> {
    if let Some(id) = id_of(tx, known.credit_code).await? {
        return Ok(id);
    }
    match enter_recorded(tx, &known).await? {
        Some(id) => {
            audit::record(tx, who, entered(id, &known)).await?;
            Ok(id)
        }
        // Entered by a transaction that committed meanwhile.
        None => id_of(tx, known.credit_code).await?.ok_or(kernel::DbError::Missing("employer")),
    }
}

/// The registry's employers for the credit codes of a batch of destinations,
/// by code, as `id_for_destination` finds each. The ones the registry lacks are
/// entered in a short transaction of their own, committed before the batch's:
/// batches from many offices at once then never wait on each other's new
/// employers (a uniqueness check waits for the transaction that inserted the
/// same code), and the registry keeps a valid code a graduate named even if
/// the batch's own write later fails.
pub async fn ids_for_destinations(
    db: &Db,
    who: &AuditActor,
    known: &[Known<'_>],
) -> DbResult<std::collections::HashMap<String, i64>> {
    let mut codes: Vec<&Known> = known.iter().collect();
    // One order for everyone (by code), and the audit records after every
    // insert, so two batches entering the same codes cannot deadlock.
    codes.sort_by_key(|k| k.credit_code);
    codes.dedup_by_key(|k| k.credit_code);
    // Looked up outside any transaction: on SQLite one would hold the only writer's lock.
    let mut ids = ids_of(db, codes.iter().map(|k| k.credit_code)).await?;
    let missing: Vec<&Known> = codes.into_iter().filter(|k| !ids.contains_key(k.credit_code)).collect();
    if missing.is_empty() {
        return Ok(ids);
    }
    let mut tx = db.begin().await?;
    let (mut entered_now, mut raced) = (Vec::new(), Vec::new());
    for k in missing {
        match enter_recorded(&mut tx, k).await? {
            Some(id) => entered_now.push((id, k)),
            None => raced.push(k.credit_code),
        }
    }
    for (id, k) in entered_now {
        audit::record(&mut tx, who, entered(id, k)).await?;
        ids.insert(k.credit_code.to_owned(), id);
    }
    tx.commit().await?;
    let found = ids_of(db, raced.iter().copied()).await?;
    if found.len() < raced.len() {
        return Err(kernel::DbError::Missing("employer"));
    }
    ids.extend(found);
    Ok(ids)
}

/// The registry's ids of these (distinct) credit codes, by code; a code it lacks is left out.
async fn ids_of<'a>(db: &Db, codes: impl Iterator<Item = &'a str>) -> DbResult<std::collections::HashMap<String, i64>> {
    let codes: Vec<kernel::Value> = codes.map(Into::into).collect();
    let mut ids = std::collections::HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(500) {
        let marks = kernel::db::placeholders(db.backend(), 1, chunk.len());
        let sql = format!("SELECT id, credit_code FROM employers WHERE credit_code IN ({marks})");
        for row in db.fetch_all(&sql, chunk).await? {
            ids.insert(row.text("credit_code")?, row.i64("id")?);
        }
    }
    Ok(ids)
}

async fn id_of(tx: &mut Tx, credit_code: &str) -> DbResult<Option<i64>> {
    let found = tx.fetch_optional("SELECT id FROM employers WHERE credit_code = $1", &[credit_code.into()]).await?;
    found.map(|row| row.i64("id")).transpose()
}

/// Enters an employer known only from a destination; `None` when the code is
/// already there (entered by another transaction since it was looked for).
async fn enter_recorded(tx: &mut Tx, known: &Known<'_>) -> DbResult<Option<i64>> {
    let name = known.name.unwrap_or(known.credit_code);
    // The credit code's characters 3–8 are the registering authority's region (GB 32100).
    let region = known.region_code.or_else(|| known.credit_code.get(2..8));
    let employer = Record::new()
        .set("credit_code", known.credit_code)
        .set("name", name)
        .set("region_code", region.map(str::to_owned))
        .set("nature_code", known.nature_code.map(str::to_owned))
        .set("industry_code", known.industry_code.map(str::to_owned))
        .set("contact_name", "")
        .set("contact_phone", "")
        .set("status", RECORDED)
        .set("created_at", time::now_utc());
    tx.insert_id_unless("employers", employer, "credit_code").await
}

/// The audit record of an employer entered from a destination.
fn entered(id: i64, known: &Known<'_>) -> Change<'static> {
    let name = known.name.unwrap_or(known.credit_code);
    let after = serde_json::json!({ "credit_code": known.credit_code, "name": name, "status": RECORDED });
    Change::new("record_from_destination", "employer", id).after(after)
}

/// What the registry says of an employer, for filling in a form from a name
/// or credit code (a registered employer's name, nature, industry and region).
#[derive(Debug, Default, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Card {
    /// 统一社会信用代码.
    pub credit_code: String,
    pub name: String,
    /// 单位性质.
    pub nature_code: Option<String>,
    /// 单位行业.
    pub industry_code: Option<String>,
    pub region_code: Option<String>,
}

impl FromRow for Card {
    fn from_row(r: &Row) -> DbResult<Card> {
        Ok(Card {
            credit_code: r.text("credit_code")?,
            name: r.text("name")?,
            nature_code: r.opt_text("nature_code")?,
            industry_code: r.opt_text("industry_code")?,
            region_code: r.opt_text("region_code")?,
        })
    }
}

const CARD: &str = "e.credit_code, e.name, e.nature_code, e.industry_code, e.region_code";

/// The employer a credit code names, unless its registration was rejected.
pub async fn card_in(tx: &mut Tx, credit_code: &str) -> DbResult<Option<Card>> {
    let sql = format!("SELECT {CARD} FROM employers e WHERE e.credit_code = $1 AND e.status <> $2");
    tx.fetch_optional(&sql, &[credit_code.into(), REJECTED.into()]).await?.map(|r| Card::from_row(&r)).transpose()
}

/// The same, outside a transaction: for a batch judged before it writes.
pub async fn card(db: &Db, credit_code: &str) -> DbResult<Option<Card>> {
    let sql = format!("SELECT {CARD} FROM employers e WHERE e.credit_code = $1 AND e.status <> $2");
    db.fetch_optional(&sql, &[credit_code.into(), REJECTED.into()]).await?.map(|r| Card::from_row(&r)).transpose()
}

/// How many employers a look-up returns: enough to pick from as one types.
pub const LOOKUP_LIMIT: usize = 10;

/// Employers whose name contains the text or whose credit code contains it,
/// rejected ones left out; at most `LOOKUP_LIMIT`, none for blank text.
pub async fn lookup(db: &Db, text: &str) -> DbResult<Vec<Card>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    Listing::new("FROM employers e")
        .condition_with("e.status <> ", REJECTED)
        .search(text, &[Match::Contains("e.name"), Match::ContainsNormalized("e.credit_code")])
        .all(db, CARD, &format!(" ORDER BY e.name LIMIT {LOOKUP_LIMIT}"))
        .await
}

pub fn status_label(status: &str, l: Locale) -> &'static str {
    match status {
        APPROVED => l.pick("已通过", "Approved"),
        REJECTED => l.pick("未通过", "Rejected"),
        RECORDED => l.pick("去向登记录入（未注册）", "From a destination record (not registered)"),
        MERGED => l.pick("已合并到其他单位", "Merged into another employer"),
        _ => l.pick("待审核", "Pending review"),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Employer {
    pub id: i64,
    /// 统一社会信用代码.
    pub credit_code: String,
    pub name: String,
    pub region_code: Option<String>,
    pub nature_code: Option<String>,
    pub industry_code: Option<String>,
    pub contact_name: String,
    /// Masked unless the viewer is the employer itself.
    pub contact_phone: String,
    pub status: String,
    pub created_at: String,
    /// Whether a business licence (营业执照) was uploaded with the registration.
    pub has_licence: bool,
    /// Why the registration was rejected; empty otherwise.
    pub review_reason: String,
    /// The name a pending claim (认领) proposes; applied when staff approve.
    pub proposed_name: Option<String>,
}

impl Employer {
    const COLUMNS: &'static str = "e.id, e.credit_code, e.name, e.region_code, e.nature_code, e.industry_code, e.contact_name, e.contact_phone, e.status, e.created_at, e.licence_sha256, e.review_reason, e.proposed";
    fn from_row(r: &Row, scope: &Scope) -> kernel::DbResult<Employer> {
        let id = r.i64("id")?;
        let phone = r.text("contact_phone")?;
        let own = matches!(scope, Scope::Employer { employer_id } if *employer_id == id);
        Ok(Employer {
            id,
            credit_code: r.text("credit_code")?,
            name: r.text("name")?,
            region_code: r.opt_text("region_code")?,
            nature_code: r.opt_text("nature_code")?,
            industry_code: r.opt_text("industry_code")?,
            contact_name: r.text("contact_name")?,
            contact_phone: if own { phone } else { mask::phone(&phone) },
            status: r.text("status")?,
            created_at: r.text("created_at")?,
            has_licence: r.opt_text("licence_sha256")?.is_some(),
            review_reason: r.opt_text("review_reason")?.unwrap_or_default(),
            proposed_name: Proposed::of(r)?.map(|p| p.name),
        })
    }
}

/// What a claim of a recorded employer proposes, kept aside (`employers.proposed`)
/// until staff approve it: a claim alone must not rename the employer. (The
/// claimant's contact is set at once: reviewers call it, and a recorded employer has none.)
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Proposed {
    name: String,
    nature_code: String,
    industry_code: String,
}

impl Proposed {
    fn of(r: &Row) -> DbResult<Option<Proposed>> {
        Ok(r.opt_text("proposed")?.and_then(|json| serde_json::from_str(&json).ok()))
    }

    fn record(&self) -> Record {
        Record::new()
            .set("name", self.name.as_str())
            .set("nature_code", self.nature_code.as_str())
            .set("industry_code", self.industry_code.as_str())
            .set("proposed", None::<String>)
    }
}

/// Whether the actor may approve or reject employers: the province only, as
/// registration names no institution whose staff could vouch for it; a
/// university's or college's staff read the registry but do not decide.
pub fn may_review(actor: &Actor) -> bool {
    actor.role == Role::ProvinceAdmin
}

#[derive(Debug, Default, Deserialize)]
pub struct EmployerFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
    /// `xlsx` or `csv`: every matching employer as a file.
    #[serde(default)]
    pub format: String,
}

const SORTS: &[(&str, &str)] =
    &[("created", "e.created_at"), ("name", "e.name"), ("code", "e.credit_code"), ("status", "e.status")];

/// Employers the scope may see: the province and universities all (they review
/// them), an employer only itself. With `counted_briefly` the count is kept
/// for half a minute (the page's: on PostgreSQL, counting 20,000 approved
/// employers cost more than the rest of the page); registration and review
/// clear it on the server they reach.
pub async fn list(
    db: &Db,
    counted_briefly: Option<&Cache>,
    scope: &Scope,
    f: &EmployerFilter,
    sort: &Sort,
    paging: &mut Paging,
) -> Result<Vec<Employer>> {
    let listing = Listing::new("FROM employers e")
        .scoped(scope, OWNERS)
        .map_err(|_| RegistryError::Forbidden)?
        .search(&f.q, &[Match::Contains("e.name"), Match::ContainsNormalized("e.credit_code")])
        .equals("e.status", &f.status);
    let (columns, order_by) = (Employer::COLUMNS, sort.order_by());
    let rows: Vec<Row> = match counted_briefly {
        Some(cache) => listing.page_counted_briefly(db, cache, columns, &order_by, paging).await?,
        None => listing.page(db, columns, &order_by, paging).await?,
    };
    Ok(rows.iter().map(|r| Employer::from_row(r, scope)).collect::<kernel::DbResult<_>>()?)
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Employer> {
    if !scope.may_see(Owner { employer: Some(id), directory: true, ..Owner::default() }) {
        return Err(RegistryError::Forbidden);
    }
    let row = db
        .fetch_optional(&format!("SELECT {} FROM employers e WHERE e.id = $1", Employer::COLUMNS), &[id.into()])
        .await?;
    Ok(Employer::from_row(&row.ok_or(RegistryError::NotFound)?, scope)?)
}

/// What an organisation types to register.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Registration {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    /// 单位性质, a `unit_nature` code.
    #[serde(default)]
    pub nature_code: String,
    /// 单位行业, an `industry` code.
    #[serde(default)]
    pub industry_code: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// The token of the question the form asked (`gate`).
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub answer: String,
}

impl Registration {
    /// The form's text fields as a multipart upload carries them.
    fn of(upload: &Upload) -> Registration {
        Registration {
            name: upload.field("name").to_owned(),
            credit_code: upload.field("credit_code").to_owned(),
            contact_name: upload.field("contact_name").to_owned(),
            contact_phone: upload.field("contact_phone").to_owned(),
            nature_code: upload.field("nature_code").to_owned(),
            industry_code: upload.field("industry_code").to_owned(),
            username: upload.field("username").to_owned(),
            password: upload.field("password").to_owned(),
            question: upload.field("question").to_owned(),
            answer: upload.field("answer").to_owned(),
        }
    }
}

/// The uploaded business licence, checked and stored, or why it was not.
pub type Licence<'a> = std::result::Result<&'a Stored, String>;

/// Keeps the licence scan in the file store: PDF, JPEG or PNG by its bytes, at most `LICENCE_LIMIT`.
fn store_licence(state: &AppState, bytes: &[u8], l: Locale) -> std::result::Result<Stored, String> {
    state.config.files().put_document(bytes, LICENCE_LIMIT).map_err(|e| {
        match e {
            FileError::Empty => {
                l.pick("请上传营业执照扫描件或照片。", "Upload a scan or photo of the business licence.")
            }
            FileError::TooLarge { .. } => {
                l.pick("营业执照文件不能超过 10 MB。", "The licence file may be at most 10 MB.")
            }
            FileError::Type => {
                l.pick("营业执照只接受 PDF、JPG 或 PNG 文件。", "The licence must be a PDF, JPG or PNG file.")
            }
            other => {
                tracing::error!(error = %other, "licence not stored");
                l.pick("营业执照保存失败，请稍后再试。", "The licence could not be saved; please try again.")
            }
        }
        .to_owned()
    })
}

/// Whether `code` is in the `kind` code table.
async fn known_code(tx: &mut Tx, kind: &str, code: &str) -> DbResult<bool> {
    let sql = "SELECT code FROM code_tables WHERE kind = $1 AND version = $2 AND code = $3";
    Ok(tx.fetch_optional(sql, &[kind.into(), kernel::codes::BASE_VERSION.into(), code.into()]).await?.is_some())
}

fn id_message(field_zh: &str, field_en: &str, e: IdError, l: Locale) -> String {
    match l {
        Locale::Zh => format!("{field_zh}{}", e.message(l)),
        Locale::En => format!("{field_en} {}", e.message(l)),
    }
}

fn bounded(errors: &mut FieldErrors, field: &str, value: &str, max: usize, l: Locale) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.add(field, l.pick("此项必填。", "This field is required."));
    } else if v.chars().count() > max {
        errors.add(
            field,
            match l {
                Locale::Zh => format!("不能超过 {max} 个字。"),
                Locale::En => format!("At most {max} characters."),
            },
        );
    }
    v.to_owned()
}

/// Validates and stores a registration: the employer stays pending and gets
/// one account. A claim of a recorded employer keeps what it proposes aside
/// until review. `answered`: whether the form's question was answered
/// (`gate::answered`). Returns the field messages when something is wrong.
pub async fn register_employer(
    tx: &mut Tx,
    who: &AuditActor,
    form: &Registration,
    licence: Licence<'_>,
    answered: bool,
    l: Locale,
) -> std::result::Result<i64, FieldErrors> {
    let mut errors = FieldErrors::default();
    if !answered {
        errors
            .add("answer", l.pick("答案不对，请重新计算这道新题。", "Wrong answer; please work out the new question."));
    }
    if let Err(message) = &licence {
        errors.add("licence", message.as_str());
    }
    for (field, kind, value) in
        [("nature_code", "unit_nature", &form.nature_code), ("industry_code", "industry", &form.industry_code)]
    {
        match known_code(tx, kind, value.trim()).await {
            Ok(true) => {}
            Ok(false) => errors.add(field, l.pick("请从列表中选择。", "Choose one from the list.")),
            Err(e) => {
                tracing::error!(error = %e, "code lookup failed");
                errors.add(field, l.pick("保存失败，请稍后再试。", "Could not save; please try again."));
            }
        }
    }
    let name = bounded(&mut errors, "name", &form.name, 100, l);
    let contact_name = bounded(&mut errors, "contact_name", &form.contact_name, 30, l);
    let username = bounded(&mut errors, "username", &form.username, 32, l);
    if !username.is_empty() && !username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
    {
        errors.add(
            "username",
            l.pick("用户名只能包含字母、数字、点、下划线和连字符。", "Use letters, digits, dot, underscore or hyphen."),
        );
    }
    let credit_code = match validate::credit_code(&form.credit_code) {
        Ok(c) => c,
        Err(e) => {
            errors.add("credit_code", id_message("统一社会信用代码", "Credit code", e, l));
            String::new()
        }
    };
    let phone = match validate::mobile(&form.contact_phone) {
        Ok(p) => p,
        Err(e) => {
            errors.add("contact_phone", id_message("手机号", "Mobile number", e, l));
            String::new()
        }
    };
    if !password::strong_enough(&form.password) {
        errors.add(
            "password",
            l.pick("密码至少 8 位，且须同时包含字母和数字。", "At least 8 characters, with letters and digits."),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let db_error = |errors: &mut FieldErrors| {
        errors.add("name", l.pick("保存失败，请稍后再试。", "Could not save; please try again."))
    };
    let taken = tx
        .fetch_optional("SELECT id, status FROM employers WHERE credit_code = $1", &[credit_code.as_str().into()])
        .await;
    // An employer entered from a graduate's destination is claimed by registering.
    let mut claimed = None;
    match taken {
        Ok(Some(row)) if row.text("status").ok().as_deref() == Some(RECORDED) => claimed = row.i64("id").ok(),
        Ok(Some(_)) => errors.add(
            "credit_code",
            l.pick(
                "该统一社会信用代码已注册，请直接登录或联系单位的账号管理员。",
                "This credit code is already registered; log in or ask your organisation's account holder.",
            ),
        ),
        Ok(None) => {}
        Err(_) => db_error(&mut errors),
    }
    if let Ok(Some(_)) =
        tx.fetch_optional("SELECT id FROM accounts WHERE username = $1", &[username.as_str().into()]).await
    {
        errors.add("username", l.pick("该用户名已被使用。", "This user name is taken."));
    }
    let Ok(licence) = licence else { return Err(errors) };
    if !errors.is_empty() {
        return Err(errors);
    }
    let region = Some(credit_code[2..8].to_owned());
    let (nature, industry) = (form.nature_code.trim(), form.industry_code.trim());
    let now = time::now_utc();
    let inserted = async {
        let id = match claimed {
            Some(id) => {
                let proposed = Proposed {
                    name: name.clone(),
                    nature_code: nature.to_owned(),
                    industry_code: industry.to_owned(),
                };
                let claim = Record::new()
                    .set("proposed", serde_json::to_string(&proposed).unwrap_or_default())
                    .set("contact_name", contact_name.as_str())
                    .set("contact_phone", phone.as_str())
                    .set("licence_sha256", licence.sha256.as_str())
                    .set("licence_type", licence.kind.content_type())
                    .set("status", PENDING);
                tx.update("employers", claim, "id", id).await?;
                id
            }
            None => {
                let employer = Record::new()
                    .set("credit_code", credit_code.as_str())
                    .set("name", name.as_str())
                    .set("region_code", region)
                    .set("nature_code", nature)
                    .set("industry_code", industry)
                    .set("contact_name", contact_name.as_str())
                    .set("contact_phone", phone.as_str())
                    .set("licence_sha256", licence.sha256.as_str())
                    .set("licence_type", licence.kind.content_type())
                    .set("status", PENDING)
                    .set("created_at", now.as_str());
                tx.insert_id("employers", employer).await?
            }
        };
        let account = tx
            .insert_returning_id(
                "INSERT INTO accounts (username, display_name, password_hash, role, employer_id, active, created_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6)",
                &[username.as_str().into(), contact_name.as_str().into(), password::hash_off_thread(&form.password).await.into(), Role::Employer.as_str().into(), id.into(), now.as_str().into()],
            )
            .await?;
        let after = serde_json::json!({ "credit_code": credit_code, "name": name, "contact_name": contact_name, "nature_code": nature, "industry_code": industry, "licence_sha256": licence.sha256, "status": PENDING, "account_id": account, "username": username, "claimed": claimed.is_some() });
        audit::record(tx, who, Change::new("register", "employer", id).after(after)).await?;
        Ok::<i64, kernel::DbError>(id)
    }
    .await;
    inserted.map_err(|e| {
        let mut errors = FieldErrors::default();
        match e {
            kernel::DbError::Duplicate(_) => errors
                .add("credit_code", l.pick("该统一社会信用代码已注册。", "This credit code is already registered.")),
            other => {
                tracing::error!(error = %other, "employer registration failed");
                db_error(&mut errors)
            }
        }
        errors
    })
}

#[derive(Template)]
#[template(path = "employer_register.html")]
struct RegisterPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    form: Registration,
    errors: FieldErrors,
    natures: Vec<(String, String)>,
    industries: Vec<(String, String)>,
    /// The question's token for the hidden field, and its text.
    question: String,
    question_text: String,
    /// Why the registration was refused as a whole (the hourly limit); empty otherwise.
    refused: &'a str,
}

/// (field, label zh, label en, options, current value) of a code picker.
type Picker<'a> = (&'static str, &'static str, &'static str, &'a [(String, String)], &'a str);

impl RegisterPage<'_> {
    /// The form with a new question: each question is tried once.
    async fn load<'a>(
        db: &Db,
        ctx: &'a Ctx,
        form: Registration,
        errors: FieldErrors,
        refused: &'a str,
    ) -> std::result::Result<RegisterPage<'a>, AppError> {
        let options = |codes: Vec<kernel::codes::Code>| {
            codes.iter().map(|c| (c.code.clone(), c.label(ctx.locale).to_owned())).collect::<Vec<_>>()
        };
        let base = kernel::codes::BASE_VERSION;
        let mut tx = db.begin().await?;
        let (question, asked) = gate::ask(&mut tx).await?;
        tx.commit().await?;
        Ok(RegisterPage {
            ctx,
            l: ctx.locale,
            form: Registration { answer: String::new(), ..form },
            errors,
            natures: options(kernel::codes::list(db, "unit_nature", base).await?),
            industries: options(kernel::codes::list(db, "industry", base).await?),
            question,
            question_text: asked.text(ctx.locale),
            refused,
        })
    }

    fn pickers(&self) -> Vec<Picker<'_>> {
        vec![
            ("nature_code", "单位性质", "Nature of the organisation", &self.natures, &self.form.nature_code),
            ("industry_code", "所属行业", "Industry", &self.industries, &self.form.industry_code),
        ]
    }

    fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }

    /// (name, label zh, label en, value, input type, hint zh, hint en) of each field.
    #[allow(clippy::type_complexity)]
    fn fields(
        &self,
    ) -> Vec<(&'static str, &'static str, &'static str, &str, &'static str, &'static str, &'static str)> {
        let f = &self.form;
        vec![
            (
                "name",
                "单位名称",
                "Organisation name",
                f.name.as_str(),
                "text",
                "与营业执照一致",
                "As on the business licence",
            ),
            (
                "credit_code",
                "统一社会信用代码",
                "Unified social credit code",
                f.credit_code.as_str(),
                "text",
                "18 位，全角字符、空格和小写会自动转换",
                "18 characters; full-width characters, spaces and lower case are accepted",
            ),
            ("contact_name", "联系人", "Contact person", f.contact_name.as_str(), "text", "", ""),
            ("contact_phone", "联系人手机号", "Contact mobile", f.contact_phone.as_str(), "tel", "", ""),
            (
                "username",
                "登录用户名",
                "User name",
                f.username.as_str(),
                "text",
                "字母、数字、点、下划线或连字符",
                "Letters, digits, dot, underscore or hyphen",
            ),
            (
                "password",
                "登录密码",
                "Password",
                "",
                "password",
                "至少 8 位，含字母和数字",
                "At least 8 characters, with letters and digits",
            ),
        ]
    }
}

async fn register_form(State(state): State<AppState>, ctx: Ctx) -> std::result::Result<Response, AppError> {
    let page = RegisterPage::load(&state.db, &ctx, Registration::default(), FieldErrors::default(), "").await?;
    ctx.page(ctx.t("用人单位注册", "Employer registration"), &page)
}

async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Multipart,
) -> std::result::Result<Response, AppError> {
    let upload = Upload::read(multipart).await.ok_or(AppError::TooLarge)?;
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    let form = Registration::of(&upload);
    let title = ctx.t("用人单位注册", "Employer registration");
    // The question is spent before anything else, in its own transaction, so
    // a refused registration cannot try it again.
    let mut tx = state.db.begin().await?;
    let over_limit = gate::over_limit(&mut tx, &ctx.client_addr).await?;
    let answered = gate::answered(&mut tx, &form.question, &form.answer).await?;
    tx.commit().await?;
    if over_limit {
        let refused = ctx.t(
            "此网络地址一小时内已注册 5 家单位，请一小时后再试；如需注册更多单位，请联系省教育厅。",
            "Five organisations were registered from this network address within the hour; try again in an hour, or contact the provincial education department to register more.",
        );
        let page = RegisterPage::load(
            &state.db,
            &ctx,
            Registration { password: String::new(), ..form },
            FieldErrors::default(),
            refused,
        )
        .await?;
        return ctx.page(title, &page);
    }
    let licence = store_licence(&state, &upload.bytes, ctx.locale);
    let mut tx = state.db.begin().await?;
    let registered = register_employer(
        &mut tx,
        &ctx.audit_actor(),
        &form,
        licence.as_ref().map_err(Clone::clone),
        answered,
        ctx.locale,
    )
    .await;
    match registered {
        Ok(_) => {
            gate::count_registration(&mut tx, &ctx.client_addr).await?;
            tx.commit().await?;
            state.cache.clear();
            Ok(redirect_with_flash(
                "/login",
                ctx.t(
                    "注册成功：单位信息待审核，审核通过前可以登录查看状态。",
                    "Registered. Your organisation awaits review; you can log in to see its status.",
                ),
            ))
        }
        Err(errors) => {
            // Nothing was written; the page asks a new question in a transaction of its own.
            drop(tx);
            let form = Registration { password: String::new(), ..form };
            let page = RegisterPage::load(&state.db, &ctx, form, errors, "").await?;
            ctx.page(title, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "employers.html")]
struct ListPage<'a> {
    l: Locale,
    f: &'a EmployerFilter,
    rows: Vec<Employer>,
    pager: String,
    sort: &'a Sort,
    url: &'a ListUrl,
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(f): Query<EmployerFilter>,
) -> std::result::Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer])?;
    let sort = Sort::parse(f.sort.as_deref(), f.dir.as_deref(), SORTS);
    if f.format == "xlsx" || f.format == "csv" {
        let rows = list(&state.db, None, &actor.scope(), &f, &sort, &mut Paging::everything()).await?;
        return export(&rows, &f.format, ctx.locale);
    }
    let mut paging = Paging::parse(f.page.as_deref());
    let rows = list(&state.db, Some(&state.cache), &actor.scope(), &f, &sort, &mut paging).await?;
    let url = ListUrl::new(
        "/registry/employers",
        &[
            ("q", &f.q),
            ("status", &f.status),
            ("sort", f.sort.as_deref().unwrap_or("")),
            ("dir", f.dir.as_deref().unwrap_or("")),
        ],
    );
    let pager = paging.html(&url, ctx.locale);
    ctx.page(ctx.t("用人单位", "Employers"), &ListPage { l: ctx.locale, f: &f, rows, pager, sort: &sort, url: &url })
}

/// The employer list as a file; phone numbers masked as on the page.
fn export(rows: &[Employer], format: &str, l: Locale) -> std::result::Result<Response, AppError> {
    let header = [
        ("统一社会信用代码", "Credit code"),
        ("单位名称", "Name"),
        ("所在地区代码", "Region code"),
        ("单位性质代码", "Nature code"),
        ("行业代码", "Industry code"),
        ("联系人", "Contact"),
        ("联系电话", "Phone"),
        ("审核状态", "Review status"),
        ("登记时间", "Registered"),
    ];
    let mut table = vec![header.iter().map(|(zh, en)| l.pick(zh, en).to_owned()).collect::<Vec<_>>()];
    table.extend(rows.iter().map(|e| {
        vec![
            e.credit_code.clone(),
            e.name.clone(),
            e.region_code.clone().unwrap_or_default(),
            e.nature_code.clone().unwrap_or_default(),
            e.industry_code.clone().unwrap_or_default(),
            e.contact_name.clone(),
            e.contact_phone.clone(),
            status_label(&e.status, l).to_owned(),
            kernel::time::display(&e.created_at),
        ]
    }));
    kernel::web::export::download(&table, format, "employers", l.pick("用人单位", "Employers"), None)
}

#[derive(Template)]
#[template(path = "employer.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    e: Employer,
    can_review: bool,
    nature: String,
    industry: String,
    /// The reason typed for a rejection, kept when it comes back with a message.
    reason: String,
    reason_error: &'a str,
}

async fn render_detail(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    reason: String,
    reason_error: &str,
) -> std::result::Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer])?;
    let e = get(&state.db, &actor.scope(), id).await?;
    let can_review = may_review(actor);
    let name_of = |kind: &'static str, code: &Option<String>| {
        let code = code.clone().unwrap_or_default();
        async move {
            let names = kernel::codes::labels(&state.db, kind, kernel::codes::BASE_VERSION, ctx.locale).await?;
            Ok::<String, AppError>(names.get(&code).cloned().unwrap_or(code))
        }
    };
    let nature = name_of("unit_nature", &e.nature_code).await?;
    let industry = name_of("industry", &e.industry_code).await?;
    let title = e.name.clone();
    let page = DetailPage { ctx, l: ctx.locale, e, can_review, nature, industry, reason, reason_error };
    ctx.page(&title, &page)
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> std::result::Result<Response, AppError> {
    render_detail(&state, &ctx, id, String::new(), "").await
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    decision: String,
    /// Required to reject: the employer is shown it.
    #[serde(default)]
    reason: String,
}

/// The most a rejection's reason may say.
const REASON_CHARS: usize = 500;

async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> std::result::Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff])?;
    if !may_review(actor) {
        return Err(AppError::Forbidden);
    }
    let reason = form.reason.trim();
    let (status, reason) = match form.decision.as_str() {
        "approve" => (APPROVED, None),
        "reject" if !reason.is_empty() && reason.chars().count() <= REASON_CHARS => (REJECTED, Some(reason)),
        "reject" => {
            let message = ctx.t(
                "请写明不通过的原因（不超过 500 字），单位会看到它。",
                "Give the reason for rejecting (at most 500 characters); the employer will see it.",
            );
            return render_detail(&state, &ctx, id, form.reason.clone(), message).await;
        }
        _ => return Err(AppError::BadRequest(ctx.t("请选择通过或不通过。", "Choose approve or reject.").to_owned())),
    };
    let mut tx = state.db.begin().await?;
    let before = tx
        .fetch_optional("SELECT id, name, status, review_reason, proposed FROM employers WHERE id = $1", &[id.into()])
        .await?
        .ok_or(AppError::NotFound)?;
    // An approved claim takes the name and details it proposed; a rejected one
    // gives the employer back, unclaimed, to whoever can prove it is theirs.
    let proposed = Proposed::of(&before)?;
    let turned_down = proposed.is_some() && status == REJECTED;
    let claim = proposed.filter(|_| status == APPROVED);
    if let Some(proposed) = &claim {
        tx.update("employers", proposed.record(), "id", id).await?;
    }
    let claimants_stopped = match turned_down {
        true => release_claim(&mut tx, id).await?,
        false => Vec::new(),
    };
    let decided = Record::new()
        .set("status", if turned_down { RECORDED } else { status })
        .set("review_reason", reason.filter(|_| !turned_down).map(str::to_owned))
        .set("reviewed_by", actor.account_id)
        .set("reviewed_at", time::now_utc());
    tx.update("employers", decided, "id", id).await?;
    let name = claim.map_or(before.text("name")?, |p| p.name);
    let after = serde_json::json!({ "id": id, "name": name, "status": status, "review_reason": reason, "claim_turned_down": turned_down, "claimant_accounts_deactivated": claimants_stopped });
    audit::record(
        &mut tx,
        &ctx.audit_actor(),
        Change::new("review", "employer", id).before(before.to_json()).after(after),
    )
    .await?;
    tx.commit().await?;
    state.cache.clear();
    let message = match (status, ctx.locale) {
        (APPROVED, Locale::Zh) => format!("已审核通过：{name} 现在可以发起签约。"),
        (APPROVED, Locale::En) => format!("Approved: {name} can now invite graduates to sign."),
        (_, Locale::Zh) if turned_down => format!("认领未通过：{name} 恢复为未注册，认领账号已停用。"),
        (_, Locale::En) if turned_down => {
            format!("Claim rejected: {name} is unregistered again and the claiming account is deactivated.")
        }
        (_, Locale::Zh) => format!("已退回：{name} 会看到不通过的原因。"),
        (_, Locale::En) => format!("Rejected: {name} will see the reason."),
    };
    Ok(redirect_with_flash(&format!("/registry/employers/{id}"), &message))
}

/// Undoes a turned-down claim of a recorded employer: its contact and
/// licence go, and the claimant's accounts are deactivated with their
/// sessions and tokens, so that neither a squatter keeps the employer nor a
/// later, proven claim finds someone else already inside. Returns the
/// accounts stopped, for the audit.
async fn release_claim(tx: &mut Tx, id: i64) -> DbResult<Vec<i64>> {
    let accounts = tx
        .fetch_all("SELECT id FROM accounts WHERE employer_id = $1 AND active = TRUE", &[id.into()])
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect::<DbResult<Vec<i64>>>()?;
    for &account in &accounts {
        tx.execute("UPDATE accounts SET active = FALSE WHERE id = $1", &[account.into()]).await?;
        kernel::auth::session::end_other_sessions(tx, account, None).await?;
        kernel::auth::session::revoke_api_tokens(tx, account).await?;
    }
    let unclaimed = Record::new()
        .set("proposed", None::<String>)
        .set("contact_name", "")
        .set("contact_phone", "")
        .set("licence_sha256", None::<String>)
        .set("licence_type", None::<String>);
    tx.update("employers", unclaimed, "id", id).await?;
    Ok(accounts)
}

/// The business licence, for the reviewers and the employer itself.
async fn licence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> std::result::Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer])?;
    let e = get(&state.db, &actor.scope(), id).await?;
    let row = state
        .db
        .fetch_optional("SELECT licence_sha256, licence_type FROM employers WHERE id = $1", &[id.into()])
        .await?
        .ok_or(AppError::NotFound)?;
    let (Some(sha), Some(content_type)) = (row.opt_text("licence_sha256")?, row.opt_text("licence_type")?) else {
        return Err(AppError::NotFound);
    };
    let bytes = state.config.files().get(&sha).map_err(|err| match err {
        FileError::Missing => AppError::NotFound,
        other => AppError::Internal(anyhow::anyhow!(other)),
    })?;
    let name = kernel::files::download_name(&format!("{}-营业执照", e.credit_code), id, &content_type);
    Ok(kernel::web::export::attachment(&content_type, &name, bytes))
}

/// Where an employer's registration stands, as its own pages show it.
pub struct Review {
    pub name: String,
    pub status: String,
    /// Why it was rejected; empty otherwise.
    pub reason: String,
}

pub async fn review_of(db: &Db, employer_id: i64) -> DbResult<Option<Review>> {
    let row = db
        .fetch_optional("SELECT name, status, review_reason FROM employers WHERE id = $1", &[employer_id.into()])
        .await?;
    row.map(|r| {
        Ok(Review {
            name: r.text("name")?,
            status: r.text("status")?,
            reason: r.opt_text("review_reason")?.unwrap_or_default(),
        })
    })
    .transpose()
}

/// Whether the employer passed review and may invite graduates to sign.
pub async fn is_approved(db: &Db, employer_id: i64) -> DbResult<bool> {
    Ok(review_of(db, employer_id).await?.is_some_and(|r| r.status == APPROVED))
}

/// For an employer whose registration is not approved, its review status: it
/// may not invite yet, so it is shown that rather than a form it cannot use.
pub async fn held_back(db: &Db, actor: &Actor, l: Locale) -> DbResult<Option<&'static str>> {
    let Some(employer_id) = actor.employer_id.filter(|_| actor.role == Role::Employer) else {
        return Ok(None);
    };
    let review = review_of(db, employer_id).await?;
    Ok(review.filter(|r| r.status != APPROVED).map(|r| status_label(&r.status, l)))
}
