//! The public notice's rules, pure: the notice's form and end day over the
//! working-day calendar, the objection window, an objection's checks (a named
//! objector, a way to reach them), handling, and when the result may be
//! published.

use chrono::NaiveDate;
use kernel::web::allowance::Allowance;
use kernel::Locale;

use kernel::calendar::Calendar;

/// Objections one client address may file an hour: enough for a person with
/// several items to object to, not for a script flooding the office.
pub const OBJECTIONS: Allowance = Allowance { purpose: "notice_objection", per_hour: 10 };

pub const OPEN: &str = "open";
pub const RESULT: &str = "result";

pub const OBJECTION_OPEN: &str = "open";
pub const UPHELD: &str = "upheld";
pub const DISMISSED: &str = "dismissed";

/// At most this many working days for a notice.
pub const MAX_DAYS: u32 = 30;

/// The publish form as typed.
#[derive(Debug, Clone, Default)]
pub struct NoticeForm {
    pub title: String,
    pub body: String,
    pub office: String,
    pub starts_on: String,
    pub working_days: String,
    pub show_scores: bool,
}

/// A checked notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    pub title: String,
    pub body: String,
    pub office: String,
    pub starts_on: NaiveDate,
    pub working_days: u32,
    pub ends_on: NaiveDate,
    pub show_scores: bool,
}

/// The notice checked, its end day reckoned on the calendar; every refusal.
pub fn check_notice(f: &NoticeForm, calendar: &Calendar, l: Locale) -> Result<NewNotice, Vec<String>> {
    let mut errors = Vec::new();
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(
            l.pick("请填写公示标题（不超过 200 字）。", "Enter the notice's title (at most 200 characters).").into(),
        );
    }
    let office = f.office.trim();
    if office.is_empty() || office.chars().count() > 300 {
        errors.push(
            l.pick(
                "请填写受理异议的单位和联系方式（不超过 300 字）。",
                "Enter the office receiving objections and how to reach it (at most 300 characters).",
            )
            .into(),
        );
    }
    if f.body.chars().count() > 4000 {
        errors.push(l.pick("公示说明不能超过 4000 字。", "The notice's text may be at most 4,000 characters.").into());
    }
    let starts = kernel::validate::parse_date(f.starts_on.trim());
    if starts.is_none() {
        errors.push(l.pick("请填写公示开始日期。", "Enter the day the notice starts.").into());
    }
    let days = f.working_days.trim().parse::<u32>().ok().filter(|n| (1..=MAX_DAYS).contains(n));
    if days.is_none() {
        errors.push(l.pick("公示期应为 1 至 30 个工作日。", "The notice runs for 1 to 30 working days.").into());
    }
    match (starts, days) {
        (Some(starts_on), Some(working_days)) if errors.is_empty() => Ok(NewNotice {
            title: title.to_owned(),
            body: f.body.trim().to_owned(),
            office: office.to_owned(),
            starts_on,
            working_days,
            ends_on: calendar.notice_end(starts_on, working_days),
            show_scores: f.show_scores,
        }),
        _ => Err(errors),
    }
}

/// Where a day falls against a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYet,
    Open,
    Ended,
}

pub fn window(today: NaiveDate, starts_on: NaiveDate, ends_on: NaiveDate) -> Window {
    if today < starts_on {
        Window::NotYet
    } else if today <= ends_on {
        Window::Open
    } else {
        Window::Ended
    }
}

/// Why an objection cannot be filed on the day, if it cannot.
pub fn objection_refusal(w: Window, l: Locale) -> Option<&'static str> {
    match w {
        Window::Open => None,
        Window::NotYet => {
            Some(l.pick("公示尚未开始，暂不受理异议。", "The notice has not started; objections are not yet received."))
        }
        Window::Ended => Some(
            l.pick("公示期已结束，不再受理异议。", "The notice period has ended; objections are no longer received."),
        ),
    }
}

