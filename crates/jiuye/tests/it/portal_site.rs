//! The public portal (issue 16, measure 25): the province's editors draft,
//! submit, review (publish or return with a reason) and unpublish articles,
//! policies carry PDF documents; universities submit work news that the
//! province publishes, returns or recommends to the Ministry, each university
//! seeing only its own; the public reads only what is published, on /portal,
//! in Chinese and English, and an anonymous "/" leads there.

use axum::http::StatusCode;

use crate::support::{Client, TestApp, LICENCE};

async fn audited(app: &TestApp, entity: &str, action: &str) -> i64 {
    assert!(registry::audit_names::knows(entity, action), "{entity} {action} named");
    app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'")).await
}

/// Drafts an article through the form; its id.
async fn draft(app: &TestApp, c: &mut Client, kind: &str, title: &str) -> i64 {
    let reply = c
        .post(
            "/portal/editor",
            &[
                ("kind", kind),
                ("title", title),
                ("title_en", ""),
                ("summary", "示例摘要"),
                ("body", "第一段正文。\n\n## 小标题\n第二段<script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.id("SELECT MAX(id) FROM portal_articles").await
}

async fn act(c: &mut Client, id: i64, action: &str, reason: &str) -> crate::support::Reply {
    c.post(&format!("/portal/editor/articles/{id}/act"), &[("action", action), ("reason", reason)]).await
}

async fn status(app: &TestApp, id: i64) -> String {
    let row = app.db.fetch_one("SELECT status FROM portal_articles WHERE id = $1", &[id.into()]).await.expect("row");
    row.text("status").expect("status")
}

#[tokio::test]
async fn an_editor_drafts_submits_publishes_and_unpublishes_news_and_the_public_reads_only_what_is_published() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let mut public = app.client();
    // The demo's own articles were written through the same store: count what this test adds.
    let mut before = Vec::new();
    for action in ["create", "submit", "publish", "unpublish"] {
        before.push(audited(&app, "portal_article", action).await);
    }
    let id = draft(&app, &mut admin, "news", "示例新闻：测试发布流程").await;
    assert_eq!(status(&app, id).await, "draft");
    let article = format!("/portal/articles/{id}");
    assert_eq!(public.get(&article).await.status, StatusCode::NOT_FOUND, "a draft is not public");

    assert_eq!(act(&mut admin, id, "submit", "").await.status, StatusCode::SEE_OTHER);
    assert_eq!(public.get(&article).await.status, StatusCode::NOT_FOUND, "awaiting review is not public");
    assert_eq!(act(&mut admin, id, "publish", "").await.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, "published");

    let page = public.get(&article).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("示例新闻：测试发布流程") && page.body.contains("<h2>小标题</h2>"), "{}", page.body);
    assert!(page.body.contains("alert(1)") && !page.body.contains("<script>alert"), "the body is text, escaped");
    let home = public.get("/portal").await.body;
    assert!(home.contains(&format!("href=\"{article}\"")), "the home lists it");
    assert!(public.get("/portal/news").await.body.contains("示例新闻：测试发布流程"));

    // Its history names who did what.
    let editor = admin.get(&format!("/portal/editor/articles/{id}")).await.body;
    for step in ["创建草稿", "提交审核", "审核发布"] {
        assert!(editor.contains(step), "{step}");
    }
    // A published article is not edited in place.
    let edit = admin.post(&format!("/portal/editor/articles/{id}/edit"), &[("title", "改"), ("body", "改")]).await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);

    assert_eq!(act(&mut admin, id, "unpublish", "").await.status, StatusCode::SEE_OTHER);
    assert_eq!(public.get(&article).await.status, StatusCode::NOT_FOUND, "unpublished is gone from the public");
    assert!(!public.get("/portal").await.body.contains(&format!("href=\"{article}\"")));
    for (action, was) in ["create", "submit", "publish", "unpublish"].into_iter().zip(before) {
        assert_eq!(audited(&app, "portal_article", action).await, was + 1, "{action}");
    }
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM portal_article_steps WHERE article_id = {id}")).await, 4);
}

