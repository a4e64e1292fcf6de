//! Verification campaigns (核查抽样): the sample drawn again from its seed,
//! strata in proportion, sizes by hand, verifiers never of their own
//! institution with even loads; the verifier's queue and its scope; the
//! results' corrected rate against a hand computation; and the queue worked
//! on a phone in Chromium while the province's results move.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;

use crate::support::{Client, TestApp};

/// The institutions with the most graduates, most first: (id, code, name, graduates).
async fn biggest(app: &TestApp, n: i64) -> Vec<(i64, String, String, i64)> {
    let rows = app
        .db
        .fetch_all(
            "SELECT i.id, i.code, i.name, COUNT(*) AS n FROM institutions i JOIN graduates g ON g.institution_id = i.id \
             WHERE g.cohort_year = 2022 GROUP BY i.id, i.code, i.name ORDER BY COUNT(*) DESC, i.id LIMIT $1",
            &[n.into()],
        )
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.i64("id").unwrap(), r.text("code").unwrap(), r.text("name").unwrap(), r.i64("n").unwrap()))
        .collect()
}

/// Records the first `n` graduates of the institution (by id) under the category, as its school would.
async fn record(app: &TestApp, institution: i64, code: &str, n: i64) -> Vec<i64> {
    let ids: Vec<i64> = app
        .db
        .fetch_all(
            "SELECT id FROM graduates WHERE institution_id = $1 AND cohort_year = 2022 AND id NOT IN \
             (SELECT graduate_id FROM destinations) ORDER BY id LIMIT $2",
            &[institution.into(), n.into()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    let mut tx = app.db.begin().await.unwrap();
    for g in &ids {
        let event = tx
            .insert_returning_id(
                "INSERT INTO destination_events (graduate_id, cohort_year, institution_id, at, actor_label, code_version, \
                 category_code, employer_name) VALUES ($1, 2022, $2, '2022-06-01T02:00:00.000Z', 'staff', '2021', $3, '湘潭钢铁集团')",
                &[(*g).into(), institution.into(), code.into()],
            )
            .await
            .unwrap();
        tx.execute(
            "INSERT INTO destinations (graduate_id, cohort_year, institution_id, last_event_id, category_code, employer_name, \
             updated_at) VALUES ($1, 2022, $2, $3, $4, '湘潭钢铁集团', '2022-06-01T02:00:00.000Z')",
            &[(*g).into(), institution.into(), event.into(), code.into()],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    ids
}

/// The staff account of an institution: (account id, username).
async fn staff_of(app: &TestApp, code: &str) -> (i64, String) {
    let username = format!("staff{code}");
    let id =
        app.db.fetch_one("SELECT id FROM accounts WHERE username = $1", &[username.as_str().into()]).await.unwrap();
    (id.i64("id").unwrap(), username)
}

/// Launches a campaign as the province; the new campaign's id.
async fn launch(admin: &mut Client, app: &TestApp, seed: &str, margin: &str, extra: &[(&str, &str)]) -> i64 {
    let mut fields =
        vec![("name", "2022届核查抽样"), ("margin", margin), ("confidence", "95"), ("expected", "0.5"), ("seed", seed)];
    fields.extend_from_slice(extra);
    fields.push(("step", "launch"));
    let reply = admin.post("/verification/campaigns", &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    app.id("SELECT MAX(id) FROM verification_campaigns").await
}

/// An open finding of the scan at the institution.
async fn finding_at(app: &TestApp, institution: i64) -> i64 {
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
    let id = tx.insert_id("verification_findings", finding).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// Cochran's size with the finite-population correction at ±`points`, 95 %, p = 0.5, by hand.
fn by_hand(population: i64, points: f64) -> i64 {
    let e = points / 100.0;
    let n0 = 1.959964_f64 * 1.959964 * 0.25 / (e * e);
    let n = n0 / (1.0 + (n0 - 1.0) / population as f64);
    (n - 1e-9).ceil() as i64
}

async fn sample_of(app: &TestApp, campaign: i64) -> Vec<(i64, i64, String, i64)> {
    verification::campaigns::samples(&app.db, campaign).await.unwrap()
}

#[tokio::test]
async fn the_same_seed_draws_the_same_sample_in_proportion_to_verifiers_of_other_institutions() {
    let app = TestApp::demo().await;
    let big = biggest(&app, 4).await;
    let ((a, a_code, _, a_n), (b, b_code, _, b_n), (_, c_code, _, _)) =
        (big[0].clone(), big[1].clone(), big[2].clone());
    record(&app, a, "10", a_n / 2).await;
    record(&app, b, "11", b_n / 3).await;
    record(&app, b, "701", 2).await;
    let finding = finding_at(&app, a).await;
    let verifiers: Vec<(i64, String)> =
        vec![staff_of(&app, &a_code).await, staff_of(&app, &b_code).await, staff_of(&app, &c_code).await];
    let mut admin = app.login("admin").await;

    // Before launch the page shows each institution's population and sample, by hand.
    let (a_s, b_s) = (a.to_string(), b.to_string());
    let preview = admin
        .post(
            "/verification/campaigns",
            &[("name", "预览"), ("margin", "20"), ("confidence", "95"), ("expected", "0.5"), ("seed", "1")]
                .into_iter()
                .chain([("institutions", b_s.as_str()), ("top_k", "1"), ("step", "preview")])
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains(&format!("<td class=\"size\">{}</td>", by_hand(a_n, 20.0))), "{}", preview.body);
    assert!(preview.body.contains(&format!("<td class=\"size\">{}</td>", by_hand(b_n, 20.0))));
    assert!(preview.body.contains("落实率靠前"), "A has the highest rate: top 1");
    assert_eq!(app.count("SELECT COUNT(*) FROM verification_campaigns").await, 0);

    let vs: Vec<String> = verifiers.iter().map(|(id, _)| id.to_string()).collect();
    let extra: Vec<(&str, &str)> = vec![
        ("signaled", a_s.as_str()),
        ("institutions", b_s.as_str()),
        ("verifiers", vs[0].as_str()),
        ("verifiers", vs[1].as_str()),
        ("verifiers", vs[2].as_str()),
    ];
    // ±20 points keeps the samples below the small demo's populations.
    let first = launch(&mut admin, &app, "20220831", "20", &extra).await;
    let again = launch(&mut admin, &app, "20220831", "20", &extra).await;
    let other = launch(&mut admin, &app, "7", "20", &extra).await;
    let (one, two, three) = (sample_of(&app, first).await, sample_of(&app, again).await, sample_of(&app, other).await);
    let graduates = |s: &[(i64, i64, String, i64)]| s.iter().map(|r| r.0).collect::<Vec<_>>();
    assert_eq!(graduates(&one), graduates(&two), "the same seed draws the same sample");
    assert!(by_hand(a_n, 20.0) < a_n, "a sample, not everyone");
    assert_ne!(graduates(&one), graduates(&three), "another seed, another sample");

    // Sizes by hand, and each stratum in proportion (largest remainder: floor or ceiling of its share).
    for (institution, population) in [(a, a_n), (b, b_n)] {
        let n = by_hand(population, 20.0);
        let of: Vec<&(i64, i64, String, i64)> = one.iter().filter(|r| r.1 == institution).collect();
        assert_eq!(of.len() as i64, n, "institution {institution}");
        let strata = verification::campaigns::strata(&app.db, first).await.unwrap();
        let mut drawn: BTreeMap<String, i64> = BTreeMap::new();
        of.iter().for_each(|r| *drawn.entry(r.2.clone()).or_default() += 1);
        for (_, s) in strata.iter().filter(|(i, _)| *i == institution) {
            let exact = s.population as f64 * n as f64 / population as f64;
            let got = drawn.get(&s.code).copied().unwrap_or(0);
            assert!(
                got == exact.floor() as i64 || got == exact.ceil() as i64,
                "stratum {:?}: {got} of {exact}",
                s.code
            );
            assert_eq!(got as u64, s.size);
        }
    }

    // Nobody checks its own institution; loads differ by at most one.
    let home: HashMap<i64, i64> = [(verifiers[0].0, a), (verifiers[1].0, b), (verifiers[2].0, big[2].0)].into();
    let mut load: HashMap<i64, i64> = HashMap::new();
    for (_, institution, _, verifier) in &one {
        assert_ne!(home[verifier], *institution, "a verifier got its own institution's record");
        *load.entry(*verifier).or_default() += 1;
    }
    assert_eq!(load.len(), 3);
    assert!(load.values().max().unwrap() - load.values().min().unwrap() <= 1, "{load:?}");

    // The finding of A was taken into the first campaign, audited; the findings page still reads.
    let status = app.db.fetch_one("SELECT status FROM verification_findings WHERE id = $1", &[finding.into()]).await;
    assert_eq!(status.unwrap().text("status").unwrap(), "taken");
    let audited = format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'verification_finding' AND action = 'take' AND entity_id = '{finding}'");
    assert_eq!(app.count(&audited).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE entity = 'verification_campaign'").await, 3);
    assert!(admin.get(&format!("/verification/findings/{finding}")).await.body.contains("已纳入核查"));

    // Bad input answers the form with its errors; a verifier only of the sampled institution cannot check it.
    let bad = admin.post("/verification/campaigns", &[("name", ""), ("margin", "80"), ("step", "launch")]).await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("误差范围须在") && bad.body.contains("请填写名称"), "{}", bad.body);
    let own_only = admin
        .post(
            "/verification/campaigns",
            &[
                ("name", "只有本校人员"),
                ("margin", "5"),
                ("confidence", "95"),
                ("expected", "0.5"),
                ("seed", "1"),
                ("institutions", a_s.as_str()),
                ("verifiers", vs[0].as_str()),
                ("step", "launch"),
            ],
        )
        .await;
    assert_eq!(own_only.status, StatusCode::OK);
    assert!(own_only.body.contains("核查人员不能核查本校记录"), "{}", own_only.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM verification_campaigns").await, 3);
}

/// A campaign over the two biggest institutions, checked by the staff of the third and fourth.
struct Fixture {
    campaign: i64,
    a: (i64, String, String, i64),
    b: (i64, String, String, i64),
    /// (account, username) of the two verifiers.
    verifiers: Vec<(i64, String)>,
    /// Half the graduates of A, recorded as signed (10).
    signed: Vec<i64>,
}

async fn fixture(app: &TestApp) -> Fixture {
    let big = biggest(app, 4).await;
    let (a, b) = (big[0].clone(), big[1].clone());
    let signed = record(app, a.0, "10", a.3 / 2).await;
    let verifiers = vec![staff_of(app, &big[2].1).await, staff_of(app, &big[3].1).await];
    let (a_s, b_s) = (a.0.to_string(), b.0.to_string());
    let vs: Vec<String> = verifiers.iter().map(|(id, _)| id.to_string()).collect();
    let mut admin = app.login("admin").await;
    let extra =
        [("institutions", a_s.as_str()), ("institutions", b_s.as_str()), ("verifiers", &vs[0]), ("verifiers", &vs[1])];
    let campaign = launch(&mut admin, app, "42", "5", &extra).await;
    Fixture { campaign, a, b, verifiers, signed }
}

/// The verifier's username of a sampled record.
async fn verifier_of(app: &TestApp, sample: i64) -> String {
    let row = app
        .db
        .fetch_one(
            "SELECT a.username FROM verification_samples s JOIN accounts a ON a.id = s.verifier_id WHERE s.id = $1",
            &[sample.into()],
        )
        .await
        .unwrap();
    row.text("username").unwrap()
}

async fn call(app: &TestApp, sample: i64, fields: &[(&str, &str)]) -> crate::support::Reply {
    let mut v = app.login(&verifier_of(app, sample).await).await;
    v.post_file(&format!("/verification/tasks/{sample}"), fields, "", Vec::new()).await
}

#[tokio::test]
async fn a_verifier_works_only_its_own_records_and_a_university_reads_only_its_row() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let (v1, v1_name) = f.verifiers[0].clone();
    let mine = app.id(&format!("SELECT MIN(id) FROM verification_samples WHERE verifier_id = {v1}")).await;
    let theirs = app.id(&format!("SELECT MIN(id) FROM verification_samples WHERE verifier_id <> {v1}")).await;
    let mut me = app.login(&v1_name).await;
    let queue = me.get("/verification/tasks").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("href=\"/verification/tasks\""), "the queue is in the staff's navigation");
    let g = app
        .db
        .fetch_one(
            "SELECT g.name, g.id_number, g.phone FROM verification_samples s JOIN graduates g ON g.id = s.graduate_id WHERE s.id = $1",
            &[mine.into()],
        )
        .await
        .unwrap();
    let (name, id_number) = (g.text("name").unwrap(), g.text("id_number").unwrap());
    assert!(queue.body.contains(&name), "the first record is shown");
    assert!(!queue.body.contains(&id_number) && queue.body.contains(&kernel::mask::id_number(&id_number)), "ID masked");
    if let Some(phone) = g.opt_text("phone").unwrap() {
        assert!(queue.body.contains(&phone), "the phone whole: a call needs it");
    }
    assert_eq!(me.get(&format!("/verification/tasks/{theirs}")).await.status, StatusCode::NOT_FOUND);
    let tried =
        me.post_file(&format!("/verification/tasks/{theirs}"), &[("outcome", "confirmed")], "", Vec::new()).await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM verification_samples WHERE outcome IS NOT NULL").await, 0);

    // Refused input is answered beside the form; a good call is kept, audited, and the next one shown.
    let empty = me.post_file(&format!("/verification/tasks/{mine}"), &[("outcome", "")], "", Vec::new()).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("请选择核查结果"), "{}", empty.body);
    let no_category =
        me.post_file(&format!("/verification/tasks/{mine}"), &[("outcome", "different")], "", Vec::new()).await;
    assert!(no_category.body.contains("请选择核实到的去向类别"));
    let pdf = b"%PDF-1.4\n% call\nstartxref\n0\n%%EOF\n".to_vec();
    let saved = me
        .post_file(
            &format!("/verification/tasks/{mine}"),
            &[("outcome", "different"), ("found_category", "701"), ("note", "本人称仍在求职")],
            "通话记录.pdf",
            pdf,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let kept = format!("SELECT COUNT(*) FROM verification_samples WHERE id = {mine} AND outcome = 'different' AND found_category = '701' AND file_sha256 IS NOT NULL");
    assert_eq!(app.count(&kept).await, 1);
    let audited = format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'verification_sample' AND action = 'check' AND entity_id = '{mine}'");
    assert_eq!(app.count(&audited).await, 1);
    assert_eq!(me.get(&format!("/verification/tasks/{mine}/document")).await.status, StatusCode::OK);
    let mut other = app.login(&f.verifiers[1].1).await;
    assert_eq!(other.get(&format!("/verification/tasks/{mine}/document")).await.status, StatusCode::NOT_FOUND);

    // A university reads its own row only; one not sampled gets nothing; a graduate is refused.
    let results = format!("/verification/campaigns/{}/results", f.campaign);
    let mut a_staff = app.login(&format!("staff{}", f.a.1)).await;
    let own = a_staff.get(&results).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains(&f.a.2) && !own.body.contains(&f.b.2), "only its own row");
    assert!(a_staff.get("/verification/campaigns").await.body.contains("2022届核查抽样"));
    assert_eq!(app.login(&v1_name).await.get(&results).await.status, StatusCode::NOT_FOUND, "not sampled");
    assert_eq!(app.login("graduate").await.get(&results).await.status, StatusCode::FORBIDDEN);
    let mut admin = app.login("admin").await;
    let all = admin.get(&results).await.body;
    assert!(all.contains(&f.a.2) && all.contains(&f.b.2));

    // Closed: the queue empties and no call can be recorded.
    admin.post(&format!("/verification/campaigns/{}/close", f.campaign), &[]).await;
    assert!(me.get("/verification/tasks").await.body.contains("没有待核查的记录"));
    let late = me.post_file(&format!("/verification/tasks/{mine}"), &[("outcome", "confirmed")], "", Vec::new()).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_results_corrected_rate_equals_a_hand_computation() {
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let (a, population) = (f.a.0, f.a.3);
    let samples = app
        .db
        .fetch_all(
            "SELECT id, stratum FROM verification_samples WHERE campaign_id = $1 AND institution_id = $2 ORDER BY id",
            &[f.campaign.into(), a.into()],
        )
        .await
        .unwrap();
    let of = |stratum: &str| -> Vec<i64> {
        samples.iter().filter(|r| r.text("stratum").unwrap() == stratum).map(|r| r.i64("id").unwrap()).collect()
    };
    let (signed, none) = (of("10"), of(""));
    assert!(signed.len() >= 3 && none.len() >= 3, "{} {}", signed.len(), none.len());
    // Signed: two confirmed, one found job hunting (701, not placed), one unreachable.
    call(&app, signed[0], &[("outcome", "confirmed")]).await;
    call(&app, signed[1], &[("outcome", "confirmed")]).await;
    call(&app, signed[2], &[("outcome", "different"), ("found_category", "701")]).await;
    if signed.len() > 3 {
        call(&app, signed[3], &[("outcome", "unreachable")]).await;
    }
    // Nothing recorded: one found signed (10), one confirmed as not placed, one refused.
    call(&app, none[0], &[("outcome", "different"), ("found_category", "10"), ("found_employer", "湘潭电机")]).await;
    call(&app, none[1], &[("outcome", "confirmed")]).await;
    call(&app, none[2], &[("outcome", "refused")]).await;

    // By hand: N₁ = 10 signed, 3 reached, 2 placed; N₀ = the rest, 2 reached, 1 placed.
    let (n1, n0) = (f.signed.len() as f64, (population - f.signed.len() as i64) as f64);
    let total = n1 + n0;
    let (p1, p0) = (2.0 / 3.0, 0.5);
    let rate = (n1 * p1 + n0 * p0) / total;
    let variance =
        n1 * n1 * (1.0 - 3.0 / n1) * p1 * (1.0 - p1) / 2.0 + n0 * n0 * (1.0 - 2.0 / n0) * p0 * (1.0 - p0) / 1.0;
    let half = 1.959964 * variance.sqrt() / total;
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    let corrected = format!("{}（{}–{}）", pct(rate), pct((rate - half).max(0.0)), pct((rate + half).min(1.0)));
    // Confirmed share 3 of 5 with Wilson at 95 %: centre and half-width by hand.
    let (z, n, p) = (1.959964_f64, 5.0_f64, 0.6_f64);
    let d = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / d;
    let w = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    let confirmed = format!("{}（{}–{}）", pct(p), pct(centre - w), pct(centre + w));
    let reported = pct(n1 / total);

    let mut admin = app.login("admin").await;
    let page = admin.get(&format!("/verification/campaigns/{}/results", f.campaign)).await.body;
    let row = page.split("<tr>").find(|r| r.contains(&f.a.2) && r.contains("<td>")).expect("A's row").to_owned();
    assert!(row.contains(&corrected), "corrected {corrected} in {row}");
    assert!(row.contains(&confirmed), "confirmed {confirmed} in {row}");
    assert!(row.contains(&reported), "reported {reported} in {row}");
    let sampled = app
        .count(&format!(
            "SELECT COUNT(*) FROM verification_samples WHERE campaign_id = {} AND institution_id = {a}",
            f.campaign
        ))
        .await;
    let reached_cells = format!("<td>{sampled}</td><td>5</td><td>3</td>");
    assert!(row.contains(&reached_cells), "sampled, reached, confirmed in {row}");

    // A correction since launch counts for the institution.
    let mut staff = app.login(&format!("staff{}", f.a.1)).await;
    let graduate = f.signed[0];
    let saved = staff
        .post(
            &format!("/outcomes/graduates/{graduate}/destination"),
            &[("category_code", "701"), ("correction", "核查抽样：电话核实，尚在求职")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = admin.get(&format!("/verification/campaigns/{}/results", f.campaign)).await.body;
    let row = page.split("<tr>").find(|r| r.contains(&f.a.2) && r.contains("<td>")).expect("A's row").to_owned();
    assert!(row.contains("<td>1</td></tr>"), "one correction: {row}");

    // The export and the print page carry the same table.
    let xlsx = admin.get(&format!("/verification/campaigns/{}/results?format=xlsx", f.campaign)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "an xlsx file");
    let print = admin.get(&format!("/verification/campaigns/{}/print", f.campaign)).await.body;
    assert!(print.contains(&corrected) && !print.contains("results-xlsx"));
}

#[tokio::test]
async fn a_verifier_works_through_its_queue_on_a_phone_and_the_results_move() {
    use crate::browser::{click, fits_the_screen, log_in, log_out, pick, serve, start_browser, text};
    let Some((_driver, c)) = start_browser().await else { return };
    let app = TestApp::demo().await;
    let f = fixture(&app).await;
    let (v1, v1_name) = f.verifiers[0].clone();
    let assigned = app.count(&format!("SELECT COUNT(*) FROM verification_samples WHERE verifier_id = {v1}")).await;
    let base = serve(&app).await;
    let results = format!("{base}/verification/campaigns/{}/results", f.campaign);

    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&results).await.expect("results");
    let before = text(&c, "#results").await;
    log_out(&c).await;

    c.set_window_size(390, 844).await.expect("phone-sized window");
    log_in(&c, &base, &v1_name, crate::support::PASSWORD).await;
    c.goto(&format!("{base}/verification/tasks")).await.expect("the queue");
    assert!(text(&c, "#tasks-left").await.contains(&format!("{assigned} / {assigned}")));
    fits_the_screen(&c, "the verifier's queue").await;
    pick(&c, "#outcome-confirmed").await;
    click(&c, "#save-call").await;
    assert!(text(&c, ".flash").await.contains("已保存"));
    assert!(text(&c, "#tasks-left").await.contains(&format!("{} / {assigned}", assigned - 1)));
    pick(&c, "#outcome-different").await;
    pick(&c, "#found_category option[value='701']").await;
    click(&c, "#save-call").await;
    assert!(text(&c, ".flash").await.contains("已保存"));
    assert!(text(&c, "#queue").await.contains("去向不符"));
    log_out(&c).await;

    c.set_window_size(1280, 900).await.expect("desktop window");
    log_in(&c, &base, "admin", crate::support::PASSWORD).await;
    c.goto(&results).await.expect("results");
    let after = text(&c, "#results").await;
    assert_ne!(before, after, "the figures moved");
    let reached: i64 = app
        .count(&format!(
            "SELECT COUNT(*) FROM verification_samples WHERE campaign_id = {} AND outcome IS NOT NULL",
            f.campaign
        ))
        .await;
    assert_eq!(reached, 2);
    c.close().await.ok();
}
