//! Every route against every role: allowed roles get the page, the others are
//! refused with no data in the response; anonymous visitors are sent to log in.

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

const ROLES: [&str; 6] = ["admin", "staff", "college", "employer", "graduate", "expert"];

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
}

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

/// The roles that may GET each route; the rest must get 403 (or a redirect to log in when anonymous).
fn matrix(f: &Fixture, r: &Recruitment) -> Vec<(String, &'static [&'static str])> {
    const STAFF: &[&str] = &["admin", "staff", "college"];
    const EVERYONE: &[&str] = &["admin", "staff", "college", "employer", "graduate", "expert"];
    vec![
        ("/".to_owned(), EVERYONE),
        ("/account/password".to_owned(), EVERYONE),
        ("/registry/institutions".to_owned(), STAFF),
        (format!("/registry/institutions/{}", f.xtu), STAFF),
        (format!("/registry/institutions/{}", f.hnu), &["admin"]),
        ("/registry/employers".to_owned(), &["admin", "staff", "college", "employer"]),
        (format!("/registry/employers/{}", f.own_employer), &["admin", "staff", "college", "employer"]),
        (format!("/registry/employers/{}", f.other_employer), STAFF),
        ("/registry/majors".to_owned(), STAFF),
        ("/registry/regions".to_owned(), STAFF),
        ("/registry/cohorts".to_owned(), STAFF),
        ("/registry/codes?kind=destination&version=2021".to_owned(), STAFF),
        ("/admin/accounts".to_owned(), &["admin", "staff"]),
        ("/admin/accounts/new".to_owned(), &["admin", "staff"]),
        ("/admin/audit".to_owned(), &["admin"]),
        ("/admin/tokens".to_owned(), &["admin"]),
        ("/outcomes/roster".to_owned(), &["admin", "staff"]),
        ("/outcomes/destinations/import".to_owned(), &["admin", "staff"]),
        ("/outcomes/roster/template".to_owned(), &["admin", "staff"]),
        ("/outcomes/destinations/import/template".to_owned(), &["admin", "staff"]),
        ("/outcomes/graduates".to_owned(), STAFF),
        ("/outcomes/dashboard".to_owned(), STAFF),
        ("/outcomes/placement".to_owned(), STAFF),
        ("/outcomes/reports".to_owned(), STAFF),
        ("/outcomes/briefing".to_owned(), STAFF),
        ("/outcomes/signing".to_owned(), STAFF),
        ("/agreements".to_owned(), &["admin", "staff", "college", "employer", "graduate"]),
        ("/outcomes/me".to_owned(), &["graduate"]),
        ("/agreements/card".to_owned(), &["graduate"]),
        ("/api/v1/me".to_owned(), EVERYONE),
        ("/api/v1/institutions".to_owned(), &["admin", "staff", "college"]),
        ("/api/v1/institutions/10532".to_owned(), &["admin"]),
        ("/api/v1/employers".to_owned(), &["admin", "staff", "college", "employer"]),
        ("/api/v1/regions".to_owned(), EVERYONE),
        ("/jobs".to_owned(), EVERYONE),
        ("/recruitment/postings".to_owned(), &["employer"]),
        ("/recruitment/postings/new".to_owned(), &["employer"]),
        ("/recruitment/review".to_owned(), &["admin", "staff"]),
        ("/recruitment/applications".to_owned(), &["graduate"]),
        ("/recruitment/profile".to_owned(), &["graduate"]),
        ("/recruitment/statistics".to_owned(), STAFF),
        ("/recruitment/statistics?table=industry&format=xlsx".to_owned(), STAFF),
        (format!("/jobs/{}", r.posting), EVERYONE),
        (format!("/recruitment/postings/{}/edit", r.posting), &["employer"]),
        (format!("/recruitment/postings/{}/applicants", r.posting), &["employer"]),
        (format!("/recruitment/applications/{}/interview", r.application), &["employer"]),
        // The demo graduate studies at the staff's (and the college's) university and applied to the employer.
        (format!("/recruitment/profiles/{}", r.graduate), &["admin", "staff", "college", "employer", "graduate"]),
        ("/api/v1/postings".to_owned(), EVERYONE),
        (format!("/api/v1/postings/{}", r.posting), EVERYONE),
        ("/recruitment/saved-searches".to_owned(), &["graduate"]),
        ("/recruitment/recommended".to_owned(), &["graduate"]),
        ("/messages".to_owned(), EVERYONE),
        ("/api/v1/applications".to_owned(), &["employer", "graduate"]),
        (format!("/api/v1/applications/{}", r.application), &["employer", "graduate"]),
        ("/verification".to_owned(), STAFF),
        ("/verification/census".to_owned(), STAFF),
        (format!("/verification/findings/{}", f.finding), STAFF),
        (format!("/verification/answers/{}/document", f.answer), STAFF),
        ("/verification/campaigns".to_owned(), STAFF),
        ("/verification/campaigns/new".to_owned(), &["admin"]),
        (format!("/verification/campaigns/{}/results", f.campaign), STAFF),
        (format!("/verification/campaigns/{}/print", f.campaign), STAFF),
        ("/verification/tasks".to_owned(), &["staff", "college"]),
        ("/verification/lists".to_owned(), STAFF),
        (format!("/verification/lists/{}", f.list), STAFF),
        (format!("/verification/lists/{}?format=xlsx", f.list), STAFF),
        ("/verification/visits".to_owned(), STAFF),
        (format!("/verification/visits/{}", f.visit), STAFF),
        (format!("/verification/visit-documents/{}", f.visit_document), STAFF),
        ("/fairs".to_owned(), EVERYONE),
        (format!("/fairs/{}", r.fair), EVERYONE),
        (format!("/fairs/{}/pass", r.fair), &["graduate"]),
        (format!("/fairs/{}/booth", r.fair), &["employer"]),
        (format!("/fairs/{}/booth/pass", r.fair), &["employer"]),
        (format!("/fairs/{}/booth/visitors", r.fair), &["employer"]),
        (format!("/fairs/{}/booth/desk", r.fair), &["employer"]),
        (format!("/fairs/{}/lobby", r.fair), EVERYONE),
        (format!("/fairs/{}/booths/{}", r.fair, r.booth), EVERYONE),
        ("/recruitment/my-fairs".to_owned(), &["graduate"]),
        ("/recruitment/booths".to_owned(), &["employer"]),
        // A college's office hosts nothing; the fair's host university and the province do.
        ("/recruitment/fairs".to_owned(), &["admin", "staff"]),
        ("/recruitment/fairs/new".to_owned(), &["admin", "staff"]),
        (format!("/recruitment/fairs/{}/edit", r.fair), &["admin", "staff"]),
        (format!("/recruitment/fairs/{}/booths", r.fair), &["admin", "staff"]),
        (format!("/recruitment/fairs/{}/door", r.fair), &["admin", "staff"]),
        (format!("/recruitment/fairs/{}/statistics", r.fair), &["admin", "staff"]),
        (format!("/recruitment/fairs/{}/statistics?format=xlsx", r.fair), &["admin", "staff"]),
        ("/assistance".to_owned(), STAFF),
        ("/assistance/coverage".to_owned(), STAFF),
        ("/assistance/handover".to_owned(), STAFF),
        (format!("/assistance/{}", f.key_group_graduate), STAFF),
        ("/me/assistance".to_owned(), &["graduate"]),
        ("/assistance/calendar".to_owned(), STAFF),
        ("/me/assistance/appointments".to_owned(), &["graduate"]),
        // The demo's first training is the province's, open to every institution; its first base is 湘潭大学's.
        ("/assistance/trainings".to_owned(), STAFF),
        ("/assistance/trainings/table".to_owned(), STAFF),
        ("/assistance/trainings/table?format=xlsx".to_owned(), STAFF),
        ("/assistance/trainings/1".to_owned(), STAFF),
        ("/assistance/trainings/1/edit".to_owned(), &["admin"]),
        ("/assistance/trainings/1/sessions/1/door".to_owned(), &["admin"]),
        ("/assistance/bases".to_owned(), STAFF),
        ("/assistance/bases/1".to_owned(), STAFF),
        ("/me/assistance/trainings".to_owned(), &["graduate"]),
        // The review pool is the province's alone; university staff read the working-day calendar.
        ("/programmes/experts".to_owned(), &["admin"]),
        (format!("/programmes/experts/{}", f.expert), &["admin"]),
        ("/programmes/calendar".to_owned(), STAFF),
        ("/programmes/calendar?year=2022&start=2022-09-29&n=5".to_owned(), STAFF),
        ("/programmes".to_owned(), STAFF),
        ("/programmes/calls/new".to_owned(), &["admin"]),
        (format!("/programmes/calls/{}", f.programme_call), STAFF),
        (format!("/programmes/calls/{}/edit", f.programme_call), &["admin"]),
        (format!("/programmes/applications/{}", f.programme_application), STAFF),
        (format!("/programmes/files/{}", f.programme_file), STAFF),
        ("/programmes/bans".to_owned(), &["admin"]),
        // Notices: the province's read by the province; a school's by the province and that school.
        ("/programmes/notices".to_owned(), STAFF),
        (format!("/programmes/notices/{}", f.notice), &["admin"]),
        ("/programmes/followups".to_owned(), STAFF),
        (format!("/programmes/followups/{}", f.funded), STAFF),
        ("/programmes/registries".to_owned(), STAFF),
        ("/notices".to_owned(), EVERYONE),
        (format!("/notices/{}", f.notice), EVERYONE),
        (format!("/notices/{}/result", f.notice), EVERYONE),
        // A call's review round is the province's; an expert's reviews are its own (404 to every other role).
        (format!("/programmes/calls/{}/review", f.programme_call), &["admin"]),
        (format!("/programmes/calls/{}/review", f.reviewed_call), &["admin"]),
        (format!("/programmes/calls/{}/review/ranking.xlsx", f.reviewed_call), &["admin"]),
        ("/programmes/reviews".to_owned(), &["expert"]),
        (format!("/programmes/reviews/{}", f.review), &["expert"]),
        // Training classes: offices see classes, teachers and figures (their own); the province makes and runs them.
        ("/training/classes".to_owned(), STAFF),
        ("/training/classes/new".to_owned(), &["admin"]),
        (format!("/training/classes/{}", f.class), STAFF),
        (format!("/training/classes/{}/edit", f.class), &["admin"]),
        (format!("/training/classes/{}/sessions/1/door", f.class), &["admin"]),
        ("/training/teachers".to_owned(), STAFF),
        ("/training/teachers?format=xlsx".to_owned(), STAFF),
        // An office edits only its own teachers; the province keeps none.
        (format!("/training/teachers/{}", f.teacher), &["staff", "college"]),
        ("/training/figures".to_owned(), STAFF),
        ("/training/figures?format=xlsx".to_owned(), STAFF),
        ("/training/mine".to_owned(), &["staff", "college", "graduate"]),
        (format!("/training/certificates/{}", f.certificate), STAFF),
        // The public certificate check.
        ("/verify/certificate".to_owned(), &["admin", "staff", "college", "employer", "graduate", "expert"]),
        ("/portal".to_owned(), EVERYONE),
        ("/portal/news".to_owned(), EVERYONE),
        ("/portal/work-news".to_owned(), EVERYONE),
        (format!("/portal/articles/{}", f.portal_article), EVERYONE),
        ("/portal/editor".to_owned(), STAFF),
        ("/portal/editor/new".to_owned(), STAFF),
        ("/portal/editor/work-news".to_owned(), STAFF),
        (format!("/portal/editor/articles/{}", f.portal_work_news), STAFF),
        // Archives are the school office's work, not a college's.
        ("/archives".to_owned(), &["admin", "staff"]),
        ("/archives/unassigned".to_owned(), &["admin", "staff"]),
        ("/archives?state=received&end=1".to_owned(), &["admin", "staff"]),
        ("/archives/unassigned?page=2".to_owned(), &["admin", "staff"]),
        ("/archives/batches".to_owned(), &["admin", "staff"]),
        ("/archives/centres".to_owned(), &["admin", "staff"]),
        ("/archives/figures".to_owned(), &["admin", "staff"]),
        ("/archives/figures?format=xlsx".to_owned(), &["admin", "staff"]),
        (format!("/archives/items/{}", f.archive), &["admin", "staff"]),
        (format!("/archives/items/{}/slip", f.archive), &["admin", "staff"]),
        ("/archives/mine".to_owned(), &["graduate"]),
        ("/archives/check".to_owned(), EVERYONE),
        // The mentor pool: anyone signed in browses; universities and employers recommend; the
        // province reviews; the mentor's page opens for an account with a published record (the expert's).
        ("/training/mentors".to_owned(), EVERYONE),
        ("/training/mentors?kind=startup&field=01".to_owned(), EVERYONE),
        (format!("/training/mentors/{}", f.mentor), EVERYONE),
        ("/training/mentors/recommend".to_owned(), &["staff", "college", "employer"]),
        ("/training/mentors/review".to_owned(), &["admin"]),
        ("/training/mentors/activity".to_owned(), STAFF),
        ("/training/mentor".to_owned(), &["expert"]),
        ("/me/mentors".to_owned(), &["graduate"]),
        ("/training/courses".to_owned(), EVERYONE),
        (format!("/training/courses/files/{}", f.course_file), STAFF),
        // Only a course's owner manages it: the province for its own.
        (format!("/training/courses/{}", f.course), &["admin"]),
        // One-stop services: the catalogue and guides are public; a graduate applies and follows its own;
        // offices handle their institution's (a college's staff their college's), the province all.
        ("/services".to_owned(), EVERYONE),
        ("/services/guide/destination_change".to_owned(), EVERYONE),
        ("/services/guide/destination_change/edit".to_owned(), &["admin"]),
        ("/services/apply/employment_proof".to_owned(), &["graduate"]),
        ("/services/mine".to_owned(), &["graduate"]),
        ("/services/requests".to_owned(), STAFF),
        ("/services/requests?show=overdue".to_owned(), STAFF),
        ("/services/consultations".to_owned(), STAFF),
        ("/services/consultations?category=03&follow=open".to_owned(), STAFF),
        ("/services/faq".to_owned(), EVERYONE),
        ("/services/handbook?q=%E6%8A%A5%E5%88%B0".to_owned(), EVERYONE),
        // Micro-videos are watched by all, like the handbook they sit in; only the province edits them (by POST).
        (format!("/services/videos/{}", f.service_video), EVERYONE),
        (format!("/services/videos/{}/file", f.service_video), EVERYONE),
        (
            format!("/services/requests/{}", f.service_request),
            if f.service_request_in_college {
                &["admin", "staff", "college", "graduate"]
            } else {
                &["admin", "staff", "graduate"]
            },
        ),
        // A request's materials: the graduate and the offices handling the request only.
        (
            format!("/services/requests/{}/materials/{}", f.service_request, f.service_material),
            if f.service_request_in_college {
                &["admin", "staff", "college", "graduate"]
            } else {
                &["admin", "staff", "graduate"]
            },
        ),
        // The plan board: offices read it and the inspection view (their own); the province adjusts
        // measures and reviews returns; a whole university's staff sign its return.
        ("/plan".to_owned(), STAFF),
        ("/plan/measures/1".to_owned(), &["admin"]),
        ("/plan/returns".to_owned(), &["admin"]),
        ("/plan/return".to_owned(), &["staff"]),
        ("/plan/inspection".to_owned(), STAFF),
        ("/plan/contingency".to_owned(), STAFF),
        // Quality reports: the public list for anyone; an institution's own office and the province
        // keep reports and read appendices (a college's staff do not); the notice is the province's.
        ("/reports".to_owned(), EVERYONE),
        ("/reports/manage".to_owned(), &["admin", "staff"]),
        ("/reports/notice".to_owned(), &["admin"]),
        ("/reports/notice?format=xlsx".to_owned(), &["admin"]),
        ("/reports/appendix".to_owned(), &["admin", "staff"]),
        (format!("/reports/appendix?institution={}", f.xtu), &["admin", "staff"]),
        (format!("/reports/appendix?institution={}&format=xlsx", f.xtu), &["admin", "staff"]),
    ]
}

