//! The audit log viewer (审计日志) for the province: who changed what about
//! whom, filtered by person (student number, ID number, name), institution,
//! actor, entity, batch and time, with sign-ins and views of personal data
//! kept apart from data changes and each change shown field by field in the
//! reader's language.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value as Json;

use kernel::auth::Role;
use kernel::web::listing::{Listing, Match};
use kernel::web::table::{ListUrl, Paging};
use kernel::web::{AppError, AppState, Ctx};
use kernel::{time, DbResult, Locale, Row};

use crate::audit_names::{self, ENTITIES, MASKED, SIGN_INS, VIEWS};
use crate::graduates::{self, Graduate};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(page))
}

/// The audit trail of one graduate: the page a graduate's record links to.
pub fn graduate_url(graduate_id: i64) -> String {
    format!("/admin/audit?graduate={graduate_id}")
}

#[derive(Debug, Default, Deserialize)]
struct AuditFilter {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    /// Student number, ID number (in full) or name of a graduate.
    #[serde(default)]
    person: String,
    #[serde(default)]
    institution: String,
    /// A graduate's id, from the link on the graduate's record.
    #[serde(default)]
    graduate: String,
    /// A batch record's id: the batch and the records it wrote.
    #[serde(default)]
    batch: String,
    /// `data` (data changes, the default), `signin` (sign-ins), `view`
    /// (views of personal data) or `all`.
    #[serde(default)]
    kind: String,
    /// China calendar days, inclusive.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<String>,
}

impl AuditFilter {
    fn kind(&self) -> &str {
        match self.kind.as_str() {
            "signin" | "view" | "all" => &self.kind,
            _ => "data",
        }
    }
}

/// One field a change changed, as shown: its name, what it was and what it became.
#[derive(Debug, PartialEq, Eq)]
struct Difference {
    field: String,
    before: String,
    after: String,
}

/// The fields that differ between two images (JSON objects), named in the
/// reader's language, personal numbers masked; a field only in one image
/// counts as empty in the other. An image that is not an object is shown whole.
fn differences(entity: &str, before: Option<&str>, after: Option<&str>, l: Locale) -> Vec<Difference> {
    let parse = |text: Option<&str>| text.map(|t| serde_json::from_str::<Json>(t).unwrap_or_else(|_| Json::from(t)));
    let (before, after) = (parse(before), parse(after));
    let empty = serde_json::Map::new();
    let (old, new) = match (before.as_ref().map(Json::as_object), after.as_ref().map(Json::as_object)) {
        (Some(None), _) | (_, Some(None)) => {
            let whole = |image: &Option<Json>| image.as_ref().map(|j| shown("", j)).unwrap_or_default();
            return vec![Difference { field: String::new(), before: whole(&before), after: whole(&after) }];
        }
        (old, new) => (old.flatten().unwrap_or(&empty), new.flatten().unwrap_or(&empty)),
    };
    let fields: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let null = Json::Null;
    fields
        .into_iter()
        .filter_map(|field| {
            let (was, is) = (old.get(field).unwrap_or(&null), new.get(field).unwrap_or(&null));
            (was != is).then(|| Difference {
                field: audit_names::field(entity, field, l).to_owned(),
                before: shown(field, was),
                after: shown(field, is),
            })
        })
        .collect()
}

/// A value as text, masked when the field holds a personal number.
fn shown(field: &str, value: &Json) -> String {
    let text = match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    match MASKED.iter().find(|(f, _)| *f == field) {
        Some((_, mask)) if !text.is_empty() => mask(&text),
        _ => text,
    }
}

struct Entry {
    id: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    /// The graduate it is about: name and student number.
    graduate: String,
    institution: String,
    /// The batch record that wrote it.
    batch_id: Option<i64>,
    /// A batch's own record, whose members a link lists.
    is_batch: bool,
    changes: Vec<Difference>,
    client: String,
}

impl Entry {
    const FROM: &str = "FROM audit_log a LEFT JOIN graduates g ON g.id = a.graduate_id \
        LEFT JOIN institutions i ON i.id = a.institution_id";
    const COLUMNS: &str = "a.id, a.at, a.actor_label, a.action, a.entity, a.entity_id, a.before_json, a.after_json, \
        a.client_addr, a.batch_id, g.name AS graduate_name, g.student_no, i.name AS institution_name";

