//! The pure rules of calls and applications: a call's configuration read from
//! its form (fields, rubric, quotas, dates), who may apply, how many an
//! institution may recommend, and the eligibility rules checked when an
//! application is submitted. Every refusal is a sentence in the reader's
//! language. No I/O here.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use kernel::Locale;
use serde::{Deserialize, Serialize};

pub const DRAFT: &str = "draft";
pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";
pub const SUBMITTED: &str = "submitted";
pub const WITHDRAWN: &str = "withdrawn";
pub const RECOMMENDED: &str = "recommended";

/// A call's status in the reader's language.
pub fn call_status(status: &str, l: Locale) -> &'static str {
    match status {
        OPEN => l.pick("申报中", "Open"),
        CLOSED => l.pick("已截止", "Closed"),
        _ => l.pick("草稿", "Draft"),
    }
}

/// An application's status in the reader's language.
pub fn application_status(status: &str, l: Locale) -> &'static str {
    match status {
        SUBMITTED => l.pick("已提交", "Submitted"),
        WITHDRAWN => l.pick("已撤回", "Withdrawn"),
        RECOMMENDED => l.pick("学校已推荐", "Recommended"),
        _ => l.pick("草稿", "Draft"),
    }
}

/// The default flow of a call type's group (the `call_type` code's parent):
/// competitions have a school round then a province round; the rest are
/// recommended by the school and reviewed by the province.
pub fn default_rounds(group: &str) -> &'static str {
    match group {
        "competition" => "school,province",
        _ => "recommend,province",
    }
}

/// A round's name.
pub fn round_name(round: &str, l: Locale) -> &'static str {
    match round {
        "school" => l.pick("校赛", "School round"),
        "recommend" => l.pick("学校推荐", "School recommendation"),
        "province" => l.pick("省级评审", "Province review"),
        _ => l.pick("其他", "Other"),
    }
}

// ---------------------------------------------------------------- form fields

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Long,
    Number,
    Date,
    Choice,
    File,
}

impl Kind {
    pub const ALL: [Kind; 6] = [Kind::Text, Kind::Long, Kind::Number, Kind::Date, Kind::Choice, Kind::File];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Long => "long",
            Kind::Number => "number",
            Kind::Date => "date",
            Kind::Choice => "choice",
            Kind::File => "file",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Kind::Text => "文本",
            Kind::Long => "长文本",
            Kind::Number => "数字",
            Kind::Date => "日期",
            Kind::Choice => "选择",
            Kind::File => "附件",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim();
        Kind::ALL.into_iter().find(|k| k.key().eq_ignore_ascii_case(s) || k.zh() == s)
    }
}

/// A configured field of an application form.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub label_zh: String,
    pub label_en: String,
    pub kind: Kind,
    pub required: bool,
    pub choices: Vec<String>,
}

fn cells(line: &str) -> Vec<String> {
    line.split(['|', '｜']).map(|c| c.trim().to_owned()).collect()
}

fn line_error(l: Locale, n: usize, zh: &str, en: &str) -> String {
    match l {
        Locale::Zh => format!("第 {n} 行：{zh}"),
        Locale::En => format!("Line {n}: {en}"),
    }
}

/// The form's fields, one a line: `标签 | Label | kind | 必填 or 选填 | choice/choice`.
/// kind: 文本 (text), 长文本 (long), 数字 (number), 日期 (date), 选择 (choice), 附件 (file).
pub fn parse_fields(text: &str, l: Locale) -> Result<Vec<FieldSpec>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let n = i + 1;
        let c = cells(line);
        let label_zh = c.first().cloned().unwrap_or_default();
        if label_zh.is_empty() {
            return Err(line_error(l, n, "缺少字段名称。", "the field has no name."));
        }
        let label_en = c.get(1).filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| label_zh.clone());
        let kind = match c.get(2).map(String::as_str).unwrap_or("text") {
            "" => Kind::Text,
            k => Kind::parse(k).ok_or_else(|| {
                line_error(
                    l,
                    n,
                    "类型应为 文本、长文本、数字、日期、选择 或 附件。",
                    "the kind must be text, long, number, date, choice or file.",
                )
            })?,
        };
        let required = match c.get(3).map(String::as_str).unwrap_or("") {
            "" | "选填" | "optional" | "否" | "no" => false,
            "必填" | "required" | "是" | "yes" => true,
            _ => {
                return Err(line_error(
                    l,
                    n,
                    "第四栏应为 必填 或 选填。",
                    "the fourth cell must be required or optional.",
                ))
            }
        };
        let choices: Vec<String> = c
            .get(4)
            .map(|s| s.split(['/', '、']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        if kind == Kind::Choice && choices.len() < 2 {
            return Err(line_error(
                l,
                n,
                "选择题至少要有两个选项（用 / 分隔）。",
                "a choice needs at least two options (separated by /).",
            ));
        }
        out.push(FieldSpec { label_zh, label_en, kind, required, choices });
    }
    Ok(out)
}

