//! Destinations (毕业去向): registering and updating a graduate's destination as
//! an append-only event with the current state beside it, and the graduate's
//! own confirmation or dispute (实名核验).

use std::collections::HashSet;

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::Scope;
use kernel::db::SqlBuilder;
use kernel::web::FieldErrors;
use kernel::{time, validate, Locale, Tx, Value};
use registry::reference::RegionIndex;

/// What staff enter for a destination.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct DestinationForm {
    #[serde(default)]
    pub category_code: String,
    #[serde(default)]
    pub employer_name: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub position_code: String,
    #[serde(default)]
    pub nature_code: String,
    #[serde(default)]
    pub industry_code: String,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub signed_on: String,
    #[serde(default)]
    pub note: String,
}

impl DestinationForm {
    /// The graduate's current destination as the form shows it, ready to update;
    /// empty when nothing is recorded. The note is per change, so it starts empty.
    pub async fn current(db: &kernel::Db, graduate_id: i64) -> kernel::DbResult<DestinationForm> {
        let row = db
            .fetch_optional(
                "SELECT e.category_code, e.employer_name, e.credit_code, e.position_code, e.nature_code, e.industry_code, \
                 e.region_code, e.signed_on FROM destinations d JOIN destination_events e ON e.id = d.last_event_id \
                 WHERE d.graduate_id = $1",
                &[graduate_id.into()],
            )
            .await?;
        let Some(r) = row else { return Ok(DestinationForm::default()) };
        let text = |c: &str| r.opt_text(c).map(Option::unwrap_or_default);
        Ok(DestinationForm {
            category_code: text("category_code")?,
            employer_name: text("employer_name")?,
            credit_code: text("credit_code")?,
            position_code: text("position_code")?,
            nature_code: text("nature_code")?,
            industry_code: text("industry_code")?,
            region_code: text("region_code")?,
            signed_on: text("signed_on")?,
            note: String::new(),
        })
    }
}

/// Adds the scope's limits on graduates (alias `g`) to a WHERE clause.
pub fn scope_filter(w: &mut SqlBuilder, scope: &Scope) -> bool {
    match scope {
        Scope::Province => true,
        Scope::Institution { institution_id, college_id } => {
            w.push(" AND g.institution_id = ").bind(*institution_id);
            if let Some(college) = college_id {
                w.push(" AND g.college_id = ").bind(*college);
            }
            true
        }
        Scope::Graduate { graduate_id } => {
            w.push(" AND g.id = ").bind(*graduate_id);
            true
        }
        Scope::Employer { .. } | Scope::Nothing => false,
    }
}

/// The codes a destination is checked against, loaded once per request or batch.
pub struct Codes {
    pub version: String,
    categories: HashSet<String>,
    positions: HashSet<String>,
    natures: HashSet<String>,
    industries: HashSet<String>,
    regions: RegionIndex,
    /// The documents each category needs.
    pub evidence: crate::evidence::Rules,
}

impl Codes {
    pub async fn load(tx: &mut Tx, version: &str) -> Result<Codes, kernel::DbError> {
        let mut sets: Vec<HashSet<String>> = Vec::new();
        for (kind, v) in
            [("destination", version), ("position_category", "base"), ("unit_nature", "base"), ("industry", "base")]
        {
            let rows = tx
                .fetch_all("SELECT code FROM code_tables WHERE kind = $1 AND version = $2", &[kind.into(), v.into()])
                .await?;
            sets.push(rows.iter().map(|r| r.text("code")).collect::<Result<_, _>>()?);
        }
        let industries = sets.pop().unwrap_or_default();
        let natures = sets.pop().unwrap_or_default();
        let positions = sets.pop().unwrap_or_default();
        let categories = sets.pop().unwrap_or_default();
        let regions = registry::reference::region_index_in(tx).await?;
        let evidence = crate::evidence::Rules::load(tx, version).await?;
        Ok(Codes { version: version.to_owned(), categories, positions, natures, industries, regions, evidence })
    }
}

/// A destination that passed its checks, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub category: String,
    pub employer_name: Option<String>,
    pub credit_code: Option<String>,
    pub position: Option<String>,
    pub nature: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub signed_on: Option<String>,
    pub note: Option<String>,
}

fn some(s: String) -> Option<String> {
    Some(s).filter(|s| !s.is_empty())
}

