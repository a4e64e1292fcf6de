//! What a first user hit in the shell and the pages (issue 9): sorting twice,
//! a form's address opened directly, English code names, the employer's
//! registration and review, the graduate's workbench, the footer, dated
//! exports and by-major rows that can be told apart.

use axum::http::StatusCode;

use kernel::Locale;
use outcomes::statistics::Grouping;

use crate::support::{Client, TestApp, LICENCE};

/// The sort link of a list's column header, as the page renders it.
fn header_link(body: &str, list: &str, key: &str) -> String {
    let start = format!("href=\"{list}?");
    body.match_indices(&start)
        .map(|(at, _)| {
            let rest = &body[at + 6..];
            rest[..rest.find('"').unwrap_or(0)].replace("&amp;", "&")
        })
        .find(|href| href.ends_with(&format!("sort={key}&dir=asc")) || href.ends_with(&format!("sort={key}&dir=desc")))
        .unwrap_or_else(|| panic!("no sort link for {key} on {list}"))
}

#[tokio::test]
async fn sorting_a_list_twice_flips_it_instead_of_failing() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    for (list, key) in
        [("/registry/institutions", "name"), ("/registry/employers", "name"), ("/admin/accounts", "username")]
    {
        let mut page = admin.get(list).await;
        for click in 1..=3 {
            let href = header_link(&page.body, list, key);
            assert_eq!(href.matches("dir=").count(), 1, "{href}");
            page = admin.get(&href).await;
            assert_eq!(page.status, StatusCode::OK, "{list}, click {click}: {href}");
        }
    }
}

#[tokio::test]
async fn opening_a_forms_address_says_so_in_the_readers_language() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let employer = app.id("SELECT MAX(id) FROM employers").await;
    let reply = admin.get(&format!("/registry/employers/{employer}/review")).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(reply.body.contains("不能直接打开此地址") && !reply.body.contains("服务器出错了"), "{}", reply.body);
    let reply = admin.get("/outcomes/me/answer?lang=en").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(reply.body.contains("This address cannot be opened directly"), "{}", reply.body);
}

/// The demo graduate's id, with a destination of code 10 recorded by its school.
async fn graduate_with_destination(app: &TestApp) -> i64 {
    let id = app.id("SELECT graduate_id FROM accounts WHERE username = 'graduate'").await;
    let mut staff = app.login("staff").await;
    let fields = [
        ("category_code", "10"),
        ("employer_name", "湘江软件有限公司"),
        ("credit_code", "91350100M000100Y43"),
        ("industry_code", "34"),
    ];
    let reply = staff.post(&format!("/outcomes/graduates/{id}/destination"), &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    id
}

#[tokio::test]
async fn english_pages_name_codes_in_english() {
    let app = TestApp::demo().await;
    let id = graduate_with_destination(&app).await;
    let mut staff = app.login("staff").await;
    let page = staff.get(&format!("/outcomes/graduates/{id}?lang=en")).await.body;
    assert!(page.contains("Employment agreement"), "the destination and its history");
    assert!(!page.contains("签就业协议形式就业"), "no Chinese destination name left");
    assert!(page.contains("Male") || page.contains("Female"), "sex");
    assert!(page.contains(" graduate</dd>"), "education level");
    assert!(page.contains("Information transmission software and IT services"), "code pickers");
    let list = staff.get("/outcomes/graduates?category=10&lang=en").await.body;
    assert!(list.contains("Employment agreement") && !list.contains("签就业协议形式就业"), "{list}");
    let by_level = staff.get("/outcomes/placement?by=level&lang=en").await.body;
    assert!(by_level.contains(" graduate<") && !by_level.contains("生毕业"), "level groups in English");
    let by_gender = staff.get("/outcomes/placement?by=gender&lang=en").await.body;
    assert!(by_gender.contains("Male") && !by_gender.contains(">男<"));
    let definitions = staff.get("/outcomes/placement?lang=en").await.body;
    assert!(!definitions.contains("号文"), "definition titles in English");
    // Chinese stays Chinese.
    let page = staff.get(&format!("/outcomes/graduates/{id}")).await.body;
    assert!(page.contains("签就业协议形式就业"));
}

fn registration<'a>(code: &'a str, username: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "长沙星辰软件有限公司"),
        ("credit_code", code),
        ("contact_name", "王芳"),
        ("contact_phone", "13800138000"),
        ("username", username),
        ("password", "hrpass2022"),
    ]
}

const CODE: &str = "91350100M000100Y43";

