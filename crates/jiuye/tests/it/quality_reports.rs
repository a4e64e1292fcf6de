//! Annual employment quality reports (issue 16, measure 19): an institution's
//! office submits its PDF and replaces it until the province publishes it; the
//! public reads published reports only; the status notice reads the
//! submissions and tells late and missing institutions; the data appendix
//! shows the same figures as the placement page for the institution and day.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

const PDF: &[u8] = b"%PDF-1.4\n% quality report\nstartxref\n0\n%%EOF\n";
const PDF_2: &[u8] = b"%PDF-1.4\n% quality report, corrected\nstartxref\n0\n%%EOF\n";

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

async fn institution(app: &TestApp, code: &str) -> i64 {
    app.id(&format!("SELECT id FROM institutions WHERE code = '{code}'")).await
}

async fn report_of(app: &TestApp, institution: i64) -> i64 {
    app.id(&format!(
        "SELECT COALESCE(MAX(id), 0) FROM quality_reports WHERE cohort_year = 2022 AND institution_id = {institution}"
    ))
    .await
}

async fn set_due(admin: &mut Client, due_on: &str) {
    let reply = admin.post("/reports/deadline", &[("cohort", "2022"), ("due_on", due_on)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

#[tokio::test]
async fn an_office_submits_and_replaces_its_report_and_the_public_sees_it_once_published() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let mut staff = app.login("staff").await;
    let mut hnu = app.login("staff10532").await;
    let xtu = institution(&app, "10530").await;
    assert_eq!(report_of(&app, xtu).await, 0, "the demo leaves 湘潭大学 to upload its own");

    // A bad due date is told; a good one saved and audited.
    let reply = admin.post("/reports/deadline", &[("cohort", "2022"), ("due_on", "下周")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("截止日期应为"), "{}", reply.body);
    let set = audited(&app, "quality_report_deadline", "set").await;
    let due = kernel::time::today_china() + chrono::Duration::days(3);
    set_due(&mut admin, &due.to_string()).await;
    assert_eq!(audited(&app, "quality_report_deadline", "set").await, set + 1);

    // Hostile and wrong files are refused with a message, nothing kept.
    let before = app.count("SELECT COUNT(*) FROM quality_reports").await;
    let hostile: [(&str, Vec<u8>, &str); 4] = [
        ("report.pdf", b"<html><script>alert(1)</script></html>".to_vec(), "只接受完整的 PDF"),
        ("report.pdf", b"%PDF-1.4\n1 0 obj\n".to_vec(), "只接受完整的 PDF"),
        (
            "report.pdf",
            [b"%PDF-1.4\nstartxref\n0\n%%EOF\n".as_slice(), b"MZ\x90\x00 trailing program"].concat(),
            "只接受完整的 PDF",
        ),
        ("scan.png", b"\x89PNG\r\n\x1a\n".to_vec(), "只接受完整的 PDF"),
    ];
    for (name, bytes, message) in hostile {
        let reply = staff.post_file("/reports/upload", &[("cohort", "2022")], name, bytes).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}");
        assert!(reply.body.contains(message), "{name}: {}", reply.body);
    }
    let reply = staff.post_file("/reports/upload", &[("cohort", "2022")], "", Vec::new()).await;
    assert!(reply.body.contains("请选择报告的 PDF 文件"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM quality_reports").await, before);

    // The office submits; the name shown is cleaned of direction characters.
    let uploads = audited(&app, "quality_report", "upload").await;
    let reply =
        staff.post_file("/reports/upload", &[("cohort", "2022")], "湘大报告\u{202E}fdp.exe.pdf", PDF.to_vec()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(audited(&app, "quality_report", "upload").await, uploads + 1);
    let report = report_of(&app, xtu).await;
    assert!(report > 0);
    let page = staff.get("/reports/manage?cohort=2022").await.body;
    assert!(page.contains(&format!("id=\"standing-{xtu}\">按时提交<")), "{page}");
    assert!(!page.contains('\u{202E}'));
    // Another institution's office sees neither the line nor the file.
    let other = hnu.get("/reports/manage?cohort=2022").await.body;
    assert!(!other.contains(&format!("submission-{xtu}\"")), "{other}");
    assert_eq!(hnu.get(&format!("/reports/{report}/file")).await.status, StatusCode::NOT_FOUND);
    // A college's staff keep no report of the whole institution.
    let mut college = app.login("college").await;
    assert_eq!(
        college.post_file("/reports/upload", &[("cohort", "2022")], "r.pdf", PDF.to_vec()).await.status,
        StatusCode::FORBIDDEN
    );

    // Unpublished: 404 to the public, not listed; the office and the province read it.
    let mut public = app.client();
    assert_eq!(public.get(&format!("/reports/{report}/file")).await.status, StatusCode::NOT_FOUND);
    assert!(!public.get("/reports").await.body.contains(&format!("public-report-{report}\"")));
    assert_eq!(staff.get(&format!("/reports/{report}/file")).await.body, String::from_utf8_lossy(PDF));
    assert_eq!(admin.get(&format!("/reports/{report}/file")).await.status, StatusCode::OK);

    // Replaced before publishing: the first upload's instant stands.
    let submitted = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            db.fetch_one("SELECT submitted_at, replacements FROM quality_reports WHERE id = $1", &[report.into()])
                .await
                .map(|r| (r.text("submitted_at").unwrap(), r.i64("replacements").unwrap()))
                .unwrap()
        }
    };
    let (first, _) = submitted(&app).await;
    let reply = staff.post_file("/reports/upload", &[("cohort", "2022")], "修订版.pdf", PDF_2.to_vec()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(submitted(&app).await, (first, 1));
    assert_eq!(audited(&app, "quality_report", "replace").await, 1);

    // Only the province publishes; then the public lists and downloads it under a name of ours.
    assert_eq!(staff.post(&format!("/reports/{report}/publish"), &[]).await.status, StatusCode::FORBIDDEN);
    let reply = admin.post(&format!("/reports/{report}/publish"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "quality_report", "publish").await, 1);
    let list = public.get("/reports").await.body;
    assert!(list.contains(&format!("public-report-{report}\"")) && list.contains("湘潭大学"), "{list}");
    let file = public.get(&format!("/reports/{report}/file")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, String::from_utf8_lossy(PDF_2));
    let disposition = file.headers.get("content-disposition").cloned().unwrap_or_default();
    assert!(disposition.contains(&format!("-{report}.pdf")) && !disposition.contains("exe"), "{disposition}");

    // Published: no more replacing.
    let reply = staff.post_file("/reports/upload", &[("cohort", "2022")], "again.pdf", PDF.to_vec()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("不能再替换"), "{}", reply.body);
    assert_eq!(public.get(&format!("/reports/{report}/file")).await.body, String::from_utf8_lossy(PDF_2));

    // Newest cohort first: the 2022 section is the only one and holds the demo's published reports too.
    let published = app.count("SELECT COUNT(*) FROM quality_reports WHERE published_at IS NOT NULL").await;
    assert_eq!(list.matches("id=\"public-report-").count() as i64, published);
}

#[tokio::test]
async fn the_status_notice_reads_the_submissions_and_tells_late_and_missing_institutions() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    // The demo's due day is 2022-12-31: late means a first upload after 16:00 UTC that day.
    let expected = app
        .count("SELECT COUNT(*) FROM institutions i WHERE EXISTS (SELECT 1 FROM graduates g WHERE g.institution_id = i.id AND g.cohort_year = 2022)")
        .await;
    let submitted = app.count("SELECT COUNT(*) FROM quality_reports WHERE cohort_year = 2022").await;
    let late = app
        .count("SELECT COUNT(*) FROM quality_reports WHERE cohort_year = 2022 AND submitted_at >= '2022-12-31T16:00:00.000Z'")
        .await;
    assert!(late > 0 && submitted - late > 0 && expected - submitted > 0, "the demo has some of each");
    let page = admin.get("/reports/notice?cohort=2022").await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    assert!(b.contains(&format!("id=\"notice-expected\">{expected}<")), "{b}");
    assert!(b.contains(&format!("id=\"notice-on-time\">{}<", submitted - late)), "{b}");
    assert!(b.contains(&format!("id=\"notice-late\">{late}<")), "{b}");
    assert!(b.contains(&format!("id=\"notice-missing\">{}<", expected - submitted)), "{b}");
    assert!(b.contains("湘潭大学"), "the demo's missing institution is named");
    // The manage page counts the same.
    let manage = admin.get("/reports/manage?cohort=2022").await.body;
    assert!(manage.contains(&format!("id=\"count-late\">{late}<")), "{manage}");

    // Days late: one institution's first upload moved to two days and a bit after the due day.
    let one = app.id("SELECT MIN(institution_id) FROM quality_reports WHERE cohort_year = 2022").await;
    app.db
        .fetch_all(
            "UPDATE quality_reports SET submitted_at = '2023-01-02T03:00:00.000Z' WHERE institution_id = $1 AND cohort_year = 2022",
            &[one.into()],
        )
        .await
        .unwrap();
    let b = admin.get("/reports/notice?cohort=2022").await.body;
    let row = &b[b.find(&format!("id=\"late-{one}\"")).expect("late row")..];
    assert!(row[..row.find("</tr>").unwrap()].contains(">2<"), "{row}");

    // The notice as a spreadsheet.
    let xlsx = admin.get("/reports/notice?cohort=2022&format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers.get("content-type").is_some_and(|t| t.contains("spreadsheetml")));

    // Sent to each late and missing institution once (while unread), audited.
    let late = app
        .count("SELECT COUNT(*) FROM quality_reports WHERE cohort_year = 2022 AND submitted_at >= '2022-12-31T16:00:00.000Z'")
        .await;
    let reply = admin.post("/reports/notice/send", &[("cohort", "2022")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let told = app.count("SELECT COUNT(*) FROM notices WHERE topic = 'quality_report:2022'").await;
    assert_eq!(told, late + expected - submitted);
    let xtu = institution(&app, "10530").await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM notices WHERE topic = 'quality_report:2022' AND institution_id = {xtu}"
        ))
        .await,
        1
    );
    admin.post("/reports/notice/send", &[("cohort", "2022")]).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM notices WHERE topic = 'quality_report:2022'").await, told);
    // Only the province sends it or reads the notice.
    let mut staff = app.login("staff").await;
    assert_eq!(staff.get("/reports/notice?cohort=2022").await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.post("/reports/notice/send", &[("cohort", "2022")]).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn publishing_all_publishes_every_submitted_report_and_the_figures_follow() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let keys: Vec<&str> = portal::reports::figures().iter().map(|f| f.key).collect();
    assert_eq!(keys, ["reports.submitted", "reports.published"]);
    let expected = app
        .count("SELECT COUNT(*) FROM institutions i WHERE EXISTS (SELECT 1 FROM graduates g WHERE g.institution_id = i.id AND g.cohort_year = 2022)")
        .await;
    let submitted = app.count("SELECT COUNT(*) FROM quality_reports WHERE cohort_year = 2022").await;
    let published =
        app.count("SELECT COUNT(*) FROM quality_reports WHERE cohort_year = 2022 AND published_at IS NOT NULL").await;
    let counts = portal::reports::store::counts(&app.db, 2022, None).await.unwrap();
    assert_eq!(counts, (expected, submitted, published));
    // Per institution: 1 of 1 or 0 of 1.
    let xtu = institution(&app, "10530").await;
    assert_eq!(portal::reports::store::counts(&app.db, 2022, Some(xtu)).await.unwrap(), (1, 0, 0));

    let reply = admin.post("/reports/publish-all", &[("cohort", "2022")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM quality_reports WHERE published_at IS NULL").await, 0);
    assert_eq!(audited(&app, "quality_report", "publish").await, submitted - published);
    assert_eq!(portal::reports::store::counts(&app.db, 2022, None).await.unwrap(), (expected, submitted, submitted));
}

/// Records a destination as the province would: a category and a region (empty: none).
async fn place(admin: &mut Client, graduate: i64, category: &str, region: &str) {
    let mut fields = vec![("category_code", category), ("region_code", region)];
    match category {
        "10" => fields.extend([("employer_name", "湘江软件有限公司"), ("credit_code", "91350100M000100Y43")]),
        _ if category.starts_with('8') => fields.push(("employer_name", "湘潭大学")),
        _ => {}
    }
    let reply = admin.post(&format!("/outcomes/graduates/{graduate}/destination"), &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "destination {category} for {graduate}: {}", reply.body);
}

/// The rows of `<table id="{id}">` as cell texts, the header first.
fn table_rows(page: &str, id: &str) -> Vec<Vec<String>> {
    let Some(start) = page.find(&format!("id=\"{id}\"")) else { panic!("no table {id}") };
    let table = &page[start..start + page[start..].find("</table>").unwrap_or(page.len() - start)];
    table
        .split("<tr>")
        .skip(1)
        .map(|tr| {
            let tr = &tr[..tr.find("</tr>").unwrap_or(tr.len())];
            tr.split("<t")
                .skip(1)
                .map(|cell| {
                    cell[cell.find('>').map_or(0, |at| at + 1)..].split('<').next().unwrap_or("").trim().to_owned()
                })
                .collect()
        })
        .collect()
}

/// A CSV download's rows (no cell of these tables holds a comma or a quote).
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    body.trim_start_matches('\u{feff}')
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(|c| c.trim_matches('"').to_owned()).collect())
        .collect()
}

#[tokio::test]
async fn the_appendix_shows_the_placement_pages_figures_for_the_same_institution_and_day() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let xtu = institution(&app, "10530").await;
    let graduates: Vec<i64> = app
        .db
        .fetch_all("SELECT id FROM graduates WHERE institution_id = $1 ORDER BY id", &[xtu.into()])
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    assert!(graduates.len() >= 4, "湘潭大学 has graduates in the small demo");
    place(&mut admin, graduates[0], "10", "430104").await;
    place(&mut admin, graduates[1], "10", "440000").await;
    place(&mut admin, graduates[2], "80", "").await;
    place(&mut admin, graduates[3], "85", "").await;
    let day = kernel::time::today_china().to_string();

    let mut staff = app.login("staff").await;
    let appendix = staff.get(&format!("/reports/appendix?cohort=2022&as_of={day}")).await;
    assert_eq!(appendix.status, StatusCode::OK);
    let page = &appendix.body;
    assert!(page.contains(&format!("id=\"appendix-graduates\">{}<", graduates.len())), "{page}");
    for by in ["college", "major"] {
        let csv = staff.get(&format!("/outcomes/placement?institution={xtu}&by={by}&as_of={day}&format=csv")).await;
        assert_eq!(csv.status, StatusCode::OK);
        let expected = csv_rows(&csv.body);
        let shown = table_rows(page, &format!("appendix-placement-{by}"));
        assert_eq!(shown, expected, "by {by}");
    }
    let key_csv =
        staff.get(&format!("/outcomes/placement?institution={xtu}&by=key_group&as_of={day}&format=csv")).await;
    assert_eq!(table_rows(page, "appendix-key-groups"), csv_rows(&key_csv.body));
    // Further study: 境内升学 and 境外留学 apart, one each.
    let further = table_rows(page, "appendix-further-study");
    assert!(further.iter().any(|r| r[0] == "境内升学" && r[1] == "1"), "{further:?}");
    assert!(further.iter().any(|r| r[0] == "境外留学" && r[1] == "1"), "{further:?}");
    assert_eq!(further.last().unwrap()[1], "2");
    // Regions: the two employed graduates, each in its own region.
    let regions = table_rows(page, "appendix-destination-employer_region");
    assert_eq!(regions.last().unwrap()[1], graduates.len().to_string());
    assert!(page.contains("<svg"), "charts drawn on the server");

    // The province reads any institution's; another institution's office none but its own.
    let mut hnu = app.login("staff10532").await;
    assert_eq!(hnu.get(&format!("/reports/appendix?institution={xtu}")).await.status, StatusCode::FORBIDDEN);
    let province = admin.get(&format!("/reports/appendix?institution={xtu}&as_of={day}")).await.body;
    assert_eq!(table_rows(&province, "appendix-placement-college"), table_rows(page, "appendix-placement-college"));
    // And as a workbook.
    let xlsx = staff.get(&format!("/reports/appendix?as_of={day}&format=xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers.get("content-type").is_some_and(|t| t.contains("spreadsheetml")));

    // Under a second for an institution of the small demo (the bench measures the largest at scale).
    let started = std::time::Instant::now();
    staff.get(&format!("/reports/appendix?as_of={day}&cohort=2022&institution={xtu}")).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
}

#[tokio::test]
async fn an_office_uploads_its_report_the_province_publishes_it_and_the_public_reads_it_in_a_browser() {
    use crate::browser::{attach, click, log_in, log_out, nav, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let xtu = institution(&app, "10530").await;
    let base = serve(&app).await;
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    nav(&c, "/reports/manage").await;
    assert!(text(&c, &format!("#standing-{xtu}")).await.contains("未提交"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("湘潭大学2022届毕业生就业质量年度报告.pdf");
    std::fs::write(&path, PDF).unwrap();
    attach(&c, "#report-file", &path).await;
    click(&c, "#upload-submit").await;
    assert!(text(&c, ".flash").await.contains("报告已提交"));
    // The demo's due day has passed: the report is late.
    assert!(text(&c, &format!("#standing-{xtu}")).await.contains("逾期"));
    log_out(&c).await;

    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/reports/manage").await;
    click(&c, &format!("#publish-{xtu}")).await;
    assert!(text(&c, ".flash").await.contains("已发布"));
    assert!(!text(&c, &format!("#published-{xtu}")).await.contains("未发布"));
    log_out(&c).await;

    nav(&c, "/reports").await;
    let report = report_of(&app, xtu).await;
    assert!(text(&c, &format!("#public-report-{report}")).await.contains("湘潭大学"));
    let got = crate::browser::download(&c, &format!("#public-download-{report}")).await;
    assert_eq!(got[0], serde_json::json!(200));
    assert!(got[2].as_str().unwrap_or_default().contains(".pdf"), "{got:?}");
    assert_eq!(got[3], serde_json::json!("%P"));
    c.close().await.ok();
}

#[tokio::test]
async fn the_province_reads_the_notice_and_a_school_its_appendix_in_a_browser() {
    use crate::browser::{click, log_in, log_out, nav, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let xtu = institution(&app, "10530").await;
    let expected = app
        .count("SELECT COUNT(*) FROM institutions i WHERE EXISTS (SELECT 1 FROM graduates g WHERE g.institution_id = i.id AND g.cohort_year = 2022)")
        .await;
    let submitted = app.count("SELECT COUNT(*) FROM quality_reports WHERE cohort_year = 2022").await;
    let late = app
        .count("SELECT COUNT(*) FROM quality_reports WHERE cohort_year = 2022 AND submitted_at >= '2022-12-31T16:00:00.000Z'")
        .await;
    let base = serve(&app).await;

    // The province opens the 通报 from the submissions page and reads it.
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/reports/manage").await;
    click(&c, "#notice-link").await;
    assert_eq!(text(&c, "#notice-expected").await.trim(), expected.to_string());
    assert_eq!(text(&c, "#notice-on-time").await.trim(), (submitted - late).to_string());
    assert_eq!(text(&c, "#notice-late").await.trim(), late.to_string());
    assert_eq!(text(&c, "#notice-missing").await.trim(), (expected - submitted).to_string());
    assert!(text(&c, "#notice-missing-list").await.contains("湘潭大学"));
    assert!(text(&c, "#notice-summary").await.contains("2022-12-31"));
    log_out(&c).await;

    // A school reads its own appendix, its figures visible.
    let graduates =
        app.count(&format!("SELECT COUNT(*) FROM graduates WHERE institution_id = {xtu} AND cohort_year = 2022")).await;
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    nav(&c, "/reports/appendix").await;
    click(&c, "#appendix-show").await;
    assert!(text(&c, "#appendix-institution").await.contains("湘潭大学"));
    assert_eq!(text(&c, "#appendix-graduates").await.trim(), graduates.to_string());
    assert!(text(&c, "#appendix-rate").await.contains('%'));
    let table = c.find(fantoccini::Locator::Css("#appendix-placement-college")).await.expect("the college table");
    assert!(table.is_displayed().await.expect("shown"), "the figures are visible");
    assert!(table.text().await.expect("text").lines().count() > 1, "a row per college");
    assert!(c.find(fantoccini::Locator::Css("#appendix-xlsx")).await.is_ok(), "and as a workbook");
    c.close().await.ok();
}
