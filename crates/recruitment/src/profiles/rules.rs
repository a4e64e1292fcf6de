//! A graduate's profile (求职简历), pure: what it may hold and who may see it.

use kernel::auth::{Actor, Role};
use kernel::web::FieldErrors;
use kernel::Locale;

/// Who may see a profile besides the graduate and its own university's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    /// 仅投递过的单位 (the default: a graduate shares with whom it applies to)
    #[default]
    Applied,
    /// 所有通过审核的单位
    Employers,
    /// 不公开
    Nobody,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Visibility::Applied, Visibility::Employers, Visibility::Nobody];
    pub fn key(self) -> &'static str {
        match self {
            Visibility::Applied => "applied",
            Visibility::Employers => "employers",
            Visibility::Nobody => "nobody",
        }
    }
    pub fn parse(s: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.key() == s)
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Visibility::Applied => l.pick("仅我投递过的单位可见", "Only employers I applied to"),
            Visibility::Employers => l.pick("所有通过审核的单位可见", "Every approved employer"),
            Visibility::Nobody => l.pick("不公开（仅本校就业工作人员可见）", "Nobody (only my university's staff)"),
        }
    }
}

/// What the viewer is to the graduate whose profile it asks for.
pub struct Viewing<'a> {
    pub viewer: &'a Actor,
    pub graduate_id: i64,
    pub graduate_institution_id: i64,
    pub visibility: Visibility,
    /// The viewer is an employer the graduate applied to.
    pub applied_to_viewer: bool,
    /// The viewer is an employer whose registration is approved.
    pub viewer_approved: bool,
}

/// Whether the viewer may see the profile: the graduate itself and its own
/// university's staff always; nobody else when hidden; an employer it applied
/// to, or any approved employer when the graduate chose so; the province
/// unless hidden.
pub fn may_see(v: &Viewing) -> bool {
    match v.viewer.role {
        Role::Graduate => v.viewer.graduate_id == Some(v.graduate_id),
        Role::UniversityStaff => v.viewer.institution_id == Some(v.graduate_institution_id),
        _ if v.visibility == Visibility::Nobody => false,
        Role::ProvinceAdmin => true,
        Role::Employer => match v.visibility {
            Visibility::Applied => v.applied_to_viewer,
            Visibility::Employers => v.applied_to_viewer || v.viewer_approved,
            Visibility::Nobody => false,
        },
        Role::Expert => false,
    }
}

#[derive(Debug, Default, Clone)]
pub struct ProfileForm {
    pub skills: String,
    pub certificates: String,
    pub internships: String,
    pub self_intro: String,
    pub intended_regions: Vec<String>,
    pub intended_industries: Vec<String>,
    pub intended_positions: Vec<String>,
    pub intended_salary: String,
    pub visibility: String,
}