/// The fields written back as the configuration text.
pub fn fields_text(fields: &[FieldSpec]) -> String {
    fields
        .iter()
        .map(|f| {
            format!(
                "{} | {} | {} | {} | {}",
                f.label_zh,
                f.label_en,
                f.kind.zh(),
                if f.required { "必填" } else { "选填" },
                f.choices.join("/")
            )
            .trim_end_matches([' ', '|'])
            .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------- rubric

/// A scoring dimension: its weight (percent of the total) and the points a reviewer gives out of.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub name_zh: String,
    pub name_en: String,
    pub weight: i64,
    pub points: i64,
    pub track: String,
}

/// The rubric, one dimension a line: `名称 | Name | weight | points | track`.
/// The weights of each track (with the dimensions of every track) add up to 100.
pub fn parse_rubric(text: &str, l: Locale) -> Result<Vec<Dimension>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let n = i + 1;
        let c = cells(line);
        let name_zh = c.first().cloned().unwrap_or_default();
        if name_zh.is_empty() {
            return Err(line_error(l, n, "缺少评分维度名称。", "the dimension has no name."));
        }
        let name_en = c.get(1).filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| name_zh.clone());
        let number = |i: usize| c.get(i).and_then(|s| s.parse::<i64>().ok());
        let weight = number(2).filter(|w| (1..=100).contains(w)).ok_or_else(|| {
            line_error(l, n, "权重应为 1 到 100 的整数。", "the weight must be a whole number from 1 to 100.")
        })?;
        let points = number(3).filter(|p| (1..=1000).contains(p)).ok_or_else(|| {
            line_error(l, n, "分值应为 1 到 1000 的整数。", "the points must be a whole number from 1 to 1000.")
        })?;
        let track = c.get(4).cloned().unwrap_or_default();
        out.push(Dimension { name_zh, name_en, weight, points, track });
    }
    let mut tracks: Vec<&str> = out.iter().map(|d| d.track.as_str()).filter(|t| !t.is_empty()).collect();
    tracks.sort_unstable();
    tracks.dedup();
    if tracks.is_empty() {
        tracks.push("");
    }
    for track in tracks {
        let sum: i64 = out.iter().filter(|d| d.track.is_empty() || d.track == track).map(|d| d.weight).sum();
        if !out.is_empty() && sum != 100 {
            return Err(match (l, track) {
                (Locale::Zh, "") => format!("评分维度的权重合计应为 100，现为 {sum}。"),
                (Locale::Zh, t) => format!("赛道“{t}”的权重合计应为 100，现为 {sum}。"),
                (Locale::En, "") => format!("The weights must add up to 100; they add up to {sum}."),
                (Locale::En, t) => format!("The weights of track “{t}” must add up to 100; they add up to {sum}."),
            });
        }
    }
    Ok(out)
}

pub fn rubric_text(rubric: &[Dimension]) -> String {
    rubric
        .iter()
        .map(|d| {
            format!("{} | {} | {} | {} | {}", d.name_zh, d.name_en, d.weight, d.points, d.track)
                .trim_end_matches([' ', '|'])
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The tracks of a rubric (empty when it has none).
pub fn tracks(rubric: &[Dimension]) -> Vec<String> {
    let mut t: Vec<String> = rubric.iter().map(|d| d.track.clone()).filter(|t| !t.is_empty()).collect();
    t.sort();
    t.dedup();
    t
}

// ---------------------------------------------------------------- eligibility rules

/// A call's eligibility rules, kept as JSON with the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    /// A leader (by ID number) may have one live application at a time.
    pub one_live_per_leader: bool,
    /// An approved project not yet finished blocks its leader's new one.
    pub block_unfinished: bool,
    /// Team size, the leader included; 0 for no limit.
    pub team_min: u32,
    pub team_max: u32,
    /// At least `young_percent` % of the team under `young_age` at the call's opening; 0 for no quota.
    pub young_age: u32,
    pub young_percent: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            one_live_per_leader: true,
            block_unfinished: true,
            team_min: 1,
            team_max: 0,
            young_age: 0,
            young_percent: 0,
        }
    }
}