/// An objection as typed.
#[derive(Debug, Clone, Default)]
pub struct ObjectionForm {
    pub item: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub reasons: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObjection {
    pub item: i64,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub reasons: String,
}

/// An objection checked against the items on the list; every refusal.
pub fn check_objection(f: &ObjectionForm, items: &[i64], l: Locale) -> Result<NewObjection, Vec<String>> {
    let mut errors = Vec::new();
    let item = f.item.trim().parse::<i64>().ok().filter(|i| items.contains(i));
    if item.is_none() {
        errors.push(l.pick("请选择所异议的项目。", "Choose the item you object to.").to_owned());
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        errors.push(
            l.pick(
                "请填写异议人真实姓名：本公示只受理实名异议，匿名异议不予受理。",
                "Enter your real name: only named objections are received; anonymous ones are not accepted.",
            )
            .to_owned(),
        );
    }
    let phone = f.phone.trim();
    let email = f.email.trim();
    let phone_ok = phone.is_empty() || kernel::validate::mobile(phone).is_ok() || is_landline(phone);
    let email_ok = email.is_empty() || is_email(email);
    if phone.is_empty() && email.is_empty() {
        errors.push(
            l.pick("请至少填写一种联系方式（电话或电子邮箱）。", "Give a phone number or an email address.").to_owned(),
        );
    } else {
        if !phone_ok {
            errors.push(l.pick("联系电话格式不正确。", "The phone number is not valid.").to_owned());
        }
        if !email_ok {
            errors.push(l.pick("电子邮箱格式不正确。", "The email address is not valid.").to_owned());
        }
    }
    let reasons = f.reasons.trim();
    if reasons.chars().count() < 5 || reasons.chars().count() > 4000 {
        errors.push(
            l.pick(
                "请写明异议的事实和理由（5 至 4000 字）。",
                "State the facts and reasons of the objection (5 to 4,000 characters).",
            )
            .to_owned(),
        );
    }
    match item {
        Some(item) if errors.is_empty() => Ok(NewObjection {
            item,
            name: name.to_owned(),
            phone: kernel::validate::mobile(phone).unwrap_or_else(|_| phone.to_owned()),
            email: email.to_owned(),
            reasons: reasons.to_owned(),
        }),
        _ => Err(errors),
    }
}

fn is_landline(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    (7..=12).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

fn is_email(s: &str) -> bool {
    let Some((user, host)) = s.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && s.len() <= 200
        && !s.chars().any(char::is_whitespace)
}

/// An email for someone other than the handling office: `z***@example.com`.
pub fn mask_email(s: &str) -> String {
    match s.split_once('@') {
        Some((user, host)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{host}")
        }
        None => kernel::mask::person_name(s),
    }
}

/// How an objection was handled, checked.
pub fn check_handling(
    decision: &str,
    reply: &str,
    handled_on: &str,
    l: Locale,
) -> Result<(&'static str, String, NaiveDate), Vec<String>> {
    let mut errors = Vec::new();
    let decision = match decision {
        UPHELD => Some(UPHELD),
        DISMISSED => Some(DISMISSED),
        _ => None,
    };
    if decision.is_none() {
        errors.push(l.pick("请选择处理结论（成立或不成立）。", "Choose upheld or dismissed.").to_owned());
    }
    let reply = reply.trim();
    if reply.is_empty() || reply.chars().count() > 4000 {
        errors.push(
            l.pick("请填写答复意见（不超过 4000 字）。", "Write the reply (at most 4,000 characters).").to_owned(),
        );
    }
    let on = kernel::validate::parse_date(handled_on.trim());
    if on.is_none() {
        errors.push(l.pick("请填写处理日期。", "Enter the day it was handled.").to_owned());
    }
    match (decision, on) {
        (Some(d), Some(on)) if errors.is_empty() => Ok((d, reply.to_owned(), on)),
        _ => Err(errors),
    }
}

/// Why the result may not be published yet, if not.
pub fn result_refusal(status: &str, w: Window, open_objections: i64, l: Locale) -> Option<&'static str> {
    if status == RESULT {
        Some(l.pick("结果已公布。", "The result is already published."))
    } else if w != Window::Ended {
        Some(l.pick("公示期结束后才能公布结果。", "The result may be published only after the notice has ended."))
    } else if open_objections > 0 {
        Some(l.pick(
            "尚有未处理的异议，全部处理后才能公布结果。",
            "Some objections are not handled yet; handle every one before publishing the result.",
        ))
    } else {
        None
    }
}

pub fn objection_status(s: &str, l: Locale) -> &'static str {
    match s {
        UPHELD => l.pick("异议成立", "Upheld"),
        DISMISSED => l.pick("异议不成立", "Dismissed"),
        _ => l.pick("待处理", "Open"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::calendar::fixtures::china_2022;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn form(start: &str, days: &str) -> NoticeForm {
        NoticeForm {
            title: "2022年课题立项公示".into(),
            body: String::new(),
            office: "省教育厅学生处 0731-84714000".into(),
            starts_on: start.into(),
            working_days: days.into(),
            show_scores: false,
        }
    }

    #[test]
    fn the_end_day_counts_the_national_day_swaps() {
        let c = china_2022();
        // Fri 30 Sep, then the break to 7 Oct; Sat 8 and Sun 9 Oct are worked: 30 Sep, 8, 9, 10, 11 Oct.
        let n = check_notice(&form("2022-09-30", "5"), &c, Locale::Zh).unwrap();
        assert_eq!(n.ends_on, d(10, 11));
        // Seven working days from Thu 29 Sep: 29, 30 Sep, 8 to 12 Oct.
        let n = check_notice(&form("2022-09-29", "7"), &c, Locale::Zh).unwrap();
        assert_eq!(n.ends_on, d(10, 12));
        let n = check_notice(&form("2022-06-13", "5"), &c, Locale::Zh).unwrap();
        assert_eq!(n.ends_on, d(6, 17));
        assert!(check_notice(&form("2022-09-30", "0"), &c, Locale::Zh).is_err());
        assert!(check_notice(&form("2022-09-31", "5"), &c, Locale::En).is_err());
        let mut f = form("2022-09-30", "5");
        f.office.clear();
        assert_eq!(check_notice(&f, &c, Locale::Zh).unwrap_err().len(), 1);
    }

    #[test]
    fn objections_only_within_the_window() {
        let (s, e) = (d(9, 30), d(10, 11));
        assert_eq!(window(d(9, 29), s, e), Window::NotYet);
        assert_eq!(window(d(9, 30), s, e), Window::Open);
        assert_eq!(window(d(10, 5), s, e), Window::Open, "a holiday inside the notice still receives");
        assert_eq!(window(d(10, 11), s, e), Window::Open, "the last day included");
        assert_eq!(window(d(10, 12), s, e), Window::Ended);
        assert!(objection_refusal(Window::Ended, Locale::Zh).unwrap().contains("已结束"));
        assert!(objection_refusal(Window::Open, Locale::Zh).is_none());
    }

    #[test]
    fn an_objection_is_named_and_reachable() {
        let ok = ObjectionForm {
            item: "7".into(),
            name: "王五".into(),
            phone: "13800138000".into(),
            email: String::new(),
            reasons: "该项目负责人已有在研项目未结题。".into(),
        };
        assert_eq!(check_objection(&ok, &[7], Locale::Zh).unwrap().name, "王五");
        let anonymous = ObjectionForm { name: " ".into(), ..ok.clone() };
        let e = check_objection(&anonymous, &[7], Locale::Zh).unwrap_err();
        assert!(e[0].contains("匿名异议不予受理"));
        let unreachable = ObjectionForm { phone: String::new(), ..ok.clone() };
        assert!(check_objection(&unreachable, &[7], Locale::Zh).is_err());
        let by_email = ObjectionForm { phone: String::new(), email: "wang@example.com".into(), ..ok.clone() };
        assert!(check_objection(&by_email, &[7], Locale::Zh).is_ok());
        let bad_email = ObjectionForm { email: "wang@".into(), ..ok.clone() };
        assert!(check_objection(&bad_email, &[7], Locale::Zh).is_err());
        let landline = ObjectionForm { phone: "0731-84714000".into(), ..ok.clone() };
        assert!(check_objection(&landline, &[7], Locale::Zh).is_ok());
        assert!(check_objection(&ok, &[8], Locale::Zh).is_err(), "an item not on the list");
        assert_eq!(mask_email("wang@example.com"), "w***@example.com");
    }

    #[test]
    fn the_result_waits_for_the_end_and_every_objection() {
        let l = Locale::Zh;
        assert!(result_refusal(OPEN, Window::Open, 0, l).is_some());
        assert!(result_refusal(OPEN, Window::Ended, 1, l).unwrap().contains("未处理"));
        assert!(result_refusal(OPEN, Window::Ended, 0, l).is_none());
        assert!(result_refusal(RESULT, Window::Ended, 0, l).is_some());
        assert!(check_handling("upheld", "经核实属实。", "2022-10-12", l).is_ok());
        assert_eq!(check_handling("maybe", "", "x", l).unwrap_err().len(), 3);
    }
}