impl ProfileForm {
    /// From a submitted form's pairs (the intentions are multiple selects).
    pub fn from_pairs(pairs: &[(String, String)]) -> ProfileForm {
        let mut f = ProfileForm::default();
        for (key, value) in pairs {
            let value = value.clone();
            match key.as_str() {
                "skills" => f.skills = value,
                "certificates" => f.certificates = value,
                "internships" => f.internships = value,
                "self_intro" => f.self_intro = value,
                "intended_regions" => f.intended_regions.push(value),
                "intended_industries" => f.intended_industries.push(value),
                "intended_positions" => f.intended_positions.push(value),
                "intended_salary" => f.intended_salary = value,
                "visibility" => f.visibility = value,
                _ => {}
            }
        }
        f
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checked {
    pub skills: Option<String>,
    pub certificates: Option<String>,
    pub internships: Option<String>,
    pub self_intro: Option<String>,
    pub intended_regions: Vec<String>,
    pub intended_industries: Vec<String>,
    pub intended_positions: Vec<String>,
    pub intended_salary: Option<i64>,
    pub visibility: Visibility,
}

/// The longest of each text part of a profile.
pub const TEXT_CHARS: usize = 2000;
const MOST_CHOICES: usize = 10;

/// Checks a profile; `known` says whether a code is in its table (`"region"`, `"industry"`, `"position"`).
pub fn check(form: &ProfileForm, known: impl Fn(&str, &str) -> bool, l: Locale) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut text = |field: &str, value: &str| {
        let value = value.trim().replace("\r\n", "\n");
        if value.chars().count() > TEXT_CHARS {
            errors.add(field, l.pick("不超过 2000 字。", "At most 2,000 characters."));
        }
        Some(value).filter(|v| !v.is_empty())
    };
    let skills = text("skills", &form.skills);
    let certificates = text("certificates", &form.certificates);
    let internships = text("internships", &form.internships);
    let self_intro = text("self_intro", &form.self_intro);
    let mut choices = |field: &str, kind: &str, values: &[String]| {
        let mut out: Vec<String> = values.iter().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect();
        out.sort();
        out.dedup();
        if out.len() > MOST_CHOICES {
            errors.add(field, l.pick("最多选 10 项。", "Choose at most 10."));
        } else if out.iter().any(|v| !known(kind, v)) {
            errors.add(field, l.pick("不在代码表中。", "Not in the code table."));
        }
        out
    };
    let intended_regions = choices("intended_regions", "region", &form.intended_regions);
    let intended_industries = choices("intended_industries", "industry", &form.intended_industries);
    let intended_positions = choices("intended_positions", "position", &form.intended_positions);
    let salary = form.intended_salary.trim();
    let intended_salary = match salary.parse::<i64>() {
        _ if salary.is_empty() => None,
        Ok(n) if (500..=1_000_000).contains(&n) => Some(n),
        _ => {
            errors.add(
                "intended_salary",
                l.pick("期望月薪须为 500-1000000 的整数（元）。", "Expected monthly pay: 500 to 1,000,000 yuan."),
            );
            None
        }
    };
    let visibility = Visibility::parse(&form.visibility).unwrap_or_default();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Checked {
        skills,
        certificates,
        internships,
        self_intro,
        intended_regions,
        intended_industries,
        intended_positions,
        intended_salary,
        visibility,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, institution_id: Option<i64>, employer_id: Option<i64>, graduate_id: Option<i64>) -> Actor {
        Actor {
            account_id: 1,
            username: String::new(),
            display_name: String::new(),
            role,
            institution_id,
            college_id: None,
            employer_id,
            graduate_id,
        }
    }

    fn sees(viewer: &Actor, visibility: Visibility, applied: bool, approved: bool) -> bool {
        may_see(&Viewing {
            viewer,
            graduate_id: 5,
            graduate_institution_id: 7,
            visibility,
            applied_to_viewer: applied,
            viewer_approved: approved,
        })
    }

    #[test]
    fn a_hidden_profile_is_the_graduates_and_its_universitys_only() {
        let own_staff = actor(Role::UniversityStaff, Some(7), None, None);
        let other_staff = actor(Role::UniversityStaff, Some(8), None, None);
        let me = actor(Role::Graduate, None, None, Some(5));
        let someone = actor(Role::Graduate, None, None, Some(6));
        let employer = actor(Role::Employer, None, Some(3), None);
        let province = actor(Role::ProvinceAdmin, None, None, None);
        for v in Visibility::ALL {
            assert!(sees(&me, v, false, false) && sees(&own_staff, v, false, false));
            assert!(!sees(&someone, v, true, true) && !sees(&other_staff, v, true, true));
        }
        assert!(!sees(&employer, Visibility::Nobody, true, true));
        assert!(!sees(&province, Visibility::Nobody, false, false));
        assert!(sees(&employer, Visibility::Applied, true, true));
        assert!(!sees(&employer, Visibility::Applied, false, true));
        assert!(sees(&employer, Visibility::Employers, false, true));
        assert!(!sees(&employer, Visibility::Employers, false, false));
    }

    #[test]
    fn a_profile_is_checked_field_by_field() {
        let known = |kind: &str, code: &str| matches!((kind, code), ("region", "430100") | ("industry", "34"));
        let form = ProfileForm {
            skills: "Rust、SQL".into(),
            intended_regions: vec!["430100".into(), "430100".into()],
            intended_industries: vec!["99".into()],
            intended_salary: "abc".into(),
            ..ProfileForm::default()
        };
        let errors = check(&form, known, Locale::Zh).unwrap_err();
        assert!(!errors.of("intended_industries").is_empty() && !errors.of("intended_salary").is_empty());
        let form = ProfileForm {
            intended_industries: vec!["34".into()],
            intended_salary: "8000".into(),
            visibility: "nobody".into(),
            ..form
        };
        let checked = check(&form, known, Locale::Zh).unwrap();
        assert_eq!(checked.intended_regions, vec!["430100"]);
        assert_eq!(checked.visibility, Visibility::Nobody);
        assert_eq!(checked.certificates, None);
    }
}
