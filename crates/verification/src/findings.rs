//! The scan's signals as kept (核查线索): each run recorded, each signal one
//! finding per cohort, institution and kind, refreshed by every run. A
//! finding dismissed with a reason stays dismissed while its figures stay the
//! same; when they change it opens again.

use std::collections::HashMap;

use chrono::NaiveDate;
use kernel::audit::{self, AuditActor, Change, Subject};
use kernel::db::Record;
use kernel::{time, Db, DbResult, Locale, Row, Tx};
use serde_json::json;

use crate::signals::{Kind, Severity, Signal};

/// Where a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 待处理
    Open,
    /// 已排除 (with a reason)
    Dismissed,
    /// 已纳入核查: its institution is in a verification campaign.
    Taken,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Dismissed => "dismissed",
            Status::Taken => "taken",
        }
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Status::Open => l.pick("待处理", "Open"),
            Status::Dismissed => l.pick("已排除", "Dismissed"),
            Status::Taken => l.pick("已纳入核查", "Taken into a campaign"),
        }
    }
}

impl Kind {
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Kind::SuddenRise => l.pick("落实率突增", "Sudden rise of the rate"),
            Kind::ShareOutlier => l.pick("某类去向占比畸高", "A category's share far above peers"),
            Kind::EmployerCluster => l.pick("扎堆存疑单位", "Cluster at a doubtful employer"),
            Kind::ContactCluster => l.pick("同一地址或电话扎堆", "Cluster on one address or phone"),
            Kind::BulkEdit => l.pick("集中批量修改", "Bulk edits"),
            Kind::EvidenceReused => l.pick("同一证明材料多人使用", "One evidence file behind many"),
            Kind::Disputes => l.pick("毕业生异议多", "Many disputes"),
            Kind::RareConfirmation => l.pick("毕业生确认少", "Few confirmations"),
            Kind::LowSigning => l.pick("网签平台使用率低", "Little use of the signing platform"),
        }
    }
}

impl Severity {
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Severity::Low => l.pick("低", "Low"),
            Severity::Medium => l.pick("中", "Medium"),
            Severity::High => l.pick("高", "High"),
        }
    }
}

/// The figures as stored and compared: rounded, in name order.
fn fingerprint(s: &Signal) -> String {
    let rounded: std::collections::BTreeMap<&str, f64> =
        s.figures.iter().map(|(k, v)| (k.as_str(), (v * 10_000.0).round() / 10_000.0)).collect();
    json!({ "figures": rounded, "graduates": s.graduates.len() }).to_string()
}

/// Runs the scan over a cohort (as of a day; today when `None`) with the
/// cohort's thresholds and keeps its signals: what the page's 运行扫描 and the
/// nightly run both do. The signals counted; `None` when there is no such cohort.
pub async fn scan_and_keep(
    db: &Db,
    who: &AuditActor,
    cohort: i64,
    as_of: Option<NaiveDate>,
) -> DbResult<Option<usize>> {
    let Some(scope) = crate::scan::Scope::of_cohort(db, cohort, as_of).await? else { return Ok(None) };
    let thresholds = crate::settings::thresholds(db, cohort).await?;
    let signals = crate::scan::scan(db, &scope, &thresholds).await?;
    let mut tx = db.begin().await?;
    record(&mut tx, who, cohort, as_of, &signals).await?;
    tx.commit().await?;
    Ok(Some(signals.len()))
}

/// Records a run's signals (institution codes resolved to ids); returns the run's id.
pub async fn record(
    tx: &mut Tx,
    who: &AuditActor,
    cohort: i64,
    as_of: Option<NaiveDate>,
    signals: &[Signal],
) -> DbResult<i64> {
    let now = time::now_utc();
    let scan = Record::new()
        .set("cohort", cohort)
        .set("as_of", as_of.map(|d| d.to_string()))
        .set("started_at", now.as_str())
        .set("signals", signals.len() as i64);
    let scan_id = tx.insert_id("verification_scans", scan).await?;
    let ids: HashMap<String, i64> = tx
        .fetch_all("SELECT id, code FROM institutions", &[])
        .await?
        .iter()
        .map(|r| Ok((r.text("code")?, r.i64("id")?)))
        .collect::<DbResult<_>>()?;
    for s in signals {
        let Some(institution) = ids.get(&s.institution) else { continue };
        keep(tx, who, cohort, *institution, scan_id, s, &now).await?;
    }
    audit::record(
        tx,
        who,
        Change::created("verification_scan", scan_id, json!({ "cohort": cohort, "signals": signals.len() })),
    )
    .await?;
    Ok(scan_id)
}