#[tokio::test]
async fn a_return_needs_a_reason_the_author_reads_it_and_bad_input_writes_nothing() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let before = app.count("SELECT COUNT(*) FROM portal_articles").await;
    let returned = audited(&app, "portal_article", "return").await;
    let updated = audited(&app, "portal_article", "update").await;

    // A form without a title or text, or with an unknown section, is refused with every reason.
    let reply = admin.post("/portal/editor", &[("kind", "gossip"), ("title", " "), ("body", "")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    for e in ["请选择栏目", "请填写标题", "请填写正文"] {
        assert!(reply.body.contains(e), "{e}: {}", reply.body);
    }
    let long = "长".repeat(121);
    let reply = admin.post("/portal/editor?lang=en", &[("kind", "news"), ("title", &long), ("body", "x")]).await;
    assert!(reply.body.contains("at most 120 characters"), "{}", reply.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM portal_articles").await, before, "nothing written");

    let id = draft(&app, &mut admin, "case", "示例案例").await;
    // A draft is not reviewed before it is submitted.
    let early = act(&mut admin, id, "publish", "").await;
    assert!(early.body.contains("当前状态下不能"), "{}", early.body);
    act(&mut admin, id, "submit", "").await;
    let no_reason = act(&mut admin, id, "return", " ").await;
    assert!(no_reason.body.contains("退回时请写明原因"));
    assert_eq!(status(&app, id).await, "submitted");
    assert_eq!(act(&mut admin, id, "return", "请补充案例的时间和地点").await.status, StatusCode::SEE_OTHER);
    let page = admin.get(&format!("/portal/editor/articles/{id}")).await.body;
    assert!(page.contains("请补充案例的时间和地点") && page.contains("已退回"));

    // The author edits and submits again; the reason is cleared.
    let edit = admin
        .post(
            &format!("/portal/editor/articles/{id}/edit"),
            &[
                ("title", "示例案例（修改稿）"),
                ("summary", ""),
                ("title_en", "An example case"),
                ("body", "补充了时间和地点。"),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::SEE_OTHER, "{}", edit.body);
    act(&mut admin, id, "submit", "").await;
    act(&mut admin, id, "publish", "").await;
    let mut public = app.client();
    let en = public.get(&format!("/portal/articles/{id}?lang=en")).await.body;
    assert!(en.contains("An example case") && en.contains("The text is published in Chinese."), "{en}");
    assert_eq!(audited(&app, "portal_article", "return").await, returned + 1);
    assert_eq!(audited(&app, "portal_article", "update").await, updated + 1);
}

#[tokio::test]
async fn a_policy_carries_pdf_documents_that_the_public_downloads_once_published() {
    let app = TestApp::demo().await;
    let mut admin = app.login("admin").await;
    let id = draft(&app, &mut admin, "policy", "示例政策：就业补贴办法").await;
    let files = format!("/portal/editor/articles/{id}/files");
    let refused = admin.post_file(&files, &[("purpose", "document")], "x.png", b"not a pdf".to_vec()).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("只接受 PDF、JPG 或 PNG"), "{}", refused.body);
    let jpeg = admin.post_file(&files, &[("purpose", "document")], "photo.jpg", crate::support::JPEG.to_vec()).await;
    assert!(jpeg.body.contains("附件只接受 PDF 文件"), "{}", jpeg.body);
    let ok = admin.post_file(&files, &[("purpose", "document")], "补贴办法.pdf", LICENCE.to_vec()).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let doc = app.id("SELECT MAX(id) FROM portal_documents").await;
    let cover = admin.post_file(&files, &[("purpose", "cover")], "cover.jpg", crate::support::JPEG.to_vec()).await;
    assert_eq!(cover.status, StatusCode::SEE_OTHER, "{}", cover.body);
    assert_eq!(audited(&app, "portal_document", "create").await, 1);
    assert_eq!(audited(&app, "portal_article", "cover").await, 1);

    let mut public = app.client();
    let download = format!("/portal/articles/{id}/documents/{doc}");
    assert_eq!(public.get(&download).await.status, StatusCode::NOT_FOUND, "not before it is published");
    act(&mut admin, id, "submit", "").await;
    act(&mut admin, id, "publish", "").await;
    let file = public.get(&download).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, LICENCE);
    assert!(file.disposition.unwrap_or_default().contains("attachment"));
    let cover = public.get(&format!("/portal/articles/{id}/cover")).await;
    assert_eq!(cover.headers.get("content-type").map(String::as_str), Some("image/jpeg"));
    let home = public.get("/portal").await.body;
    assert!(home.contains(&format!("href=\"{download}\"")), "the home lists the policy with its document");
    assert!(public.get(&format!("/portal/articles/{id}")).await.body.contains("补贴办法.pdf"));
}

#[tokio::test]
async fn universities_submit_work_news_see_only_their_own_and_the_province_recommends_it() {
    let app = TestApp::demo().await;
    let mut staff = app.login("staff").await;
    let mut other = app.login("staff10532").await;
    let mut admin = app.login("admin").await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let cohort = app.id("SELECT MAX(year) FROM cohorts").await;
    let of_xtu = |rows: Vec<portal::site::store::Counts>| {
        rows.into_iter().find(|r| r.institution_id == xtu).map(|r| (r.submitted, r.published, r.recommended))
    };
    let scope = kernel::auth::Scope::Province;
    let was = of_xtu(portal::site::store::counts(&app.db, scope, cohort).await.expect("counts")).unwrap_or_default();
    let published = portal::site::store::work_news_count(&app.db, cohort, Some(xtu), false).await.expect("count");
    let recommended = portal::site::store::work_news_count(&app.db, cohort, None, true).await.expect("count");
    let recommends = audited(&app, "portal_article", "recommend").await;

    // A university writes work news only; the province's sections are not its to write.
    let refused = staff.post("/portal/editor", &[("kind", "news"), ("title", "越权"), ("body", "x")]).await;
    assert!(refused.body.contains("您不能撰写这个栏目"), "{}", refused.body);
    let id = draft(&app, &mut staff, "work_news", "示例工作动态：湘潭大学就业月活动").await;
    let owner = app.id(&format!("SELECT institution_id FROM portal_articles WHERE id = {id}")).await;
    assert_eq!(owner, xtu);
    assert_eq!(act(&mut staff, id, "publish", "").await.status, StatusCode::FORBIDDEN, "no self-publishing");
    assert_eq!(act(&mut staff, id, "submit", "").await.status, StatusCode::SEE_OTHER);

    // Another university neither sees nor touches it.
    let path = format!("/portal/editor/articles/{id}");
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.post(&format!("{path}/edit"), &[("title", "x"), ("body", "y")]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(act(&mut other, id, "submit", "").await.status, StatusCode::NOT_FOUND);
    assert!(!other.get("/portal/editor").await.body.contains("湘潭大学就业月活动"));
    assert!(staff.get("/portal/editor").await.body.contains("湘潭大学就业月活动"));
    // The college's staff share their institution's work news.
    assert_eq!(app.login("college").await.get(&path).await.status, StatusCode::OK);
    // Graduates and employers have no editor pages.
    assert_eq!(app.login("graduate").await.get("/portal/editor").await.status, StatusCode::FORBIDDEN);

    // The province recommends it to the Ministry, which publishes it; the university is told.
    assert!(admin.get("/portal/editor?status=submitted").await.body.contains("湘潭大学就业月活动"));
    assert_eq!(act(&mut admin, id, "recommend", "").await.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, "published");
    assert!(act(&mut admin, id, "recommend", "").await.body.contains("当前状态下不能"), "once only");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM notices WHERE institution_id = {xtu} AND topic = 'portal_work_news_{id}'"
        ))
        .await,
        1
    );
    let mut public = app.client();
    let section = public.get("/portal/work-news").await.body;
    assert!(section.contains("湘潭大学就业月活动") && section.contains("推荐教育部"), "{section}");

    // A second one returned; counts per university.
    let second = draft(&app, &mut staff, "work_news", "示例典型经验：访企拓岗").await;
    act(&mut staff, second, "submit", "").await;
    act(&mut admin, second, "return", "请补充数据来源").await;
    assert!(staff.get(&format!("/portal/editor/articles/{second}")).await.body.contains("请补充数据来源"));
    let counts = admin.get("/portal/editor/work-news").await.body;
    assert!(counts.contains(&format!("id=\"counts-{xtu}\"")), "{counts}");
    assert!(!other.get("/portal/editor/work-news").await.body.contains(&format!("id=\"counts-{xtu}\"")));
    let now = of_xtu(portal::site::store::counts(&app.db, scope, cohort).await.expect("counts")).unwrap_or_default();
    assert_eq!(now, (was.0 + 2, was.1 + 1, was.2 + 1), "submitted, published, recommended");
    assert_eq!(
        portal::site::store::work_news_count(&app.db, cohort, Some(xtu), false).await.expect("count"),
        published + 1
    );
    assert_eq!(
        portal::site::store::work_news_count(&app.db, cohort, None, true).await.expect("count"),
        recommended + 1
    );
    assert_eq!(audited(&app, "portal_article", "recommend").await, recommends + 1);
}

