//! The demo's planted anomalies and census, and the nightly scan: on a small
//! demo with its destinations, the scan fires each planted signal at its
//! planted institution; the census shows figures from the start; two servers
//! asking for the same night's scan run it once, and its findings are kept.

use std::collections::BTreeSet;

use jiuye::demo::planted::{Anomaly, PLANTED};
use kernel::jobs::{self, Outcome};
use verification::scan::{self, Scope};
use verification::signals::{Kind, Signal, Thresholds};

use crate::support::TestApp;

/// The smallest demo at which every plant's institution is large enough to fire.
async fn planted_demo() -> TestApp {
    let app = TestApp::empty().await;
    let opts = jiuye::demo::DemoOptions {
        seed: 7,
        graduates: 5000,
        employers: 300,
        destinations: true,
        postings: 0,
        files: Some(app.config.files()),
        ..Default::default()
    };
    jiuye::demo::generate(&app.db, &opts, &|_, _| {}).await.expect("demo data");
    app
}

fn planted(anomaly: Anomaly) -> &'static str {
    PLANTED.iter().find(|(_, a)| *a == anomaly).map(|(code, _)| *code).expect("planted")
}

fn fired(signals: &[Signal], anomaly: Anomaly, kind: Kind) -> bool {
    signals.iter().any(|s| s.institution == planted(anomaly) && s.kind == kind)
}

#[tokio::test]
async fn the_scan_finds_every_planted_anomaly_at_its_institution() {
    let app = planted_demo().await;
    let scope = Scope::of_cohort(&app.db, 2022, None).await.unwrap().expect("the 2022 cohort");
    let signals = scan::scan(&app.db, &scope, &Thresholds::default()).await.unwrap();
    let summary: Vec<String> = signals.iter().map(|s| format!("{} {:?}", s.institution, s.kind)).collect();
    assert!(fired(&signals, Anomaly::SuddenRise, Kind::SuddenRise), "{summary:?}");
    assert!(fired(&signals, Anomaly::FlexibleShare, Kind::ShareOutlier), "{summary:?}");
    assert!(fired(&signals, Anomaly::DubiousEmployer, Kind::EmployerCluster), "{summary:?}");
    assert!(fired(&signals, Anomaly::NightEdit, Kind::BulkEdit), "{summary:?}");
    assert!(fired(&signals, Anomaly::LowSigning, Kind::LowSigning), "{summary:?}");
    assert!(fired(&signals, Anomaly::SharedEvidence, Kind::EvidenceReused), "{summary:?}");
    // The night edit is the worst kind: by one staff account, at night, the day before 31 August.
    let night = signals.iter().find(|s| s.institution == planted(Anomaly::NightEdit) && s.kind == Kind::BulkEdit);
    assert_eq!(night.map(|s| s.severity), Some(verification::signals::Severity::High));
    // Clusters, bulk edits and shared files come from the plants only.
    for kind in [Kind::EmployerCluster, Kind::BulkEdit, Kind::EvidenceReused] {
        let at: BTreeSet<&str> = signals.iter().filter(|s| s.kind == kind).map(|s| s.institution.as_str()).collect();
        assert_eq!(at.len(), 1, "{kind:?} only where planted: {at:?}");
    }

    // The census shows figures from the start, to the province and to the university asked.
    let census = app.id("SELECT MIN(id) FROM verification_censuses").await;
    let answered = app.count("SELECT COUNT(*) FROM verification_census_answers").await;
    assert!(answered > 0, "some answers");
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/verification/census/{census}")).await.body;
    assert!(page.contains("湘潭大学") && page.contains('%'), "{page}");
    let mut staff = app.login("staff").await;
    let own = staff.get(&format!("/verification/census/{census}")).await.body;
    assert!(own.contains("湘潭大学") && !own.contains("湖南大学"), "{own}");
}