/// What the database knows about a leader, for the rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Another application of the leader is submitted or recommended in a call not closed.
    pub live_elsewhere: bool,
    /// An approved project of the leader is not finished.
    pub unfinished: bool,
    /// The leader is banned until this date.
    pub banned_until: Option<NaiveDate>,
}

/// Full years of age on a date.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// Whether at least `percent` % of the ages are under `under` (integer arithmetic, no rounding).
pub fn young_share_met(ages: &[u32], under: u32, percent: u32) -> bool {
    if percent == 0 {
        return true;
    }
    if ages.is_empty() {
        return false;
    }
    let young = ages.iter().filter(|a| **a < under).count() as u64;
    young * 100 >= u64::from(percent) * ages.len() as u64
}

/// The refusals of an application at submission: the team's birth dates (leader first), the leader's history,
/// the date the rules are read at (the call's opening). Empty when it may be submitted.
pub fn check_submission(rules: &Rules, team: &[NaiveDate], history: &History, on: NaiveDate, l: Locale) -> Vec<String> {
    let mut out = Vec::new();
    if rules.one_live_per_leader && history.live_elsewhere {
        out.push(
            l.pick(
                "负责人已有一个在申报中的项目，同一负责人同时只能申报一项。",
                "The leader already has a live application; a leader may have one at a time.",
            )
            .to_owned(),
        );
    }
    if rules.block_unfinished && history.unfinished {
        out.push(
            l.pick(
                "负责人此前立项的项目尚未结项，结项前不能申报新项目。",
                "The leader's earlier project is not finished; no new application before it is.",
            )
            .to_owned(),
        );
    }
    if let Some(until) = history.banned_until.filter(|u| *u >= on) {
        out.push(match l {
            Locale::Zh => format!("负责人因项目被撤销，在 {until} 前不得申报。"),
            Locale::En => format!("The leader's project was revoked; no application before {until}."),
        });
    }
    let size = team.len() as u32;
    if rules.team_min > 0 && size < rules.team_min {
        out.push(match l {
            Locale::Zh => format!("团队至少 {} 人（含负责人），现有 {size} 人。", rules.team_min),
            Locale::En => {
                format!("The team needs at least {} people (leader included); it has {size}.", rules.team_min)
            }
        });
    }
    if rules.team_max > 0 && size > rules.team_max {
        out.push(match l {
            Locale::Zh => format!("团队至多 {} 人（含负责人），现有 {size} 人。", rules.team_max),
            Locale::En => {
                format!("The team may have at most {} people (leader included); it has {size}.", rules.team_max)
            }
        });
    }
    if rules.young_age > 0 && rules.young_percent > 0 {
        let ages: Vec<u32> = team.iter().map(|b| age_on(*b, on)).collect();
        if !young_share_met(&ages, rules.young_age, rules.young_percent) {
            let young = ages.iter().filter(|a| **a < rules.young_age).count();
            out.push(match l {
                Locale::Zh => format!(
                    "团队中 {} 岁以下成员应不少于 {}%，现有 {young}/{} 人。",
                    rules.young_age,
                    rules.young_percent,
                    ages.len()
                ),
                Locale::En => format!(
                    "At least {}% of the team must be under {}; {young} of {} are.",
                    rules.young_percent,
                    rules.young_age,
                    ages.len()
                ),
            });
        }
    }
    out
}

// ---------------------------------------------------------------- people

/// A team member as entered: name and a valid ID number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub id_number: String,
}

/// An ID number checked with the kernel's validator; its birth date.
pub fn person(name: &str, id_number: &str, who: &str, l: Locale) -> Result<(Person, NaiveDate), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(match l {
            Locale::Zh => format!("请填写{who}姓名。"),
            Locale::En => format!("Enter the {who}'s name."),
        });
    }
    let card = kernel::validate::id_card(id_number, |_| true).map_err(|e| match l {
        Locale::Zh => format!("{who}（{name}）的身份证号{}。", e.message(l)),
        Locale::En => format!("The {who} ({name})'s ID number: {}.", e.message(l)),
    })?;
    Ok((Person { name: name.to_owned(), id_number: card.number }, card.birth_date))
}

