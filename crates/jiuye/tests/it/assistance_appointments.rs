//! Guidance appointments (一对一指导预约): a helper's calendar, a graduate in
//! the register booking its own helpers' slots (once per slot, even at the
//! same instant), the held appointment moving coverage, the reminders sent
//! once by their job, the scopes, and the graduate's nav entry.

use axum::http::StatusCode;
use chrono::{Duration, NaiveDateTime};

use crate::assistance::{account_like, flagged_graduate};
use crate::support::{Client, TestApp};
use assistance::appointments::{self, rules, store};

fn now_china() -> NaiveDateTime {
    appointments::pages::now_china()
}

/// The demo staff (湘潭大学) as helper of `graduate`; its account id.
async fn assign_staff(app: &TestApp, staff: &mut Client, graduate: i64) -> i64 {
    let helper = app.id("SELECT id FROM accounts WHERE username = 'staff'").await;
    let reply = staff.post(&format!("/assistance/{graduate}/helpers"), &[("account", &helper.to_string())]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    helper
}

/// Opens `weeks` weekly slots on `day` days from today at `at`, as `staff`; the new slot ids.
async fn open(app: &TestApp, staff: &mut Client, days: i64, at: &str, weeks: &str) -> Vec<i64> {
    let before = app.count("SELECT COALESCE(MAX(id), 0) FROM assistance_slots").await;
    let date = (kernel::time::today_china() + Duration::days(days)).to_string();
    let reply = staff
        .post(
            "/assistance/calendar/slots",
            &[
                ("date", &date),
                ("start", at),
                ("minutes", "30"),
                ("mode", "in_person"),
                ("place", "就业指导中心 201"),
                ("weeks", weeks),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let rows =
        app.db.fetch_all("SELECT id FROM assistance_slots WHERE id > $1 ORDER BY id", &[before.into()]).await.unwrap();
    rows.iter().map(|r| r.i64("id").unwrap()).collect()
}

/// Moves a slot's start to `at` (time passing, for marks and the lead time).
async fn starts_at(app: &TestApp, slot: i64, at: NaiveDateTime) {
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE assistance_slots SET starts_at = $1 WHERE id = $2", &[rules::at_text(at).into(), slot.into()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A second graduate of the same institution in the register, with an account `username`.
async fn second_graduate(app: &TestApp, first: i64, username: &str) -> i64 {
    let second = app
        .id(&format!(
            "SELECT MIN(id) FROM graduates WHERE id <> {first} AND institution_id = \
             (SELECT institution_id FROM graduates WHERE id = {first}) AND id NOT IN (SELECT graduate_id FROM accounts WHERE graduate_id IS NOT NULL)"
        ))
        .await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '02' WHERE id = $1", &[second.into()]).await.unwrap();
    tx.commit().await.unwrap();
    account_like(app, username, "graduate", None, Some(second)).await;
    second
}

fn guidance_row(file: &str) -> String {
    let at = file.find("id=\"item-02\"").expect("the guidance row");
    file[at..].split("</tr>").next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_graduate_books_its_helpers_slot_and_the_held_appointment_moves_coverage() {
    let app = TestApp::demo().await;
    let (graduate, name, _) = flagged_graduate(&app).await;
    let mut staff = app.login("staff").await;
    let helper = assign_staff(&app, &mut staff, graduate).await;

    // Bad input answers 200 with the reason; nothing is opened.
    let slots_before = app.count("SELECT COUNT(*) FROM assistance_slots").await;
    let date = (kernel::time::today_china() + Duration::days(3)).to_string();
    let bad = staff
        .post(
            "/assistance/calendar/slots",
            &[
                ("date", &date),
                ("start", "10:00"),
                ("minutes", "30"),
                ("mode", "online"),
                ("place", ""),
                ("weeks", "1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("请填写线上会议的链接或会议号"), "{}", bad.body);
    let too_many = staff
        .post(
            "/assistance/calendar/slots",
            &[
                ("date", &date),
                ("start", "10:00"),
                ("minutes", "30"),
                ("mode", "in_person"),
                ("place", "201"),
                ("weeks", "99"),
            ],
        )
        .await;
    assert!(too_many.body.contains("重复周数须为 1 到 26"));
    assert_eq!(app.count("SELECT COUNT(*) FROM assistance_slots").await, slots_before);

    // Weekly for two weeks from one form; an overlapping slot is refused whole.
    let slots = open(&app, &mut staff, 3, "10:00", "2").await;
    assert_eq!(slots.len(), 2);
    let overlap = staff
        .post(
            "/assistance/calendar/slots",
            &[
                ("date", &date),
                ("start", "10:15"),
                ("minutes", "30"),
                ("mode", "in_person"),
                ("place", "201"),
                ("weeks", "1"),
            ],
        )
        .await;
    assert_eq!(overlap.status, StatusCode::OK);
    assert!(overlap.body.contains("与你已开放的时段重叠"));

    // The graduate sees its helper's free slots and books one; a second open booking with the same helper is refused.
    let mut me = app.login("graduate").await;
    let page = me.get("/me/assistance/appointments").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("id=\"slot-{}\"", slots[0])));
    let empty = me.post("/me/assistance/appointments", &[("slot", &slots[0].to_string()), ("topic", " ")]).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("请简要说明想咨询的内容"));
    let booked =
        me.post("/me/assistance/appointments", &[("slot", &slots[0].to_string()), ("topic", "简历修改")]).await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
    let appointment = app.id("SELECT MAX(id) FROM assistance_appointments").await;
    let again = me.post("/me/assistance/appointments", &[("slot", &slots[1].to_string()), ("topic", "再约")]).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("你已有一个与这位老师的预约尚未进行"));
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM assistance_appointments WHERE graduate_id = {graduate}")).await,
        1
    );
    let told = app
        .count(&format!(
            "SELECT COUNT(*) FROM account_notices WHERE account_id = {helper} AND message LIKE '%预约了你%简历修改%'"
        ))
        .await;
    assert_eq!(told, 1, "the helper is told of the booking");

    // The helper's week shows it booked, by whom and about what.
    let week = rules::week_of(kernel::time::today_china() + Duration::days(3));
    let calendar = staff.get(&format!("/assistance/calendar?week={week}")).await;
    assert_eq!(calendar.status, StatusCode::OK);
    assert!(calendar.body.contains(&format!("id=\"appointment-{appointment}\">已预约")), "{}", calendar.body);
    assert!(calendar.body.contains(&name) && calendar.body.contains("简历修改"));
    assert!(staff.get(&format!("/assistance/calendar?week={week}&lang=en")).await.body.contains("Booked"));

    // Marked before it starts: refused. Once it has started: held, one guidance entry, coverage moves.
    let mark = format!("/assistance/appointments/{appointment}/mark");
    let early = staff.post(&mark, &[("outcome", "held"), ("note", "改简历")]).await;
    assert_eq!(early.status, StatusCode::OK);
    assert!(early.body.contains("预约开始后才能登记"));
    starts_at(&app, slots[0], now_china() - Duration::hours(1)).await;
    let no_note = staff.post(&mark, &[("outcome", "held"), ("note", "")]).await;
    assert!(no_note.body.contains("请写下指导的要点"));
    let file_before = staff.get(&format!("/assistance/{graduate}")).await.body;
    assert!(guidance_row(&file_before).contains("差 1"), "{}", guidance_row(&file_before));
    let entries =
        format!("SELECT COUNT(*) FROM assistance_entries WHERE graduate_id = {graduate} AND kind_code = '02'");
    assert_eq!(app.count(&entries).await, 0);
    let held = staff.post(&mark, &[("outcome", "held"), ("note", "修改了简历的实习经历")]).await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    assert_eq!(app.count(&entries).await, 1, "one guidance entry");
    let linked = app
        .count(&format!("SELECT COUNT(*) FROM assistance_appointments a JOIN assistance_entries e ON e.id = a.entry_id WHERE a.id = {appointment} AND a.state = 'held'"))
        .await;
    assert_eq!(linked, 1);
    let file_after = staff.get(&format!("/assistance/{graduate}")).await.body;
    assert!(guidance_row(&file_after).contains('✓'), "the guidance now met: {}", guidance_row(&file_after));
    assert_eq!(staff.post(&mark, &[("outcome", "missed")]).await.status, StatusCode::NOT_FOUND, "marked once");
    assert!(me.get("/me/assistance/appointments").await.body.contains("已进行"));

    // After it, the graduate may book again; and cancel up to the lead time, asking for another time.
    let second =
        me.post("/me/assistance/appointments", &[("slot", &slots[1].to_string()), ("topic", "模拟面试")]).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    let second = app.id("SELECT MAX(id) FROM assistance_appointments").await;
    let cancel = me.post(&format!("/me/assistance/appointments/{second}/cancel"), &[("again", "1")]).await;
    assert_eq!(cancel.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM account_notices WHERE account_id = {helper} AND message LIKE '%另约时间%'"
        ))
        .await,
        1
    );

    // Too close to the start (24 hours by default): neither cancelled nor moved here.
    let soon = open(&app, &mut staff, 5, "09:00", "1").await[0];
    let later = open(&app, &mut staff, 6, "09:00", "1").await[0];
    assert_eq!(
        me.post("/me/assistance/appointments", &[("slot", &soon.to_string()), ("topic", "就业协议")]).await.status,
        StatusCode::SEE_OTHER
    );
    let soon_appointment = app.id("SELECT MAX(id) FROM assistance_appointments").await;
    starts_at(&app, soon, now_china() + Duration::hours(3)).await;
    let late = me.post(&format!("/me/assistance/appointments/{soon_appointment}/cancel"), &[]).await;
    assert_eq!(late.status, StatusCode::OK);
    assert!(late.body.contains("离开始时间太近"));
    // The lead time is configuration: at 2 hours the same booking may still be moved.
    let app = app.reconfigured(|c| c.appointment_lead_hours = 2);
    let mut me = app.login("graduate").await;
    let moved =
        me.post(&format!("/me/assistance/appointments/{soon_appointment}/move"), &[("slot", &later.to_string())]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM assistance_appointments WHERE slot_id = {later} AND state = 'booked'"
        ))
        .await,
        1
    );

    // Past slots cannot be booked; the helper's cancellation tells the graduate with the reason.
    let past = open(&app, &mut staff, 7, "09:00", "1").await[0];
    starts_at(&app, past, now_china() - Duration::minutes(5)).await;
    let refused = me.post("/me/assistance/appointments", &[("slot", &past.to_string()), ("topic", "x")]).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("已经开始或已过去"));
    let mut staff = app.login("staff").await;
    let no_reason = staff.post(&format!("/assistance/calendar/slots/{later}/cancel"), &[("reason", "")]).await;
    assert_eq!(no_reason.status, StatusCode::OK);
    let reply = staff.post(&format!("/assistance/calendar/slots/{later}/cancel"), &[("reason", "临时出差")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let graduate_account = app.id("SELECT id FROM accounts WHERE username = 'graduate'").await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM account_notices WHERE account_id = {graduate_account} AND message LIKE '%临时出差%'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM assistance_appointments WHERE slot_id = {later} AND state = 'withdrawn'"
        ))
        .await,
        1
    );

    // Every write audited, by names the audit page knows.
    for (entity, action) in [
        ("assistance_slot", "create"),
        ("assistance_slot", "cancel"),
        ("assistance_appointment", "create"),
        ("assistance_appointment", "held"),
        ("assistance_appointment", "cancelled"),
        ("assistance_appointment", "moved"),
        ("assistance_appointment", "withdrawn"),
    ] {
        let n = app
            .count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'"))
            .await;
        assert!(n >= 1, "{entity} {action} audited");
        assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    }
}