#[tokio::test]
async fn every_route_admits_only_its_roles() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let r = recruitment(&app).await;
    let mut clients: Vec<(&str, Client)> = Vec::new();
    for role in ROLES {
        clients.push((role, app.login(role).await));
    }
    for (path, allowed) in matrix(&f, &r) {
        for (role, client) in clients.iter_mut() {
            let reply = client.get(&path).await;
            if allowed.contains(role) {
                assert_eq!(reply.status, StatusCode::OK, "{role} should see {path}");
            } else {
                let refused =
                    if path.starts_with("/programmes/reviews") { StatusCode::NOT_FOUND } else { StatusCode::FORBIDDEN };
                assert_eq!(reply.status, refused, "{role} must not see {path}");
                assert!(!reply.body.contains(&f.hnu_name), "{role} got another institution's data from {path}");
                assert!(!reply.body.contains(&f.other_employer_name), "{role} got another employer's data from {path}");
            }
        }
        let mut anonymous = app.client();
        let reply = anonymous.get(&path).await;
        // A fair, its online hall and a booth's room are public; a pass and an employer's booth pages are not.
        let fair_page = path.starts_with("/fairs/") && !path.contains("/booth/") && !path.ends_with("/booth");
        let public = path == "/fairs" || fair_page && !path.ends_with("/pass");
        if path == "/" {
            // An anonymous visitor's home is the public portal.
            assert_eq!(reply.location.as_deref(), Some("/portal"), "anonymous /");
        } else if path.starts_with("/jobs")
            || (path.starts_with("/portal") && !path.starts_with("/portal/editor"))
            || path.starts_with("/notices")
            || path.starts_with("/verify/")
            || path == "/services"
            || path == "/services/faq"
            || path.starts_with("/services/handbook")
            || path.starts_with("/services/videos/")
            || path.starts_with("/services/guide/") && !path.ends_with("/edit")
            || path == "/reports"
            || path.starts_with("/archives/check")
            || public
        {
            assert_eq!(reply.status, StatusCode::OK, "anonymous {path}");
        } else if path.starts_with("/api/") {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "anonymous {path}");
        } else {
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "anonymous {path}");
            assert!(reply.location.unwrap_or_default().starts_with("/login?next="));
        }
    }
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