/// The members, one a line: `name ID-number` (a space, comma or tab between).
pub fn parse_members(text: &str, l: Locale) -> Result<Vec<(Person, NaiveDate)>, String> {
    let who = l.pick("成员", "member");
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|s| !s.is_empty()) {
        let mut parts = line.rsplitn(2, [' ', '\t', ',', '，', '　']);
        let id = parts.next().unwrap_or("").trim();
        let name = parts.next().unwrap_or("").trim();
        out.push(person(name, id, who, l)?);
    }
    Ok(out)
}

pub fn members_text(members: &[Person]) -> String {
    members.iter().map(|m| format!("{} {}", m.name, m.id_number)).collect::<Vec<_>>().join("\n")
}

// ---------------------------------------------------------------- who applies, how many

/// Whether an institution may apply: its level is among the call's, or it is named.
pub fn eligible(levels: &[String], institutions: &[i64], level: &str, institution: i64) -> bool {
    let level = if level == "专科" { "高职" } else { level };
    levels.iter().any(|v| v == level) || institutions.contains(&institution)
}

/// The institution's quota: its override or the call's default.
pub fn quota_for(default: i64, overrides: &HashMap<i64, i64>, institution: i64) -> i64 {
    overrides.get(&institution).copied().unwrap_or(default)
}

/// Quota overrides, one a line: `institution-code number`; `codes` maps a code to an institution's id.
pub fn parse_quotas(text: &str, codes: &HashMap<String, i64>, l: Locale) -> Result<Vec<(i64, i64)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, s)| !s.trim().is_empty()) {
        let n = i + 1;
        let mut parts = line.split([' ', '\t', ',', '，', '=', ':', '：']).filter(|s| !s.is_empty());
        let code = parts.next().unwrap_or("").trim();
        let id =
            *codes.get(code).ok_or_else(|| line_error(l, n, "没有这个高校代码。", "no institution has this code."))?;
        let quota =
            parts.next().and_then(|s| s.trim().parse::<i64>().ok()).filter(|q| (0..=1000).contains(q)).ok_or_else(
                || line_error(l, n, "名额应为 0 到 1000 的整数。", "the quota must be a whole number from 0 to 1000."),
            )?;
        out.push((id, quota));
    }
    Ok(out)
}

/// Refused when recommending one more would exceed the quota.
pub fn check_recommend(already: i64, quota: i64, l: Locale) -> Result<(), String> {
    if already >= quota {
        return Err(match l {
            Locale::Zh => format!("推荐名额已满：本批次贵校限推荐 {quota} 项，已推荐 {already} 项。"),
            Locale::En => {
                format!(
                    "Quota reached: your institution may recommend {quota} in this call and has recommended {already}."
                )
            }
        });
    }
    Ok(())
}

// ---------------------------------------------------------------- the call's form

/// The call's form as typed.
#[derive(Debug, Clone, Default)]
pub struct CallForm {
    pub title: String,
    pub type_code: String,
    pub year: String,
    pub opens_on: String,
    pub closes_on: String,
    pub review_on: String,
    pub notice_on: String,
    pub levels: Vec<String>,
    pub institutions: Vec<String>,
    pub quota_default: String,
    pub quotas: String,
    pub self_assessment: bool,
    pub fields: String,
    pub rubric: String,
    pub one_live: bool,
    pub block_unfinished: bool,
    pub team_min: String,
    pub team_max: String,
    pub young_age: String,
    pub young_percent: String,
}

/// A call ready to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCall {
    pub title: String,
    pub type_code: String,
    pub year: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub review_on: NaiveDate,
    pub notice_on: NaiveDate,
    pub levels: Vec<String>,
    pub institutions: Vec<i64>,
    pub quota_default: i64,
    pub quotas: Vec<(i64, i64)>,
    pub rounds: String,
    pub self_assessment: bool,
    pub fields: Vec<FieldSpec>,
    pub rubric: Vec<Dimension>,
    pub rules: Rules,
}

pub const LEVELS: [&str; 2] = ["本科", "高职"];

