//! The access-control matrix (issue 17): every route the router answers
//! against every role, own scope and another's. Allowed roles get through, the
//! others are refused with no data in the response, before any form is read;
//! anonymous visitors are sent to log in. A route without a rule in `matrix()`
//! fails `every_route_admits_only_its_roles` by name.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use crate::support::{Client, Reply, TestApp};

struct Fixture {
    xtu: i64,
    hnu: i64,
    hnu_name: String,
    own_employer: i64,
    other_employer: i64,
    other_employer_name: String,
    /// An anomaly finding at 湘潭大学 (the demo staff's), with one answer carrying a document.
    finding: i64,
    answer: i64,
    /// A verification campaign sampling 湘潭大学.
    campaign: i64,
    /// An outside list the province imported naming a graduate of 湘潭大学, and a field visit there with a document.
    list: i64,
    visit: i64,
    visit_document: i64,
    /// A graduate of the college account's college in the key-group register.
    key_group_graduate: i64,
    /// An expert of the review pool (the province's), with one link.
    expert: i64,
    /// The demo's open call (路演项目遴选) and an application of 湘潭大学 to it.
    programme_call: i64,
    programme_application: i64,
    /// A document attached to that application.
    programme_file: i64,
    /// The demo's province notice (公示) with its result published, its school notice, and a funded item of 湘潭大学.
    notice: i64,
    school_notice: i64,
    funded: i64,
    /// A 2022 call the demo reviewed, and an assignment of the demo `expert` in it.
    reviewed_call: i64,
    review: i64,
    /// A demo training class, and a certificate of a 湘潭大学 teacher.
    class: i64,
    certificate: String,
    /// The demo expert's published mentor record, and a file of a course for university staff.
    mentor: i64,
    course_file: i64,
    /// That course (the province's), and a guidance teacher of 湘潭大学.
    course: i64,
    teacher: i64,
    /// A one-stop service request of the demo graduate, and whether the college account's college is its own.
    service_request: i64,
    service_request_in_college: bool,
    service_video: i64,
    service_material: i64,
    /// A published demo news article, and a work news of 湘潭大学 (the demo staff's).
    portal_article: i64,
    portal_work_news: i64,
    /// An archive transfer of a 湘潭大学 graduate.
    archive: i64,
    /// A graduate and a college of 湖南大学 (another institution than the demo staff's), and the admin's account.
    hnu_graduate: i64,
    hnu_college: i64,
    admin_account: i64,
    /// The first row of more tables, by name (0 when the demo has none).
    ids: std::collections::BTreeMap<&'static str, i64>,
}

impl Fixture {
    fn n(&self, name: &str) -> i64 {
        self.ids.get(name).copied().unwrap_or_default()
    }
}

/// Rows the rules name by table: the demo's first, of 湘潭大学 (the demo staff's) where an institution owns it,
/// and of 湖南大学 for another institution's.
const FIRST_ROWS: &[(&str, &str)] = &[
    ("agreement", "SELECT COALESCE(MIN(id), 0) FROM agreements WHERE institution_id = (SELECT id FROM institutions WHERE code = '10530')"),
    ("census", "SELECT COALESCE(MIN(id), 0) FROM verification_censuses"),
    ("visit", "SELECT COALESCE(MIN(id), 0) FROM visits WHERE institution_id = (SELECT id FROM institutions WHERE code = '10530')"),
    ("hnu_visit", "SELECT COALESCE(MIN(id), 0) FROM visits WHERE institution_id = (SELECT id FROM institutions WHERE code = '10532')"),
    ("merge", "SELECT COALESCE(MIN(id), 0) FROM employer_merges"),
    ("key_employer", "SELECT COALESCE(MIN(id), 0) FROM key_employers"),
    ("batch", "SELECT COALESCE(MIN(id), 0) FROM archive_batches WHERE institution_id = (SELECT id FROM institutions WHERE code = '10530')"),
    ("contingency", "SELECT COALESCE(MIN(id), 0) FROM plan_contingency"),
    ("portal_document", "SELECT COALESCE(MIN(id), 0) FROM portal_documents"),
    ("objection", "SELECT COALESCE(MIN(id), 0) FROM programme_objections"),
    ("quality_report", "SELECT COALESCE(MIN(id), 0) FROM quality_reports"),
    ("consultation", "SELECT COALESCE(MIN(id), 0) FROM service_consultations WHERE institution_id = (SELECT id FROM institutions WHERE code = '10530')"),
    ("faq", "SELECT COALESCE(MIN(id), 0) FROM service_faq"),
    ("handbook", "SELECT COALESCE(MIN(id), 0) FROM service_handbook"),
    ("hnu_archive", "SELECT COALESCE(MIN(id), 0) FROM archive_transfers WHERE institution_id = (SELECT id FROM institutions WHERE code = '10532')"),
    ("evidence", "SELECT COALESCE(MIN(id), 0) FROM destination_evidence"),
    ("hnu_teacher", "SELECT COALESCE(MIN(id), 0) FROM training_teachers WHERE institution_id = (SELECT id FROM institutions WHERE code = '10532')"),
    ("hnu_service_request", "SELECT COALESCE(MIN(id), 0) FROM service_requests WHERE institution_id = (SELECT id FROM institutions WHERE code = '10532')"),
    ("hnu_programme_application", "SELECT COALESCE(MIN(id), 0) FROM programme_applications WHERE institution_id = (SELECT id FROM institutions WHERE code = '10532')"),
    ("hnu_work_news", "SELECT COALESCE(MIN(id), 0) FROM portal_articles WHERE kind = 'work_news' AND institution_id = (SELECT id FROM institutions WHERE code = '10532')"),
    ("college_account", "SELECT id FROM accounts WHERE username = 'college'"),
    ("staff_notice", "SELECT COALESCE(MIN(id), 0) FROM account_notices WHERE account_id = (SELECT id FROM accounts WHERE username = 'staff')"),
    ("draft_work_news", "SELECT COALESCE(MIN(id), 0) FROM portal_articles WHERE kind = 'work_news' AND status = 'draft' AND institution_id = (SELECT id FROM institutions WHERE code = '10530')"),
    ("employer_graduate", "SELECT COALESCE(MIN(id), 0) FROM graduates WHERE institution_id = (SELECT id FROM institutions WHERE code = '10530')"),
];