async fn keep(
    tx: &mut Tx,
    who: &AuditActor,
    cohort: i64,
    institution: i64,
    scan_id: i64,
    s: &Signal,
    now: &str,
) -> DbResult<()> {
    let print = fingerprint(s);
    let existing = tx
        .fetch_optional(
            "SELECT id, status, fingerprint FROM verification_findings WHERE cohort = $1 AND institution_id = $2 AND kind = $3",
            &[cohort.into(), institution.into(), s.kind.key().into()],
        )
        .await?;
    let row = Record::new()
        .set("severity", s.severity.key())
        .set("figures", serde_json::to_string(&s.figures).unwrap_or_default())
        .set("graduates", serde_json::to_string(&s.graduates).unwrap_or_default())
        .set("fingerprint", print.as_str())
        .set("scan_id", scan_id);
    match existing {
        None => {
            let row = row
                .set("cohort", cohort)
                .set("institution_id", institution)
                .set("kind", s.kind.key())
                .set("status", Status::Open.key())
                .set("first_seen", now);
            tx.insert_id("verification_findings", row).await?;
        }
        Some(e) => {
            let id = e.i64("id")?;
            let reopens = e.text("status")? == Status::Dismissed.key() && e.text("fingerprint")? != print;
            let row = match reopens {
                true => row.set("status", Status::Open.key()).set("reason", None::<String>),
                false => row,
            };
            tx.update("verification_findings", row, "id", id).await?;
            if reopens {
                let change = Change::new("reopen", "verification_finding", id)
                    .after(json!({ "fingerprint": print }))
                    .about(Subject::institution(institution));
                audit::record(tx, who, change).await?;
            }
        }
    }
    Ok(())
}

/// A finding as the page shows it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub id: i64,
    pub institution_id: i64,
    pub institution: String,
    pub code: String,
    pub kind: Kind,
    pub severity: Severity,
    /// (name, value) of the figures behind it.
    pub figures: Vec<(String, f64)>,
    pub graduates: usize,
    pub status: Status,
    pub reason: Option<String>,
    pub first_seen: String,
}

fn finding_of(r: &Row) -> DbResult<Finding> {
    let figures: std::collections::BTreeMap<String, f64> =
        serde_json::from_str(&r.text("figures")?).unwrap_or_default();
    let graduates: Vec<i64> = serde_json::from_str(&r.text("graduates")?).unwrap_or_default();
    let severity = Severity::parse(&r.text("severity")?).unwrap_or(Severity::Low);
    Ok(Finding {
        id: r.i64("id")?,
        institution_id: r.i64("institution_id")?,
        institution: r.text("name")?,
        code: r.text("code")?,
        kind: Kind::parse(&r.text("kind")?).unwrap_or(Kind::SuddenRise),
        severity,
        figures: figures.into_iter().collect(),
        graduates: graduates.len(),
        status: match r.text("status")?.as_str() {
            "dismissed" => Status::Dismissed,
            "taken" => Status::Taken,
            _ => Status::Open,
        },
        reason: r.opt_text("reason")?,
        first_seen: time::display(&r.text("first_seen")?),
    })
}

/// The latest run of the cohort: (its id, when, as of).
pub async fn latest_scan(db: &Db, cohort: i64) -> DbResult<Option<(i64, String, Option<String>)>> {
    let row = db
        .fetch_optional(
            "SELECT id, started_at, as_of FROM verification_scans WHERE cohort = $1 ORDER BY id DESC LIMIT 1",
            &[cohort.into()],
        )
        .await?;
    row.map(|r| Ok((r.i64("id")?, time::display(&r.text("started_at")?), r.opt_text("as_of")?))).transpose()
}

