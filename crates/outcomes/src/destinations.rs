//! Destinations (毕业去向): registering and updating a graduate's destination as
//! an append-only event with the current state beside it, and the graduate's
//! own confirmation or dispute (实名核验).

use kernel::audit::{self, AuditActor, Change};
use kernel::auth::Scope;
use kernel::db::SqlBuilder;
use kernel::web::FieldErrors;
use kernel::{time, validate, Locale, Tx, Value};

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

async fn code_known(tx: &mut Tx, kind: &str, version: &str, code: &str) -> Result<bool, kernel::DbError> {
    let row = tx
        .fetch_optional(
            "SELECT code FROM code_tables WHERE kind = $1 AND version = $2 AND code = $3",
            &[kind.into(), version.into(), code.into()],
        )
        .await?;
    Ok(row.is_some())
}

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
    let graduate = tx
        .fetch_one(
            "SELECT g.id, g.cohort_year, g.institution_id, c.destination_version FROM graduates g JOIN cohorts c ON c.year = g.cohort_year WHERE g.id = $1",
            &[graduate_id.into()],
        )
        .await?;
    let version = graduate.text("destination_version")?;
    let mut errors = FieldErrors::default();
    let category = validate::normalize(&form.category_code);
    if category.is_empty() {
        errors.add("category_code", l.pick("请选择毕业去向类别。", "Choose a destination category."));
    } else if !code_known(tx, "destination", &version, &category).await? {
        errors
            .add("category_code", l.pick("毕业去向类别不在本届代码表中。", "Not in this cohort's destination codes."));
    }
    for (field, kind, value) in [
        ("position_code", "position_category", &form.position_code),
        ("nature_code", "unit_nature", &form.nature_code),
        ("industry_code", "industry", &form.industry_code),
    ] {
        let v = validate::normalize(value);
        if !v.is_empty() && !code_known(tx, kind, "base", &v).await? {
            errors.add(field, l.pick("不在代码表中。", "Not in the code table."));
        }
    }
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
    let region = validate::normalize(&form.region_code);
    if !region.is_empty() && !registry::reference::region_index_in(tx).await?.knows(&region) {
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
    let employer_name = form.employer_name.trim().chars().take(101).collect::<String>();
    if employer_name.chars().count() > 100 {
        errors.add("employer_name", l.pick("单位名称不能超过 100 个字。", "At most 100 characters."));
    }
    let note = form.note.trim().chars().take(501).collect::<String>();
    if note.chars().count() > 500 {
        errors.add("note", l.pick("备注不能超过 500 个字。", "At most 500 characters."));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let opt = |s: String| Some(s).filter(|s| !s.is_empty());
    let before = tx
        .fetch_optional("SELECT category_code, employer_name, credit_code, region_code, signed_on FROM destinations WHERE graduate_id = $1", &[graduate_id.into()])
        .await?
        .map(|r| r.to_json());
    let now = time::now_utc();
    let values: Vec<Value> = vec![
        graduate_id.into(),
        graduate.i64("cohort_year")?.into(),
        graduate.i64("institution_id")?.into(),
        now.as_str().into(),
        who.account_id.into(),
        who.label.as_str().into(),
        version.as_str().into(),
        category.as_str().into(),
        opt(employer_name.clone()).into(),
        credit_code.clone().into(),
        opt(validate::normalize(&form.position_code)).into(),
        opt(validate::normalize(&form.nature_code)).into(),
        opt(validate::normalize(&form.industry_code)).into(),
        opt(region.clone()).into(),
        signed_on.clone().into(),
        opt(note).into(),
    ];
    let event_id = tx
        .insert_returning_id(
            "INSERT INTO destination_events (graduate_id, cohort_year, institution_id, at, actor_id, actor_label, code_version, category_code, \
             employer_name, credit_code, position_code, nature_code, industry_code, region_code, signed_on, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            &values,
        )
        .await?;
    // A changed destination needs the graduate's confirmation again.
    tx.execute(
        "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, employer_name, credit_code, region_code, signed_on, updated_at, confirmation) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending') \
         ON CONFLICT (graduate_id) DO UPDATE SET last_event_id = excluded.last_event_id, category_code = excluded.category_code, \
         employer_name = excluded.employer_name, credit_code = excluded.credit_code, region_code = excluded.region_code, \
         signed_on = excluded.signed_on, updated_at = excluded.updated_at, confirmation = 'pending', dispute_reason = NULL",
        &[
            graduate_id.into(),
            graduate.i64("cohort_year")?.into(),
            graduate.i64("institution_id")?.into(),
            event_id.into(),
            category.as_str().into(),
            opt(employer_name).into(),
            credit_code.into(),
            opt(region).into(),
            signed_on.into(),
            now.as_str().into(),
        ],
    )
    .await?;
    let after = tx
        .fetch_one("SELECT category_code, employer_name, credit_code, region_code, signed_on FROM destinations WHERE graduate_id = $1", &[graduate_id.into()])
        .await?
        .to_json();
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
