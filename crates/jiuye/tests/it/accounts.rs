//! Account administration: the province creates any account; staff only staff
//! of their own institution.

use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn province_creates_staff_for_an_institution() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let fields = [
        ("username", "hnu01"),
        ("display_name", "湖南大学就业办"),
        ("password", "start2022x"),
        ("role", "university_staff"),
        ("institution_code", "10532"),
        ("active", "on"),
    ];
    let reply = admin.post("/admin/accounts", &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let mut hnu = app.client();
    assert_eq!(hnu.login("hnu01", "start2022x").await.status, StatusCode::SEE_OTHER);
    assert!(hnu.get("/").await.body.contains("湖南大学"));
    let reply = admin.post("/admin/accounts", &fields).await;
    assert!(reply.body.contains("该用户名已被使用"));
    let reply = admin
        .post(
            "/admin/accounts",
            &[
                ("username", "x1"),
                ("display_name", "X"),
                ("password", "start2022x"),
                ("role", "university_staff"),
                ("institution_code", "99999"),
            ],
        )
        .await;
    assert!(reply.body.contains("院校代码不存在"));
}

#[tokio::test]
async fn staff_create_only_their_own_staff() {
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let mut staff = app.login("staff").await;
    // Asking for province rights and another institution is ignored: the account is staff of XTU.
    let reply = staff
        .post(
            "/admin/accounts",
            &[
                ("username", "xtu2"),
                ("display_name", "院系专干"),
                ("password", "start2022x"),
                ("role", "province_admin"),
                ("institution_code", "10532"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let row = app.db.fetch_one("SELECT role, institution_id FROM accounts WHERE username = 'xtu2'", &[]).await.unwrap();
    assert_eq!(row.text("role").unwrap(), "university_staff");
    assert_eq!(row.i64("institution_id").unwrap(), xtu);
    let page = staff.get("/admin/accounts").await.body;
    assert!(page.contains("xtu2"));
    assert!(!page.contains(">admin<"), "staff do not see province accounts");
    let admin_id = app.id("SELECT id FROM accounts WHERE username = 'admin'").await;
    assert_eq!(staff.get(&format!("/admin/accounts/{admin_id}")).await.status, StatusCode::FORBIDDEN);
    let other = app.id("SELECT id FROM accounts WHERE username = 'staff10532'").await;
    assert_eq!(
        staff.post(&format!("/admin/accounts/{other}"), &[("display_name", "hijack")]).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn deactivating_an_account_ends_its_sessions() {
    let app = TestApp::demo().await;
    let mut expert = app.login("expert").await;
    let id = app.id("SELECT id FROM accounts WHERE username = 'expert'").await;
    let mut admin = app.login("admin").await;
    let reply = admin.post(&format!("/admin/accounts/{id}"), &[("display_name", "评审专家"), ("role", "expert")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(!expert.get("/").await.body.contains("评审专家"), "the session ended");
    assert_eq!(expert.get("/account/password").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn graduate_accounts_need_a_valid_id_number_of_a_graduate() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let base = [("username", "g2"), ("display_name", "毕业生乙"), ("password", "grad2022x"), ("role", "graduate")];
    let with = |number: &'static str| {
        let mut fields = base.to_vec();
        fields.push(("graduate_id_number", number));
        fields
    };
    let reply = admin.post("/admin/accounts", &with("110105194912310021")).await;
    assert!(reply.body.contains("身份证号校验位错误"), "{}", reply.body);
    let reply = admin.post("/admin/accounts", &with("11010519491231002X")).await;
    assert!(reply.body.contains("没有这个身份证号的毕业生"));
    let number = app
        .db
        .fetch_one("SELECT id_number FROM graduates ORDER BY id DESC LIMIT 1", &[])
        .await
        .unwrap()
        .text("id_number")
        .unwrap();
    let number: &'static str = Box::leak(number.to_lowercase().into_boxed_str());
    let reply = admin.post("/admin/accounts", &with(number)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}