/// The findings the latest run saw, strongest first; one institution's only when given.
pub async fn of_scan(db: &Db, scan_id: i64, institution: Option<i64>) -> DbResult<Vec<Finding>> {
    let mut sql = String::from(
        "SELECT f.id, f.institution_id, i.name, i.code, f.kind, f.severity, f.figures, f.graduates, f.status, f.reason, \
         f.first_seen FROM verification_findings f JOIN institutions i ON i.id = f.institution_id WHERE f.scan_id = $1",
    );
    let mut params = vec![scan_id.into()];
    if let Some(i) = institution {
        sql.push_str(" AND f.institution_id = $2");
        params.push(i.into());
    }
    sql.push_str(" ORDER BY CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, i.code, f.kind");
    db.fetch_all(&sql, &params).await?.iter().map(finding_of).collect()
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Finding>> {
    let row = db
        .fetch_optional(
            "SELECT f.id, f.institution_id, i.name, i.code, f.kind, f.severity, f.figures, f.graduates, f.status, \
             f.reason, f.first_seen FROM verification_findings f JOIN institutions i ON i.id = f.institution_id \
             WHERE f.id = $1",
            &[id.into()],
        )
        .await?;
    row.as_ref().map(finding_of).transpose()
}

/// The province dismisses a finding with its reason.
pub async fn dismiss(tx: &mut Tx, who: &AuditActor, by: i64, f: &Finding, reason: &str) -> DbResult<()> {
    let row = Record::new()
        .set("status", Status::Dismissed.key())
        .set("reason", reason)
        .set("decided_by", by)
        .set("decided_at", time::now_utc());
    tx.update("verification_findings", row, "id", f.id).await?;
    let change = Change::new("dismiss", "verification_finding", f.id)
        .before(json!({ "status": f.status.key() }))
        .after(json!({ "status": "dismissed", "reason": reason }))
        .about(Subject::institution(f.institution_id));
    audit::record(tx, who, change).await
}

/// The open findings of the cohort at these institutions become `taken`
/// (已纳入核查), each audited; returns how many.
pub async fn take(tx: &mut Tx, who: &AuditActor, cohort: i64, institutions: &[i64], campaign: i64) -> DbResult<usize> {
    let mut taken = 0;
    for institution in institutions {
        let rows = tx
            .fetch_all(
                "SELECT id FROM verification_findings WHERE cohort = $1 AND institution_id = $2 AND status = $3",
                &[cohort.into(), (*institution).into(), Status::Open.key().into()],
            )
            .await?;
        for r in rows {
            let id = r.i64("id")?;
            tx.update("verification_findings", Record::new().set("status", Status::Taken.key()), "id", id).await?;
            let change = Change::new("take", "verification_finding", id)
                .before(json!({ "status": "open" }))
                .after(json!({ "status": "taken", "campaign": campaign }))
                .about(Subject::institution(*institution));
            audit::record(tx, who, change).await?;
            taken += 1;
        }
    }
    Ok(taken)
}

/// The institutions with open findings of the cohort, by code: (id, name, how many).
pub async fn institutions_with_open(db: &Db, cohort: i64) -> DbResult<Vec<(i64, String, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT i.id, i.name, COUNT(*) AS n FROM verification_findings f JOIN institutions i ON i.id = f.institution_id \
             WHERE f.cohort = $1 AND f.status = $2 GROUP BY i.id, i.name, i.code ORDER BY i.code",
            &[cohort.into(), Status::Open.key().into()],
        )
        .await?;
    rows.iter().map(|r| Ok((r.i64("id")?, r.text("name")?, r.i64("n")?))).collect()
}

/// The graduates a finding names, as the scan kept them.
pub async fn graduate_ids(db: &Db, id: i64) -> DbResult<Vec<i64>> {
    let row = db.fetch_optional("SELECT graduates FROM verification_findings WHERE id = $1", &[id.into()]).await?;
    let text = row.map(|r| r.text("graduates")).transpose()?.unwrap_or_default();
    Ok(serde_json::from_str(&text).unwrap_or_default())
}