    fn of(r: &Row, l: Locale) -> DbResult<Entry> {
        let entity = r.text("entity")?;
        let action = r.text("action")?;
        let batch_id = r.opt_i64("batch_id")?;
        let graduate = match (r.opt_text("graduate_name")?, r.opt_text("student_no")?) {
            (Some(name), Some(no)) => format!("{name} {no}"),
            _ => String::new(),
        };
        let (before, after) = (r.opt_text("before_json")?, r.opt_text("after_json")?);
        Ok(Entry {
            id: r.i64("id")?,
            at: time::display(&r.text("at")?),
            actor: r.text("actor_label")?,
            action: audit_names::action(&entity, &action, l).to_owned(),
            is_batch: batch_id.is_none() && action == "import",
            changes: differences(&entity, before.as_deref(), after.as_deref(), l),
            entity: audit_names::entity(&entity, l).to_owned(),
            entity_id: r.text("entity_id")?,
            graduate,
            institution: r.opt_text("institution_name")?.unwrap_or_default(),
            batch_id,
            client: r.opt_text("client_addr")?.unwrap_or_default(),
        })
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    l: Locale,
    f: &'a AuditFilter,
    entities: Vec<(&'static str, &'static str)>,
    institutions: Vec<(i64, String)>,
    /// The graduate the page is filtered to, numbers masked.
    graduate: Option<Graduate>,
    rows: Vec<Entry>,
    pager: String,
    date_error: bool,
    /// A person was asked for whom no graduate answers.
    nobody: bool,
}

impl AuditPage<'_> {
    /// The kind filter's choices: (value, name).
    fn kinds(&self) -> [(&'static str, &'static str); 4] {
        let l = self.l;
        [
            ("data", l.pick("数据变更", "Data changes")),
            ("signin", l.pick("登录记录", "Sign-ins")),
            ("view", l.pick("查看个人信息", "Personal data views")),
            ("all", l.pick("全部", "All")),
        ]
    }

    fn kind_is(&self, kind: &str) -> bool {
        self.f.kind() == kind
    }

    fn chosen(&self, id: &i64) -> bool {
        self.f.institution == id.to_string()
    }

    fn empty<'b>(&self, text: &'b str) -> &'b str {
        if text.is_empty() {
            self.l.pick("（空）", "(empty)")
        } else {
            text
        }
    }
}