#[tokio::test]
async fn an_anonymous_home_leads_to_the_portal_in_either_language() {
    let app = TestApp::demo().await;
    let mut public = app.client();
    let reply = public.get("/").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location.as_deref(), Some("/portal"));
    assert_eq!(public.get("/?lang=en").await.location.as_deref(), Some("/portal?lang=en"));
    let zh = public.get("/portal").await.body;
    for part in ["新闻", "政策", "典型人物", "招聘会日历", "/jobs", "/reports", "/login"] {
        assert!(zh.contains(part), "{part}");
    }
    let en = public.get("/portal?lang=en").await.body;
    for part in ["News", "Policies", "Role models", "Fair calendar", "Search jobs", "Annual employment quality reports"]
    {
        assert!(en.contains(part), "{part}");
    }
    assert_eq!(public.get("/portal/nonsense").await.status, StatusCode::NOT_FOUND);
    assert_eq!(public.get("/portal/editor").await.status, StatusCode::SEE_OTHER, "editors sign in");
    // A signed-in user keeps the workbench.
    assert_eq!(app.login("admin").await.get("/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_editor_publishes_news_and_the_public_reads_it_on_the_portal_on_a_phone() {
    use crate::browser::{click, fill, fits_the_screen, log_in, log_out, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;

    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/portal/editor/new?kind=news")).await.expect("the form");
    fill(&c, "#article-title", "示例新闻：浏览器里发布").await;
    fill(&c, "#article-summary", "一条示例新闻的摘要").await;
    fill(&c, "#article-body", "示例正文第一段。").await;
    click(&c, "#article-save").await;
    assert!(text(&c, ".flash").await.contains("草稿已保存"));
    click(&c, "#act-submit").await;
    assert!(text(&c, "#article-status").await.contains("待审核"));
    click(&c, "#act-publish").await;
    assert!(text(&c, "#article-status").await.contains("已发布"));
    assert!(text(&c, "#article-history").await.contains("审核发布"));
    log_out(&c).await;

    c.set_window_size(390, 844).await.expect("a phone-sized window");
    c.goto(&base).await.expect("home");
    assert!(text(&c, "#portal-news").await.contains("示例新闻：浏览器里发布"));
    fits_the_screen(&c, "the portal").await;
    click(&c, "#portal-news li a").await;
    assert!(text(&c, "h1").await.contains("示例新闻：浏览器里发布"));
    assert!(text(&c, "#article-body").await.contains("示例正文第一段"));
    fits_the_screen(&c, "an article").await;
    c.close().await.ok();
}

#[tokio::test]
async fn a_university_staff_member_submits_work_news_in_a_browser() {
    use crate::browser::{click, fill, log_in, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let base = serve(&app).await;
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    c.goto(&format!("{base}/portal/editor")).await.expect("the list");
    click(&c, "#new-article").await;
    fill(&c, "#article-title", "示例工作动态：校园双选会").await;
    fill(&c, "#article-body", "示例：本校举办校园双选会。").await;
    click(&c, "#article-save").await;
    click(&c, "#act-submit").await;
    assert!(text(&c, "#article-status").await.contains("待审核"));
    c.goto(&format!("{base}/portal/editor")).await.expect("the list");
    assert!(text(&c, "#editor-articles").await.contains("示例工作动态：校园双选会"));
    c.close().await.ok();
}

#[tokio::test]
async fn the_editor_reviews_a_universitys_work_news_and_recommends_it_in_a_browser() {
    use crate::browser::{click, fill, log_in, log_out, nav, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let xtu = app.id("SELECT id FROM institutions WHERE code = '10530'").await;
    let cohort = app.id("SELECT MAX(year) FROM cohorts").await;
    let counted = |rows: Vec<portal::site::store::Counts>| {
        rows.into_iter().find(|r| r.institution_id == xtu).map(|r| (r.submitted, r.recommended)).unwrap_or_default()
    };
    let scope = kernel::auth::Scope::Province;
    let was = counted(portal::site::store::counts(&app.db, scope, cohort).await.expect("counts"));
    let base = serve(&app).await;

    // The university writes its work news and submits it.
    log_in(&c, &base, "staff", crate::support::PASSWORD).await;
    nav(&c, "/portal/editor").await;
    click(&c, "#new-article").await;
    fill(&c, "#article-title", "湘潭大学举办就业创业活动月").await;
    fill(&c, "#article-body", "活动月期间举办专场招聘会三场。\n\n## 主要做法\n院系联动，访企拓岗。").await;
    click(&c, "#article-save").await;
    assert!(text(&c, ".flash").await.contains("草稿已保存"));
    click(&c, "#act-submit").await;
    assert!(text(&c, "#article-status").await.contains("待审核"));
    let id = app.id("SELECT MAX(id) FROM portal_articles").await;
    log_out(&c).await;

    // The province's editor reads the counts, finds it among those awaiting review and recommends it.
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    nav(&c, "/portal/editor/work-news").await;
    let row = text(&c, &format!("#counts-{xtu}")).await;
    assert!(row.contains("湘潭大学") && row.contains(&(was.0 + 1).to_string()), "{row}");
    nav(&c, "/portal/editor").await;
    pick(&c, "#filter-status option[value='submitted']").await;
    click(&c, "#editor-filter button").await;
    assert!(text(&c, &format!("#editor-article-{id}")).await.contains("湘潭大学举办就业创业活动月"));
    click(&c, &format!("#editor-article-{id} a")).await;
    assert!(text(&c, "#article-preview").await.contains("院系联动"));
    click(&c, "#act-recommend").await;
    let status = text(&c, "#article-status").await;
    assert!(status.contains("已推荐教育部"), "{status}");
    assert!(c.find(fantoccini::Locator::Css("#act-recommend")).await.is_err(), "recommended once");
    nav(&c, "/portal/editor/work-news").await;
    let now = counted(portal::site::store::counts(&app.db, scope, cohort).await.expect("counts"));
    assert_eq!(now, (was.0 + 1, was.1 + 1));
    assert!(text(&c, &format!("#counts-{xtu}")).await.contains(&now.1.to_string()));
    log_out(&c).await;

    // The public reads it on the portal.
    c.goto(&format!("{base}/portal/work-news")).await.expect("section");
    assert!(text(&c, "main").await.contains("湘潭大学举办就业创业活动月"));
    c.close().await.ok();
}