/// Checks the call's form. `types` maps a call type code to its group; `codes` institution codes to ids.
pub fn check_call(
    f: &CallForm,
    types: &HashMap<String, String>,
    codes: &HashMap<String, i64>,
    l: Locale,
) -> Result<NewCall, Vec<String>> {
    let mut errors = Vec::new();
    let mut err = |zh: &str, en: &str| errors.push(l.pick(zh, en).to_owned());
    let title = f.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 100 {
        err("请填写批次名称（不超过 100 字）。", "Enter the call's title (at most 100 characters).");
    }
    let group = types.get(f.type_code.trim());
    if group.is_none() {
        err("请选择批次类型。", "Choose the call's type.");
    }
    let year = f.year.trim().parse::<i64>().ok().filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        err("年度应为四位年份。", "The year must be a four-digit year.");
    }
    let date = |s: &str| kernel::validate::parse_date(s.trim());
    let dates = [date(&f.opens_on), date(&f.closes_on), date(&f.review_on), date(&f.notice_on)];
    if dates.iter().any(Option::is_none) {
        err("请填写开始、截止、评审和公示日期。", "Enter the opening, closing, review and notice dates.");
    } else if dates.windows(2).any(|w| w[0] > w[1]) {
        err("日期应依次为：开始 ≤ 截止 ≤ 评审 ≤ 公示。", "The dates must run: opening ≤ closing ≤ review ≤ notice.");
    }
    let levels: Vec<String> = f.levels.iter().filter(|v| LEVELS.contains(&v.as_str())).cloned().collect();
    let institutions: Vec<i64> = f.institutions.iter().filter_map(|s| s.trim().parse().ok()).collect();
    if levels.is_empty() && institutions.is_empty() {
        err("请选择可申报的高校层次或高校。", "Choose the institution levels or institutions that may apply.");
    }
    let quota_default = f.quota_default.trim().parse::<i64>().ok().filter(|q| (0..=1000).contains(q));
    if quota_default.is_none() {
        err("默认推荐名额应为 0 到 1000 的整数。", "The default quota must be a whole number from 0 to 1000.");
    }
    let quotas = parse_quotas(&f.quotas, codes, l).map_err(|e| errors.push(e)).unwrap_or_default();
    let fields = parse_fields(&f.fields, l).map_err(|e| errors.push(e)).unwrap_or_default();
    let rubric = parse_rubric(&f.rubric, l).map_err(|e| errors.push(e)).unwrap_or_default();
    if f.self_assessment && rubric.is_empty() {
        errors.push(l.pick("要求自查自评时须设置评分细则。", "A self-assessment needs a rubric.").to_owned());
    }
    let small = |s: &str, max: u32| -> Option<u32> {
        let s = s.trim();
        if s.is_empty() {
            Some(0)
        } else {
            s.parse::<u32>().ok().filter(|n| *n <= max)
        }
    };
    let (team_min, team_max, young_age, young_percent) =
        (small(&f.team_min, 100), small(&f.team_max, 100), small(&f.young_age, 100), small(&f.young_percent, 100));
    if team_min.is_none() || team_max.is_none() {
        errors.push(
            l.pick("团队人数应为 0 到 100 的整数。", "Team sizes must be whole numbers from 0 to 100.").to_owned(),
        );
    } else if let (Some(min), Some(max)) = (team_min, team_max) {
        if max > 0 && min > max {
            errors.push(
                l.pick("团队最少人数不能大于最多人数。", "The smallest team cannot exceed the largest.").to_owned(),
            );
        }
    }
    if young_age.is_none() || young_percent.is_none() {
        errors.push(
            l.pick("年龄要求应为 0 到 100 的整数。", "The age quota must be whole numbers from 0 to 100.").to_owned(),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let [Some(opens_on), Some(closes_on), Some(review_on), Some(notice_on)] = dates else {
        return Err(vec![l.pick("日期无效。", "Invalid dates.").to_owned()]);
    };
    Ok(NewCall {
        title,
        type_code: f.type_code.trim().to_owned(),
        year: year.unwrap_or_default(),
        opens_on,
        closes_on,
        review_on,
        notice_on,
        levels,
        institutions,
        quota_default: quota_default.unwrap_or_default(),
        quotas,
        rounds: default_rounds(group.map(String::as_str).unwrap_or("")).to_owned(),
        self_assessment: f.self_assessment,
        fields,
        rubric,
        rules: Rules {
            one_live_per_leader: f.one_live,
            block_unfinished: f.block_unfinished,
            team_min: team_min.unwrap_or_default(),
            team_max: team_max.unwrap_or_default(),
            young_age: young_age.unwrap_or_default(),
            young_percent: young_percent.unwrap_or_default(),
        },
    })
}

/// Whether the call's form may still change: not once applications exist.
pub fn check_form_change(applications: i64, l: Locale) -> Result<(), String> {
    if applications > 0 {
        return Err(match l {
            Locale::Zh => format!("本批次已有 {applications} 份申报，申报表和评分细则不能再修改。"),
            Locale::En => {
                format!("This call has {applications} applications; its form and rubric can no longer change.")
            }
        });
    }
    Ok(())
}

// ---------------------------------------------------------------- answers

/// A configured field as stored, with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub id: i64,
    pub spec: FieldSpec,
}