async fn fixture(app: &TestApp) -> Fixture {
    let own_employer = app.id("SELECT employer_id FROM accounts WHERE username = 'employer'").await;
    let other = app
        .db
        .fetch_one("SELECT id, name FROM employers WHERE id <> $1 ORDER BY id", &[own_employer.into()])
        .await
        .unwrap();
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let (finding, answer) = finding_at(app, xtu).await;
    let campaign = campaign_at(app, xtu).await;
    let (list, visit, visit_document) = list_and_visit_at(app, xtu).await;
    let key_group_graduate =
        app.id("SELECT MIN(id) FROM graduates WHERE college_id = (SELECT college_id FROM accounts WHERE username = 'college')").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '02' WHERE id = $1", &[key_group_graduate.into()]).await.unwrap();
    // The college's account helps it: staff of a college see only the graduates they help.
    tx.execute(
        "INSERT INTO assistance_helpers (graduate_id, account_id, institution_id, assigned_at, assigned_by_label) \
         SELECT g.id, a.id, g.institution_id, '2022-01-01T00:00:00Z', 'test' FROM graduates g, accounts a \
         WHERE g.id = $1 AND a.username = 'college' \
         AND NOT EXISTS (SELECT 1 FROM assistance_helpers h WHERE h.graduate_id = g.id AND h.account_id = a.id)",
        &[key_group_graduate.into()],
    )
    .await
    .unwrap();
    // The demo graduate too, so its own assistance page opens.
    tx.execute(
        "UPDATE graduates SET key_groups = '01' WHERE id = (SELECT graduate_id FROM accounts WHERE username = 'graduate')",
        &[],
    )
    .await
    .unwrap();
    let expert = kernel::Record::new()
        .set("name", "访问矩阵专家")
        .set("affiliation", "省人社厅")
        .set("title", "教授")
        .set("phone", "13800138000")
        .set("fields", "04")
        .set("active", true)
        .set("created_at", "2022-01-01T00:00:00Z")
        .set("created_by_label", "test");
    let expert = tx.insert_id("review_experts", expert).await.unwrap();
    let link = kernel::Record::new()
        .set("expert_id", expert)
        .set("kind", "relation")
        .set("person_name", "某人")
        .set("note", "")
        .set("created_at", "2022-01-01T00:00:00Z");
    tx.insert_id("review_expert_links", link).await.unwrap();
    tx.commit().await.unwrap();
    let programme_call = app.id("SELECT id FROM programme_calls WHERE status = 'open'").await;
    let programme_application = app
        .id(&format!(
            "SELECT MIN(id) FROM programme_applications WHERE call_id = {programme_call} AND institution_id = {xtu}"
        ))
        .await;
    let programme_file = attachment_of(app, programme_application).await;
    let notice = app.id("SELECT MIN(id) FROM programme_notices WHERE institution_id IS NULL").await;
    let school_notice = app.id("SELECT MIN(id) FROM programme_notices WHERE institution_id IS NOT NULL").await;
    let funded = app
        .id(&format!(
            "SELECT MIN(a.id) FROM programme_applications a JOIN programme_notice_items i ON i.application_id = a.id \
             JOIN programme_notices n ON n.id = i.notice_id AND n.institution_id IS NULL AND n.status = 'result' \
             WHERE a.outcome = 'approved' AND a.institution_id = {xtu}"
        ))
        .await;
    let review = app
        .id("SELECT MIN(r.id) FROM review_assignments r JOIN review_experts e ON e.id = r.expert_id \
             JOIN accounts a ON a.id = e.account_id WHERE a.username = 'expert'")
        .await;
    let reviewed_call = app.id(&format!("SELECT call_id FROM review_assignments WHERE id = {review}")).await;
    let class = app.id("SELECT MIN(id) FROM training_classes").await;
    let certificate = app
        .db
        .fetch_one(
            &format!(
                "SELECT MIN(c.number) AS n FROM training_certificates c JOIN training_class_participants p \
                 ON p.id = c.participant_id WHERE p.institution_id = {xtu} AND p.teacher_id IS NOT NULL"
            ),
            &[],
        )
        .await
        .unwrap()
        .text("n")
        .unwrap();
    let mentor =
        app.id("SELECT id FROM mentors WHERE account_id = (SELECT id FROM accounts WHERE username = 'expert')").await;
    let pdf = b"%PDF-1.4\nstartxref\n0\n%%EOF\n".to_vec();
    let course = [("kind", "resource"), ("title", "访问矩阵课程"), ("audience", "staff")];
    let reply = app.login("admin").await.post_file("/training/courses", &course, "x.pdf", pdf).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let course_file = app.id("SELECT MAX(id) FROM course_files").await;
    let course = app.id(&format!("SELECT course_id FROM course_files WHERE id = {course_file}")).await;
    let teacher = app.id(&format!("SELECT MIN(id) FROM training_teachers WHERE institution_id = {xtu}")).await;
    let service_request = app
        .id("SELECT MIN(id) FROM service_requests WHERE graduate_id = (SELECT graduate_id FROM accounts WHERE username = 'graduate')")
        .await;
    let service_request_in_college = app
        .count(&format!(
            "SELECT COUNT(*) FROM service_requests WHERE id = {service_request} \
             AND college_id = (SELECT college_id FROM accounts WHERE username = 'college')"
        ))
        .await
        == 1;
    // A micro-video by the province, and a material on the graduate's request (by its upload forms).
    let mp4 = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2\0\0\0\x10mdat12345678".to_vec();
    let video = [("title", "档案查询"), ("summary", ""), ("item", "")];
    let reply = app.login("admin").await.post_file("/services/videos", &video, "v.mp4", mp4).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let service_video = app.id("SELECT MAX(id) FROM service_videos").await;
    let service_material = {
        let who = kernel::audit::AuditActor::system("test");
        let stored = app.config.files().put_document(crate::support::LICENCE, 1024 * 1024).expect("store the material");
        let owner = app.id(&format!("SELECT institution_id FROM service_requests WHERE id = {service_request}")).await;
        let graduate = app.id(&format!("SELECT graduate_id FROM service_requests WHERE id = {service_request}")).await;
        let subject = kernel::audit::Subject::graduate(graduate, owner);
        let mut tx = app.db.begin().await.expect("begin");
        let id = services::store::add_material(&mut tx, &who, service_request, subject, "x.pdf", &stored)
            .await
            .expect("material");
        tx.commit().await.expect("commit");
        id
    };
    Fixture {
        course,
        teacher,
        service_request,
        service_request_in_college,
        service_video,
        service_material,
        portal_article: app
            .id("SELECT MIN(id) FROM portal_articles WHERE kind = 'news' AND status = 'published'")
            .await,
        portal_work_news: app
            .id(&format!("SELECT MIN(id) FROM portal_articles WHERE kind = 'work_news' AND institution_id = {xtu}"))
            .await,
        notice,
        school_notice,
        funded,
        class,
        certificate,
        mentor,
        course_file,
        expert,
        reviewed_call,
        review,
        programme_call,
        programme_application,
        programme_file,
        key_group_graduate,
        xtu,
        campaign,
        finding,
        answer,
        list,
        visit,
        visit_document,
        archive: app.id(&format!("SELECT MIN(id) FROM archive_transfers WHERE institution_id = {xtu}")).await,
        hnu_graduate: app.id("SELECT MIN(id) FROM graduates WHERE institution_id = (SELECT id FROM institutions WHERE code = '10532')").await,
        hnu_college: app.id("SELECT MIN(id) FROM colleges WHERE institution_id = (SELECT id FROM institutions WHERE code = '10532')").await,
        admin_account: app.id("SELECT id FROM accounts WHERE username = 'admin'").await,
        ids: {
            let mut ids = std::collections::BTreeMap::new();
            for (name, sql) in FIRST_ROWS {
                ids.insert(*name, app.id(sql).await);
            }
            // Another's objects must exist, or their rules would check nothing.
            for name in FIRST_ROWS.iter().map(|(name, _)| *name).filter(|name| name.starts_with("hnu_")) {
                assert_ne!(ids[name], 0, "the demo has no {name}");
            }
            ids
        },
        hnu: app.id("SELECT id FROM institutions WHERE code = '10532'").await,
        hnu_name: "湖南大学".to_owned(),
        own_employer,
        other_employer: other.i64("id").unwrap(),
        other_employer_name: other.text("name").unwrap(),
    }
}

/// A document stored and attached to an application, under the call's first field.
async fn attachment_of(app: &TestApp, application: i64) -> i64 {
    let pdf = b"%PDF-1.4\nstartxref\n0\n%%EOF\n";
    let stored = app.config.files().put_document(pdf, 1 << 20).unwrap();
    let field = app
        .id(&format!(
            "SELECT MIN(f.id) FROM programme_call_fields f JOIN programme_applications a ON a.call_id = f.call_id \
             WHERE a.id = {application}"
        ))
        .await;
    let row = kernel::Record::new()
        .set("application_id", application)
        .set("field_id", field)
        .set("file_sha256", stored.sha256)
        .set("file_name", "申报书.pdf")
        .set("content_type", "application/pdf")
        .set("added_at", "2022-01-01T00:00:00Z")
        .set("added_by_label", "test");
    let mut tx = app.db.begin().await.unwrap();
    let id = tx.insert_id("programme_application_files", row).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// A finding of the scan at the institution, and an answer to it with a document.
async fn finding_at(app: &TestApp, institution: i64) -> (i64, i64) {
    let mut tx = app.db.begin().await.unwrap();
    let scan = tx
        .insert_id(
            "verification_scans",
            kernel::Record::new().set("cohort", 2022).set("started_at", "2022-09-01T00:00:00Z").set("signals", 1),
        )
        .await
        .unwrap();
    let finding = kernel::Record::new()
        .set("cohort", 2022)
        .set("institution_id", institution)
        .set("kind", "employer_cluster")
        .set("severity", "high")
        .set("figures", "{}")
        .set("graduates", "[]")
        .set("fingerprint", "x")
        .set("status", "open")
        .set("first_seen", "2022-09-01T00:00:00Z")
        .set("scan_id", scan);
    let finding = tx.insert_id("verification_findings", finding).await.unwrap();
    tx.commit().await.unwrap();
    let pdf = b"%PDF-1.4\nstartxref\n0\n%%EOF\n".to_vec();
    let mut staff = app.login("staff").await;
    let path = format!("/verification/findings/{finding}/answers");
    staff.post_file(&path, &[("explanation", "已核实")], "x.pdf", pdf).await;
    (finding, app.id("SELECT MAX(id) FROM verification_answers").await)
}

/// A verification campaign with the institution in it (no sample: the routes' access is what matters here).
async fn campaign_at(app: &TestApp, institution: i64) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let campaign = kernel::Record::new()
        .set("cohort", 2022)
        .set("name", "访问矩阵核查")
        .set("margin", 0.05)
        .set("confidence", 0.95)
        .set("expected", 0.5)
        .set("seed", 1)
        .set("definition", "2021")
        .set("status", "open")
        .set("created_by", 1)
        .set("launched_at", "2022-09-01T00:00:00Z");
    let id = tx.insert_id("verification_campaigns", campaign).await.unwrap();
    let row = kernel::Record::new()
        .set("campaign_id", id)
        .set("institution_id", institution)
        .set("why", "chosen")
        .set("population", 0)
        .set("sample_size", 0)
        .set("reported_rate", 0.0);
    tx.insert("verification_campaign_institutions", row).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// An outside list naming a graduate of the institution, and a field visit there with a document.
async fn list_and_visit_at(app: &TestApp, institution: i64) -> (i64, i64, i64) {
    let g = app
        .db
        .fetch_one(
            "SELECT name, id_number FROM graduates WHERE institution_id = $1 AND cohort_year = 2022 ORDER BY id",
            &[institution.into()],
        )
        .await
        .unwrap();
    let csv = format!("姓名,身份证号,就业状态\n{},{},已就业\n", g.text("name").unwrap(), g.text("id_number").unwrap());
    let mut admin = app.login("admin").await;
    let fields = [("kind", "01"), ("cohort", "2022"), ("name", "访问矩阵名单")];
    admin.post_file("/verification/lists", &fields, "list.csv", csv.into_bytes()).await;
    let list = app.id("SELECT MAX(id) FROM outside_lists").await;
    let id = institution.to_string();
    let fields = [
        ("kind", "01"),
        ("institution", id.as_str()),
        ("visited_on", "2022-09-10"),
        ("people", "省厅"),
        ("findings", "实地调研"),
    ];
    let pdf = b"%PDF-1.4\nstartxref\n0\n%%EOF\n".to_vec();
    admin.post_file("/verification/visits", &fields, "x.pdf", pdf).await;
    let visit = app.id("SELECT MAX(id) FROM field_visits").await;
    (list, visit, app.id("SELECT MAX(id) FROM field_visit_documents").await)
}

/// A published posting of the demo employer, the demo graduate's application
/// to it (shortlisted, so an interview may be proposed) and the graduate.
struct Recruitment {
    posting: i64,
    application: i64,
    graduate: i64,
    /// A fair the province runs with 湘潭大学 as host, on site and online, open for registration; the
    /// demo employer's booth approved, the demo graduate registered.
    fair: i64,
    booth: i64,
}

async fn recruitment(app: &TestApp) -> Recruitment {
    let posting = crate::recruitment::published(app, "访问矩阵岗位").await;
    app.login("graduate").await.post(&format!("/jobs/{posting}/apply"), &[]).await;
    let application = app.id("SELECT MAX(id) FROM applications").await;
    let stage = format!("/recruitment/applications/{application}/stage");
    app.login("employer").await.post(&stage, &[("to", "shortlisted")]).await;
    let graduate = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let mut admin = app.login("admin").await;
    let (starts, ends) = (crate::fairs::in_hours(3), crate::fairs::in_hours(7));
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await.to_string();
    let mut fields = crate::fairs::fair("访问矩阵招聘会", &starts, &ends, "10", "100");
    fields.push(("hosts", &xtu));
    fields.iter_mut().find(|(k, _)| *k == "mode").expect("mode").1 = "both";
    let fair = crate::fairs::create_fair(&mut admin, &fields).await;
    crate::fairs::set_status(&mut admin, fair, "booking").await;
    app.login("employer").await.post(&format!("/fairs/{fair}/booth"), &[("posting_ids", &posting.to_string())]).await;
    let booth = app.id(&format!("SELECT id FROM fair_booths WHERE fair_id = {fair}")).await;
    admin.post(&format!("/recruitment/fairs/{fair}/booths/{booth}"), &[("decision", "approve")]).await;
    crate::fairs::set_status(&mut admin, fair, "registration").await;
    app.login("graduate").await.post(&format!("/fairs/{fair}/register"), &[]).await;
    Recruitment { posting, application, graduate, fair, booth }
}

/// Who a rule names: the anonymous visitor and the demo's accounts, one per
/// kind of user (`kernel::auth::Role`): `admin` the province (ProvinceAdmin),
/// `staff` a university's whole office and `college` one college's office of
/// the same university (both UniversityStaff), `employer`, `graduate`, `expert`.
const WHO: [&str; 7] = ["anonymous", "admin", "staff", "college", "employer", "graduate", "expert"];
const STAFF: &[&str] = &["admin", "staff", "college"];
const SIGNED_IN: &[&str] = &["admin", "staff", "college", "employer", "graduate", "expert"];
const PUBLIC: &[&str] = &["anonymous", "admin", "staff", "college", "employer", "graduate", "expert"];

/// How a probe is sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Send {
    Get,
    /// A form with the CSRF token and the probe's fields (none, or the few a route reads first).
    Form,
    /// A multipart form with the CSRF token and a small PDF.
    Upload,
    /// An API push: an empty JSON object.
    Json,
}