/// Checks a destination form against the code tables (pure).
pub fn check(form: &DestinationForm, codes: &Codes, l: Locale) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::default();
    let category = validate::normalize(&form.category_code);
    if category.is_empty() {
        errors.add("category_code", l.pick("请选择毕业去向类别。", "Choose a destination category."));
    } else if !codes.categories.contains(&category) {
        errors
            .add("category_code", l.pick("毕业去向类别不在本届代码表中。", "Not in this cohort's destination codes."));
    }
    let mut coded = |field: &str, set: &HashSet<String>, value: &str| {
        let v = validate::normalize(value);
        if !v.is_empty() && !set.contains(&v) {
            errors.add(field, l.pick("不在代码表中。", "Not in the code table."));
        }
        some(v)
    };
    let position = coded("position_code", &codes.positions, &form.position_code);
    let nature = coded("nature_code", &codes.natures, &form.nature_code);
    let industry = coded("industry_code", &codes.industries, &form.industry_code);
    let credit_code = match form.credit_code.trim() {
        "" => None,
        text => match validate::credit_code(text) {
            Ok(code) => Some(code),
            Err(e) => {
                errors.add("credit_code", format!("{}{}", l.pick("统一社会信用代码", "Credit code "), e.message(l)));
                None
            }
        },
    };
    let region = some(validate::normalize(&form.region_code));
    if region.as_ref().is_some_and(|r| !codes.regions.knows(r)) {
        errors.add("region_code", l.pick("地区代码不存在。", "Unknown region code."));
    }
    let signed_on = match form.signed_on.trim() {
        "" => None,
        text => match crate::roster::check::parse_date(text) {
            Some(d) => Some(d.format("%Y-%m-%d").to_string()),
            None => {
                errors.add("signed_on", l.pick("日期格式应为 2022-06-30。", "Dates look like 2022-06-30."));
                None
            }
        },
    };
    let employer_name = form.employer_name.trim().to_owned();
    if employer_name.chars().count() > 100 {
        errors.add("employer_name", l.pick("单位名称不能超过 100 个字。", "At most 100 characters."));
    }
    let note = form.note.trim().to_owned();
    if note.chars().count() > 500 {
        errors.add("note", l.pick("备注不能超过 500 个字。", "At most 500 characters."));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Checked {
        category,
        employer_name: some(employer_name),
        credit_code,
        position,
        nature,
        industry,
        region,
        signed_on,
        note: some(note),
    })
}

/// Where a graduate belongs: what an event needs besides the destination.
pub struct Owner {
    pub graduate_id: i64,
    pub cohort: i64,
    pub institution_id: i64,
}

/// Appends the event and moves the current state. No audit record: callers
/// write one per form or per batch.
pub async fn write(
    tx: &mut Tx,
    who: &AuditActor,
    owner: &Owner,
    codes: &Codes,
    d: &Checked,
) -> Result<i64, kernel::DbError> {
    // First, so the cohort's row lock orders event ids (see placement::projection).
    tx.execute(
        "UPDATE cohorts SET destination_revision = destination_revision + 1 WHERE year = $1",
        &[owner.cohort.into()],
    )
    .await?;
    let employer_id = match &d.credit_code {
        Some(code) => Some(employer_for(tx, who, code, d).await?),
        None => None,
    };
    let now = time::now_utc();
    let values: Vec<Value> = vec![
        owner.graduate_id.into(),
        owner.cohort.into(),
        owner.institution_id.into(),
        now.as_str().into(),
        who.account_id.into(),
        who.label.as_str().into(),
        codes.version.as_str().into(),
        d.category.as_str().into(),
        d.employer_name.clone().into(),
        d.credit_code.clone().into(),
        d.position.clone().into(),
        d.nature.clone().into(),
        d.industry.clone().into(),
        d.region.clone().into(),
        d.signed_on.clone().into(),
        d.note.clone().into(),
        employer_id.into(),
    ];
    let event_id = tx
        .insert_returning_id(
            "INSERT INTO destination_events (graduate_id, cohort_year, institution_id, at, actor_id, actor_label, code_version, category_code, \
             employer_name, credit_code, position_code, nature_code, industry_code, region_code, signed_on, note, employer_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            &values,
        )
        .await?;
    // A changed destination needs the graduate's confirmation again, and its own evidence.
    tx.execute(
        "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, employer_name, credit_code, region_code, signed_on, updated_at, confirmation, evidence_missing, employer_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12) \
         ON CONFLICT (graduate_id) DO UPDATE SET last_event_id = excluded.last_event_id, category_code = excluded.category_code, \
         employer_name = excluded.employer_name, credit_code = excluded.credit_code, region_code = excluded.region_code, \
         signed_on = excluded.signed_on, updated_at = excluded.updated_at, confirmation = 'pending', dispute_reason = NULL, \
         evidence_missing = excluded.evidence_missing, employer_id = excluded.employer_id",
        &[
            owner.graduate_id.into(),
            owner.cohort.into(),
            owner.institution_id.into(),
            event_id.into(),
            d.category.as_str().into(),
            d.employer_name.clone().into(),
            d.credit_code.clone().into(),
            d.region.clone().into(),
            d.signed_on.clone().into(),
            now.as_str().into(),
            crate::evidence::missing(codes.evidence.required(&d.category), &[]).into(),
            employer_id.into(),
        ],
    )
    .await?;
    Ok(event_id)
}