impl Field {
    pub fn label(&self, l: Locale) -> &str {
        l.pick(&self.spec.label_zh, &self.spec.label_en)
    }
}

/// The refusals of an application's answers for submission: required fields
/// empty, numbers and dates unreadable, choices not offered. `files`: the
/// file fields with an attachment.
pub fn check_answers(fields: &[Field], answers: &HashMap<String, String>, files: &[i64], l: Locale) -> Vec<String> {
    let mut out = Vec::new();
    for f in fields {
        let label = f.label(l);
        if f.spec.kind == Kind::File {
            if f.spec.required && !files.contains(&f.id) {
                out.push(match l {
                    Locale::Zh => format!("请上传“{label}”。"),
                    Locale::En => format!("Attach “{label}”."),
                });
            }
            continue;
        }
        let value = answers.get(&f.id.to_string()).map(|s| s.trim()).unwrap_or("");
        if value.is_empty() {
            if f.spec.required {
                out.push(match l {
                    Locale::Zh => format!("请填写“{label}”。"),
                    Locale::En => format!("Fill in “{label}”."),
                });
            }
            continue;
        }
        let bad = match f.spec.kind {
            Kind::Number => value.parse::<f64>().is_err(),
            Kind::Date => kernel::validate::parse_date(value).is_none(),
            Kind::Choice => !f.spec.choices.iter().any(|c| c == value),
            _ => false,
        };
        if bad {
            out.push(match l {
                Locale::Zh => format!("“{label}”的内容不符合要求。"),
                Locale::En => format!("“{label}” is not valid."),
            });
        }
    }
    out
}

/// A self-assessment (自查自评) of one dimension.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SelfScore {
    pub score: String,
    pub evidence: String,
}

/// The refusals of a self-assessment at submission: every dimension of the
/// application's track scored within its points, with evidence.
pub fn check_assessment(
    rubric: &[(i64, Dimension)],
    track: &str,
    scores: &HashMap<String, SelfScore>,
    l: Locale,
) -> Vec<String> {
    let mut out = Vec::new();
    for (id, d) in rubric.iter().filter(|(_, d)| d.track.is_empty() || d.track == track) {
        let name = l.pick(&d.name_zh, &d.name_en);
        let s = scores.get(&id.to_string()).cloned().unwrap_or_default();
        match s.score.trim().parse::<f64>() {
            Ok(v) if (0.0..=d.points as f64).contains(&v) => {}
            _ => out.push(match l {
                Locale::Zh => format!("自评“{name}”应为 0 到 {} 分。", d.points),
                Locale::En => format!("The self-assessment of “{name}” must be from 0 to {}.", d.points),
            }),
        }
        if s.evidence.trim().is_empty() {
            out.push(match l {
                Locale::Zh => format!("请填写自评“{name}”的佐证。"),
                Locale::En => format!("Give the evidence for “{name}”."),
            });
        }
    }
    out
}

