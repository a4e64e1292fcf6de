//! Follow-up of funded items, pure: the record forms (mid-term check,
//! completion 结题, yearly grading, tracking after a contest), the revocation
//! rule after a configured number of failing years, and the registries'
//! checks (one provincial lead base in the "1+N" alliance).

use chrono::{Datelike, NaiveDate};
use kernel::Locale;

pub const MIDTERM: &str = "midterm";
pub const COMPLETION: &str = "completion";
pub const GRADING: &str = "grading";
pub const TRACKING: &str = "tracking";
pub const KINDS: [&str; 4] = [MIDTERM, COMPLETION, GRADING, TRACKING];

/// Yearly grades: 优秀, 良好, 合格, 不合格.
pub const GRADES: [&str; 4] = ["excellent", "good", "pass", "fail"];
pub const FAIL: &str = "fail";
/// Mid-term and completion verdicts.
pub const VERDICTS: [&str; 3] = ["pass", "improve", "fail"];

/// Revocation after this many failing years, and a ban of this many years, unless the call says otherwise.
pub const DEFAULT_REVOKE_AFTER: i64 = 2;
pub const DEFAULT_BAN_YEARS: i64 = 3;

pub fn kind_name(k: &str, l: Locale) -> &'static str {
    match k {
        MIDTERM => l.pick("中期检查", "Mid-term check"),
        COMPLETION => l.pick("结题验收", "Completion"),
        GRADING => l.pick("年度考核", "Yearly grading"),
        _ => l.pick("跟踪孵化", "Tracking"),
    }
}

pub fn verdict_name(v: &str, l: Locale) -> &'static str {
    match v {
        "excellent" => l.pick("优秀", "Excellent"),
        "good" => l.pick("良好", "Good"),
        "pass" => l.pick("合格/通过", "Pass"),
        "improve" => l.pick("限期整改", "To improve"),
        "fail" => l.pick("不合格/不通过", "Fail"),
        _ => "",
    }
}

#[derive(Debug, Clone, Default)]
pub struct FollowupForm {
    pub kind: String,
    pub on_date: String,
    pub year: String,
    pub verdict: String,
    pub remarks: String,
    pub base: String,
    pub funding: String,
    pub jobs: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowup {
    pub kind: &'static str,
    pub on_date: NaiveDate,
    pub year: Option<i64>,
    pub verdict: String,
    pub remarks: String,
    pub base: String,
    pub funding_yuan: Option<i64>,
    pub jobs: Option<i64>,
}

fn count(s: &str) -> Result<Option<i64>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>().ok().filter(|n| (0..=1_000_000_000_000).contains(n)).map(Some).ok_or(())
}

/// A follow-up record checked; every refusal.
pub fn check_followup(f: &FollowupForm, l: Locale) -> Result<NewFollowup, Vec<String>> {
    let mut errors = Vec::new();
    let kind = KINDS.iter().copied().find(|k| *k == f.kind.trim());
    if kind.is_none() {
        errors.push(l.pick("请选择记录类型。", "Choose the kind of record.").to_owned());
    }
    let on = kernel::validate::parse_date(f.on_date.trim());
    if on.is_none() {
        errors.push(l.pick("请填写日期。", "Enter the date.").to_owned());
    }
    let verdict = f.verdict.trim();
    let mut year = None;
    match kind {
        Some(GRADING) => {
            year = f.year.trim().parse::<i64>().ok().filter(|y| (2000..=2100).contains(y));
            if year.is_none() {
                errors.push(l.pick("请填写考核年度。", "Enter the graded year.").to_owned());
            }
            if !GRADES.contains(&verdict) {
                errors.push(l.pick("请选择考核等次（优秀、良好、合格、不合格）。", "Choose the grade.").to_owned());
            }
        }
        Some(MIDTERM) | Some(COMPLETION) if !VERDICTS.contains(&verdict) => {
            errors.push(l.pick("请选择结论。", "Choose the verdict.").to_owned());
        }
        _ => {}
    }
    let funding = count(&f.funding);
    let jobs = count(&f.jobs);
    if funding.is_err() || jobs.is_err() {
        errors.push(
            l.pick("融资金额和带动就业人数应为不小于 0 的整数。", "Funding and jobs are whole numbers, 0 or more.")
                .to_owned(),
        );
    }
    if kind == Some(TRACKING) && f.base.trim().is_empty() && funding == Ok(None) && jobs == Ok(None) {
        errors.push(
            l.pick("请至少填写孵化基地、融资金额或带动就业人数之一。", "Give the base, the funding or the jobs.")
                .to_owned(),
        );
    }
    if f.remarks.chars().count() > 2000 || f.base.chars().count() > 200 {
        errors.push(l.pick("内容过长。", "Too long.").to_owned());
    }
    match (kind, on) {
        (Some(kind), Some(on_date)) if errors.is_empty() => Ok(NewFollowup {
            kind,
            on_date,
            year,
            verdict: if kind == TRACKING { String::new() } else { verdict.to_owned() },
            remarks: f.remarks.trim().to_owned(),
            base: f.base.trim().to_owned(),
            funding_yuan: funding.unwrap_or(None),
            jobs: jobs.unwrap_or(None),
        }),
        _ => Err(errors),
    }
}

