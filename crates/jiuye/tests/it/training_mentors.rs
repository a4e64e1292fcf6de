//! The mentor pool, one-to-one guidance with mentors and the course library
//! (issue 15, training part 2): recommendation scopes, the province's review,
//! the yearly review, a graduate's bookings (its own only), the held outcome in
//! the assistance file, reminders once, downloads by audience, and a Chromium
//! journey on a phone-sized window.

use axum::http::StatusCode;
use chrono::{Duration, NaiveDateTime};

use crate::support::{Client, TestApp};
use assistance::appointments::rules as times;
use training::mentors::{self, slot_pages, slots};

fn now_china() -> NaiveDateTime {
    slot_pages::now_china()
}

async fn expert_mentor(app: &TestApp) -> i64 {
    app.id("SELECT id FROM mentors WHERE account_id = (SELECT id FROM accounts WHERE username = 'expert')").await
}

/// Opens one slot `days` from today at `at` as the (mentor) client; its id.
async fn open(app: &TestApp, mentor: &mut Client, days: i64, at: &str) -> i64 {
    let date = (kernel::time::today_china() + Duration::days(days)).to_string();
    let reply = mentor
        .post(
            "/training/mentor/slots",
            &[
                ("date", &date),
                ("start", at),
                ("minutes", "30"),
                ("mode", "online"),
                ("place", "腾讯会议 555"),
                ("weeks", "1"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.id("SELECT MAX(id) FROM mentor_slots").await
}

async fn starts_at(app: &TestApp, slot: i64, at: NaiveDateTime) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE mentor_slots SET starts_at = $1 WHERE id = $2", &[times::at_text(at).into(), slot.into()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn recommendation<'a>(username: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("username", username),
        ("name", name),
        ("kind", "startup"),
        ("fields", "04"),
        ("fields", "05"),
        ("organisation", "示范科技有限公司"),
        ("title", "总经理"),
        ("phone", "13912345678"),
        ("bio", "连续创业者。"),
        ("availability", "每周五下午"),
    ]
}

#[tokio::test]
async fn an_employer_recommends_only_its_own_people_and_the_province_decides() {
    let app = TestApp::demo().await;
    let mut employer = app.login("employer").await;
    // Another employer's account, or a university's: refused on the form (200), nothing written.
    let before = app.count("SELECT COUNT(*) FROM mentors").await;
    for other in ["staff", "graduate"] {
        let reply = employer.post("/training/mentors/recommend", &recommendation(other, "外人")).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("只能推荐本单位的账号"), "{other}: {}", reply.body);
    }
    let reply = employer.post("/training/mentors/recommend", &[("username", "employer"), ("phone", "1")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("请填写 11 位手机号码") && reply.body.contains("请选择 1 到 4 个指导领域"));
    assert_eq!(app.count("SELECT COUNT(*) FROM mentors").await, before);

    let reply = employer.post("/training/mentors/recommend", &recommendation("employer", "赵创业")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let id = app.id("SELECT MAX(id) FROM mentors").await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM mentors WHERE id = {id} AND fields = '04,05' AND status = 'pending'"))
            .await,
        1
    );
    // Once is enough: a second live record for the same account is refused.
    let again = employer.post("/training/mentors/recommend", &recommendation("employer", "赵创业")).await;
    assert!(again.body.contains("已有待审核或已发布的导师记录"));
    // A pending record: the recommender and the province see it; a graduate or another university does not.
    assert_eq!(app.login("graduate").await.get(&format!("/training/mentors/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.login("staff").await.get(&format!("/training/mentors/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(employer.get(&format!("/training/mentors/{id}")).await.status, StatusCode::OK);

    let mut admin = app.login("admin").await;
    let reply = admin.post(&format!("/training/mentors/{id}/decide"), &[("decision", "reject"), ("reason", "")]).await;
    assert_eq!(reply.status, StatusCode::OK, "a rejection needs a reason");
    assert!(reply.body.contains("请写明理由"));
    let reply = admin.post(&format!("/training/mentors/{id}/decide"), &[("decision", "approve"), ("reason", "")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM mentors WHERE id = {id} AND status = 'published'")).await, 1);
    let page = app.login("graduate").await.get(&format!("/training/mentors/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("139****5678") && !page.body.contains("13912345678"), "the phone masked");
    assert!(
        employer.get(&format!("/training/mentors/{id}")).await.body.contains("13912345678"),
        "whole for the recommender"
    );
    // The employer's account is now a mentor: its page opens; the province's decisions are audited.
    assert_eq!(employer.get("/training/mentor").await.status, StatusCode::OK);
    let audited = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'mentor' AND entity_id = '{id}' AND action IN ('create', 'approve')"
        ))
        .await;
    assert_eq!(audited, 2);
    let listed = app.login("expert").await.get("/training/mentors?kind=startup&field=05").await.body;
    assert!(listed.contains(&format!("mentor-{id}")));
    let filtered = app.login("expert").await.get("/training/mentors?kind=guidance").await.body;
    assert!(!filtered.contains(&format!("mentor-{id}\"")));
}

#[tokio::test]
async fn the_yearly_review_asks_why_and_residencies_are_recorded() {
    let app = TestApp::demo().await;
    let id = expert_mentor(&app).await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE mentor_bookings SET state = 'missed' WHERE mentor_id = $1 AND state = 'held'", &[id.into()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut admin = app.login("admin").await;
    let reply = admin.post(&format!("/training/mentors/{id}/yearly"), &[("decision", "keep"), ("reason", "")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("本年度指导不足 2 次"), "an idle mentor is kept only with a reason");
    // The recommending office records a residency; another university's office cannot.
    let posting = [("kind", "residency"), ("place", "湘潭大学"), ("from_on", "2022-03-01"), ("to_on", "2022-06-30")];
    let mut other = app.login("staff10532").await;
    assert_eq!(other.post(&format!("/training/mentors/{id}/postings"), &posting).await.status, StatusCode::FORBIDDEN);
    let mut staff = app.login("staff").await;
    let reply = staff.post(&format!("/training/mentors/{id}/postings"), &posting).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(staff.get(&format!("/training/mentors/{id}")).await.body.contains("2022-03-01 – 2022-06-30"));
    let reply = admin
        .post(&format!("/training/mentors/{id}/yearly"), &[("decision", "remove"), ("reason", "全年无指导")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM mentors WHERE id = {id} AND status = 'removed'")).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'mentor' AND action = 'remove'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'mentor_posting'").await, 1);
    // Out of the pool: the mentor's page is closed, the graduate's list no longer offers its slots.
    assert_eq!(app.login("expert").await.get("/training/mentor").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_graduate_books_for_itself_only_and_the_held_outcome_enters_its_file() {
    let app = TestApp::demo().await;
    let graduate = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '02' WHERE id = $1", &[graduate.into()]).await.unwrap();
    tx.commit().await.unwrap();
    let mut expert = app.login("expert").await;
    let slot = open(&app, &mut expert, 3, "10:00").await;
    let mut me = app.login("graduate").await;
    assert!(me.get("/me/mentors").await.body.contains(&format!("slot-{slot}")));
    let reply = me.post("/me/mentors", &[("slot", &slot.to_string()), ("topic", " ")]).await;
    assert_eq!(reply.status, StatusCode::OK, "a topic is asked for");
    let reply = me.post("/me/mentors", &[("slot", &slot.to_string()), ("topic", "创业计划书")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let booking = app.id("SELECT MAX(id) FROM mentor_bookings").await;
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM mentor_bookings WHERE id = {booking} AND graduate_id = {graduate}"))
            .await,
        1
    );
    // Taken: nobody books it again; the mentor and the graduate are told.
    let again = me.post("/me/mentors", &[("slot", &slot.to_string()), ("topic", "再来")]).await;
    assert_eq!(again.status, StatusCode::OK);
    let notices = app.count("SELECT COUNT(*) FROM account_notices WHERE topic = 'mentor'").await;
    assert!(notices >= 2, "{notices}");

    // Another graduate neither sees nor cancels it.
    let other = app
        .id(&format!(
            "SELECT MIN(id) FROM graduates WHERE id <> {graduate} AND id NOT IN (SELECT graduate_id FROM accounts WHERE graduate_id IS NOT NULL)"
        ))
        .await;
    crate::assistance::account_like(&app, "graduate2", "graduate", None, Some(other)).await;
    let mut them = app.login("graduate2").await;
    assert!(!them.get("/me/mentors").await.body.contains(&format!("booking-{booking}")));
    let reply = them.post(&format!("/me/mentors/bookings/{booking}/cancel"), &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // Nor does another mentor mark it.
    let reply = app
        .login("staff")
        .await
        .post(&format!("/training/mentor/bookings/{booking}/mark"), &[("outcome", "held"), ("note", "x")])
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "the demo staff is no mentor");

    // Not yet started: no mark. Once started: held, with its outcome, into the assistance file.
    let reply =
        expert.post(&format!("/training/mentor/bookings/{booking}/mark"), &[("outcome", "held"), ("note", "好")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("预约开始后才能登记"));
    starts_at(&app, slot, now_china() - Duration::hours(1)).await;
    let reply =
        expert.post(&format!("/training/mentor/bookings/{booking}/mark"), &[("outcome", "held"), ("note", "")]).await;
    assert!(reply.body.contains("请简要写下指导结果"));
    let entries = app.count(&format!("SELECT COUNT(*) FROM assistance_entries WHERE graduate_id = {graduate}")).await;
    let reply = expert
        .post(
            &format!("/training/mentor/bookings/{booking}/mark"),
            &[("outcome", "held"), ("note", "完善了商业计划书")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM assistance_entries WHERE graduate_id = {graduate}")).await,
        entries + 1
    );
    let note = app
        .db
        .fetch_one(
            "SELECT e.note FROM assistance_entries e JOIN mentor_bookings b ON b.entry_id = e.id WHERE b.id = $1",
            &[booking.into()],
        )
        .await
        .unwrap()
        .text("note")
        .unwrap();
    assert!(note.contains("完善了商业计划书"), "{note}");
    let audited = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'mentor_booking' AND entity_id = '{booking}' AND action IN ('create', 'held')"
        ))
        .await;
    assert_eq!(audited, 2);
    // A graduate outside the register: held, but no file entry.
    let slot2 = open(&app, &mut expert, 4, "11:00").await;
    let reply = them.post("/me/mentors", &[("slot", &slot2.to_string()), ("topic", "面试")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let booking2 = app.id("SELECT MAX(id) FROM mentor_bookings").await;
    starts_at(&app, slot2, now_china() - Duration::hours(1)).await;
    let reply = expert
        .post(&format!("/training/mentor/bookings/{booking2}/mark"), &[("outcome", "held"), ("note", "模拟面试")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM mentor_bookings WHERE id = {booking2} AND entry_id IS NULL AND state = 'held'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn reminders_go_once_to_both_sides() {
    let app = TestApp::demo().await;
    let mut expert = app.login("expert").await;
    let slot = open(&app, &mut expert, 2, "10:00").await;
    let mut me = app.login("graduate").await;
    let reply = me.post("/me/mentors", &[("slot", &slot.to_string()), ("topic", "职业规划")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let booking = app.id("SELECT MAX(id) FROM mentor_bookings").await;
    let starts = times::parse_at(
        &app.db
            .fetch_one("SELECT starts_at FROM mentor_slots WHERE id = $1", &[slot.into()])
            .await
            .unwrap()
            .text("starts_at")
            .unwrap(),
    )
    .unwrap();
    let day_before = starts - Duration::hours(20);
    let sent = slots::send_reminders(&app.db, day_before, 2).await.unwrap();
    assert!(sent >= 1);
    let again = slots::send_reminders(&app.db, day_before, 2).await.unwrap();
    assert_eq!(again, 0, "once");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM mentor_reminders WHERE booking_id = {booking}")).await, 1);
    let outcome = mentors::remind(&app.db, starts - Duration::hours(1), 2).await.unwrap();
    assert!(outcome.contains("reminders sent"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM mentor_reminders WHERE booking_id = {booking}")).await, 2);
}

/// The smallest MP4 the store keeps: an `ftyp` box and an `mdat` box.
fn mp4() -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    v.extend_from_slice(b"\0\0\0\x10mdat12345678");
    v
}

#[tokio::test]
async fn downloads_follow_the_audience_and_videos_are_served_in_ranges() {
    let app = TestApp::demo().await;
    let pdf = b"%PDF-1.4\nstartxref\n0\n%%EOF\n".to_vec();
    let mut admin = app.login("admin").await;
    let add = |audience: &'static str, title: &'static str| {
        vec![("kind", "model"), ("title", title), ("summary", "示范"), ("audience", audience)]
    };
    for (audience, title) in [("staff", "教师课程"), ("graduates", "毕业生课程"), ("public", "公开课程")] {
        let reply = admin.post_file("/training/courses", &add(audience, title), "课.pdf", pdf.clone()).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    let file = |title: &str| {
        format!("SELECT f.id FROM course_files f JOIN courses c ON c.id = f.course_id WHERE c.title = '{title}'")
    };
    let (staff_file, graduate_file, public_file) =
        (app.id(&file("教师课程")).await, app.id(&file("毕业生课程")).await, app.id(&file("公开课程")).await);
    let mut graduate = app.login("graduate").await;
    let mut employer = app.login("employer").await;
    let mut staff = app.login("staff").await;
    let mut anonymous = app.client();
    let get = |id: i64| format!("/training/courses/files/{id}");
    assert_eq!(graduate.get(&get(staff_file)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(graduate.get(&get(graduate_file)).await.status, StatusCode::OK);
    assert_eq!(employer.get(&get(graduate_file)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.get(&get(staff_file)).await.status, StatusCode::OK);
    assert_eq!(anonymous.get(&get(staff_file)).await.status, StatusCode::SEE_OTHER);
    let public = anonymous.get(&get(public_file)).await;
    assert_eq!((public.status, public.bytes.clone()), (StatusCode::OK, pdf.clone()));
    // The listing shows each role its own.
    let listing = graduate.get("/training/courses").await.body;
    assert!(listing.contains("毕业生课程") && listing.contains("公开课程") && !listing.contains("教师课程"));
    let found = staff.get("/training/courses?q=%E6%95%99%E5%B8%88").await.body;
    assert!(found.contains("教师课程") && !found.contains("公开课程"), "search by title");

    // A video by its bytes, served as video/mp4 with ranges; anything else is refused with a message.
    let reply = staff.post_file("/training/courses", &add("graduates", "视频课"), "课.mp4", mp4()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let video = app.id(&file("视频课")).await;
    let whole = graduate.get(&get(video)).await;
    assert_eq!(whole.headers.get("content-type").map(String::as_str), Some("video/mp4"));
    assert_eq!(whole.bytes, mp4());
    let part = graduate.get_with(&get(video), "range", "bytes=4-7").await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes, b"ftyp".to_vec());
    assert_eq!(part.headers.get("content-range").map(String::as_str), Some("bytes 4-7/40"));
    let reply =
        staff.post_file("/training/courses", &add("public", "坏文件"), "x.exe", b"MZ\x90\0 not a video".to_vec()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("MP4"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM courses WHERE title = '坏文件'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'course'").await, 4);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM courses WHERE title = '视频课' AND institution_id IS NOT NULL").await,
        1
    );
}

#[tokio::test]
async fn the_demo_keeps_a_pool_with_residencies_slots_and_courses() {
    let app = TestApp::demo().await;
    assert!(app.count("SELECT COUNT(*) FROM mentors").await >= 55);
    assert!(app.count("SELECT COUNT(*) FROM mentor_postings WHERE kind = 'residency'").await >= 10);
    assert!(app.count("SELECT COUNT(*) FROM mentor_bookings WHERE state = 'held'").await > 0);
    // Held sessions of key-group graduates are in their files; nobody else's.
    assert!(app.count("SELECT COUNT(*) FROM mentor_bookings WHERE entry_id IS NOT NULL").await > 0);
    let stray = "SELECT COUNT(*) FROM mentor_bookings b JOIN graduates g ON g.id = b.graduate_id \
                 WHERE b.entry_id IS NOT NULL AND (g.key_groups = '' OR b.state <> 'held')";
    assert_eq!(app.count(stray).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM courses").await, 12);
    let activity = app.login("admin").await.get("/training/mentors/activity").await;
    assert_eq!(activity.status, StatusCode::OK);
    assert!(activity.body.contains("activity-"));
    let own = app.login("staff").await.get("/training/mentors/activity").await.body;
    assert!(!own.contains("湖南大学"), "a university sees its own line only");
}

#[tokio::test]
async fn a_university_recommends_the_province_approves_and_a_graduate_books_on_a_phone() {
    use crate::browser::{click, fill, fits_the_screen, log_in, log_out, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    // A teacher of the demo university with an account of its own.
    let xtu = app.id("SELECT institution_id FROM accounts WHERE username = 'staff'").await;
    crate::assistance::account_like(&app, "teacher", "staff", Some(xtu), None).await;
    let base = serve(&app).await;

    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    nav(&c, "/training/mentors").await;
    click(&c, "#recommend-link").await;
    fill(&c, "#r-username", "teacher").await;
    fill(&c, "#r-name", "钱老师").await;
    pick(&c, "#r-kind option[value='guidance']").await;
    c.find(fantoccini::Locator::Css("#r-field-02")).await.expect("a field").click().await.expect("tick it");
    fill(&c, "#r-organisation", "湘潭大学").await;
    fill(&c, "#r-title", "讲师").await;
    fill(&c, "#r-phone", "13700001111").await;
    fill(&c, "#r-bio", "十年就业指导经验。").await;
    fill(&c, "#r-availability", "每周二下午").await;
    click(&c, "#recommend").await;
    assert!(text(&c, ".flash").await.contains("已推荐"));
    let mentor = app.id("SELECT MAX(id) FROM mentors").await;
    log_out(&c).await;

    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/training/mentors/review").await;
    click(&c, &format!("#pending-{mentor} a")).await;
    click(&c, "#approve").await;
    assert!(text(&c, ".flash").await.contains("已审核通过"));
    log_out(&c).await;

    log_in(&c, &base, "teacher", crate::support::PASSWORD).await;
    nav(&c, "/training/mentors").await;
    click(&c, "#my-slots-link").await;
    let day = kernel::time::today_china() + Duration::days(2);
    fill(&c, "#slot-date", &day.to_string()).await;
    fill(&c, "#slot-start", "16:00").await;
    fill(&c, "#slot-place", "腾讯会议 321 654").await;
    click(&c, "#open-slots").await;
    assert!(text(&c, ".flash").await.contains("已开放 1 个时段"));
    let slot = app.id("SELECT MAX(id) FROM mentor_slots").await;
    log_out(&c).await;

    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    nav(&c, "/training/mentors").await;
    fits_the_screen(&c, "mentor pool").await;
    click(&c, "#book-link").await;
    c.find(fantoccini::Locator::Css(&format!("#slot-{slot}"))).await.expect("the slot").click().await.expect("pick");
    fill(&c, "#topic", "想做职业规划").await;
    click(&c, "#book").await;
    assert!(text(&c, ".flash").await.contains("预约成功"));
    let booking = app.id("SELECT MAX(id) FROM mentor_bookings").await;
    assert!(text(&c, &format!("#booking-{booking} .booking-state")).await.contains("已预约"));
    fits_the_screen(&c, "booked").await;
    log_out(&c).await;

    starts_at(&app, slot, now_china() - Duration::hours(1)).await;
    c.set_window_size(1280, 900).await.expect("desktop window");
    log_in(&c, &base, "teacher", crate::support::PASSWORD).await;
    nav(&c, "/training/mentors").await;
    click(&c, "#my-slots-link").await;
    fill(&c, &format!("#mark-note-{booking}"), "明确了求职方向").await;
    click(&c, &format!("#held-{booking}")).await;
    assert!(text(&c, ".flash").await.contains("已登记为已进行"));
    assert!(text(&c, &format!("#booking-{booking}")).await.contains("已进行"));
    c.close().await.ok();
}

#[tokio::test]
async fn a_courses_owner_edits_it_adds_and_removes_files_and_withdraws_it() {
    let app = TestApp::demo().await;
    let pdf = b"%PDF-1.4\nstartxref\n0\n%%EOF\n".to_vec();
    let mut staff = app.login("staff").await;
    let mut hnu = app.login("staff10532").await;
    let mut admin = app.login("admin").await;
    let mut graduate = app.login("graduate").await;
    let fields = [("kind", "resource"), ("title", "湘大共享课"), ("summary", "初版"), ("audience", "graduates")];
    let reply = staff.post_file("/training/courses", &fields, "课.pdf", pdf.clone()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let course = app.id("SELECT id FROM courses WHERE title = '湘大共享课'").await;
    let first = app.id(&format!("SELECT MIN(id) FROM course_files WHERE course_id = {course}")).await;
    let page = format!("/training/courses/{course}");
    // Only the adding university's staff own it: not another university, not the province.
    assert!(staff.get("/training/courses").await.body.contains(&format!("id=\"manage-course-{course}\"")));
    assert_eq!(staff.get(&page).await.status, StatusCode::OK);
    for c in [&mut hnu, &mut admin] {
        assert_eq!(c.get(&page).await.status, StatusCode::FORBIDDEN);
        assert_eq!(c.post(&format!("{page}/withdraw"), &[]).await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(graduate.get(&page).await.status, StatusCode::FORBIDDEN);

    // Edit: a bad form answers 200 with its message; a good one is saved and audited.
    let reply = staff.post(&page, &[("kind", "resource"), ("title", " "), ("audience", "graduates")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("course-error") && reply.body.contains("标题"), "{}", reply.body);
    let reply = staff
        .post(&page, &[("kind", "model"), ("title", "湘大示范课"), ("summary", "修订"), ("audience", "public")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM courses WHERE id = {course} AND kind = 'model' AND audience = 'public'"
        ))
        .await,
        1
    );
    let updated = "SELECT COUNT(*) FROM audit_log WHERE entity = 'course' AND action = 'update'";
    assert_eq!(app.count(updated).await, 1);

    // Files: an MP4 added, something else refused with a message, one removed.
    let reply = staff.post_file(&format!("{page}/files"), &[], "第二讲.mp4", mp4()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let video = app.id(&format!("SELECT MAX(id) FROM course_files WHERE course_id = {course}")).await;
    assert_eq!(graduate.get(&format!("/training/courses/files/{video}")).await.bytes, mp4());
    let reply = staff.post_file(&format!("{page}/files"), &[], "x.exe", b"MZ\x90\0 nope".to_vec()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("MP4"), "{}", reply.body);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM course_files WHERE course_id = {course}")).await, 2);
    let reply = staff.post(&format!("{page}/files/{first}/remove"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM course_files WHERE course_id = {course}")).await, 1);
    assert_eq!(graduate.get(&format!("/training/courses/files/{first}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(staff.post(&format!("{page}/files/{first}/remove"), &[]).await.status, StatusCode::NOT_FOUND);
    for (entity, action) in [("course_file", "create"), ("course_file", "delete"), ("course", "withdraw")] {
        assert!(registry::audit_names::knows(entity, action), "{entity} {action}");
    }
    let files =
        |action: &str| format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'course_file' AND action = '{action}'");
    assert_eq!(app.count(&files("delete")).await, 1);

    // Withdrawn: gone from the listing, its files no longer served, no more changes; audited.
    let reply = staff.post(&format!("{page}/withdraw"), &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'course' AND action = 'withdraw'").await, 1);
    assert!(!graduate.get("/training/courses").await.body.contains("湘大示范课"));
    assert_eq!(graduate.get(&format!("/training/courses/files/{video}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM courses WHERE id = {course}")).await, 1, "kept");
    let reply = staff.post_file(&format!("{page}/files"), &[], "又一讲.mp4", mp4()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("已撤下"), "{}", reply.body);
}