/// One rule of the matrix: a request, the roles that may make it, and how
/// every other role is refused: 403, or 404 where a route hides whether the
/// object exists (`hidden`), or either for another's object (`scoped`).
/// A route's rules together say who may use it; a scoped route has a rule
/// with an own object and one with another's.
#[derive(Clone)]
struct Probe {
    send: Send,
    path: String,
    allowed: &'static [&'static str],
    /// What a page answers the allowed roles: 200 unless the object is absent from the demo.
    answers: StatusCode,
    refused: &'static [StatusCode],
    fields: &'static [(&'static str, &'static str)],
    /// An API push's JSON body: the least the route reads before it asks who is asking.
    body: &'static str,
}

fn probe(send: Send, path: impl Into<String>, allowed: &'static [&'static str]) -> Probe {
    Probe {
        send,
        path: path.into(),
        allowed,
        answers: StatusCode::OK,
        refused: &[StatusCode::FORBIDDEN],
        fields: &[],
        body: "{}",
    }
}

fn get(path: impl Into<String>, allowed: &'static [&'static str]) -> Probe {
    probe(Send::Get, path, allowed)
}

fn post(path: impl Into<String>, allowed: &'static [&'static str]) -> Probe {
    probe(Send::Form, path, allowed)
}

fn upload(path: impl Into<String>, allowed: &'static [&'static str]) -> Probe {
    probe(Send::Upload, path, allowed)
}

fn json(path: impl Into<String>, body: &'static str, allowed: &'static [&'static str]) -> Probe {
    Probe { body, ..probe(Send::Json, path, allowed) }
}

impl Probe {
    /// The route answers 404 to whoever may not see the object, not 403.
    fn hidden(mut self) -> Probe {
        self.refused = &[StatusCode::NOT_FOUND];
        self
    }

    /// Another's object: refused with 403 or 404, never shown.
    fn scoped(mut self) -> Probe {
        self.refused = &[StatusCode::FORBIDDEN, StatusCode::NOT_FOUND];
        self
    }

    /// The page answers the allowed roles with this (an object the demo lacks: 404).
    fn answers(mut self, status: StatusCode) -> Probe {
        self.answers = status;
        self
    }

    /// The fields a route reads before it asks who is asking.
    fn with(mut self, fields: &'static [(&'static str, &'static str)]) -> Probe {
        self.fields = fields;
        self
    }

    fn method(&self) -> &'static str {
        if self.send == Send::Get {
            "GET"
        } else {
            "POST"
        }
    }
}

/// Sends a probe as the client.
async fn send(client: &mut Client, p: &Probe) -> Reply {
    match p.send {
        Send::Get => client.get(&p.path).await,
        Send::Form => client.post(&p.path, p.fields).await,
        Send::Upload => client.post_file(&p.path, p.fields, "x.pdf", PDF.to_vec()).await,
        Send::Json => {
            let cookies = client.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            // As a page's script sends it: the session's form token in the header.
            let token = client.cookies.get(kernel::web::CSRF_COOKIE).cloned().unwrap_or_default();
            let request = Request::post(&p.path)
                .header(header::COOKIE, cookies)
                .header(kernel::web::CSRF_HEADER, token)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(p.body))
                .expect("request");
            client.send(request).await
        }
    }
}

/// API pushes into 湘潭大学 (the demo staff's) and into 湖南大学 (another institution).
const OWN_ROWS: &str = r#"{"institution": "10530", "cohort": 2022, "rows": []}"#;
const HNU_ROWS: &str = r#"{"institution": "10532", "cohort": 2022, "rows": []}"#;
const OWN_DESTINATION: &str = r#"{"institution": "10530", "cohort": 2022, "student_no": "x", "category_code": "10"}"#;
const HNU_DESTINATION: &str = r#"{"institution": "10532", "cohort": 2022, "student_no": "x", "category_code": "10"}"#;

const PDF: &[u8] = b"%PDF-1.4\nstartxref\n0\n%%EOF\n";

/// Whether a concrete path (query left off) is an instance of a route's pattern
/// (`{x}` matches one segment, `{*x}` the rest).
fn instance_of(path: &str, pattern: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    let mut given = path.split('/');
    for want in pattern.split('/') {
        if want.starts_with("{*") {
            return true;
        }
        match given.next() {
            Some(seg) if want.starts_with('{') && !seg.is_empty() => {}
            Some(seg) if seg == want => {}
            _ => return false,
        }
    }
    given.next().is_none()
}

/// The route a probe exercises: the router prefers a literal segment to a
/// parameter, so of the patterns it is an instance of, the one whose first
/// parameter comes latest.
fn route_of<'a>(probe: &Probe, routes: &'a [jiuye::Route]) -> Option<&'a jiuye::Route> {
    let specificity = |p: &str| p.split('/').take_while(|s| !s.starts_with('{')).count();
    routes
        .iter()
        .filter(|r| r.method == probe.method() && instance_of(&probe.path, &r.path))
        .max_by_key(|r| specificity(&r.path))
}

/// The access-control matrix (issue 17): every route the router answers
/// (`jiuye::routes`, read from the router itself) for every role, own scope
/// and another's. A new route without a rule in `matrix()` fails here by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_admits_only_its_roles() {
    let started = std::time::Instant::now();
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let r = recruitment(&app).await;
    let probes = matrix(&f, &r);
    let routes = jiuye::routes(&app.router);

    // Every route has a rule, and every rule is about a route that exists.
    let mut covered = std::collections::BTreeSet::new();
    let mut dead = Vec::new();
    for p in &probes {
        match route_of(p, &routes) {
            Some(route) => {
                covered.insert(route.clone());
            }
            None => dead.push(format!("{} {}", p.method(), p.path)),
        }
    }
    let missing: Vec<String> =
        routes.iter().filter(|r| !covered.contains(*r)).map(|r| format!("{} {}", r.method, r.path)).collect();
    assert!(
        missing.is_empty(),
        "{} route(s) have no access rule: add one per route to matrix() in crates/jiuye/tests/it/access.rs \
         (who may use it; for a scoped route an own and another's object):\n{}",
        missing.len(),
        missing.join("\n")
    );
    assert!(dead.is_empty(), "rules for routes the router does not answer (delete them):\n{}", dead.join("\n"));

    let mut clients = Vec::new();
    for who in WHO {
        clients.push((who, if who == "anonymous" { app.client() } else { app.login(who).await }));
    }
    let checking = std::time::Instant::now();
    let probes = Arc::new(probes);
    let foreign = Arc::new(vec![f.hnu_name.clone(), f.other_employer_name.clone()]);
    // Reads first, then refused writes (which must leave no trace), each role
    // beside the others; then the writes the allowed roles make, one role after
    // another (they may change what later ones see).
    let (clients, mut wrong, mut checks) = phase(clients, &probes, &foreign, true, |_, p| p.send == Send::Get).await;
    let trace = app.count("SELECT COUNT(*) FROM audit_log").await;
    let (clients, refused, n) =
        phase(clients, &probes, &foreign, true, |who, p| p.send != Send::Get && !p.allowed.contains(&who)).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, trace, "a refused write left a trace");
    // Logging out ends the session the later writes need: it goes last.
    let ordered: Vec<Probe> = {
        let mut all: Vec<Probe> = probes.iter().filter(|p| p.send != Send::Get).cloned().collect();
        all.sort_by_key(|p| p.path == "/logout");
        all
    };
    let (_, allowed, m) = phase(clients, &Arc::new(ordered), &foreign, false, |who, p| p.allowed.contains(&who)).await;
    wrong.extend(refused.into_iter().chain(allowed));
    checks += n + m;
    assert!(wrong.is_empty(), "{} check(s) failed:\n{}", wrong.len(), wrong.join("\n"));
    eprintln!(
        "access matrix: {} routes, {} rules, {} roles, {checks} checks in {:.1?} ({:.1?} with the demo and fixtures)",
        routes.len(),
        probes.len(),
        WHO.len(),
        checking.elapsed(),
        started.elapsed()
    );
}