/// A number from a link or picker; `Err` when it is not one, so the page shows nothing rather than everything.
fn id(text: &str) -> Result<Option<i64>, ()> {
    match text.trim() {
        "" => Ok(None),
        t => t.parse().map(Some).map_err(|_| ()),
    }
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(f): Query<AuditFilter>) -> Result<Response, AppError> {
    let actor = ctx.require(&[Role::ProvinceAdmin])?;
    let scope = actor.scope();
    let parse = |s: &str| {
        if s.is_empty() {
            Ok(None)
        } else {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some)
        }
    };
    let (from, to) = (parse(&f.from), parse(&f.to));
    let date_error = from.is_err() || to.is_err();
    let quoted = |actions: &[&str]| actions.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ");
    let (sign_ins, views) = (quoted(&SIGN_INS), quoted(&VIEWS));
    let mut listing = Listing::new(Entry::FROM)
        .search(&f.actor, &[Match::Contains("a.actor_label")])
        .equals("a.entity", &f.entity)
        .equals("a.entity_id", &f.entity_id);
    listing = match f.kind() {
        "signin" => listing.condition(&format!("a.action IN ({sign_ins})")),
        "view" => listing.condition(&format!("a.action IN ({views})")),
        "all" => listing,
        _ => listing.condition(&format!("a.action NOT IN ({sign_ins}, {views})")),
    };
    let (institution, graduate_id, batch) = (id(&f.institution), id(&f.graduate), id(&f.batch));
    if institution.is_err() || graduate_id.is_err() || batch.is_err() {
        listing = listing.condition("1 = 0");
    }
    let institution = institution.ok().flatten();
    if let Some(institution) = institution {
        listing = listing.condition_with("a.institution_id = ", institution);
    }
    if let Ok(Some(graduate_id)) = graduate_id {
        listing = listing.condition_with("a.graduate_id = ", graduate_id);
    }
    if let Ok(Some(batch)) = batch {
        // Numbers parsed above, so they can stand in the text.
        listing = listing.condition(&format!("(a.batch_id = {batch} OR a.id = {batch})"));
    }
    let mut nobody = false;
    if !f.person.trim().is_empty() {
        let ids = graduates::ids_of_person(&state.db, &scope, &f.person, institution).await?;
        nobody = ids.is_empty();
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        listing =
            listing.condition(&format!("a.graduate_id IN ({})", if nobody { "NULL".into() } else { ids.join(", ") }));
    }
    if let Ok(Some(day)) = from {
        listing = listing.condition_with("a.at >= ", time::end_of_china_day(day.pred_opt().unwrap_or(day)));
    }
    if let Ok(Some(day)) = to {
        listing = listing.condition_with("a.at < ", time::end_of_china_day(day));
    }
    let mut paging = Paging::parse(f.page.as_deref());
    let rows: Vec<Row> = listing.page(&state.db, Entry::COLUMNS, " ORDER BY a.id DESC", &mut paging).await?;
    let rows = rows.iter().map(|r| Entry::of(r, ctx.locale)).collect::<DbResult<_>>()?;
    let graduate = match graduate_id {
        Ok(Some(id)) => Some(graduates::get(&state.db, &scope, id).await?.masked_for(actor)),
        _ => None,
    };
    let url = ListUrl::new(
        "/admin/audit",
        &[
            ("person", &f.person),
            ("institution", &f.institution),
            ("graduate", &f.graduate),
            ("batch", &f.batch),
            ("kind", &f.kind),
            ("actor", &f.actor),
            ("entity", &f.entity),
            ("entity_id", &f.entity_id),
            ("from", &f.from),
            ("to", &f.to),
        ],
    );
    let pager = paging.html(&url, ctx.locale);
    let page = AuditPage {
        l: ctx.locale,
        f: &f,
        entities: ENTITIES.iter().map(|(key, zh, en)| (*key, ctx.t(zh, en))).collect(),
        institutions: crate::institutions::names(&state.db, &scope).await?,
        graduate,
        rows,
        pager,
        date_error,
        nobody,
    };
    ctx.page(ctx.t("审计日志", "Audit log"), &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(field: &str, before: &str, after: &str) -> Difference {
        Difference { field: field.into(), before: before.into(), after: after.into() }
    }

    #[test]
    fn only_changed_fields_show_named_and_masked() {
        let before = r#"{"category_code":"10","employer_name":"甲公司","signed_on":null}"#;
        let after = r#"{"category_code":"10","employer_name":"乙公司","signed_on":"2022-06-01"}"#;
        assert_eq!(
            differences("destination", Some(before), Some(after), Locale::Zh),
            vec![diff("单位名称", "甲公司", "乙公司"), diff("签约日期", "", "2022-06-01")]
        );
        let created = r#"{"name":"张三","id_number":"430102200001011234","phone":null}"#;
        assert_eq!(
            differences("graduate", None, Some(created), Locale::En),
            vec![diff("ID number", "", "430102********1234"), diff("Name", "", "张三")]
        );
    }

    #[test]
    fn images_that_are_not_objects_show_whole_and_none_show_nothing() {
        assert_eq!(differences("x", None, None, Locale::Zh), vec![]);
        assert_eq!(differences("x", Some("[1,2]"), None, Locale::Zh), vec![diff("", "[1,2]", "")]);
        assert_eq!(differences("x", None, Some("not json"), Locale::Zh), vec![diff("", "", "not json")]);
    }

    #[test]
    fn the_kind_defaults_to_data_changes() {
        let kind = |k: &str| AuditFilter { kind: k.into(), ..AuditFilter::default() }.kind().to_owned();
        assert_eq!(kind(""), "data");
        assert_eq!(kind("junk"), "data");
        assert_eq!(kind("signin"), "signin");
        assert_eq!(kind("view"), "view");
        assert_eq!(kind("all"), "all");
    }
}
