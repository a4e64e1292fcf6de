//! Demo notices (issue 15, part 4): the 2022 calls' outcomes, their public
//! notices (公示) over the working-day calendar, one named objection handled,
//! a school's own notice, the published results, a few follow-up records and
//! the "1+N" incubation base alliance with mentor studios.

use std::collections::HashMap;

use chrono::NaiveDate;
use kernel::audit::AuditActor;
use kernel::calendar::{self, Calendar};
use kernel::Tx;
use programmes::calls::rules as call_rules;
use programmes::followup::{rules as follow_rules, store as follow};
use programmes::notices::rules::{NewNotice, NewObjection, DISMISSED};
use programmes::notices::store;

use super::DemoError;

/// The province's office receiving objections.
const OFFICE: &str = "湖南省教育厅学生处（长沙市韶山北路 1 号），电话 0731-84714000";

fn day(s: &str) -> NaiveDate {
    kernel::validate::parse_date(s).unwrap_or_default()
}

fn notice(title: String, starts: &str, days: u32, cal: &Calendar, show_scores: bool) -> NewNotice {
    let starts_on = day(starts);
    NewNotice {
        title,
        body: "经专家评审，现将拟立项名单予以公示。公示期内如有异议，请以书面形式实名向受理单位提出，并提供联系方式和必要的证据材料；匿名异议不予受理。".into(),
        office: OFFICE.into(),
        starts_on,
        working_days: days,
        ends_on: cal.notice_end(starts_on, days),
        show_scores,
    }
}