/// Whether a funded item is revoked: failing grades in at least
/// `revoke_after` distinct years (a year graded twice counts once).
pub fn should_revoke(fail_years: &[i64], revoke_after: i64) -> bool {
    let mut years: Vec<i64> = fail_years.to_vec();
    years.sort_unstable();
    years.dedup();
    revoke_after >= 1 && years.len() as i64 >= revoke_after
}

/// The day a ban of `years` years from `on` ends.
pub fn ban_until(on: NaiveDate, years: i64) -> NaiveDate {
    let y = on.year() + years.clamp(0, 50) as i32;
    NaiveDate::from_ymd_opt(y, on.month(), on.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, on.month(), 28))
        .unwrap_or(on)
}

/// The revocation settings as typed: (revoke_after, ban_years).
pub fn check_settings(revoke_after: &str, ban_years: &str, l: Locale) -> Result<(i64, i64), String> {
    match (revoke_after.trim().parse::<i64>(), ban_years.trim().parse::<i64>()) {
        (Ok(a), Ok(b)) if (1..=10).contains(&a) && (0..=20).contains(&b) => Ok((a, b)),
        _ => Err(l
            .pick(
                "不合格年数应为 1 至 10，禁入年限应为 0 至 20。",
                "Failing years run from 1 to 10, ban years from 0 to 20.",
            )
            .to_owned()),
    }
}

/// Why a base cannot be the alliance's lead, if it cannot: there is one already.
pub fn lead_refusal(lead: bool, has_lead: bool, l: Locale) -> Option<&'static str> {
    (lead && has_lead).then(|| {
        l.pick(
            "联盟已有省级牵头基地（“1+N”中的“1”），只能再加入成员基地。",
            "The alliance already has its provincial lead base (the 1 of 1+N); add member bases.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn revocation_after_the_configured_failing_years() {
        assert!(!should_revoke(&[], 2));
        assert!(!should_revoke(&[2022], 2));
        assert!(!should_revoke(&[2022, 2022], 2), "one year graded twice counts once");
        assert!(should_revoke(&[2022, 2023], 2));
        assert!(should_revoke(&[2022], 1));
        assert!(!should_revoke(&[2022, 2023, 2024], 0), "0 means never");
        assert_eq!(ban_until(d(2023, 12, 1), 3), d(2026, 12, 1));
        assert_eq!(ban_until(d(2024, 2, 29), 1), d(2025, 2, 28));
        assert_eq!(check_settings("2", "3", Locale::Zh), Ok((2, 3)));
        assert!(check_settings("0", "3", Locale::Zh).is_err());
    }

    #[test]
    fn records_by_kind() {
        let l = Locale::Zh;
        let grading = FollowupForm {
            kind: GRADING.into(),
            on_date: "2023-12-01".into(),
            year: "2023".into(),
            verdict: "fail".into(),
            ..FollowupForm::default()
        };
        let g = check_followup(&grading, l).unwrap();
        assert_eq!((g.kind, g.year, g.verdict.as_str()), (GRADING, Some(2023), "fail"));
        assert!(check_followup(&FollowupForm { verdict: "improve".into(), ..grading.clone() }, l).is_err());
        assert!(check_followup(&FollowupForm { year: String::new(), ..grading.clone() }, l).is_err());
        let tracking = FollowupForm {
            kind: TRACKING.into(),
            on_date: "2023-03-01".into(),
            base: "湘江新区创业孵化基地".into(),
            funding: "500000".into(),
            jobs: "12".into(),
            ..FollowupForm::default()
        };
        let t = check_followup(&tracking, l).unwrap();
        assert_eq!((t.funding_yuan, t.jobs), (Some(500_000), Some(12)));
        assert!(check_followup(&FollowupForm { jobs: "-1".into(), ..tracking.clone() }, l).is_err());
        let empty = FollowupForm { kind: TRACKING.into(), on_date: "2023-03-01".into(), ..FollowupForm::default() };
        assert!(check_followup(&empty, l).is_err());
        assert_eq!(check_followup(&FollowupForm::default(), l).unwrap_err().len(), 2);
        assert!(lead_refusal(true, true, l).is_some());
        assert!(lead_refusal(false, true, l).is_none() && lead_refusal(true, false, l).is_none());
    }
}
