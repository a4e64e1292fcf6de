//! Pure rules of the training bases: the figures a base page and the
//! province's table show (trainees, completion, placement), and what the base
//! and supervision-visit forms must say.

use chrono::NaiveDate;
use kernel::Locale;

/// A base's trainee as the figures need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub completed: bool,
    pub placed: bool,
}

/// Trainees, completed and placed among them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub trainees: usize,
    pub completed: usize,
    pub placed: usize,
}

impl Figures {
    pub fn of(outcomes: &[Outcome]) -> Figures {
        Figures {
            trainees: outcomes.len(),
            completed: outcomes.iter().filter(|o| o.completed).count(),
            placed: outcomes.iter().filter(|o| o.placed).count(),
        }
    }
    pub fn completion_rate(&self) -> String {
        crate::trainings::rules::percent(self.completed, self.trainees)
    }
    pub fn placement_rate(&self) -> String {
        crate::trainings::rules::percent(self.placed, self.trainees)
    }
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// A base as its form gives it.
#[derive(Debug, Clone, Default)]
pub struct BaseForm {
    pub name: String,
    pub host: String,
    pub level: String,
    pub since: String,
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewBase {
    pub name: String,
    pub host_institution_id: i64,
    pub level: String,
    pub since_year: i64,
    pub contact: String,
}

pub fn check_base(f: &BaseForm, institutions: &[i64], levels: &[String], l: Locale) -> Result<NewBase, String> {
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(l
            .pick("请填写基地名称（不超过 200 字）。", "Give the base's name (at most 200 characters).")
            .into());
    }
    let Some(host) = f.host.trim().parse::<i64>().ok().filter(|i| institutions.contains(i)) else {
        return Err(l.pick("请选择依托高校。", "Choose the host institution.").into());
    };
    if !levels.contains(&f.level) {
        return Err(l.pick("请选择基地级别。", "Choose the level.").into());
    }
    let Some(since) = f.since.trim().parse::<i64>().ok().filter(|y| (2000..=2100).contains(y)) else {
        return Err(l.pick("设立年份写作 2021。", "Write the year as 2021.").into());
    };
    let contact = f.contact.trim();
    if contact.is_empty() || contact.chars().count() > 200 {
        return Err(l
            .pick("请填写联系人及电话（不超过 200 字）。", "Give the contact (at most 200 characters).")
            .into());
    }
    Ok(NewBase {
        name: name.to_owned(),
        host_institution_id: host,
        level: f.level.clone(),
        since_year: since,
        contact: contact.to_owned(),
    })
}

/// A supervision visit as its form gives it.
#[derive(Debug, Clone, Default)]
pub struct VisitForm {
    pub visited_on: String,
    pub visitors: String,
    pub findings: String,
    pub rectify_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewVisit {
    pub visited_on: NaiveDate,
    pub visitors: String,
    pub findings: String,
    pub rectify_by: Option<NaiveDate>,
}

pub fn check_visit(f: &VisitForm, today: NaiveDate, l: Locale) -> Result<NewVisit, String> {
    let Some(visited_on) = day(&f.visited_on).filter(|d| *d <= today) else {
        return Err(l
            .pick(
                "请填写督导日期（如 2022-11-20），不能晚于今天。",
                "Give the visit's date (e.g. 2022-11-20), not after today.",
            )
            .into());
    };
    let visitors = f.visitors.trim();
    if visitors.is_empty() || visitors.chars().count() > 200 {
        return Err(l.pick("请填写督导人员（不超过 200 字）。", "Give the visitors (at most 200 characters).").into());
    }
    let findings = f.findings.trim();
    if findings.is_empty() || findings.chars().count() > 2000 {
        return Err(l
            .pick("请填写督导发现（不超过 2000 字）。", "Give the findings (at most 2000 characters).")
            .into());
    }
    let rectify_by = match f.rectify_by.trim() {
        "" => None,
        s => match day(s).filter(|d| *d >= visited_on) {
            Some(d) => Some(d),
            None => {
                return Err(l
                    .pick(
                        "整改期限写作 2022-12-31，且不早于督导日期。",
                        "Write the rectification date as 2022-12-31, not before the visit.",
                    )
                    .into())
            }
        },
    };
    Ok(NewVisit { visited_on, visitors: visitors.to_owned(), findings: findings.to_owned(), rectify_by })
}

/// Whether an open visit's rectification is past due.
pub fn overdue(rectify_by: Option<&str>, closed: bool, today: &str) -> bool {
    !closed && rectify_by.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_count_completion_and_placement_among_trainees() {
        let o = |completed, placed| Outcome { completed, placed };
        let f = Figures::of(&[o(true, true), o(true, false), o(false, false), o(false, true)]);
        assert_eq!(f, Figures { trainees: 4, completed: 2, placed: 2 });
        assert_eq!(f.completion_rate(), "50.0%");
        assert_eq!(f.placement_rate(), "50.0%");
        assert_eq!(Figures::of(&[]).placement_rate(), "—");
    }

    #[test]
    fn base_form() {
        let f = BaseForm {
            name: " 湘潭大学就业能力培训基地 ".into(),
            host: "3".into(),
            level: "1".into(),
            since: "2021".into(),
            contact: "王老师 0731-5829".into(),
        };
        let levels = ["1".to_owned(), "2".to_owned()];
        let b = check_base(&f, &[3], &levels, Locale::Zh).unwrap();
        assert_eq!(b.name, "湘潭大学就业能力培训基地");
        assert_eq!(b.since_year, 2021);
        let mut bad = f.clone();
        bad.host = "4".into();
        assert!(check_base(&bad, &[3], &levels, Locale::En).unwrap_err().contains("host"));
        let mut bad = f.clone();
        bad.since = "1999".into();
        assert!(check_base(&bad, &[3], &levels, Locale::En).unwrap_err().contains("year"));
        let mut bad = f;
        bad.level = "9".into();
        assert!(check_base(&bad, &[3], &levels, Locale::En).unwrap_err().contains("level"));
    }

    #[test]
    fn visit_form() {
        let today = NaiveDate::from_ymd_opt(2022, 12, 1).unwrap();
        let f = VisitForm {
            visited_on: "2022-11-20".into(),
            visitors: "省教育厅就业处".into(),
            findings: "培训台账不全".into(),
            rectify_by: "2022-12-20".into(),
        };
        let v = check_visit(&f, today, Locale::Zh).unwrap();
        assert_eq!(v.rectify_by, NaiveDate::from_ymd_opt(2022, 12, 20));
        let mut bad = f.clone();
        bad.visited_on = "2022-12-02".into();
        assert!(check_visit(&bad, today, Locale::En).unwrap_err().contains("date"));
        let mut bad = f.clone();
        bad.rectify_by = "2022-11-01".into();
        assert!(check_visit(&bad, today, Locale::En).unwrap_err().contains("rectification"));
        let mut open = f;
        open.rectify_by.clear();
        assert_eq!(check_visit(&open, today, Locale::Zh).unwrap().rectify_by, None);
    }

    #[test]
    fn overdue_only_while_open() {
        assert!(overdue(Some("2022-11-30"), false, "2022-12-01"));
        assert!(!overdue(Some("2022-11-30"), true, "2022-12-01"));
        assert!(!overdue(Some("2022-12-30"), false, "2022-12-01"));
        assert!(!overdue(None, false, "2022-12-01"));
    }
}