/// (notices, objections, follow-up records, alliance bases).
/// `scores`: the review's final score of each application it ranked.
pub async fn generate(tx: &mut Tx, scores: &HashMap<i64, f64>) -> Result<(usize, usize, usize, usize), DemoError> {
    let who = AuditActor::system("demo");
    let cal = calendar::load_in(tx).await?;
    let calls = tx
        .fetch_all(
            "SELECT id, title, notice_on, type_code FROM programme_calls WHERE year = 2022 AND status = $1 ORDER BY id",
            &[call_rules::CLOSED.into()],
        )
        .await?;
    let (mut notices, mut objections, mut records, mut bases) = (0, 0, 0, 0);
    let mut funded_by_type: Vec<(String, Vec<i64>)> = Vec::new();
    for (n, c) in calls.iter().enumerate() {
        let call = c.i64("id")?;
        let title = c.text("title")?;
        // The review's decision where the demo's review gave none: recommended applications
        // approved, the other submitted ones not.
        let apps = tx
            .fetch_all(
                "SELECT id, status, institution_id, outcome FROM programme_applications WHERE call_id = $1 ORDER BY id",
                &[call.into()],
            )
            .await?;
        for a in &apps {
            if a.opt_text("outcome")?.is_some() {
                continue;
            }
            let outcome = match a.text("status")?.as_str() {
                call_rules::RECOMMENDED => "approved",
                call_rules::SUBMITTED => "rejected",
                _ => continue,
            };
            store::set_outcome(tx, &who, a.i64("id")?, Some(outcome)).await?;
        }
        // The first call's school of the demo staff (湘潭大学, else the first) published its own notice before recommending.
        if n == 0 {
            let xtu = tx.fetch_optional("SELECT id FROM institutions WHERE code = '10530'", &[]).await?;
            let xtu = match xtu {
                Some(r) => Some(r.i64("id")?),
                None => None,
            };
            let mut schools = Vec::new();
            for a in &apps {
                schools.push(a.i64("institution_id")?);
            }
            let school = schools.iter().copied().find(|i| Some(*i) == xtu).or(schools.first().copied());
            if let Some(school) = school {
                let list = store::proposed_tx(tx, call, Some(school)).await?;
                let name = list.first().map(|x| x.2.clone()).unwrap_or_default();
                let mut school_notice =
                    notice(format!("{name}关于{title}校内推荐名单的公示"), "2022-07-08", 5, &cal, false);
                school_notice.office = format!("{name}就业指导中心");
                let id =
                    store::create_notice(tx, &who, call, Some(school), &school_notice, &list, &HashMap::new()).await?;
                let nn = store::notice_tx(tx, id).await?;
                store::publish_result(tx, &who, &nn).await?;
                notices += 1;
            }
        }
        let list = store::proposed_tx(tx, call, None).await?;
        let id = store::create_notice(
            tx,
            &who,
            call,
            None,
            &notice(format!("关于{title}拟立项名单的公示"), &c.text("notice_on")?, 5, &cal, n == 1),
            &list,
            scores,
        )
        .await?;
        let nn = store::notice_tx(tx, id).await?;
        notices += 1;
        // One named objection on the first notice, looked into and dismissed.
        if n == 0 {
            let item = tx
                .fetch_one("SELECT MIN(id) AS id FROM programme_notice_items WHERE notice_id = $1", &[id.into()])
                .await?
                .i64("id")?;
            let o = NewObjection {
                item,
                name: "赵明远".into(),
                phone: "13907310123".into(),
                email: "zhaomy@example.com".into(),
                reasons: "该项目负责人此前主持的课题似未结题，请核实其申报资格。".into(),
            };
            let oid = store::file_objection(tx, &who, &nn, &o, None).await?;
            let obj = store::objection_tx(tx, oid).await?;
            let reply =
                "经核实，负责人此前主持的课题已于2021年12月通过结题验收，符合申报条件，异议不成立。已电话答复异议人。";
            store::handle_objection(
                tx,
                &who,
                &nn,
                &obj,
                DISMISSED,
                reply,
                nn.ends() + chrono::Duration::days(1),
                false,
            )
            .await?;
            objections += 1;
        }
        store::publish_result(tx, &who, &nn).await?;
        funded_by_type.push((c.text("type_code")?, list.iter().map(|x| x.0).collect()));
    }
    // Follow-up: research projects checked mid-term, one completed, graded; contest projects tracked.
    for (type_code, funded) in &funded_by_type {
        for (k, id) in funded.iter().enumerate() {
            let Some(a) = follow::funded_tx(tx, *id).await? else { continue };
            let record = |kind: &'static str, on: &str, year: Option<i64>, verdict: &str| follow_rules::NewFollowup {
                kind,
                on_date: day(on),
                year,
                verdict: verdict.into(),
                remarks: String::new(),
                base: String::new(),
                funding_yuan: None,
                jobs: None,
            };
            let mut list = Vec::new();
            match type_code.as_str() {
                "02" if k < 3 => {
                    list.push(record(
                        follow_rules::MIDTERM,
                        "2023-03-15",
                        None,
                        if k == 2 { "improve" } else { "pass" },
                    ));
                    list.push(record(
                        follow_rules::GRADING,
                        "2023-01-10",
                        Some(2022),
                        if k == 2 { "fail" } else { "good" },
                    ));
                    if k == 0 {
                        list.push(record(follow_rules::COMPLETION, "2023-10-20", None, "pass"));
                    }
                }
                "07" if k < 3 => {
                    let mut t = record(follow_rules::TRACKING, "2023-06-30", None, "");
                    t.base = "湘江新区大学生创业孵化基地".into();
                    t.funding_yuan = Some(200_000 * (k as i64 + 1));
                    t.jobs = Some(6 + 4 * k as i64);
                    t.remarks = "赛后入驻孵化，完成天使轮融资。".into();
                    list.push(t);
                }
                _ => {}
            }
            for r in &list {
                follow::add(tx, &who, &a, r).await?;
                records += 1;
            }
        }
    }
    // The "1+N" alliance: the provincial lead base, and the selected bases as members with contest projects.
    let lead = follow::NewBase {
        name: "湖南省大学生创业孵化示范基地（省级牵头基地）".into(),
        institution_id: None,
        lead: true,
        application_id: None,
        designated_on: day("2022-07-15"),
    };
    let lead_id = follow::add_base(tx, &who, &lead).await?;
    bases += 1;
    let selected = funded_by_type.iter().find(|(t, _)| t == "04").map(|(_, v)| v.clone()).unwrap_or_default();
    let contest = funded_by_type.iter().find(|(t, _)| t == "07").map(|(_, v)| v.clone()).unwrap_or_default();
    let mut member_ids = vec![lead_id];
    for id in &selected {
        let r = tx
            .fetch_one(
                "SELECT a.title, a.institution_id, i.name FROM programme_applications a \
                 JOIN institutions i ON i.id = a.institution_id WHERE a.id = $1",
                &[(*id).into()],
            )
            .await?;
        let base = follow::NewBase {
            name: format!("{}大学生创业孵化基地", r.text("name")?),
            institution_id: Some(r.i64("institution_id")?),
            lead: false,
            application_id: Some(*id),
            designated_on: day("2022-07-15"),
        };
        member_ids.push(follow::add_base(tx, &who, &base).await?);
        bases += 1;
    }
    for (k, id) in contest.iter().enumerate() {
        let title = tx
            .fetch_one("SELECT title FROM programme_applications WHERE id = $1", &[(*id).into()])
            .await?
            .text("title")?;
        let base = member_ids[k % member_ids.len()];
        follow::add_project(tx, &who, base, &title, Some(*id), day("2022-10-01")).await?;
    }
    let studios = tx.fetch_all("SELECT id, name FROM institutions ORDER BY code LIMIT 2", &[]).await?;
    for (k, (r, leader)) in studios.iter().zip(["刘建华", "王丽娟"]).enumerate() {
        let s = follow::NewStudio {
            name: format!("{}就业创业名师工作室", r.text("name")?),
            leader_name: leader.into(),
            institution_id: r.i64("id")?,
            application_id: None,
            funding_yuan: 100_000 + 50_000 * k as i64,
            established_on: day("2022-09-01"),
        };
        follow::add_studio(tx, &who, &s).await?;
    }
    Ok((notices, objections, records, bases))
}