#[tokio::test]
async fn an_employer_registers_with_nature_industry_and_licence() {
    let app = TestApp::demo().await;
    let mut visitor = app.client();
    // Without a licence, with a program for one, without a nature: each says what is wrong.
    let no_licence = visitor.post_file("/employers/register", &registration(CODE, "xc"), "", Vec::new()).await;
    assert_eq!(no_licence.status, StatusCode::OK);
    assert!(no_licence.body.contains("请上传营业执照"), "{}", no_licence.body);
    let program =
        visitor.post_file("/employers/register", &registration(CODE, "xc"), "a.exe", b"MZ\x90".to_vec()).await;
    assert!(program.body.contains("只接受 PDF、JPG 或 PNG"));
    let mut no_nature = registration(CODE, "xc");
    no_nature.push(("nature_code", ""));
    assert!(visitor.register(&no_nature).await.body.contains("请从列表中选择"));
    let mut unknown = registration(CODE, "xc");
    unknown.push(("industry_code", "ZZ"));
    assert!(visitor.register(&unknown).await.body.contains("请从列表中选择"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM employers WHERE credit_code = '{CODE}'")).await, 0);

    let reply = visitor.register(&registration(CODE, "xc")).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let row = app
        .db
        .fetch_one(
            &format!(
                "SELECT id, nature_code, industry_code, licence_sha256 FROM employers WHERE credit_code = '{CODE}'"
            ),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.text("nature_code").unwrap(), "39");
    assert_eq!(row.text("industry_code").unwrap(), "34");
    assert_eq!(row.text("licence_sha256").unwrap().len(), 64);
    let id = row.i64("id").unwrap();

    // The reviewer sees the nature and industry by name and opens the licence.
    let mut staff = app.login("staff").await;
    let page = staff.get(&format!("/registry/employers/{id}")).await.body;
    assert!(page.contains("其他企业") && page.contains("信息传输、软件和信息技术服务业"), "{page}");
    let licence = staff.get(&format!("/registry/employers/{id}/licence")).await;
    assert_eq!(licence.status, StatusCode::OK);
    assert_eq!(licence.bytes, LICENCE);
    // Another employer may not.
    let mut other = app.login("employer").await;
    assert_eq!(other.get(&format!("/registry/employers/{id}/licence")).await.status, StatusCode::FORBIDDEN);
}

async fn registered(app: &TestApp) -> (i64, Client) {
    let mut visitor = app.client();
    assert_eq!(visitor.register(&registration(CODE, "xingchen")).await.status, StatusCode::SEE_OTHER);
    let id = app.id(&format!("SELECT id FROM employers WHERE credit_code = '{CODE}'")).await;
    let mut hr = app.client();
    assert_eq!(hr.login("xingchen", "hrpass2022").await.status, StatusCode::SEE_OTHER);
    (id, hr)
}

#[tokio::test]
async fn rejecting_takes_a_reason_the_employer_is_shown() {
    let app = TestApp::demo().await;
    let (id, mut hr) = registered(&app).await;
    let mut admin = app.login("admin").await;
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let reply =
        admin.post(&format!("/registry/employers/{id}/review"), &[("decision", "reject"), ("reason", " ")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("请写明不通过的原因"));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, before, "nothing written");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM employers WHERE id = {id} AND status = 'pending'")).await, 1);

    let reason = "营业执照照片不清晰，请重新上传";
    let reply =
        admin.post(&format!("/registry/employers/{id}/review"), &[("decision", "reject"), ("reason", reason)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let audited =
        app.db.fetch_one("SELECT action, after_json FROM audit_log ORDER BY id DESC LIMIT 1", &[]).await.unwrap();
    assert_eq!(audited.text("action").unwrap(), "review");
    assert!(audited.text("after_json").unwrap().contains(reason));
    let home = hr.get("/").await.body;
    assert!(home.contains("未通过") && home.contains(reason), "{home}");

    // Approving says so.
    let reply = admin.post(&format!("/registry/employers/{id}/review"), &[("decision", "approve")]).await;
    let page = admin.get(reply.location.as_deref().unwrap()).await.body;
    assert!(page.contains("已审核通过"), "{page}");
    assert!(!hr.get("/").await.body.contains(reason), "an approval clears the old reason");
}

#[tokio::test]
async fn an_employer_under_review_is_told_its_status_instead_of_the_invitation_form() {
    let app = TestApp::demo().await;
    let (_, mut hr) = registered(&app).await;
    let page = hr.get("/agreements").await.body;
    assert!(page.contains("invite-held-back") && page.contains("待审核"), "{page}");
    assert!(!page.contains("id=\"position_title\""), "no invitation form");
    let mut approved = app.login("employer").await;
    let page = approved.get("/agreements").await.body;
    assert!(page.contains("id=\"position_title\"") && !page.contains("invite-held-back"));
}

#[tokio::test]
async fn the_graduates_workbench_shows_its_destination_and_invitations() {
    let app = TestApp::demo().await;
    let mut graduate = app.login("graduate").await;
    let home = graduate.get("/").await.body;
    assert!(home.contains("学校还没有登记你的毕业去向") && home.contains("没有待处理的签约邀请"), "{home}");

    graduate_with_destination(&app).await;
    let r = app.db.fetch_one("SELECT g.name, g.student_no, g.id_number FROM graduates g JOIN accounts a ON a.graduate_id = g.id WHERE a.username = 'graduate'", &[]).await.unwrap();
    let (name, student_no, id_number) =
        (r.text("name").unwrap(), r.text("student_no").unwrap(), r.text("id_number").unwrap());
    let mut employer = app.login("employer").await;
    let invitation = [
        ("name", name.as_str()),
        ("student_no", &student_no),
        ("id_number", &id_number),
        ("position_title", "数据工程师"),
        ("monthly_salary", "9000"),
        ("work_region_code", "430104"),
    ];
    assert_eq!(employer.post("/agreements", &invitation).await.status, StatusCode::SEE_OTHER);
    let agreement = app.id("SELECT MAX(id) FROM agreements").await;
    let home = graduate.get("/").await.body;
    assert!(home.contains("签就业协议形式就业") && home.contains("湘江软件有限公司"), "{home}");
    assert!(home.contains("href=\"/outcomes/me\""), "a link to confirm it");
    assert!(home.contains(&format!("href=\"/agreements/{agreement}\"")) && home.contains("数据工程师"), "{home}");
}

#[tokio::test]
async fn the_footer_names_the_configured_department() {
    let app = TestApp::empty().await;
    assert!(app.client().get("/login").await.body.contains("湖南省教育厅 · 高校毕业生就业创业工作平台"));
    let app = app.reconfigured(|c| {
        c.operator = "江西省教育厅".to_owned();
        c.operator_en = "Jiangxi Department of Education".to_owned();
    });
    let mut visitor = app.client();
    let page = visitor.get("/login").await.body;
    assert!(page.contains("<footer class=\"foot\">江西省教育厅") && !page.contains("湖南省教育厅 ·"), "{page}");
    assert!(visitor.get("/login?lang=en").await.body.contains("Jiangxi Department of Education"));
}

#[tokio::test]
async fn exports_say_their_cohort_and_day() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let xlsx = admin.get("/outcomes/placement?as_of=2022-08-31&format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.disposition.as_deref().unwrap_or("").contains("placement-2022-2022-08-31.xlsx"),
        "{:?}",
        xlsx.disposition
    );
    let book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).unwrap();
    assert_eq!(calamine::Reader::sheet_names(&book), vec!["落实率 2022届 截至2022-08-31".to_owned()]);
    let csv = admin.get("/outcomes/placement?as_of=2022-08-31&format=csv").await;
    assert!(csv.disposition.as_deref().unwrap_or("").contains("placement-2022-2022-08-31.csv"));
    let today = kernel::time::today_china().format("%Y-%m-%d").to_string();
    let graduates = admin.get("/outcomes/graduates?format=xlsx&lang=en").await;
    assert!(graduates.disposition.as_deref().unwrap_or("").contains(&format!("graduates-2022-{today}.xlsx")));
    let book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(graduates.bytes)).unwrap();
    assert_eq!(calamine::Reader::sheet_names(&book), vec![format!("Destinations 2022, {today}")]);
}

#[tokio::test]
async fn a_major_offered_by_two_colleges_gives_two_rows_told_apart() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let mut admin = app.login("admin").await;
    let colleges = app
        .db
        .fetch_all("SELECT id FROM colleges WHERE institution_id = $1 ORDER BY id LIMIT 2", &[xtu.into()])
        .await
        .unwrap();
    for c in &colleges {
        let college = c.i64("id").unwrap().to_string();
        admin
            .post(
                &format!("/registry/institutions/{xtu}/majors"),
                &[("college_id", college.as_str()), ("major_code", "082801|本科")],
            )
            .await;
    }
    let twins: Vec<String> = app
        .db
        .fetch_all(
            "SELECT id FROM majors WHERE institution_id = $1 AND code = '082801' AND level = '本科'",
            &[xtu.into()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap().to_string())
        .collect();
    assert!(twins.len() >= 2, "建筑学 in two colleges");
    for l in [Locale::Zh, Locale::En] {
        let names = Grouping::Major.names(&app.db, Some(xtu), l).await.unwrap();
        let (a, b) = (&names[&twins[0]], &names[&twins[1]]);
        assert_ne!(a, b);
        assert!(a.contains("082801"), "{a}");
        let mut labels: Vec<&String> = names.values().collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), names.len(), "every major's row has a label of its own");
    }
    assert!(Grouping::Major.names(&app.db, Some(xtu), Locale::En).await.unwrap()[&twins[0]].contains("Undergraduate"));
}

#[tokio::test]
async fn the_daily_report_shows_the_province_average_and_the_schools_rank() {
    let app = TestApp::demo().await;
    graduate_with_destination(&app).await;
    let mut staff = app.login("staff").await;
    let page = staff.get("/outcomes/reports").await.body;
    assert!(page.contains("全省平均落实率") && page.contains("id=\"province-rate\""), "{page}");
    let institutions = app.count("SELECT COUNT(DISTINCT institution_id) FROM graduates").await;
    assert!(page.contains(&format!("1 / {institutions}")), "湘潭大学's one placed graduate puts it first");
    assert!(page.contains("href=\"/outcomes/definitions\""));
    let definitions = staff.get("/outcomes/definitions").await;
    assert_eq!(definitions.status, StatusCode::OK);
    assert!(definitions.body.contains("10 签就业协议形式就业") && definitions.body.contains("教学厅函〔2021〕19号"));
    let english = staff.get("/outcomes/definitions?lang=en").await.body;
    assert!(english.contains("10 Employment agreement") && english.contains("denominator"));
}
