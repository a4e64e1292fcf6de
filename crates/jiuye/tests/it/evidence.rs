//! Evidence files for destinations, and destinations linked to the employer registry.

use axum::http::StatusCode;

use crate::support::{TestApp, PASSWORD};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% proof of employment\nstartxref\n0\n%%EOF\n";
/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82";

/// A 湘潭大学 graduate and the page path of its record.
async fn xtu_graduate(app: &TestApp, nth: i64) -> (i64, String) {
    let id = app
        .id(&format!(
            "SELECT g.id FROM graduates g JOIN institutions i ON i.id = g.institution_id WHERE i.code = '10530' ORDER BY g.id LIMIT 1 OFFSET {nth}"
        ))
        .await;
    (id, format!("/outcomes/graduates/{id}"))
}

async fn missing(app: &TestApp, graduate: i64) -> String {
    app.db
        .fetch_one("SELECT evidence_missing FROM destinations WHERE graduate_id = $1", &[graduate.into()])
        .await
        .unwrap()
        .text("evidence_missing")
        .unwrap()
}

#[tokio::test]
async fn evidence_is_uploaded_checked_listed_and_downloaded_within_scope() {
    let app = TestApp::demo().await;
    let (id, page) = xtu_graduate(&app, 0).await;
    let mut staff = app.login("staff").await;
    let upload = |kind: &'static str| [("kind", kind)];

    // Nothing to attach to before a destination is recorded.
    let reply =
        staff.post_file(&format!("{page}/evidence"), &upload("employment_proof"), "证明.pdf", PDF.to_vec()).await;
    assert!(reply.body.contains("还没有登记毕业去向"), "{}", reply.status);

    // 12 (其他录用形式就业) needs a proof of employment and pay records; the minimum wage is a check, not a file.
    let form = [("category_code", "12"), ("employer_name", "湘潭智造有限公司"), ("credit_code", "91350100M000100Y43")];
    assert_eq!(staff.post(&format!("{page}/destination"), &form).await.status, StatusCode::SEE_OTHER);
    assert_eq!(missing(&app, id).await, "employment_proof;pay_records");
    let body = staff.get(&page).await.body;
    assert!(body.contains("✗ 录用（聘用）证明") && body.contains("✗ 工资流水或社保缴纳证明"));
    assert!(staff
        .get("/outcomes/graduates?evidence=missing")
        .await
        .body
        .contains(&format!("/outcomes/graduates/{id}\"")));
    let work = |body: &str| crate::support::text_of(body, "work-evidence");
    assert_eq!(work(&staff.get("/outcomes/dashboard").await.body), "1", "the dashboard's work list");

    // Wrong kinds of file, no kind, too large: a message each, nothing stored.
    let exe =
        staff.post_file(&format!("{page}/evidence"), &upload("employment_proof"), "a.exe", b"MZ\x90\0".to_vec()).await;
    assert!(exe.body.contains("只接受 PDF、JPG 或 PNG 文件"));
    let no_kind = staff.post_file(&format!("{page}/evidence"), &upload(""), "a.pdf", PDF.to_vec()).await;
    assert!(no_kind.body.contains("请选择材料类型"));
    let mut big = PDF.to_vec();
    big.resize(outcomes::destinations::evidence::LIMIT + 1, b' ');
    let too_big = staff.post_file(&format!("{page}/evidence"), &upload("employment_proof"), "a.pdf", big).await;
    assert!(too_big.body.contains("文件不能超过 10 MB"));
    let mut huge = PDF.to_vec();
    huge.resize(outcomes::destinations::evidence::LIMIT + 200 * 1024, b' ');
    let refused = staff.post_file(&format!("{page}/evidence"), &upload("employment_proof"), "a.pdf", huge).await;
    assert!(refused.body.contains("上传失败"), "{}", refused.status);
    assert_eq!(app.count("SELECT COUNT(*) FROM destination_evidence").await, 0);

    // The proof of employment, then the pay records: complete.
    let reply =
        staff.post_file(&format!("{page}/evidence"), &upload("employment_proof"), "录用证明.pdf", PDF.to_vec()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(missing(&app, id).await, "pay_records");
    staff.post_file(&format!("{page}/evidence"), &upload("pay_records"), "流水.png", PNG.to_vec()).await;
    assert_eq!(missing(&app, id).await, "");
    assert_eq!(work(&staff.get("/outcomes/dashboard").await.body), "0");
    assert!(!staff
        .get("/outcomes/graduates?evidence=missing")
        .await
        .body
        .contains(&format!("/outcomes/graduates/{id}\"")));
    let body = staff.get(&page).await.body;
    assert!(body.contains("✓ 录用（聘用）证明") && body.contains("录用证明.pdf"));
    assert!(
        body.contains("录用（聘用）证明、工资流水或社保缴纳证明")
            || body.contains("工资流水或社保缴纳证明、录用（聘用）证明"),
        "the history names the evidence"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'destination_evidence'").await, 2);

    // The file comes back to those who may see the graduate, and to no one else.
    let evidence = app.id("SELECT MIN(id) FROM destination_evidence").await;
    let download = format!("/outcomes/evidence/{evidence}");
    let got = staff.get(&download).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body.as_bytes(), PDF);
    assert_eq!(app.login("admin").await.get(&download).await.status, StatusCode::OK);
    for other in ["staff10532", "employer", "expert"] {
        assert_eq!(app.login(other).await.get(&download).await.status, StatusCode::FORBIDDEN, "{other}");
    }
    let mut hnu = app.login("staff10532").await;
    let reply = hnu.post_file(&format!("{page}/evidence"), &upload("pay_records"), "x.pdf", PDF.to_vec()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    // A new destination needs its own evidence again.
    let form = [("category_code", "801"), ("employer_name", "湘潭大学")];
    staff.post(&format!("{page}/destination"), &form).await;
    assert_eq!(missing(&app, id).await, "admission_letter");
}

#[tokio::test]
async fn a_graduate_uploads_its_own_evidence() {
    let app = TestApp::demo().await;
    let id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let mut staff = app.login("staff").await;
    staff
        .post(
            &format!("/outcomes/graduates/{id}/destination"),
            &[("category_code", "801"), ("employer_name", "湘潭大学")],
        )
        .await;
    let mut graduate = app.client();
    graduate.login("graduate", PASSWORD).await;
    let reply = graduate
        .post_file("/outcomes/me/evidence", &[("kind", "admission_letter")], "录取通知书.pdf", PDF.to_vec())
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(missing(&app, id).await, "");
    let body = graduate.get("/outcomes/me").await.body;
    assert!(body.contains("录取通知书.pdf") && body.contains("✓ 录取通知书"));
    let evidence = app.id("SELECT MIN(id) FROM destination_evidence").await;
    assert_eq!(graduate.get(&format!("/outcomes/evidence/{evidence}")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_destinations_employer_is_linked_to_the_registry_or_entered_there() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    // An employer the registry knows: linked, nothing created.
    let known = app.db.fetch_one("SELECT id, credit_code FROM employers ORDER BY id LIMIT 1", &[]).await.unwrap();
    let (a, page_a) = xtu_graduate(&app, 0).await;
    let code = known.text("credit_code").unwrap();
    let form = [("category_code", "10"), ("employer_name", "某单位"), ("credit_code", code.as_str())];
    staff.post(&format!("{page_a}/destination"), &form).await;
    let linked = |g: i64| {
        let db = app.db.clone();
        async move {
            db.fetch_one("SELECT employer_id FROM destinations WHERE graduate_id = $1", &[g.into()])
                .await
                .unwrap()
                .opt_i64("employer_id")
                .unwrap()
        }
    };
    assert_eq!(linked(a).await, Some(known.i64("id").unwrap()));
    // An employer it does not know: entered as recorded from a destination, then reused.
    let before = app.count("SELECT COUNT(*) FROM employers").await;
    let form = [
        ("category_code", "11"),
        ("employer_name", "长沙星辰软件有限公司"),
        ("credit_code", "91350100M000100Y43"),
        ("nature_code", "39"),
    ];
    let (b, page_b) = xtu_graduate(&app, 1).await;
    let (c, page_c) = xtu_graduate(&app, 2).await;
    staff.post(&format!("{page_b}/destination"), &form).await;
    staff.post(&format!("{page_c}/destination"), &form).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM employers").await, before + 1);
    let entered = app
        .db
        .fetch_one("SELECT id, status, nature_code FROM employers WHERE credit_code = '91350100M000100Y43'", &[])
        .await
        .unwrap();
    assert_eq!(entered.text("status").unwrap(), "recorded");
    assert_eq!(entered.text("nature_code").unwrap(), "39");
    assert_eq!(linked(b).await, Some(entered.i64("id").unwrap()));
    assert_eq!(linked(c).await, linked(b).await);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'record_from_destination'").await, 1);
    // The employer registers under that code and so claims the entry.
    let mut visitor = app.client();
    let register = [
        ("name", "长沙星辰软件有限公司"),
        ("credit_code", "91350100M000100Y43"),
        ("contact_name", "王芳"),
        ("contact_phone", "13800138000"),
        ("username", "xingchen"),
        ("password", "hrpass2022"),
    ];
    assert_eq!(visitor.register(&register).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM employers").await, before + 1);
    let claimed = app
        .db
        .fetch_one("SELECT status, contact_name FROM employers WHERE credit_code = '91350100M000100Y43'", &[])
        .await
        .unwrap();
    assert_eq!(claimed.text("status").unwrap(), "pending");
    assert_eq!(claimed.text("contact_name").unwrap(), "王芳");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE username = 'xingchen' AND employer_id IS NOT NULL").await,
        1
    );
}

#[tokio::test]
async fn evidence_is_checked_whole_and_saved_under_our_name() {
    let app = TestApp::demo().await;
    let (id, page) = xtu_graduate(&app, 2).await;
    let mut staff = app.login("staff").await;
    staff.post(&format!("{page}/destination"), &[("category_code", "801"), ("employer_name", "湘潭大学")]).await;
    let upload = [("kind", "admission_letter")];

    // A PDF header with a program behind it is no PDF.
    let smuggled = [PDF, b"MZ\x90\0\x03\0\0\0 This program cannot be run in DOS mode"].concat();
    let reply = staff.post_file(&format!("{page}/evidence"), &upload, "材料.pdf", smuggled).await;
    assert!(reply.body.contains("只接受 PDF、JPG 或 PNG 文件"), "{}", reply.status);
    assert_eq!(app.count("SELECT COUNT(*) FROM destination_evidence").await, 0);

    // Names that pose as something else are shown cleaned and never used for the file.
    for name in ["材料.bat", "报告\u{202E}fdp.exe"] {
        let reply = staff.post_file(&format!("{page}/evidence"), &upload, name, PDF.to_vec()).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{name}");
    }
    let shown = app.db.fetch_all("SELECT file_name FROM destination_evidence ORDER BY id", &[]).await.unwrap();
    let shown: Vec<String> = shown.iter().map(|r| r.text("file_name").unwrap()).collect();
    assert_eq!(shown, ["材料.bat", "报告fdp.exe"]);
    let evidence = app.id("SELECT MAX(id) FROM destination_evidence").await;
    let got = staff.get(&format!("/outcomes/evidence/{evidence}")).await;
    assert_eq!(got.status, StatusCode::OK);
    let disposition = got.disposition.unwrap_or_default();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let ours = format!("filename*=UTF-8''%E8%AF%81%E6%98%8E%E6%9D%90%E6%96%99-{evidence}.pdf");
    assert!(disposition.ends_with(&ours), "{disposition}");
    assert_eq!(missing(&app, id).await, "");
}