/// Every form a role may not submit is refused before anything is written.
#[tokio::test]
async fn every_write_route_refuses_other_roles() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let admin_id = app.id("SELECT id FROM accounts WHERE username = 'admin'").await;
    let hnu_graduate = app.id(&format!("SELECT MIN(id) FROM graduates WHERE institution_id = {}", f.hnu)).await;
    let hnu_college = app.id(&format!("SELECT MIN(id) FROM colleges WHERE institution_id = {}", f.hnu)).await;
    let posts: Vec<(String, &[&str])> = vec![
        (format!("/registry/institutions/{}/colleges", f.hnu), &["admin"]),
        (format!("/registry/colleges/{hnu_college}"), &["admin"]),
        (format!("/registry/institutions/{}/majors", f.hnu), &["admin"]),
        (format!("/registry/employers/{}/review", f.other_employer), &["admin", "staff", "college"]),
        ("/admin/accounts".to_owned(), &["admin", "staff"]),
        (format!("/admin/accounts/{admin_id}"), &["admin"]),
        ("/admin/tokens".to_owned(), &["admin"]),
        ("/admin/tokens/1/revoke".to_owned(), &["admin"]),
        (format!("/outcomes/graduates/{hnu_graduate}/destination"), &["admin"]),
        ("/outcomes/me/answer".to_owned(), &["graduate"]),
        ("/agreements/card".to_owned(), &["graduate"]),
        ("/outcomes/signing/remind".to_owned(), &["admin"]),
        ("/registry/cohorts/2022".to_owned(), &["admin"]),
        ("/recruitment/postings".to_owned(), &["employer"]),
        ("/recruitment/postings/1/edit".to_owned(), &["employer"]),
        ("/recruitment/postings/1/withdraw".to_owned(), &["employer"]),
        // Whose posting a reviewer may decide is checked posting by posting (recruitment tests).
        ("/recruitment/postings/1/review".to_owned(), &["admin", "staff", "college"]),
        ("/jobs/1/apply".to_owned(), &["graduate"]),
        ("/recruitment/applications/1/withdraw".to_owned(), &["graduate"]),
        ("/recruitment/applications/1/answer".to_owned(), &["graduate"]),
        ("/recruitment/applications/1/stage".to_owned(), &["employer"]),
        ("/recruitment/applications/1/agreement".to_owned(), &["employer"]),
        ("/recruitment/applications/1/interview".to_owned(), &["employer"]),
        ("/recruitment/interviews/1/answer".to_owned(), &["graduate"]),
        ("/recruitment/profile".to_owned(), &["graduate"]),
        ("/jobs/saved".to_owned(), &["graduate"]),
        ("/recruitment/saved-searches/1/delete".to_owned(), &["graduate"]),
        ("/messages/read".to_owned(), &["admin", "staff", "college", "employer", "graduate", "expert"]),
        ("/recruitment/fairs".to_owned(), &["admin", "staff"]),
        ("/recruitment/fairs/targets".to_owned(), &["admin"]),
        ("/recruitment/fairs/1/edit".to_owned(), &["admin", "staff"]),
        ("/recruitment/fairs/1/status".to_owned(), &["admin", "staff"]),
        ("/recruitment/fairs/1/booths/1".to_owned(), &["admin", "staff"]),
        ("/recruitment/fairs/1/door".to_owned(), &["admin", "staff"]),
        ("/fairs/1/register".to_owned(), &["graduate"]),
        ("/fairs/1/cancel".to_owned(), &["graduate"]),
        ("/fairs/1/apply".to_owned(), &["graduate"]),
        ("/fairs/1/booth".to_owned(), &["employer"]),
        ("/fairs/1/booth/withdraw".to_owned(), &["employer"]),
        ("/fairs/1/booth/visitors".to_owned(), &["employer"]),
        ("/fairs/1/booths/1/join".to_owned(), &["graduate"]),
        ("/fairs/1/booths/1/leave".to_owned(), &["graduate"]),
        ("/fairs/1/booths/1/say".to_owned(), &["graduate"]),
        ("/fairs/1/booth/online".to_owned(), &["employer"]),
        ("/fairs/1/booth/call".to_owned(), &["employer"]),
        ("/fairs/1/booth/desk/1".to_owned(), &["employer"]),
        ("/fairs/1/booth/visitors/1/invite".to_owned(), &["employer"]),
        ("/verification/scan".to_owned(), &["admin"]),
        ("/verification/findings/1/dismiss".to_owned(), &["admin"]),
        ("/verification/census".to_owned(), &["admin"]),
        ("/census/1".to_owned(), &["graduate"]),
        ("/verification/campaigns".to_owned(), &["admin"]),
        ("/verification/campaigns/1/close".to_owned(), &["admin"]),
        ("/assistance/flags".to_owned(), &["staff", "college"]),
        ("/assistance/coverage/standard".to_owned(), &["admin"]),
        ("/assistance/1/file".to_owned(), &["admin", "staff", "college"]),
        ("/assistance/1/flags/1/remove".to_owned(), &["admin", "staff", "college"]),
        ("/assistance/1/helpers".to_owned(), &["admin", "staff", "college"]),
        ("/assistance/1/helpers/1/remove".to_owned(), &["admin", "staff", "college"]),
        ("/assistance/1/measures".to_owned(), &["admin", "staff", "college"]),
        ("/assistance/1/measures/1/close".to_owned(), &["admin", "staff", "college"]),
        ("/assistance/1/entries".to_owned(), &["admin", "staff", "college"]),
        ("/me/assistance/referrals/1/answer".to_owned(), &["graduate"]),
        ("/assistance/calendar/slots".to_owned(), &["staff", "college"]),
        ("/assistance/calendar/slots/1/cancel".to_owned(), &["staff", "college"]),
        ("/assistance/appointments/1/mark".to_owned(), &["staff", "college"]),
        ("/me/assistance/appointments".to_owned(), &["graduate"]),
        ("/me/assistance/appointments/1/cancel".to_owned(), &["graduate"]),
        ("/me/assistance/appointments/1/move".to_owned(), &["graduate"]),
        ("/assistance/trainings".to_owned(), &["admin", "staff", "college"]),
        ("/assistance/trainings/1/enrol".to_owned(), &["staff", "college"]),
        ("/assistance/trainings/1/attendance".to_owned(), &["admin", "staff", "college"]),
        ("/assistance/trainings/1/complete".to_owned(), &["admin", "staff", "college"]),
        ("/me/assistance/trainings/1/enrol".to_owned(), &["graduate"]),
        ("/assistance/bases".to_owned(), &["admin"]),
        ("/assistance/bases/1/visits".to_owned(), &["admin"]),
        ("/assistance/bases/1/visits/1/close".to_owned(), &["admin"]),
        ("/programmes/experts".to_owned(), &["admin"]),
        (format!("/programmes/experts/{}", f.expert), &["admin"]),
        (format!("/programmes/experts/{}/active", f.expert), &["admin"]),
        (format!("/programmes/experts/{}/links", f.expert), &["admin"]),
        (format!("/programmes/experts/{}/links/1/delete", f.expert), &["admin"]),
        ("/programmes/calendar".to_owned(), &["admin"]),
        ("/programmes/calendar/delete".to_owned(), &["admin"]),
        ("/assistance/bases/1/edit".to_owned(), &["admin"]),
        ("/assistance/trainings/1/edit".to_owned(), &["admin"]),
        ("/assistance/trainings/1/cancel".to_owned(), &["admin"]),
        ("/assistance/trainings/1/sessions".to_owned(), &["admin"]),
        ("/assistance/trainings/1/sessions/1".to_owned(), &["admin"]),
        ("/assistance/trainings/1/sessions/1/remove".to_owned(), &["admin"]),
        ("/assistance/trainings/1/sessions/1/door".to_owned(), &["admin"]),
        ("/programmes/calls".to_owned(), &["admin"]),
        (format!("/programmes/calls/{}/edit", f.programme_call), &["admin"]),
        (format!("/programmes/calls/{}/status", f.programme_call), &["admin"]),
        (format!("/programmes/calls/{}/applications", f.programme_call), &["staff", "college"]),
        (format!("/programmes/applications/{}", f.programme_application), &["staff", "college"]),
        (format!("/programmes/applications/{}/submit", f.programme_application), &["staff", "college"]),
        (format!("/programmes/applications/{}/withdraw", f.programme_application), &["staff", "college"]),
        (format!("/programmes/applications/{}/recommend", f.programme_application), &["staff", "college"]),
        ("/programmes/bans".to_owned(), &["admin"]),
        ("/programmes/notices".to_owned(), &["admin", "staff", "college"]),
        (format!("/programmes/notices/{}/result", f.notice), &["admin"]),
        (format!("/programmes/notices/{}/objections/1", f.notice), &["admin"]),
        (format!("/programmes/notices/{}/result", f.school_notice), &["staff", "college"]),
        ("/programmes/followups/settings".to_owned(), &["admin"]),
        (format!("/programmes/followups/{}", f.funded), &["admin", "staff", "college"]),
        ("/programmes/registries/bases".to_owned(), &["admin"]),
        ("/programmes/registries/bases/1/projects".to_owned(), &["admin"]),
        ("/programmes/registries/studios".to_owned(), &["admin"]),
        (format!("/programmes/calls/{}/review/settings", f.programme_call), &["admin"]),
        (format!("/programmes/calls/{}/review/assign", f.programme_call), &["admin"]),
        (format!("/programmes/calls/{}/review/replace", f.reviewed_call), &["admin"]),
        (format!("/programmes/calls/{}/review/rereview", f.reviewed_call), &["admin"]),
        (format!("/programmes/calls/{}/review/decide", f.reviewed_call), &["admin"]),
        (format!("/programmes/reviews/{}", f.review), &["expert"]),
        (format!("/programmes/reviews/{}/recuse", f.review), &["expert"]),
        ("/portal/editor".to_owned(), &["admin", "staff", "college"]),
        (format!("/portal/editor/articles/{}/act", f.portal_work_news), &["admin", "staff", "college"]),
        (format!("/portal/editor/articles/{}/edit", f.portal_work_news), &["admin", "staff", "college"]),
        ("/training/classes".to_owned(), &["admin"]),
        ("/training/classes/1/edit".to_owned(), &["admin"]),
        ("/training/classes/1/enrol".to_owned(), &["staff", "college"]),
        ("/training/classes/1/assessment".to_owned(), &["admin", "staff", "college"]),
        ("/training/classes/1/complete".to_owned(), &["admin", "staff", "college"]),
        ("/training/classes/1/sessions/1/door".to_owned(), &["admin", "staff", "college"]),
        ("/training/teachers".to_owned(), &["staff", "college"]),
        (format!("/training/teachers/{}", f.teacher), &["staff", "college"]),
        (format!("/training/teachers/{}/remove", f.teacher), &["staff", "college"]),
        (format!("/training/courses/{}", f.course), &["admin"]),
        (format!("/training/courses/{}/files/{}/remove", f.course, f.course_file), &["admin"]),
        (format!("/training/courses/{}/withdraw", f.course), &["admin"]),
        ("/training/mine/1/enrol".to_owned(), &["staff", "college", "graduate"]),
        ("/training/mentors/recommend".to_owned(), &["staff", "college", "employer"]),
        (format!("/training/mentors/{}/decide", f.mentor), &["admin"]),
        (format!("/training/mentors/{}/yearly", f.mentor), &["admin"]),
        (format!("/training/mentors/{}/postings", f.mentor), &["admin", "staff", "college"]),
        ("/training/mentor/slots".to_owned(), &["expert"]),
        ("/training/mentor/slots/1/cancel".to_owned(), &["expert"]),
        ("/training/mentor/bookings/1/mark".to_owned(), &["expert"]),
        ("/me/mentors".to_owned(), &["graduate"]),
        ("/me/mentors/bookings/1/cancel".to_owned(), &["graduate"]),
        ("/reports/deadline".to_owned(), &["admin"]),
        ("/reports/1/publish".to_owned(), &["admin"]),
        ("/reports/publish-all".to_owned(), &["admin"]),
        ("/reports/notice/send".to_owned(), &["admin"]),
    ];
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    for role in ROLES {
        let mut client = app.login(role).await;
        let logins = app.count("SELECT COUNT(*) FROM audit_log").await;
        for (path, allowed) in &posts {
            if allowed.contains(&role) {
                continue;
            }
            let reply = client
                .post(path, &[("name", "x"), ("code", "77"), ("decision", "approve"), ("username", "intruder")])
                .await;
            let refused =
                if path.starts_with("/programmes/reviews") { StatusCode::NOT_FOUND } else { StatusCode::FORBIDDEN };
            assert_eq!(reply.status, refused, "{role} POST {path}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, logins, "{role}: a refused write left a trace");
    }
    assert!(app.count("SELECT COUNT(*) FROM audit_log").await >= before);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE username = 'intruder'").await, 0);
    let mut anonymous = app.client();
    for (path, _) in &posts {
        let reply = anonymous.post(path, &[("name", "x")]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "anonymous POST {path}");
    }
    // Uploads go as multipart forms.
    let uploads: Vec<(String, &[&str])> = vec![
        (format!("/outcomes/graduates/{hnu_graduate}/evidence"), &["admin"]),
        ("/outcomes/me/evidence".to_owned(), &["graduate"]),
        ("/recruitment/profile/resume".to_owned(), &["graduate"]),
        (format!("/verification/findings/{}/answers", f.finding), &["staff", "college"]),
        ("/verification/tasks/1".to_owned(), &["staff", "college"]),
        // A college's office reads lists but does not import them.
        ("/verification/lists".to_owned(), &["admin", "staff"]),
        ("/verification/visits".to_owned(), &["admin"]),
        (format!("/verification/visits/{}/documents", f.visit), &["admin"]),
        ("/programmes/experts/import".to_owned(), &["admin"]),
        (format!("/programmes/applications/{}/files", f.programme_application), &["staff", "college"]),
        ("/training/courses".to_owned(), &["admin", "staff", "college"]),
        ("/training/teachers/import".to_owned(), &["staff", "college"]),
        (format!("/portal/editor/articles/{}/files", f.portal_work_news), &["admin", "staff", "college"]),
        (format!("/training/courses/{}/files", f.course), &["admin"]),
        ("/reports/upload".to_owned(), &["staff"]),
    ];
    let pdf = b"%PDF-1.4\nstartxref\n0\n%%EOF\n".to_vec();
    for role in ROLES {
        let mut client = app.login(role).await;
        for (path, allowed) in &uploads {
            if !allowed.contains(&role) {
                let reply = client.post_file(path, &[("kind", "other")], "x.pdf", pdf.clone()).await;
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role} POST {path}");
            }
        }
    }
    for (path, _) in &uploads {
        let reply = anonymous.post_file(path, &[("kind", "other")], "x.pdf", pdf.clone()).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "anonymous POST {path}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM destination_evidence").await, 0);
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