#[tokio::test]
async fn calendars_and_bookings_stay_in_scope_and_the_nav_tells_no_one_else() {
    let app = TestApp::demo().await;
    let mut me = app.login("graduate").await;
    // Not in the register: no page, no 帮扶 link.
    let graduate = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE graduates SET key_groups = '' WHERE id = $1", &[graduate.into()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(me.get("/me/assistance/appointments").await.status, StatusCode::NOT_FOUND);
    assert!(!me.get("/").await.body.contains("<a href=\"/me/assistance\">"), "no 帮扶 link outside the register");
    let (graduate, _, _) = flagged_graduate(&app).await;
    let link = "<li><a href=\"/me/assistance\">帮扶</a></li>";
    let home = me.get("/").await.body;
    assert!(home.contains(link), "the register's graduate gets the 帮扶 link");
    assert!(me.get("/jobs").await.body.contains(link), "on every page");
    // Another graduate, not in the register, still gets none.
    let plain = app
        .id(&format!("SELECT MIN(id) FROM graduates WHERE key_groups = '' AND id <> {graduate} AND id NOT IN (SELECT graduate_id FROM assistance_flags)"))
        .await;
    account_like(&app, "plain_graduate", "graduate", None, Some(plain)).await;
    let mut plain = app.login("plain_graduate").await;
    assert!(!plain.get("/").await.body.contains("<a href=\"/me/assistance\">"));
    assert!(!plain.get("/jobs").await.body.contains("<a href=\"/me/assistance\">"));

    let mut staff = app.login("staff").await;
    let staff_home = staff.get("/").await.body;
    assert!(staff_home.contains("href=\"/assistance/calendar\""), "{staff_home}");
    let helper = assign_staff(&app, &mut staff, graduate).await;
    let slot = open(&app, &mut staff, 4, "15:00", "1").await[0];
    assert_eq!(
        me.post("/me/assistance/appointments", &[("slot", &slot.to_string()), ("topic", "考研还是就业")]).await.status,
        StatusCode::SEE_OTHER
    );
    let appointment = app.id("SELECT MAX(id) FROM assistance_appointments").await;

    // A graduate in the register whose helper is someone else: that slot is not its to book, nor the appointment its to touch.
    let other = second_graduate(&app, graduate, "other_graduate").await;
    let mut other_client = app.login("other_graduate").await;
    let free = open(&app, &mut staff, 4, "16:00", "1").await[0];
    let reply = other_client.post("/me/assistance/appointments", &[("slot", &free.to_string()), ("topic", "x")]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "not its helper's slot");
    assert!(!other_client.get("/me/assistance/appointments").await.body.contains(&format!("slot-{free}")));
    for path in [
        format!("/me/assistance/appointments/{appointment}/cancel"),
        format!("/me/assistance/appointments/{appointment}/move"),
    ] {
        assert_eq!(
            other_client.post(&path, &[("slot", &free.to_string())]).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM assistance_appointments WHERE graduate_id = {other}")).await,
        0
    );

    // Another university's staff: the calendar is not found, nor may it touch the slot or mark the appointment.
    let hnu = app.id("SELECT id FROM institutions WHERE code = '10532'").await;
    account_like(&app, "hnu_helper", "staff", Some(hnu), None).await;
    let mut hnu_staff = app.login("hnu_helper").await;
    assert_eq!(hnu_staff.get(&format!("/assistance/calendar?helper={helper}")).await.status, StatusCode::NOT_FOUND);
    let week = rules::week_of(kernel::time::today_china() + Duration::days(4));
    let own = hnu_staff.get(&format!("/assistance/calendar?week={week}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(!own.body.contains("考研还是就业"), "its own calendar only");
    let cancel = format!("/assistance/calendar/slots/{slot}/cancel");
    assert_eq!(hnu_staff.post(&cancel, &[("reason", "x")]).await.status, StatusCode::NOT_FOUND);
    let mark = format!("/assistance/appointments/{appointment}/mark");
    assert_eq!(hnu_staff.post(&mark, &[("outcome", "missed")]).await.status, StatusCode::NOT_FOUND);
    // The province sees it; the graduate's own page names no category.
    let mut admin = app.login("admin").await;
    let seen = admin.get(&format!("/assistance/calendar?helper={helper}&week={week}")).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("考研还是就业"));
    let mine = me.get("/me/assistance/appointments").await.body;
    assert!(!mine.contains("脱贫家庭") && mine.contains("考研还是就业"));
}

#[tokio::test]
async fn two_graduates_booking_one_slot_at_once_get_one_booking_and_a_polite_no() {
    let app = TestApp::demo().await;
    let (graduate, _, _) = flagged_graduate(&app).await;
    let mut staff = app.login("staff").await;
    assign_staff(&app, &mut staff, graduate).await;
    let other = second_graduate(&app, graduate, "rival_graduate").await;
    assign_staff(&app, &mut staff, other).await;
    let slot = open(&app, &mut staff, 5, "10:00", "1").await[0];
    let mut a = app.login("graduate").await;
    let mut b = app.login("rival_graduate").await;
    let audits = "SELECT COUNT(*) FROM audit_log WHERE entity = 'assistance_appointment' AND action = 'create'";
    let before = app.count(audits).await;
    let s = slot.to_string();
    let (fa, fb) = ([("slot", s.as_str()), ("topic", "我先约")], [("slot", s.as_str()), ("topic", "我也约")]);
    let (ra, rb) = tokio::join!(a.post("/me/assistance/appointments", &fa), b.post("/me/assistance/appointments", &fb));
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::SEE_OTHER], "one booked, one told");
    let loser = if ra.status == StatusCode::OK { &ra } else { &rb };
    assert!(loser.body.contains("这个时段刚刚被其他同学预约了"), "{}", loser.body);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM assistance_appointments WHERE slot_id = {slot}")).await, 1);
    assert_eq!(app.count(audits).await, before + 1, "nothing half-written");

    // The same race in the store: the second transaction waits on the first and, once it commits, is refused
    // (the winner's first appointment taken place first, so that neither holds an open booking).
    let mut tx = app.db.begin().await.unwrap();
    tx.execute("UPDATE assistance_appointments SET state = 'held' WHERE slot_id = $1", &[slot.into()]).await.unwrap();
    tx.commit().await.unwrap();
    let second = open(&app, &mut staff, 6, "10:00", "1").await[0];
    let p1 = assistance::store::person(&app.db, graduate).await.unwrap().unwrap();
    let p2 = assistance::store::person(&app.db, other).await.unwrap().unwrap();
    let who = kernel::audit::AuditActor::system("test");
    let now = now_china();
    let mut tx1 = app.db.begin().await.unwrap();
    let first = store::book(&mut tx1, &who, &p1, second, "先", now).await.unwrap();
    assert!(first.is_ok());
    let db = app.db.clone();
    let racer = tokio::spawn(async move {
        let who = kernel::audit::AuditActor::system("test");
        let mut tx2 = db.begin().await.unwrap();
        let result = store::book(&mut tx2, &who, &p2, second, "后", now).await.unwrap();
        if result.is_ok() {
            tx2.commit().await.unwrap();
        }
        result
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    tx1.commit().await.unwrap();
    let lost = racer.await.unwrap();
    assert!(matches!(lost, Err(store::NotBooked::Refused(rules::TAKEN))), "{lost:?}");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM assistance_appointments WHERE slot_id = {second}")).await, 1);
}

#[tokio::test]
async fn the_demo_keeps_calendars_over_the_year_with_held_missed_and_coming_appointments() {
    let app = TestApp::demo().await;
    let today = kernel::time::today_china().to_string();
    assert!(app.count("SELECT COUNT(DISTINCT helper_id) FROM assistance_slots").await >= 1);
    let held = app
        .count("SELECT COUNT(*) FROM assistance_appointments a JOIN assistance_entries e ON e.id = a.entry_id WHERE a.state = 'held' AND e.kind_code = '02'")
        .await;
    assert!(held > 0, "held ones are in the ledger");
    assert!(app.count("SELECT COUNT(*) FROM assistance_appointments WHERE state = 'missed'").await > 0);
    let coming = format!(
        "SELECT COUNT(*) FROM assistance_appointments a JOIN assistance_slots s ON s.id = a.slot_id WHERE a.state = 'booked' AND s.starts_at > '{today}'"
    );
    assert!(app.count(&coming).await > 0, "some booked ahead");
    let free = format!(
        "SELECT COUNT(*) FROM assistance_slots s WHERE s.starts_at > '{today}' AND NOT EXISTS (SELECT 1 FROM assistance_appointments a WHERE a.slot_id = s.id)"
    );
    assert!(app.count(&free).await > 0, "some free to book");
    let open_twice = "SELECT COUNT(*) FROM (SELECT graduate_id, helper_id FROM assistance_appointments WHERE state = 'booked' GROUP BY graduate_id, helper_id HAVING COUNT(*) > 1) t";
    assert_eq!(app.count(open_twice).await, 0);
}

#[tokio::test]
async fn reminders_go_the_day_before_and_hours_before_once_each() {
    let app = TestApp::demo().await;
    let (graduate, _, _) = flagged_graduate(&app).await;
    let mut staff = app.login("staff").await;
    let helper = assign_staff(&app, &mut staff, graduate).await;
    let slot = open(&app, &mut staff, 40, "10:00", "1").await[0];
    let mut me = app.login("graduate").await;
    assert_eq!(
        me.post("/me/assistance/appointments", &[("slot", &slot.to_string()), ("topic", "面试")]).await.status,
        StatusCode::SEE_OTHER
    );
    let starts = (kernel::time::today_china() + Duration::days(40)).and_hms_opt(10, 0, 0).unwrap();
    let graduate_account = app.id("SELECT id FROM accounts WHERE username = 'graduate'").await;
    let reminders = |account: i64| {
        format!("SELECT COUNT(*) FROM account_notices WHERE account_id = {account} AND message LIKE '提醒：%'")
    };

    // Two days before: nothing yet. The day before: one to each side; run again, nothing more.
    let said = appointments::remind(&app.db, starts - Duration::days(2), 2).await.unwrap();
    assert_eq!(said, "0 reminders sent");
    let day_before = starts - Duration::hours(20);
    assert_eq!(appointments::remind(&app.db, day_before, 2).await.unwrap(), "1 reminders sent");
    assert_eq!(appointments::remind(&app.db, day_before, 2).await.unwrap(), "0 reminders sent", "sent once");
    assert_eq!(app.count(&reminders(graduate_account)).await, 1);
    assert_eq!(app.count(&reminders(helper)).await, 1);
    assert!(me.get("/messages").await.body.contains("明天"));
    // Two hours before (configuration): the second reminder, once.
    let hours_before = starts - Duration::minutes(90);
    assert_eq!(appointments::remind(&app.db, hours_before, 2).await.unwrap(), "1 reminders sent");
    assert_eq!(appointments::remind(&app.db, hours_before, 2).await.unwrap(), "0 reminders sent");
    assert_eq!(app.count(&reminders(graduate_account)).await, 2);
    assert_eq!(app.count(&reminders(helper)).await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'assistance_appointment' AND action = 'remind'").await,
        2
    );

    // As a job: one run per hour however many servers ask; a second claim of the hour is taken.
    let key = "2099-01-01 09:00";
    let run = |by: &'static str| {
        let db = app.db.clone();
        async move {
            let db2 = db.clone();
            kernel::jobs::run_once_key(&db, appointments::JOB, key, by, || async move {
                appointments::remind(&db2, starts - Duration::minutes(30), 2).await
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(run("server-a").await, kernel::jobs::Outcome::Ran(Ok("0 reminders sent".into())));
    assert_eq!(run("server-b").await, kernel::jobs::Outcome::Taken);
    let runs = kernel::jobs::runs(&app.db, appointments::JOB).await.unwrap();
    assert_eq!((runs.len(), runs[0].status.as_str()), (1, kernel::jobs::FINISHED));
}

#[tokio::test]
async fn a_helper_opens_slots_the_graduate_books_on_a_phone_and_the_held_one_counts() {
    use crate::browser::{click, fill, fits_the_screen, log_in, log_out, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let (graduate, name, _) = flagged_graduate(&app).await;
    let mut staff = app.login("staff").await;
    assign_staff(&app, &mut staff, graduate).await;
    let base = serve(&app).await;
    let day = kernel::time::today_china() + Duration::days(2);

    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    nav(&c, "/assistance/calendar").await;
    fill(&c, "#slot-date", &day.to_string()).await;
    fill(&c, "#slot-start", "15:00").await;
    fill(&c, "#slot-minutes", "40").await;
    pick(&c, "#slot-mode option[value='online']").await;
    fill(&c, "#slot-place", "腾讯会议 123 456 789").await;
    fill(&c, "#slot-weeks", "3").await;
    click(&c, "#open-slots").await;
    assert!(text(&c, ".flash").await.contains("已开放 3 个时段"));
    assert!(text(&c, "#week").await.contains("腾讯会议 123 456 789"));
    let slot = app.id("SELECT MIN(id) FROM assistance_slots WHERE place = '腾讯会议 123 456 789'").await;
    log_out(&c).await;

    c.set_window_size(375, 812).await.expect("phone-sized window");
    log_in(&c, &base, "graduate", crate::support::PASSWORD).await;
    nav(&c, "/me/assistance").await;
    click(&c, "#my-appointments-link").await;
    fits_the_screen(&c, "guidance appointments").await;
    c.find(fantoccini::Locator::Css(&format!("#slot-{slot}"))).await.expect("the slot").click().await.expect("pick it");
    fill(&c, "#topic", "想请老师帮我看看简历").await;
    click(&c, "#book").await;
    assert!(text(&c, ".flash").await.contains("预约成功"));
    let appointment = app.id("SELECT MAX(id) FROM assistance_appointments").await;
    assert!(text(&c, &format!("#appointment-{appointment} .appointment-state")).await.contains("已预约"));
    fits_the_screen(&c, "booked").await;
    log_out(&c).await;

    // The appointment has taken place (its start moved to an hour ago); the helper marks it held.
    let started = now_china() - Duration::hours(1);
    starts_at(&app, slot, started).await;
    c.set_window_size(1280, 900).await.expect("desktop window");
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/assistance/calendar?week={}", rules::week_of(started.date()))).await.expect("the week");
    assert!(text(&c, &format!("#slot-{slot}")).await.contains("想请老师帮我看看简历"));
    assert!(text(&c, &format!("#appointment-{appointment}")).await.contains("已预约"));
    fill(&c, &format!("#mark-note-{appointment}"), "修改了简历，约定投递三家").await;
    click(&c, &format!("#held-{appointment}")).await;
    assert!(text(&c, ".flash").await.contains("已登记为已进行"));
    c.goto(&format!("{base}/assistance/{graduate}")).await.expect("the file");
    assert!(text(&c, "#person").await.contains(&name));
    assert!(text(&c, "#item-02").await.contains('✓'), "the guidance counts");
    assert!(text(&c, "#entries").await.contains("一对一指导"));
    c.close().await.ok();
}