#[tokio::test]
async fn the_nightly_scan_runs_once_however_many_servers_ask() {
    let app = planted_demo().await;
    // A second app server on the same database.
    let other = kernel::Db::connect(&app.config.database_url()).await.unwrap();
    let scans = "SELECT COUNT(*) FROM verification_scans";
    let demo_scans = app.count(scans).await;
    let day = chrono::NaiveDate::from_ymd_opt(2022, 9, 1).unwrap();
    let (a, b) = tokio::join!(
        verification::nightly::run_for_day(&app.db, day, "server-a"),
        verification::nightly::run_for_day(&other, day, "server-b"),
    );
    let outcomes = [a.unwrap(), b.unwrap()];
    let ran = outcomes.iter().filter(|o| matches!(o, Outcome::Ran(Ok(_)))).count();
    let taken = outcomes.iter().filter(|o| **o == Outcome::Taken).count();
    assert_eq!((ran, taken), (1, 1), "{outcomes:?}");
    assert_eq!(app.count(scans).await, demo_scans + 1, "one scan for the one cohort");
    let runs = jobs::runs(&app.db, verification::nightly::JOB).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].day.as_str(), runs[0].status.as_str()), ("2022-09-01", jobs::FINISHED));
    // Asked again the same day, by either: nothing more runs.
    let again = verification::nightly::run_for_day(&app.db, day, "server-a").await.unwrap();
    assert_eq!(again, Outcome::Taken);
    assert_eq!(app.count(scans).await, demo_scans + 1);
    // The next night runs again.
    let next = verification::nightly::run_for_day(&other, day.succ_opt().unwrap(), "server-b").await.unwrap();
    assert!(matches!(next, Outcome::Ran(Ok(_))), "{next:?}");
    other.close().await;

    // The findings are on the page, the planted ones among them.
    let mut admin = app.login("admin").await;
    let page = admin.get("/verification").await.body;
    for (code, _) in PLANTED {
        assert!(page.contains(code), "{code} on the findings page");
    }
    // The claim and the end are in the audit log, under their own names.
    let audited = "SELECT COUNT(*) FROM audit_log WHERE entity = 'job_run'";
    assert_eq!(app.count(audited).await, 4, "two runs, each claimed and finished");
    let mut audit = admin.get("/admin/audit?entity=job_run").await.body;
    audit.retain(|c| c != '\n');
    assert!(audit.contains("定时任务") && audit.contains("任务完成"), "{audit}");
}

#[tokio::test]
async fn the_demo_opens_with_a_campaign_under_way_and_some_findings_still_open() {
    let app = planted_demo().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM verification_scans").await, 1, "the demo's own scan");
    let campaign = app.id("SELECT MIN(id) FROM verification_campaigns").await;
    let sampled = app.count("SELECT COUNT(*) FROM verification_samples").await;
    let called = app.count("SELECT COUNT(*) FROM verification_samples WHERE outcome IS NOT NULL").await;
    assert!(sampled > 100 && called * 2 > sampled && called < sampled, "{called} of {sampled} called");
    // No verifier calls its own institution's graduates.
    let own = "SELECT COUNT(*) FROM verification_samples s JOIN accounts a ON a.id = s.verifier_id \
               WHERE a.institution_id = s.institution_id";
    assert_eq!(app.count(own).await, 0);
    let status_at = |anomaly| {
        format!(
            "SELECT COUNT(*) FROM verification_findings f JOIN institutions i ON i.id = f.institution_id \
             WHERE i.code = '{}' AND f.status = 'open'",
            planted(anomaly)
        )
    };
    assert_eq!(app.count(&status_at(Anomaly::SuddenRise)).await, 0, "taken into the campaign");
    assert!(app.count(&status_at(Anomaly::NightEdit)).await > 0, "left for the province");
    // Where the sudden rise was planted, calls find graduates elsewhere, and the results say so.
    let different = "SELECT COUNT(*) FROM verification_samples s JOIN institutions i ON i.id = s.institution_id \
                     WHERE i.code = '10536' AND s.outcome = 'different'";
    assert!(app.count(different).await > 0);
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/verification/campaigns/{campaign}/results")).await.body;
    assert!(page.contains("长沙理工大学") && page.contains("核查推算落实率"), "{page}");
}

/// The province's placement by major lists the largest groups and says how many
/// more its download holds (at national scale some 17,000 rows, 4.8 MB of page).
#[tokio::test]
async fn placement_by_major_lists_the_largest_groups_and_the_download_holds_every_one() {
    let app = planted_demo().await;
    let mut admin = app.login("admin").await;
    let path = "/outcomes/placement?as_of=2022-12-31&by=major";
    let csv = admin.get(&format!("{path}&format=csv")).await.body;
    let groups = csv.lines().count() - 2; // the heading and the total
    assert!(groups > 1_000, "the demo has more groups than a page lists: {groups}");
    let page = admin.get(path).await.body;
    let table = page.split("id=\"placement-table\"").nth(1).and_then(|t| t.split("</table>").next()).unwrap_or("");
    assert_eq!(table.matches("<tr>").count(), 1 + 1_000, "the heading and the 1,000 largest groups");
    assert!(page.contains(&format!("另有 {} 组在导出的 Excel 或 CSV 中", groups - 1_000)), "the rest are named");
    let small = admin.get("/outcomes/placement?as_of=2022-12-31&by=institution").await.body;
    assert!(!small.contains("id=\"unlisted\""), "a table within the limit says nothing");
}