/// The registry's employer with this credit code; one is entered, marked as
/// known only from a destination (未注册), when the registry has none. The
/// employer can later register under the same code and claim it.
async fn employer_for(tx: &mut Tx, who: &AuditActor, credit_code: &str, d: &Checked) -> Result<i64, kernel::DbError> {
    let found = tx.fetch_optional("SELECT id FROM employers WHERE credit_code = $1", &[credit_code.into()]).await?;
    if let Some(row) = found {
        return row.i64("id");
    }
    let name = d.employer_name.clone().unwrap_or_else(|| credit_code.to_owned());
    // The credit code's characters 3–8 are the registering authority's region (GB 32100).
    let region = d.region.clone().or_else(|| credit_code.get(2..8).map(str::to_owned));
    let id = tx
        .insert_returning_id(
            "INSERT INTO employers (credit_code, name, region_code, nature_code, industry_code, contact_name, contact_phone, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, '', '', $6, $7)",
            &[
                credit_code.into(),
                name.as_str().into(),
                region.into(),
                d.nature.clone().into(),
                d.industry.clone().into(),
                registry::employers::RECORDED.into(),
                time::now_utc().into(),
            ],
        )
        .await?;
    let after =
        serde_json::json!({ "credit_code": credit_code, "name": name, "status": registry::employers::RECORDED });
    audit::record(
        tx,
        who,
        Change {
            action: "record_from_destination",
            entity: "employer",
            entity_id: id.to_string(),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(id)
}

const CURRENT: &str =
    "SELECT category_code, employer_name, credit_code, region_code, signed_on FROM destinations WHERE graduate_id = $1";

/// Checks the form and, when it is right, appends the event, moves the current
/// state and writes the audit record, all in `tx`. The graduate must already
/// be known to be in the caller's scope.
pub async fn record(
    tx: &mut Tx,
    who: &AuditActor,
    graduate_id: i64,
    form: &DestinationForm,
    l: Locale,
) -> Result<Result<i64, FieldErrors>, kernel::DbError> {
    let g = tx
        .fetch_one(
            "SELECT g.cohort_year, g.institution_id, c.destination_version FROM graduates g JOIN cohorts c ON c.year = g.cohort_year WHERE g.id = $1",
            &[graduate_id.into()],
        )
        .await?;
    let codes = Codes::load(tx, &g.text("destination_version")?).await?;
    let checked = match check(form, &codes, l) {
        Ok(c) => c,
        Err(errors) => return Ok(Err(errors)),
    };
    let before = tx.fetch_optional(CURRENT, &[graduate_id.into()]).await?.map(|r| r.to_json());
    let owner = Owner { graduate_id, cohort: g.i64("cohort_year")?, institution_id: g.i64("institution_id")? };
    let event_id = write(tx, who, &owner, &codes, &checked).await?;
    let after = tx.fetch_one(CURRENT, &[graduate_id.into()]).await?.to_json();
    audit::record(
        tx,
        who,
        Change {
            action: "record",
            entity: "destination",
            entity_id: graduate_id.to_string(),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(Ok(event_id))
}

/// The graduate's answer to its own record: confirm, or dispute with a reason.
pub async fn answer(
    tx: &mut Tx,
    who: &AuditActor,
    graduate_id: i64,
    dispute: Option<&str>,
) -> Result<bool, kernel::DbError> {
    let before = tx
        .fetch_optional(
            "SELECT confirmation, dispute_reason FROM destinations WHERE graduate_id = $1",
            &[graduate_id.into()],
        )
        .await?;
    let Some(before) = before else { return Ok(false) };
    let (state, reason) = match dispute {
        Some(reason) => ("disputed", Some(reason.to_owned())),
        None => ("confirmed", None),
    };
    tx.execute(
        "UPDATE destinations SET confirmation = $1, dispute_reason = $2 WHERE graduate_id = $3",
        &[state.into(), reason.clone().into(), graduate_id.into()],
    )
    .await?;
    let after = serde_json::json!({ "confirmation": state, "dispute_reason": reason });
    let action = if dispute.is_some() { "dispute" } else { "confirm" };
    audit::record(
        tx,
        who,
        Change {
            action,
            entity: "destination",
            entity_id: graduate_id.to_string(),
            before: Some(before.to_json()),
            after: Some(after),
        },
    )
    .await?;
    Ok(true)
}