/// The review's outcome as an application's page shows it: to the school only
/// once the province published the call's result; to the province before that
/// as proposed.
pub fn outcome_label(outcome: Option<&str>, published: bool, province: bool, l: Locale) -> Option<&'static str> {
    match (outcome?, published) {
        (_, false) if !province => None,
        ("approved", true) => Some(l.pick("已立项（结果已公布）", "Approved (result published)")),
        ("approved", false) => Some(l.pick("拟立项（结果待公布）", "Proposed for approval (result not published)")),
        (_, true) => Some(l.pick("未立项（结果已公布）", "Not approved (result published)")),
        (_, false) => Some(l.pick("拟不立项（结果待公布）", "Proposed for rejection (result not published)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A valid ID number born on the date.
    fn id(birth: &str) -> String {
        let first17 = format!("430103{}123", birth.replace('-', ""));
        format!("{first17}{}", kernel::validate::id_card_check_char(&first17).unwrap())
    }

    #[test]
    fn fields_parse_with_kinds_and_choices() {
        let f = parse_fields(
            "项目名称 | Title | 文本 | 必填\n\n类别 | Category | choice | 选填 | 甲/乙\n申报书 | Form | 附件 | 必填",
            Locale::Zh,
        )
        .unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[1].kind, Kind::Choice);
        assert_eq!(f[1].choices, vec!["甲", "乙"]);
        assert!(f[2].required && f[2].kind == Kind::File);
        assert_eq!(parse_fields(&fields_text(&f), Locale::Zh).unwrap(), f);
        let e = parse_fields("a | b | 图片", Locale::Zh).unwrap_err();
        assert!(e.starts_with("第 1 行"), "{e}");
        assert!(parse_fields("类别 | c | 选择 | 必填 | 甲", Locale::En).unwrap_err().contains("two options"));
    }

    #[test]
    fn rubric_weights_add_up_per_track() {
        let r = parse_rubric("创新性 | Innovation | 40 | 100\n可行性 | Feasibility | 60 | 100", Locale::Zh).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(parse_rubric(&rubric_text(&r), Locale::Zh).unwrap(), r);
        assert!(parse_rubric("a | a | 40 | 100", Locale::Zh).unwrap_err().contains("100"));
        let tracked =
            "共同 | Common | 50 | 10\n商业 | Business | 50 | 10 | 创意组\n公益 | Public good | 50 | 10 | 公益组";
        let r = parse_rubric(tracked, Locale::Zh).unwrap();
        assert_eq!(tracks(&r), vec!["公益组", "创意组"]);
        assert!(parse_rubric("a | a | 0 | 10", Locale::En).unwrap_err().contains("weight"));
    }

    #[test]
    fn every_refusal_has_its_reason() {
        let rules = Rules { team_min: 3, team_max: 5, young_age: 35, young_percent: 60, ..Rules::default() };
        let on = d("2022-06-01");
        let history = History { live_elsewhere: true, unfinished: true, banned_until: Some(d("2023-01-01")) };
        let team = [d("1980-05-01"), d("1999-01-01")];
        let r = check_submission(&rules, &team, &history, on, Locale::Zh);
        assert_eq!(r.len(), 5, "{r:?}");
        assert!(r[0].contains("只能申报一项"));
        assert!(r[1].contains("尚未结项"));
        assert!(r[2].contains("2023-01-01"));
        assert!(r[3].contains("至少 3 人"));
        assert!(r[4].contains("35 岁以下"));
        let en = check_submission(&rules, &team, &history, on, Locale::En);
        assert!(en[4].contains("under 35"));
        // A ban that ended before the call, a team that fits.
        let history = History { banned_until: Some(d("2022-05-31")), ..History::default() };
        let team = [d("1980-05-01"), d("1999-01-01"), d("2000-01-01")];
        assert!(check_submission(&rules, &team, &history, on, Locale::Zh).is_empty());
        let big = [d("1999-01-01"); 6];
        assert!(check_submission(&rules, &big, &History::default(), on, Locale::Zh)[0].contains("至多 5 人"));
    }

    #[test]
    fn age_counts_full_years() {
        assert_eq!(age_on(d("1987-06-02"), d("2022-06-01")), 34);
        assert_eq!(age_on(d("1987-06-01"), d("2022-06-01")), 35);
        assert_eq!(age_on(d("2000-02-29"), d("2001-02-28")), 0);
    }

    #[test]
    fn members_need_valid_id_numbers() {
        let text = format!("张三 {}\n李四，{}", id("1999-03-04"), id("2000-12-31"));
        let m = parse_members(&text, Locale::Zh).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].0.name, "李四");
        assert_eq!(m[1].1, d("2000-12-31"));
        let mut wrong = id("1999-03-04");
        wrong.pop();
        wrong.push(if id("1999-03-04").ends_with('0') { '1' } else { '0' });
        let e = parse_members(&format!("王五 {wrong}"), Locale::Zh).unwrap_err();
        assert!(e.contains("王五") && e.contains("校验位"), "{e}");
    }

    #[test]
    fn eligibility_and_quotas() {
        let levels = vec!["高职".to_owned()];
        assert!(eligible(&levels, &[], "专科", 1));
        assert!(!eligible(&levels, &[], "本科", 1));
        assert!(eligible(&levels, &[1], "本科", 1));
        let overrides = HashMap::from([(7, 3)]);
        assert_eq!(quota_for(2, &overrides, 7), 3);
        assert_eq!(quota_for(2, &overrides, 8), 2);
        assert!(check_recommend(1, 2, Locale::Zh).is_ok());
        assert!(check_recommend(2, 2, Locale::Zh).unwrap_err().contains("名额已满"));
        let codes = HashMap::from([("10530".to_owned(), 7)]);
        assert_eq!(parse_quotas("10530 4", &codes, Locale::Zh).unwrap(), vec![(7, 4)]);
        assert!(parse_quotas("99999 4", &codes, Locale::Zh).is_err());
        assert!(check_form_change(2, Locale::Zh).unwrap_err().contains("不能再修改"));
    }

    #[test]
    fn answers_are_checked_by_kind() {
        let spec = |kind, required| FieldSpec {
            label_zh: "字段".into(),
            label_en: "Field".into(),
            kind,
            required,
            choices: vec!["甲".into(), "乙".into()],
        };
        let fields = vec![
            Field { id: 1, spec: spec(Kind::Text, true) },
            Field { id: 2, spec: spec(Kind::Number, false) },
            Field { id: 3, spec: spec(Kind::Choice, false) },
            Field { id: 4, spec: spec(Kind::File, true) },
        ];
        let answers = HashMap::from([("2".to_owned(), "abc".to_owned()), ("3".to_owned(), "丙".to_owned())]);
        assert_eq!(check_answers(&fields, &answers, &[], Locale::Zh).len(), 4);
        let answers = HashMap::from([("1".to_owned(), "x".to_owned()), ("2".to_owned(), "3.5".to_owned())]);
        assert!(check_answers(&fields, &answers, &[4], Locale::Zh).is_empty());
    }

    #[test]
    fn a_call_form_is_checked() {
        let types = HashMap::from([("07".to_owned(), "competition".to_owned())]);
        let codes = HashMap::new();
        let f = CallForm {
            title: "互联网+".into(),
            type_code: "07".into(),
            year: "2022".into(),
            opens_on: "2022-04-01".into(),
            closes_on: "2022-05-01".into(),
            review_on: "2022-05-10".into(),
            notice_on: "2022-05-20".into(),
            levels: vec!["本科".into()],
            quota_default: "3".into(),
            rubric: "创新 | Innovation | 100 | 10".into(),
            self_assessment: true,
            ..CallForm::default()
        };
        let c = check_call(&f, &types, &codes, Locale::Zh).unwrap();
        assert_eq!(c.rounds, "school,province");
        let bad = CallForm { closes_on: "2022-03-01".into(), levels: vec![], ..f };
        let e = check_call(&bad, &types, &codes, Locale::Zh).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
    }

    proptest! {
        /// The quota holds exactly when young/total ≥ percent/100, and adding a young member never breaks it.
        #[test]
        fn young_share_is_exact(young in 0usize..40, old in 0usize..40, under in 18u32..60, percent in 1u32..=100) {
            let mut ages = vec![under.saturating_sub(1); young];
            ages.extend(vec![under; old]);
            let total = young + old;
            let met = young_share_met(&ages, under, percent);
            if total == 0 {
                prop_assert!(!met);
            } else {
                prop_assert_eq!(met, (young as f64) / (total as f64) * 100.0 >= f64::from(percent) - 1e-9);
                let mut more = ages.clone();
                more.push(0);
                prop_assert!(!met || young_share_met(&more, under, percent));
            }
        }
    }

    #[test]
    fn a_school_sees_the_outcome_only_once_the_result_is_published() {
        let zh = Locale::Zh;
        assert_eq!(outcome_label(Some("approved"), false, false, zh), None);
        assert_eq!(outcome_label(Some("approved"), false, true, zh), Some("拟立项（结果待公布）"));
        assert_eq!(outcome_label(Some("approved"), true, false, zh), Some("已立项（结果已公布）"));
        assert_eq!(outcome_label(Some("rejected"), true, false, zh), Some("未立项（结果已公布）"));
        assert_eq!(outcome_label(None, true, true, zh), None);
    }
}