type Clients = Vec<(&'static str, Client)>;

/// Each role's client makes the probes `pick` gives it, side by side with the
/// other roles or one role after another: the clients back, what was wrong,
/// and how many checks were made.
async fn phase(
    clients: Clients,
    probes: &Arc<Vec<Probe>>,
    foreign: &Arc<Vec<String>>,
    side_by_side: bool,
    pick: fn(&'static str, &Probe) -> bool,
) -> (Clients, Vec<String>, usize) {
    async fn run(
        who: &'static str,
        mut client: Client,
        probes: Arc<Vec<Probe>>,
        foreign: Arc<Vec<String>>,
        pick: fn(&'static str, &Probe) -> bool,
    ) -> (&'static str, Client, Vec<String>, usize) {
        let (mut wrong, mut n) = (Vec::new(), 0);
        for p in probes.iter().filter(|p| pick(who, p)) {
            let reply = send(&mut client, p).await;
            wrong.extend(check(who, p, &reply, &foreign));
            n += 1;
        }
        (who, client, wrong, n)
    }
    let mut done = Vec::new();
    if side_by_side {
        let mut set = tokio::task::JoinSet::new();
        for (who, client) in clients {
            set.spawn(run(who, client, probes.clone(), foreign.clone(), pick));
        }
        done = set.join_all().await;
    } else {
        for (who, client) in clients {
            done.push(run(who, client, probes.clone(), foreign.clone(), pick).await);
        }
    }
    // In WHO's order again, so the next phase and the failures read the same each run.
    done.sort_by_key(|(who, ..)| WHO.iter().position(|w| w == who));
    let (mut wrong, mut checks, mut back) = (Vec::new(), 0, Vec::new());
    for (who, client, w, n) in done {
        back.push((who, client));
        wrong.extend(w);
        checks += n;
    }
    (back, wrong, checks)
}

/// One role's answer to one probe, against the rule: what is wrong with it, if
/// anything. `foreign` are names of another institution and another employer,
/// which no refused answer may carry.
fn check(who: &str, p: &Probe, reply: &Reply, foreign: &[String]) -> Option<String> {
    let what = format!("{who} {} {}", p.method(), p.path);
    let got = format!("got {} {}", reply.status, reply.location.as_deref().unwrap_or_default());
    let to_login = reply.location.as_deref().unwrap_or_default().starts_with("/login");
    if p.allowed.contains(&who) {
        let through = if p.send == Send::Get && who == "anonymous" && p.path == "/" {
            // An anonymous visitor's home is the public portal.
            reply.location.as_deref() == Some("/portal")
        } else if p.send == Send::Get {
            reply.status == p.answers
        } else {
            !([StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&reply.status) || to_login)
        };
        return (!through).then(|| format!("{what} should be let through, {got}"));
    }
    if who == "anonymous" {
        let sent_away = if p.path.starts_with("/api/") {
            reply.status == StatusCode::UNAUTHORIZED
        } else {
            reply.status == StatusCode::SEE_OTHER && to_login
        };
        return (!sent_away).then(|| format!("{what} should be sent to log in, {got}"));
    }
    if !p.refused.contains(&reply.status) {
        return Some(format!("{what} must be refused with {:?}, {got}", p.refused));
    }
    if foreign.iter().any(|name| reply.body.contains(name.as_str())) {
        return Some(format!("{what} got another institution's or employer's data"));
    }
    None
}

/// The axum format `jiuye::routes` reads: if an upgrade changes it, this
/// fails rather than the matrix checking nothing.
#[tokio::test]
async fn the_route_list_is_read_from_the_router() {
    let app = TestApp::empty().await;
    let routes = jiuye::routes(&app.router);
    let has = |m: &str, p: &str| routes.iter().any(|r| r.method == m && r.path == p);
    assert!(routes.len() > 300, "{} routes", routes.len());
    assert!(has("GET", "/training/classes") && has("POST", "/training/classes"));
    assert!(has("GET", "/training/classes/{id}") && !has("POST", "/training/classes/{id}"));
    assert!(has("POST", "/login") && has("GET", "/api/openapi.json"));
    assert!(!routes.iter().any(|r| r.method == "HEAD" || r.method == "ANY"), "{routes:?}");
}

/// Who may use each route (the rest are refused: 403 unless `.hidden()`, a redirect to log in
/// for anonymous visitors, 401 on the API). GETs must answer 200 to the allowed roles; POSTs
/// (a form with only the CSRF token) must not be refused to them, and must be refused to every
/// other role before the form is read.
fn matrix(f: &Fixture, r: &Recruitment) -> Vec<Probe> {
    vec![
        // Pages and downloads.
        // The shell: signing in and out, one's own sessions, assets, progress and import reports.
        get("/login", PUBLIC),
        post("/login", PUBLIC),
        post("/logout", PUBLIC),
        get("/lang", PUBLIC).answers(StatusCode::SEE_OTHER),
        get("/healthz", PUBLIC),
        get("/assets/style.css", PUBLIC),
        get("/api/openapi.json", PUBLIC),
        get("/outcomes/definitions", PUBLIC),
        get("/account/sessions", SIGNED_IN),
        post("/account/password", SIGNED_IN),
        post("/account/sessions/end", SIGNED_IN),
        post("/account/sessions/end-others", SIGNED_IN),
        // A progress bar's and an import report's tokens are their maker's; an unknown one is gone.
        get("/progress/x", SIGNED_IN).answers(StatusCode::NOT_FOUND),
        get("/imports/reports/x", SIGNED_IN).answers(StatusCode::GONE),
        get(format!("/admin/accounts/{}", f.admin_account), &["admin"]),
        get(format!("/admin/accounts/{}", f.n("college_account")), &["admin", "staff"]),
        get("/employers/register", PUBLIC),
        // A registration without its question answered is refused as a bad form, to anyone.
        post("/employers/register", PUBLIC),
        get(format!("/registry/employers/{}/licence", f.own_employer), &["admin", "staff", "college", "employer"])
            .answers(StatusCode::NOT_FOUND),
        get(format!("/registry/employers/{}/licence", f.other_employer), STAFF).answers(StatusCode::NOT_FOUND),
        // An account's notices are read by the university offices they are sent to (none yet in the demo).
        post(format!("/notices/{}/read", f.n("staff_notice")), &["staff", "college"]),
        // Another institution's objects (湖南大学's): the province only; a graduate's of another only.
        get(format!("/recruitment/profiles/{}", f.hnu_graduate), &["admin"]).scoped(),
        get(format!("/training/teachers/{}", f.n("hnu_teacher")), &[]).scoped(),
        get(format!("/services/requests/{}", f.n("hnu_service_request")), &["admin"]).scoped(),
        get(format!("/programmes/applications/{}", f.n("hnu_programme_application")), &["admin"]).scoped(),
        get(format!("/portal/editor/articles/{}", f.n("hnu_work_news")), &["admin"]).scoped(),
        // Outcomes: the roster and destinations imports are a university office's and the province's.
        upload("/outcomes/roster", &["admin", "staff"]),
        upload("/outcomes/destinations/import", &["admin", "staff"]),
        get("/outcomes/dashboard", STAFF),
        get(format!("/outcomes/graduates/{}", f.n("employer_graduate")), &["admin", "staff"]),
        get(format!("/outcomes/graduates/{}", f.hnu_graduate), &["admin"]),
        // The demo has no destinations, agreements or evidence: who may open one is checked, then 404.
        get(format!("/outcomes/evidence/{}", f.n("evidence")), &["admin", "staff", "college", "graduate"])
            .answers(StatusCode::NOT_FOUND),
        post("/agreements", &["employer"]),
        get(format!("/agreements/{}", f.n("agreement")), &["admin", "staff", "college", "employer", "graduate"])
            .answers(StatusCode::NOT_FOUND),
        get(format!("/agreements/{}/print", f.n("agreement")), &["admin", "staff", "college", "employer", "graduate"])
            .answers(StatusCode::NOT_FOUND),
        get(
            format!("/agreements/{}/seal-scan", f.n("agreement")),
            &["admin", "staff", "college", "employer", "graduate"],
        )
        .answers(StatusCode::NOT_FOUND),
        upload(
            format!("/agreements/{}/seal-scan", f.n("agreement")),
            &["admin", "staff", "college", "employer", "graduate"],
        ),
        post(format!("/agreements/{}/steps", f.n("agreement")), &["admin", "staff", "college", "employer", "graduate"]),
        // A graduate's card is opened by the employer it was handed to.
        get("/agreements/card/x", &["employer"]).answers(StatusCode::NOT_FOUND),
        post("/agreements/card/x", &["employer"]),
        get("/verify/agreement/x", PUBLIC).answers(StatusCode::NOT_FOUND),
        get(format!("/recruitment/applications/{}/agreement", r.application), &["employer"])
            .answers(StatusCode::CONFLICT),
        // The JSON API.
        get("/api/v1/agreements", &["admin", "staff", "college", "employer", "graduate"]),
        get("/api/v1/employers/lookup", STAFF),
        get("/api/v1/placement", STAFF),
        json(
            "/api/v1/agreements/x/steps",
            r#"{"step": "accept"}"#,
            &["admin", "staff", "college", "employer", "graduate"],
        ),
        // Pushes into an institution: its whole office and the province; into another institution: the province.
        json("/api/v1/destinations", OWN_DESTINATION, &["admin", "staff"]),
        json("/api/v1/destinations", HNU_DESTINATION, &["admin"]),
        json("/api/v1/destinations/batch", OWN_ROWS, &["admin", "staff"]),
        json("/api/v1/destinations/batch", HNU_ROWS, &["admin"]),
        // A fair's door is kept by the province and its host university (湘潭大学).
        json(format!("/api/v1/fairs/{}/checkins", r.fair), r#"{"code": "x"}"#, &["admin", "staff"]),
        json("/api/v1/roster", OWN_ROWS, &["admin", "staff"]),
        json("/api/v1/roster", HNU_ROWS, &["admin"]),
        // Archives: batches and transfers are a school office's (the province oversees); centres the province's.
        post("/archives/batches", &["admin", "staff"]),
        get(format!("/archives/batches/{}", f.n("batch")), &["admin", "staff"]),
        post(format!("/archives/batches/{}/receive", f.n("batch")), &["staff"]),
        post(format!("/archives/batches/{}/seal", f.n("batch")), &["staff"]),
        upload(format!("/archives/batches/{}/tracking", f.n("batch")), &["staff"]),
        post("/archives/centres", &["admin"]),
        upload("/archives/centres/import", &["admin"]),
        post("/archives/confirm", &["admin", "staff"]),
        post("/archives/propose", &["admin", "staff"]),
        post(format!("/archives/items/{}/dispatch", f.archive), &["admin", "staff"]),
        post(format!("/archives/items/{}/receive", f.archive), &["admin", "staff"]),
        post(format!("/archives/items/{}/receiver", f.archive), &["admin", "staff"]),
        post(format!("/archives/items/{}/return", f.archive), &["admin", "staff"]),
        get(format!("/archives/items/{}", f.n("hnu_archive")), &["admin"]).scoped(),
        // Verification: a census answered by graduates; sampled tasks are the universities'.
        get(format!("/census/{}", f.n("census")), &["graduate"]).answers(StatusCode::NOT_FOUND),
        get(format!("/verification/census/{}", f.n("census")), STAFF).answers(StatusCode::NOT_FOUND),
        get("/verification/tasks/1", &["staff", "college"]).answers(StatusCode::NOT_FOUND),
        get("/verification/tasks/1/document", &["staff", "college"]).answers(StatusCode::NOT_FOUND),
        // Fairs: a booth's desk is its employer's.
        get(format!("/fairs/{}/booth/desk/{}", r.fair, r.graduate), &["employer"]).answers(StatusCode::NOT_FOUND),
        // Programmes: an objection's file is the province's; a review's files its expert's.
        post(format!("/notices/{}/objections", f.notice), PUBLIC),
        get(format!("/programmes/objections/{}/file", f.n("objection")), &["admin"]).answers(StatusCode::NOT_FOUND),
        get(format!("/programmes/reviews/{}/files/{}", f.review, f.programme_file), &["expert"])
            .answers(StatusCode::NOT_FOUND)
            .hidden(),
        // The plan: the province loads and adjusts it and reviews returns; a university files its own.
        post("/plan/load", &["admin"]).with(&[("cohort", "2022")]),
        post("/plan/measures/1", &["admin"]),
        post("/plan/return", &["staff"]),
        post("/plan/returns/1/review", &["admin"]),
        upload("/plan/contingency", &["staff"]),
        get(format!("/plan/contingency/{}/file", f.n("contingency")), STAFF).answers(StatusCode::NOT_FOUND),
        // The portal's published files are public (none in the demo).
        get(format!("/portal/articles/{}/cover", f.portal_article), PUBLIC).answers(StatusCode::NOT_FOUND),
        get(format!("/portal/articles/{}/documents/{}", f.portal_article, f.n("portal_document")), PUBLIC)
            .answers(StatusCode::NOT_FOUND),
        // A published article is edited by no one.
        get(format!("/portal/editor/articles/{}/edit", f.portal_work_news), &[]),
        get(format!("/portal/editor/articles/{}/edit", f.n("draft_work_news")), STAFF).answers(StatusCode::NOT_FOUND),
        get(format!("/reports/{}/file", f.n("quality_report")), PUBLIC).answers(StatusCode::NOT_FOUND),
        // The employer network: the province merges duplicates and names key employers and parks;
        // university offices record their visits (their own only) and everyone in an office reads them.
        get("/recruitment/network", STAFF),
        get("/recruitment/duplicates", &["admin"]),
        post("/recruitment/duplicates/merge", &["admin"]),
        post(format!("/recruitment/merges/{}/undo", f.n("merge")), &["admin"]),
        post("/recruitment/network/key-employers", &["admin"]),
        post(format!("/recruitment/network/key-employers/{}/plaque", f.n("key_employer")), &["admin"]),
        post("/recruitment/network/parks", &["admin"]),
        get("/recruitment/visits", STAFF),
        get("/recruitment/visits/summary", STAFF),
        get("/recruitment/visits/new", &["staff", "college"]),
        post("/recruitment/visits", &["staff", "college"]),
        get(format!("/recruitment/visits/{}/edit", f.n("visit")), &["staff", "college"]),
        post(format!("/recruitment/visits/{}/edit", f.n("visit")), &["staff", "college"]),
        get(format!("/recruitment/visits/{}/edit", f.n("hnu_visit")), &[]).scoped(),
        get(
            format!("/recruitment/profiles/{}/resume", r.graduate),
            &["admin", "staff", "college", "employer", "graduate"],
        )
        .answers(StatusCode::NOT_FOUND),
        // One-stop services: the graduate applies and resubmits; offices act and keep consultations;
        // the province edits guides, the FAQ, the handbook and its videos.
        post("/services/apply/employment_proof", &["graduate"]),
        post(format!("/services/requests/{}/resubmit", f.service_request), &["graduate"]),
        post(
            format!("/services/requests/{}/act", f.service_request),
            if f.service_request_in_college { STAFF } else { &["admin", "staff"] },
        ),
        post("/services/consultations", STAFF),
        post(format!("/services/consultations/{}/done", f.n("consultation")), STAFF),
        post("/services/faq", &["admin"]),
        post(format!("/services/faq/{}/edit", f.n("faq")), &["admin"]),
        post(format!("/services/faq/{}/remove", f.n("faq")), &["admin"]),
        post("/services/guide/destination_change/edit", &["admin"]),
        post("/services/handbook", &["admin"]),
        post(format!("/services/handbook/{}/edit", f.n("handbook")), &["admin"]),
        post(format!("/services/handbook/{}/remove", f.n("handbook")), &["admin"]),
        upload("/services/videos", &["admin"]),
        post(format!("/services/videos/{}", f.service_video), &["admin"]),
        post(format!("/services/videos/{}/remove", f.service_video), &["admin"]),
        get("/".to_owned(), PUBLIC),
        get("/account/password".to_owned(), SIGNED_IN),
        get("/registry/institutions".to_owned(), STAFF),
        get(format!("/registry/institutions/{}", f.xtu), STAFF),
        get(format!("/registry/institutions/{}", f.hnu), &["admin"]),
        get("/registry/employers".to_owned(), &["admin", "staff", "college", "employer"]),
        get(format!("/registry/employers/{}", f.own_employer), &["admin", "staff", "college", "employer"]),
        get(format!("/registry/employers/{}", f.other_employer), STAFF),
        get("/registry/majors".to_owned(), STAFF),
        get("/registry/regions".to_owned(), STAFF),
        get("/registry/cohorts".to_owned(), STAFF),
        get("/registry/codes?kind=destination&version=2021".to_owned(), STAFF),
        get("/admin/accounts".to_owned(), &["admin", "staff"]),
        get("/admin/accounts/new".to_owned(), &["admin", "staff"]),
        get("/admin/audit".to_owned(), &["admin"]),
        get("/admin/tokens".to_owned(), &["admin"]),
        get("/outcomes/roster".to_owned(), &["admin", "staff"]),
        get("/outcomes/destinations/import".to_owned(), &["admin", "staff"]),
        get("/outcomes/roster/template".to_owned(), &["admin", "staff"]),
        get("/outcomes/destinations/import/template".to_owned(), &["admin", "staff"]),
        get("/outcomes/graduates".to_owned(), STAFF),
        get("/outcomes/dashboard".to_owned(), STAFF),
        get("/outcomes/placement".to_owned(), STAFF),
        get("/outcomes/reports".to_owned(), STAFF),
        get("/outcomes/briefing".to_owned(), STAFF),
        get("/outcomes/signing".to_owned(), STAFF),
        get("/agreements".to_owned(), &["admin", "staff", "college", "employer", "graduate"]),
        get("/outcomes/me".to_owned(), &["graduate"]),
        get("/agreements/card".to_owned(), &["graduate"]),
        get("/api/v1/me".to_owned(), SIGNED_IN),
        get("/api/v1/institutions".to_owned(), &["admin", "staff", "college"]),
        get("/api/v1/institutions/10532".to_owned(), &["admin"]),
        get("/api/v1/employers".to_owned(), &["admin", "staff", "college", "employer"]),
        get("/api/v1/regions".to_owned(), SIGNED_IN),
        get("/jobs".to_owned(), PUBLIC),
        get("/recruitment/postings".to_owned(), &["employer"]),
        get("/recruitment/postings/new".to_owned(), &["employer"]),
        get("/recruitment/review".to_owned(), &["admin", "staff"]),
        get("/recruitment/applications".to_owned(), &["graduate"]),
        get("/recruitment/profile".to_owned(), &["graduate"]),
        get("/recruitment/statistics".to_owned(), STAFF),
        get("/recruitment/statistics?table=industry&format=xlsx".to_owned(), STAFF),
        get(format!("/jobs/{}", r.posting), PUBLIC),
        get(format!("/recruitment/postings/{}/edit", r.posting), &["employer"]),
        get(format!("/recruitment/postings/{}/applicants", r.posting), &["employer"]),
        get(format!("/recruitment/applications/{}/interview", r.application), &["employer"]),
        // The demo graduate studies at the staff's (and the college's) university and applied to the employer.
        get(format!("/recruitment/profiles/{}", r.graduate), &["admin", "staff", "college", "employer", "graduate"]),
        get("/api/v1/postings".to_owned(), SIGNED_IN),
        get(format!("/api/v1/postings/{}", r.posting), SIGNED_IN),
        get("/recruitment/saved-searches".to_owned(), &["graduate"]),
        get("/recruitment/recommended".to_owned(), &["graduate"]),
        get("/messages".to_owned(), SIGNED_IN),
        get("/api/v1/applications".to_owned(), &["employer", "graduate"]),
        get(format!("/api/v1/applications/{}", r.application), &["employer", "graduate"]),
        get("/verification".to_owned(), STAFF),
        get("/verification/census".to_owned(), STAFF),
        get(format!("/verification/findings/{}", f.finding), STAFF),
        get(format!("/verification/answers/{}/document", f.answer), STAFF),
        get("/verification/campaigns".to_owned(), STAFF),
        get("/verification/campaigns/new".to_owned(), &["admin"]),
        get(format!("/verification/campaigns/{}/results", f.campaign), STAFF),
        get(format!("/verification/campaigns/{}/print", f.campaign), STAFF),
        get("/verification/tasks".to_owned(), &["staff", "college"]),
        get("/verification/lists".to_owned(), STAFF),
        get(format!("/verification/lists/{}", f.list), STAFF),
        get(format!("/verification/lists/{}?format=xlsx", f.list), STAFF),
        get("/verification/visits".to_owned(), STAFF),
        get(format!("/verification/visits/{}", f.visit), STAFF),
        get(format!("/verification/visit-documents/{}", f.visit_document), STAFF),
        get("/fairs".to_owned(), PUBLIC),
        get(format!("/fairs/{}", r.fair), PUBLIC),
        get(format!("/fairs/{}/pass", r.fair), &["graduate"]),
        get(format!("/fairs/{}/booth", r.fair), &["employer"]),
        get(format!("/fairs/{}/booth/pass", r.fair), &["employer"]),
        get(format!("/fairs/{}/booth/visitors", r.fair), &["employer"]),
        get(format!("/fairs/{}/booth/desk", r.fair), &["employer"]),
        get(format!("/fairs/{}/lobby", r.fair), PUBLIC),
        get(format!("/fairs/{}/booths/{}", r.fair, r.booth), PUBLIC),
        get("/recruitment/my-fairs".to_owned(), &["graduate"]),
        get("/recruitment/booths".to_owned(), &["employer"]),
        // A college's office hosts nothing; the fair's host university and the province do.
        get("/recruitment/fairs".to_owned(), &["admin", "staff"]),
        get("/recruitment/fairs/new".to_owned(), &["admin", "staff"]),
        get(format!("/recruitment/fairs/{}/edit", r.fair), &["admin", "staff"]),
        get(format!("/recruitment/fairs/{}/booths", r.fair), &["admin", "staff"]),
        get(format!("/recruitment/fairs/{}/door", r.fair), &["admin", "staff"]),
        get(format!("/recruitment/fairs/{}/statistics", r.fair), &["admin", "staff"]),
        get(format!("/recruitment/fairs/{}/statistics?format=xlsx", r.fair), &["admin", "staff"]),
        get("/assistance".to_owned(), STAFF),
        get("/assistance/coverage".to_owned(), STAFF),
        get("/assistance/handover".to_owned(), STAFF),
        get(format!("/assistance/{}", f.key_group_graduate), STAFF),
        get("/me/assistance".to_owned(), &["graduate"]),
        get("/assistance/calendar".to_owned(), STAFF),
        get("/me/assistance/appointments".to_owned(), &["graduate"]),
        // The demo's first training is the province's, open to every institution; its first base is 湘潭大学's.
        get("/assistance/trainings".to_owned(), STAFF),
        get("/assistance/trainings/table".to_owned(), STAFF),
        get("/assistance/trainings/table?format=xlsx".to_owned(), STAFF),
        get("/assistance/trainings/1".to_owned(), STAFF),
        get("/assistance/trainings/1/edit".to_owned(), &["admin"]),
        get("/assistance/trainings/1/sessions/1/door".to_owned(), &["admin"]),
        get("/assistance/bases".to_owned(), STAFF),
        get("/assistance/bases/1".to_owned(), STAFF),
        get("/me/assistance/trainings".to_owned(), &["graduate"]),
        // The review pool is the province's alone; university staff read the working-day calendar.
        get("/programmes/experts".to_owned(), &["admin"]),
        get(format!("/programmes/experts/{}", f.expert), &["admin"]),
        get("/programmes/calendar".to_owned(), STAFF),
        get("/programmes/calendar?year=2022&start=2022-09-29&n=5".to_owned(), STAFF),
        get("/programmes".to_owned(), STAFF),
        get("/programmes/calls/new".to_owned(), &["admin"]),
        get(format!("/programmes/calls/{}", f.programme_call), STAFF),
        get(format!("/programmes/calls/{}/edit", f.programme_call), &["admin"]),
        get(format!("/programmes/applications/{}", f.programme_application), STAFF),
        get(format!("/programmes/files/{}", f.programme_file), STAFF),
        get("/programmes/bans".to_owned(), &["admin"]),
        // Notices: the province's read by the province; a school's by the province and that school.
        get("/programmes/notices".to_owned(), STAFF),
        get(format!("/programmes/notices/{}", f.notice), &["admin"]),
        get("/programmes/followups".to_owned(), STAFF),
        get(format!("/programmes/followups/{}", f.funded), STAFF),
        get("/programmes/registries".to_owned(), STAFF),
        get("/notices".to_owned(), PUBLIC),
        get(format!("/notices/{}", f.notice), PUBLIC),
        get(format!("/notices/{}/result", f.notice), PUBLIC),
        // A call's review round is the province's; an expert's reviews are its own (404 to every other role).
        get(format!("/programmes/calls/{}/review", f.programme_call), &["admin"]),
        get(format!("/programmes/calls/{}/review", f.reviewed_call), &["admin"]),
        get(format!("/programmes/calls/{}/review/ranking.xlsx", f.reviewed_call), &["admin"]),
        get("/programmes/reviews".to_owned(), &["expert"]).hidden(),
        get(format!("/programmes/reviews/{}", f.review), &["expert"]).hidden(),
        // Training classes: offices see classes, teachers and figures (their own); the province makes and runs them.
        get("/training/classes".to_owned(), STAFF),
        get("/training/classes/new".to_owned(), &["admin"]),
        get(format!("/training/classes/{}", f.class), STAFF),
        get(format!("/training/classes/{}/edit", f.class), &["admin"]),
        get(format!("/training/classes/{}/sessions/1/door", f.class), &["admin"]),
        get("/training/teachers".to_owned(), STAFF),
        get("/training/teachers?format=xlsx".to_owned(), STAFF),
        // An office edits only its own teachers; the province keeps none.
        get(format!("/training/teachers/{}", f.teacher), &["staff", "college"]),
        get("/training/figures".to_owned(), STAFF),
        get("/training/figures?format=xlsx".to_owned(), STAFF),
        get("/training/mine".to_owned(), &["staff", "college", "graduate"]),
        get(format!("/training/certificates/{}", f.certificate), STAFF),
        // The public certificate check.
        get("/verify/certificate".to_owned(), PUBLIC),
        get("/portal".to_owned(), PUBLIC),
        get("/portal/news".to_owned(), PUBLIC),
        get("/portal/work-news".to_owned(), PUBLIC),
        get(format!("/portal/articles/{}", f.portal_article), PUBLIC),
        get("/portal/editor".to_owned(), STAFF),
        get("/portal/editor/new".to_owned(), STAFF),
        get("/portal/editor/work-news".to_owned(), STAFF),
        get(format!("/portal/editor/articles/{}", f.portal_work_news), STAFF),
        // Archives are the school office's work, not a college's.
        get("/archives".to_owned(), &["admin", "staff"]),
        get("/archives/unassigned".to_owned(), &["admin", "staff"]),
        get("/archives?state=received&end=1".to_owned(), &["admin", "staff"]),
        get("/archives/unassigned?page=2".to_owned(), &["admin", "staff"]),
        get("/archives/batches".to_owned(), &["admin", "staff"]),
        get("/archives/centres".to_owned(), &["admin", "staff"]),
        get("/archives/figures".to_owned(), &["admin", "staff"]),
        get("/archives/figures?format=xlsx".to_owned(), &["admin", "staff"]),
        get(format!("/archives/items/{}", f.archive), &["admin", "staff"]),
        get(format!("/archives/items/{}/slip", f.archive), &["admin", "staff"]),
        get("/archives/mine".to_owned(), &["graduate"]),
        get("/archives/check".to_owned(), PUBLIC),
        // The mentor pool: anyone signed in browses; universities and employers recommend; the
        // province reviews; the mentor's page opens for an account with a published record (the expert's).
        get("/training/mentors".to_owned(), SIGNED_IN),
        get("/training/mentors?kind=startup&field=01".to_owned(), SIGNED_IN),
        get(format!("/training/mentors/{}", f.mentor), SIGNED_IN),
        get("/training/mentors/recommend".to_owned(), &["staff", "college", "employer"]),
        get("/training/mentors/review".to_owned(), &["admin"]),
        get("/training/mentors/activity".to_owned(), STAFF),
        get("/training/mentor".to_owned(), &["expert"]),
        get("/me/mentors".to_owned(), &["graduate"]),
        get("/training/courses".to_owned(), SIGNED_IN),
        get(format!("/training/courses/files/{}", f.course_file), STAFF),
        // Only a course's owner manages it: the province for its own.
        get(format!("/training/courses/{}", f.course), &["admin"]),
        // One-stop services: the catalogue and guides are public; a graduate applies and follows its own;
        // offices handle their institution's (a college's staff their college's), the province all.
        get("/services".to_owned(), PUBLIC),
        get("/services/guide/destination_change".to_owned(), PUBLIC),
        get("/services/guide/destination_change/edit".to_owned(), &["admin"]),
        get("/services/apply/employment_proof".to_owned(), &["graduate"]),
        get("/services/mine".to_owned(), &["graduate"]),
        get("/services/requests".to_owned(), STAFF),
        get("/services/requests?show=overdue".to_owned(), STAFF),
        get("/services/consultations".to_owned(), STAFF),
        get("/services/consultations?category=03&follow=open".to_owned(), STAFF),
        get("/services/faq".to_owned(), PUBLIC),
        get("/services/handbook?q=%E6%8A%A5%E5%88%B0".to_owned(), PUBLIC),
        // Micro-videos are watched by all, like the handbook they sit in; only the province edits them (by POST).
        get(format!("/services/videos/{}", f.service_video), PUBLIC),
        get(format!("/services/videos/{}/file", f.service_video), PUBLIC),
        get(
            format!("/services/requests/{}", f.service_request),
            if f.service_request_in_college {
                &["admin", "staff", "college", "graduate"]
            } else {
                &["admin", "staff", "graduate"]
            },
        ),
        // A request's materials: the graduate and the offices handling the request only.
        get(
            format!("/services/requests/{}/materials/{}", f.service_request, f.service_material),
            if f.service_request_in_college {
                &["admin", "staff", "college", "graduate"]
            } else {
                &["admin", "staff", "graduate"]
            },
        ),
        // The plan board: offices read it and the inspection view (their own); the province adjusts
        // measures and reviews returns; a whole university's staff sign its return.
        get("/plan".to_owned(), STAFF),
        get("/plan/measures/1".to_owned(), &["admin"]),
        get("/plan/returns".to_owned(), &["admin"]),
        get("/plan/return".to_owned(), &["staff"]),
        get("/plan/inspection".to_owned(), STAFF),
        get("/plan/contingency".to_owned(), STAFF),
        // Quality reports: the public list for anyone; an institution's own office and the province
        // keep reports and read appendices (a college's staff do not); the notice is the province's.
        get("/reports".to_owned(), PUBLIC),
        get("/reports/manage".to_owned(), &["admin", "staff"]),
        get("/reports/notice".to_owned(), &["admin"]),
        get("/reports/notice?format=xlsx".to_owned(), &["admin"]),
        get("/reports/appendix".to_owned(), &["admin", "staff"]),
        get(format!("/reports/appendix?institution={}", f.xtu), &["admin", "staff"]),
        get(format!("/reports/appendix?institution={}&format=xlsx", f.xtu), &["admin", "staff"]),
        // Forms: a refused role is refused before anything is read or written.
        post(format!("/registry/institutions/{}/colleges", f.hnu), &["admin"]),
        post(format!("/registry/colleges/{}", f.hnu_college), &["admin"]),
        post(format!("/registry/institutions/{}/majors", f.hnu), &["admin"]),
        // Which employers a university office reviews is checked employer by employer (registry tests).
        post(format!("/registry/employers/{}/review", f.other_employer), &["admin"]),
        post("/admin/accounts".to_owned(), &["admin", "staff"]),
        post(format!("/admin/accounts/{}", f.admin_account), &["admin"]),
        post("/admin/tokens".to_owned(), &["admin"]),
        post("/admin/tokens/1/revoke".to_owned(), &["admin"]),
        post(format!("/outcomes/graduates/{}/destination", f.hnu_graduate), &["admin"]),
        post("/outcomes/me/answer".to_owned(), &["graduate"]),
        post("/agreements/card".to_owned(), &["graduate"]),
        post("/outcomes/signing/remind".to_owned(), &["admin"]),
        post("/registry/cohorts/2022".to_owned(), &["admin"]),
        post("/recruitment/postings".to_owned(), &["employer"]),
        post("/recruitment/postings/1/edit".to_owned(), &["employer"]),
        post("/recruitment/postings/1/withdraw".to_owned(), &["employer"]),
        // Whose posting a reviewer may decide is checked posting by posting (recruitment tests).
        post("/recruitment/postings/1/review".to_owned(), &["admin"]),
        post("/jobs/1/apply".to_owned(), &["graduate"]),
        post("/recruitment/applications/1/withdraw".to_owned(), &["graduate"]),
        post("/recruitment/applications/1/answer".to_owned(), &["graduate"]),
        post("/recruitment/applications/1/stage".to_owned(), &["employer"]),
        post("/recruitment/applications/1/agreement".to_owned(), &["employer"]),
        post("/recruitment/applications/1/interview".to_owned(), &["employer"]),
        post("/recruitment/interviews/1/answer".to_owned(), &["graduate"]),
        post("/recruitment/profile".to_owned(), &["graduate"]),
        post("/jobs/saved".to_owned(), &["graduate"]),
        post("/recruitment/saved-searches/1/delete".to_owned(), &["graduate"]),
        post("/messages/read".to_owned(), &["admin", "staff", "college", "employer", "graduate", "expert"]),
        post("/recruitment/fairs".to_owned(), &["admin", "staff"]),
        post("/recruitment/fairs/targets".to_owned(), &["admin"]),
        post("/recruitment/fairs/1/edit".to_owned(), &["admin", "staff"]),
        post("/recruitment/fairs/1/status".to_owned(), &["admin", "staff"]),
        post("/recruitment/fairs/1/booths/1".to_owned(), &["admin", "staff"]),
        post("/recruitment/fairs/1/door".to_owned(), &["admin", "staff"]),
        post("/fairs/1/register".to_owned(), &["graduate"]),
        post("/fairs/1/cancel".to_owned(), &["graduate"]),
        post("/fairs/1/apply".to_owned(), &["graduate"]),
        post("/fairs/1/booth".to_owned(), &["employer"]),
        post("/fairs/1/booth/withdraw".to_owned(), &["employer"]),
        post("/fairs/1/booth/visitors".to_owned(), &["employer"]),
        post("/fairs/1/booths/1/join".to_owned(), &["graduate"]),
        post("/fairs/1/booths/1/leave".to_owned(), &["graduate"]),
        post("/fairs/1/booths/1/say".to_owned(), &["graduate"]),
        post("/fairs/1/booth/online".to_owned(), &["employer"]),
        post("/fairs/1/booth/call".to_owned(), &["employer"]),
        post("/fairs/1/booth/desk/1".to_owned(), &["employer"]),
        post("/fairs/1/booth/visitors/1/invite".to_owned(), &["employer"]),
        post("/verification/scan".to_owned(), &["admin"]),
        post("/verification/findings/1/dismiss".to_owned(), &["admin"]),
        post("/verification/census".to_owned(), &["admin"]),
        post("/census/1".to_owned(), &["graduate"]),
        post("/verification/campaigns".to_owned(), &["admin"]),
        post("/verification/campaigns/1/close".to_owned(), &["admin"]),
        post("/assistance/flags".to_owned(), &["staff", "college"]),
        post("/assistance/coverage/standard".to_owned(), &["admin"]),
        post("/assistance/1/file".to_owned(), &["admin", "staff", "college"]),
        post("/assistance/1/flags/1/remove".to_owned(), &["admin", "staff", "college"]),
        post("/assistance/1/helpers".to_owned(), &["admin", "staff", "college"]),
        post("/assistance/1/helpers/1/remove".to_owned(), &["admin", "staff", "college"]),
        post("/assistance/1/measures".to_owned(), &["admin", "staff", "college"]),
        post("/assistance/1/measures/1/close".to_owned(), &["admin", "staff", "college"]),
        post("/assistance/1/entries".to_owned(), &["admin", "staff", "college"]),
        post("/me/assistance/referrals/1/answer".to_owned(), &["graduate"]),
        post("/assistance/calendar/slots".to_owned(), &["staff", "college"]),
        post("/assistance/calendar/slots/1/cancel".to_owned(), &["staff", "college"]),
        post("/assistance/appointments/1/mark".to_owned(), &["staff", "college"]),
        post("/me/assistance/appointments".to_owned(), &["graduate"]),
        post("/me/assistance/appointments/1/cancel".to_owned(), &["graduate"]),
        post("/me/assistance/appointments/1/move".to_owned(), &["graduate"]),
        post("/assistance/trainings".to_owned(), &["admin", "staff", "college"]),
        post("/assistance/trainings/1/enrol".to_owned(), &["staff", "college"]),
        post("/assistance/trainings/1/attendance".to_owned(), &["admin", "staff", "college"]),
        post("/assistance/trainings/1/complete".to_owned(), &["admin", "staff", "college"]),
        post("/me/assistance/trainings/1/enrol".to_owned(), &["graduate"]),
        post("/assistance/bases".to_owned(), &["admin"]),
        post("/assistance/bases/1/visits".to_owned(), &["admin"]),
        post("/assistance/bases/1/visits/1/close".to_owned(), &["admin"]),
        post("/programmes/experts".to_owned(), &["admin"]),
        post(format!("/programmes/experts/{}", f.expert), &["admin"]),
        post(format!("/programmes/experts/{}/active", f.expert), &["admin"]),
        post(format!("/programmes/experts/{}/links", f.expert), &["admin"]),
        post(format!("/programmes/experts/{}/links/1/delete", f.expert), &["admin"]),
        post("/programmes/calendar".to_owned(), &["admin"]),
        post("/programmes/calendar/delete".to_owned(), &["admin"]),
        post("/assistance/bases/1/edit".to_owned(), &["admin"]),
        post("/assistance/trainings/1/edit".to_owned(), &["admin"]),
        post("/assistance/trainings/1/cancel".to_owned(), &["admin"]),
        post("/assistance/trainings/1/sessions".to_owned(), &["admin"]),
        post("/assistance/trainings/1/sessions/1".to_owned(), &["admin"]),
        post("/assistance/trainings/1/sessions/1/remove".to_owned(), &["admin"]),
        post("/assistance/trainings/1/sessions/1/door".to_owned(), &["admin"]),
        post("/programmes/calls".to_owned(), &["admin"]),
        post(format!("/programmes/calls/{}/edit", f.programme_call), &["admin"]),
        post(format!("/programmes/calls/{}/status", f.programme_call), &["admin"]),
        post(format!("/programmes/calls/{}/applications", f.programme_call), &["staff", "college"]),
        post(format!("/programmes/applications/{}", f.programme_application), &["staff", "college"]),
        post(format!("/programmes/applications/{}/submit", f.programme_application), &["staff", "college"]),
        post(format!("/programmes/applications/{}/withdraw", f.programme_application), &["staff", "college"]),
        post(format!("/programmes/applications/{}/recommend", f.programme_application), &["staff", "college"]),
        post("/programmes/bans".to_owned(), &["admin"]),
        post("/programmes/notices".to_owned(), &["admin", "staff", "college"]),
        post(format!("/programmes/notices/{}/result", f.notice), &["admin"]),
        post(format!("/programmes/notices/{}/objections/1", f.notice), &["admin"]),
        post(format!("/programmes/notices/{}/result", f.school_notice), &["staff", "college"]),
        post("/programmes/followups/settings".to_owned(), &["admin"]),
        post(format!("/programmes/followups/{}", f.funded), &["admin", "staff", "college"]),
        post("/programmes/registries/bases".to_owned(), &["admin"]),
        post("/programmes/registries/bases/1/projects".to_owned(), &["admin"]),
        post("/programmes/registries/studios".to_owned(), &["admin"]),
        post(format!("/programmes/calls/{}/review/settings", f.programme_call), &["admin"]),
        post(format!("/programmes/calls/{}/review/assign", f.programme_call), &["admin"]),
        post(format!("/programmes/calls/{}/review/replace", f.reviewed_call), &["admin"]),
        post(format!("/programmes/calls/{}/review/rereview", f.reviewed_call), &["admin"]),
        post(format!("/programmes/calls/{}/review/decide", f.reviewed_call), &["admin"]),
        post(format!("/programmes/reviews/{}", f.review), &["expert"]).hidden(),
        post(format!("/programmes/reviews/{}/recuse", f.review), &["expert"]).hidden(),
        post("/portal/editor".to_owned(), &["admin", "staff", "college"]),
        post(format!("/portal/editor/articles/{}/act", f.portal_work_news), &["admin", "staff", "college"]),
        // A published article is edited by no one; a draft by its own office.
        post(format!("/portal/editor/articles/{}/edit", f.portal_work_news), &[]),
        post(format!("/portal/editor/articles/{}/edit", f.n("draft_work_news")), STAFF),
        post("/training/classes".to_owned(), &["admin"]),
        post("/training/classes/1/edit".to_owned(), &["admin"]),
        post("/training/classes/1/enrol".to_owned(), &["staff", "college"]),
        post("/training/classes/1/assessment".to_owned(), &["admin", "staff", "college"]),
        post("/training/classes/1/complete".to_owned(), &["admin", "staff", "college"]),
        // The door of a class is its organiser's (the province's, for the demo's first class).
        post("/training/classes/1/sessions/1/door".to_owned(), &["admin"]),
        post("/training/teachers".to_owned(), &["staff", "college"]),
        post(format!("/training/teachers/{}", f.teacher), &["staff", "college"]),
        post(format!("/training/teachers/{}/remove", f.teacher), &["staff", "college"]),
        post(format!("/training/courses/{}", f.course), &["admin"]),
        post(format!("/training/courses/{}/files/{}/remove", f.course, f.course_file), &["admin"]),
        post(format!("/training/courses/{}/withdraw", f.course), &["admin"]),
        post("/training/mine/1/enrol".to_owned(), &["staff", "college", "graduate"]),
        post("/training/mentors/recommend".to_owned(), &["staff", "college", "employer"]),
        post(format!("/training/mentors/{}/decide", f.mentor), &["admin"]),
        post(format!("/training/mentors/{}/yearly", f.mentor), &["admin"]),
        post(format!("/training/mentors/{}/postings", f.mentor), &["admin", "staff", "college"]),
        post("/training/mentor/slots".to_owned(), &["expert"]),
        post("/training/mentor/slots/1/cancel".to_owned(), &["expert"]),
        post("/training/mentor/bookings/1/mark".to_owned(), &["expert"]),
        post("/me/mentors".to_owned(), &["graduate"]),
        post("/me/mentors/bookings/1/cancel".to_owned(), &["graduate"]),
        post("/reports/deadline".to_owned(), &["admin"]),
        post("/reports/1/publish".to_owned(), &["admin"]),
        post("/reports/publish-all".to_owned(), &["admin"]),
        post("/reports/notice/send".to_owned(), &["admin"]),
        // Uploads go as multipart forms.
        upload(format!("/outcomes/graduates/{}/evidence", f.hnu_graduate), &["admin"]),
        upload("/outcomes/me/evidence".to_owned(), &["graduate"]),
        upload("/recruitment/profile/resume".to_owned(), &["graduate"]),
        upload(format!("/verification/findings/{}/answers", f.finding), &["staff", "college"]),
        upload("/verification/tasks/1".to_owned(), &["staff", "college"]),
        // A college's office reads lists but does not import them.
        upload("/verification/lists".to_owned(), &["admin", "staff"]),
        upload("/verification/visits".to_owned(), &["admin"]),
        upload(format!("/verification/visits/{}/documents", f.visit), &["admin"]),
        upload("/programmes/experts/import".to_owned(), &["admin"]),
        upload(format!("/programmes/applications/{}/files", f.programme_application), &["staff", "college"]),
        upload("/training/courses".to_owned(), &["admin", "staff", "college"]),
        upload("/training/teachers/import".to_owned(), &["staff", "college"]),
        upload(format!("/portal/editor/articles/{}/files", f.portal_work_news), &["admin", "staff", "college"]),
        upload(format!("/training/courses/{}/files", f.course), &["admin"]),
        upload("/reports/upload".to_owned(), &["staff"]),
    ]
}

#[tokio::test]
async fn staff_cannot_write_into_another_institution() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let mut staff = app.login("staff").await;
    let before = app.count("SELECT COUNT(*) FROM colleges").await;
    let reply = staff
        .post(&format!("/registry/institutions/{}/colleges", f.hnu), &[("code", "99"), ("name", "渗透学院")])
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let college = app.id(&format!("SELECT MIN(id) FROM colleges WHERE institution_id = {}", f.hnu)).await;
    let reply = staff.post(&format!("/registry/colleges/{college}"), &[("name", "改名")]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = staff
        .post(
            &format!("/registry/institutions/{}/majors", f.hnu),
            &[("college_id", &college.to_string()), ("major_code", "080901|本科")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM colleges").await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM colleges WHERE name = '改名'").await, 0);

    // College-scoped staff read their institution but do not edit it.
    let mut college_staff = app.login("college").await;
    let reply = college_staff
        .post(&format!("/registry/institutions/{}/colleges", f.xtu), &[("code", "98"), ("name", "新学院")])
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    // Staff may add to their own institution.
    let reply = staff
        .post(&format!("/registry/institutions/{}/colleges", f.xtu), &[("code", "97"), ("name", "新能源学院")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM colleges WHERE name = '新能源学院'").await, 1);
}

#[tokio::test]
async fn only_reviewers_review_employers() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    for role in ["employer", "graduate", "expert"] {
        let mut c = app.login(role).await;
        let reply =
            c.post(&format!("/registry/employers/{}/review", f.other_employer), &[("decision", "approve")]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn personal_numbers_are_masked_for_roles_that_do_not_need_them() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let phone = app
        .db
        .fetch_one("SELECT contact_phone FROM employers WHERE id = $1", &[f.own_employer.into()])
        .await
        .unwrap()
        .text("contact_phone")
        .unwrap();
    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/registry/employers/{}", f.own_employer)).await.body;
    assert!(!page.contains(&phone), "admin sees the contact phone masked");
    assert!(page.contains(&kernel::mask::phone(&phone)));
    let mut employer = app.login("employer").await;
    assert!(
        employer.get(&format!("/registry/employers/{}", f.own_employer)).await.body.contains(&phone),
        "the employer sees its own phone"
    );

    let id_number = app
        .db
        .fetch_one(
            "SELECT g.id_number FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'",
            &[],
        )
        .await
        .unwrap()
        .text("id_number")
        .unwrap();
    let mut graduate = app.login("graduate").await;
    let home = graduate.get("/").await.body;
    assert!(home.contains(&kernel::mask::id_number(&id_number)));
    assert!(!home.contains(&id_number));
}

/// Staff whose account belongs to a college reach the key-group files only of
/// the graduates they help (issue 14, privacy): every page and form of another
/// file of their own college answers 404 to them and writes nothing, while the
/// institution's office and the province reach it.
#[tokio::test]
async fn college_staff_reach_only_the_key_group_files_they_help() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let college = app.id("SELECT college_id FROM accounts WHERE username = 'college'").await;
    let other = app
        .id(&format!("SELECT MIN(id) FROM graduates WHERE college_id = {college} AND id <> {}", f.key_group_graduate))
        .await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '03' WHERE id = $1", &[other.into()]).await.unwrap();
    tx.execute("DELETE FROM assistance_helpers WHERE graduate_id = $1", &[other.into()]).await.unwrap();
    tx.commit().await.unwrap();
    let today = kernel::time::today_china().to_string();
    let mut c = app.login("college").await;
    let gets = [format!("/assistance/{other}"), format!("/assistance/{}", f.key_group_graduate)];
    assert_eq!(c.get(&gets[0]).await.status, StatusCode::NOT_FOUND, "a file it does not help");
    assert_eq!(c.get(&gets[1]).await.status, StatusCode::OK, "a file it helps");
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/assistance/{other}/file"), vec![("difficulties", "x"), ("intentions", "y"), ("contacts", "z")]),
        (format!("/assistance/{other}/helpers"), vec![("account", "1")]),
        (format!("/assistance/{other}/measures"), vec![("goal", "g"), ("measure", "m"), ("due_on", "2022-09-30")]),
        (format!("/assistance/{other}/entries"), vec![("kind", "01"), ("at", today.as_str())]),
        (format!("/assistance/{other}/measures/1/close"), vec![("state", "done")]),
        (format!("/assistance/{other}/flags/1/remove"), vec![("reason", "r")]),
        (format!("/assistance/{other}/helpers/1/remove"), vec![]),
    ];
    for (path, fields) in &posts {
        assert_eq!(c.post(path, fields).await.status, StatusCode::NOT_FOUND, "college {path}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, before, "nothing written, no view recorded");
    for who in ["staff", "admin"] {
        assert_eq!(app.login(who).await.get(&gets[0]).await.status, StatusCode::OK, "{who} {}", gets[0]);
    }
    let list = c.get("/assistance").await.body;
    assert!(!list.contains(&format!("member-{other}")) && list.contains(&format!("member-{}", f.key_group_graduate)));
}
