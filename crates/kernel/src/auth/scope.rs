//! Whose data a request may touch, and the one place that turns it into a
//! query's restriction (`Scope::restrict`) or a yes or no about one record
//! (`Scope::may_see`). Every store function that reads people's data takes a
//! scope and goes through one of the two.
//!
//! The rule: the province sees everything; an institution's staff see rows
//! owned by their institution, and staff of one college only that college's
//! rows where a row belongs to a college (rows owned by the institution as a
//! whole, such as a notice, are the whole staff's); an employer sees its own
//! rows; a graduate its own; nobody else anything. A directory (the employer
//! registry) is open to the province and every institution's staff in full.
//! A query or record that names no owner the actor can be matched on is
//! refused, never widened.

use crate::db::SqlBuilder;

/// Whose data a request may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Province,
    Institution {
        institution_id: i64,
        college_id: Option<i64>,
    },
    Employer {
        employer_id: i64,
    },
    Graduate {
        graduate_id: i64,
    },
    /// Experts see only what a review programme assigns them.
    Nothing,
}

/// The columns of a query that say who owns a row (`g.institution_id`, …);
/// `None` where the query has no such column. Owner columns are NOT NULL.
#[derive(Debug, Default, Clone, Copy)]
pub struct Owners<'a> {
    pub institution: Option<&'a str>,
    pub college: Option<&'a str>,
    pub graduate: Option<&'a str>,
    pub employer: Option<&'a str>,
    /// Rows every office reads in full, such as the employer registry.
    pub directory: bool,
}

impl Owners<'static> {
    /// No owner columns: the start of `Owners { institution: Some("i.id"), ..Owners::NONE }`.
    pub const NONE: Owners<'static> =
        Owners { institution: None, college: None, graduate: None, employer: None, directory: false };
}

/// Who owns one record; `None` where the record has no such owner.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub institution: Option<i64>,
    pub college: Option<i64>,
    pub graduate: Option<i64>,
    pub employer: Option<i64>,
    /// A record every office reads, such as a registered employer.
    pub directory: bool,
}

/// The actor may see none of what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("outside the actor's scope")]
pub struct OutOfScope;

impl Scope {
    /// The institution this scope is confined to, if any; `None` means all.
    pub fn institution(&self) -> Option<i64> {
        match self {
            Scope::Institution { institution_id, .. } => Some(*institution_id),
            _ => None,
        }
    }

    /// Appends ` AND …` to a WHERE clause being built, so the query returns
    /// only rows the scope may see; refuses when the query has no column to
    /// express the scope by (then the actor may see none of it).
    #[must_use = "a refused scope means the actor may see nothing: stop there"]
    pub fn restrict(&self, w: &mut SqlBuilder, owners: Owners) -> Result<(), OutOfScope> {
        match *self {
            Scope::Province => {}
            Scope::Institution { .. } if owners.directory => {}
            Scope::Institution { institution_id, college_id } => {
                let column = owners.institution.ok_or(OutOfScope)?;
                w.push(" AND ").push(column).push(" = ").bind(institution_id);
                if let (Some(college_id), Some(column)) = (college_id, owners.college) {
                    w.push(" AND ").push(column).push(" = ").bind(college_id);
                }
            }
            Scope::Employer { employer_id } => {
                let column = owners.employer.ok_or(OutOfScope)?;
                w.push(" AND ").push(column).push(" = ").bind(employer_id);
            }
            Scope::Graduate { graduate_id } => {
                let column = owners.graduate.ok_or(OutOfScope)?;
                w.push(" AND ").push(column).push(" = ").bind(graduate_id);
            }
            Scope::Nothing => return Err(OutOfScope),
        }
        Ok(())
    }

    /// Whether the scope may see a record owned by `owner`; the same rule as `restrict`.
    #[must_use]
    pub fn may_see(&self, owner: Owner) -> bool {
        match *self {
            Scope::Province => true,
            Scope::Institution { .. } if owner.directory => true,
            Scope::Institution { institution_id, college_id } => {
                owner.institution == Some(institution_id)
                    && match (college_id, owner.college) {
                        (Some(own), Some(college)) => own == college,
                        _ => true,
                    }
            }
            Scope::Employer { employer_id } => owner.employer == Some(employer_id),
            Scope::Graduate { graduate_id } => owner.graduate == Some(graduate_id),
            Scope::Nothing => false,
        }
    }

    /// Whether everything `narrower` may see, this scope may see too: a page
    /// narrowed to one unit must stay within the actor's own scope.
    #[must_use]
    pub fn covers(&self, narrower: &Scope) -> bool {
        match (*self, *narrower) {
            (_, Scope::Nothing) | (Scope::Province, _) => true,
            (
                Scope::Institution { institution_id, college_id },
                Scope::Institution { institution_id: other, college_id: other_college },
            ) => institution_id == other && (college_id.is_none() || college_id == other_college),
            (a, b) => a == b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;

    const COLUMNS: Owners<'static> = Owners {
        institution: Some("i"),
        college: Some("c"),
        graduate: Some("g"),
        employer: Some("e"),
        directory: false,
    };

    fn scopes() -> Vec<Scope> {
        let mut all = vec![Scope::Province, Scope::Nothing];
        for id in 1..=2 {
            all.push(Scope::Institution { institution_id: id, college_id: None });
            all.push(Scope::Institution { institution_id: id, college_id: Some(10 + id) });
            all.push(Scope::Employer { employer_id: id });
            all.push(Scope::Graduate { graduate_id: id });
        }
        all
    }

    fn owners_of(o: Owner) -> Vec<Owner> {
        let maybe = |v: Option<i64>| vec![None, v, v.map(|v| v + 1)];
        let mut all = Vec::new();
        for institution in maybe(o.institution) {
            for college in maybe(o.college) {
                for graduate in maybe(o.graduate) {
                    for employer in maybe(o.employer) {
                        for directory in [false, true] {
                            all.push(Owner { institution, college, graduate, employer, directory });
                        }
                    }
                }
            }
        }
        all
    }

    /// What `restrict` adds, evaluated on a record as the database would:
    /// `None` when refused.
    fn filtered(scope: Scope, owners: Owners, row: Owner) -> Option<bool> {
        let mut w = SqlBuilder::new("WHERE 1 = 1");
        scope.restrict(&mut w, owners).ok()?;
        let column = |name: &str| match name {
            "i" => row.institution,
            "c" => row.college,
            "g" => row.graduate,
            _ => row.employer,
        };
        let conditions: Vec<&str> = w.sql.split(" AND ").skip(1).collect();
        Some(conditions.iter().zip(&w.params).all(|(condition, param)| {
            let name = condition.split(" = ").next().unwrap_or("");
            matches!(param, Value::Int(Some(v)) if column(name) == Some(*v))
        }))
    }

    /// Every scope against records owned every way, through every subset of
    /// owner columns a query might have: the SQL restriction passes exactly the
    /// records `may_see` allows on what the query can tell, and a refusal
    /// never hides a record the actor could see.
    #[test]
    fn restrict_and_may_see_agree_and_never_widen() {
        let base =
            Owner { institution: Some(1), college: Some(11), graduate: Some(1), employer: Some(1), directory: false };
        for scope in scopes() {
            for row in owners_of(base) {
                for mask in 0..32u8 {
                    let pick = |bit: u8, c: Option<&'static str>| if mask & bit != 0 { c } else { None };
                    let owners = Owners {
                        institution: pick(1, COLUMNS.institution),
                        college: pick(2, COLUMNS.college),
                        graduate: pick(4, COLUMNS.graduate),
                        employer: pick(8, COLUMNS.employer),
                        directory: mask & 16 != 0,
                    };
                    let null_owner = [
                        (owners.institution, row.institution),
                        (owners.college, row.college),
                        (owners.graduate, row.graduate),
                        (owners.employer, row.employer),
                    ]
                    .iter()
                    .any(|(column, value)| column.is_some() && value.is_none());
                    if null_owner {
                        continue; // owner columns are NOT NULL
                    }
                    // A query knows the owners it has columns for; a record's other owners are unknown to it.
                    let known = Owner {
                        institution: owners.institution.and(row.institution),
                        college: owners.college.and(row.college),
                        graduate: owners.graduate.and(row.graduate),
                        employer: owners.employer.and(row.employer),
                        directory: owners.directory,
                    };
                    match filtered(scope, owners, row) {
                        Some(passes) => assert_eq!(passes, scope.may_see(known), "{scope:?} {owners:?} {row:?}"),
                        None => assert!(
                            matches!(scope, Scope::Nothing) || !scope.may_see(known),
                            "refused but visible: {scope:?} {owners:?} {row:?}"
                        ),
                    }
                }
            }
        }
    }

    #[test]
    fn the_rule_in_plain_cases() {
        let xtu = Owner { institution: Some(1), college: Some(11), graduate: Some(5), ..Owner::default() };
        assert!(Scope::Province.may_see(xtu));
        assert!(Scope::Institution { institution_id: 1, college_id: None }.may_see(xtu));
        assert!(Scope::Institution { institution_id: 1, college_id: Some(11) }.may_see(xtu));
        assert!(!Scope::Institution { institution_id: 1, college_id: Some(12) }.may_see(xtu));
        assert!(!Scope::Institution { institution_id: 2, college_id: None }.may_see(xtu));
        assert!(Scope::Graduate { graduate_id: 5 }.may_see(xtu));
        assert!(!Scope::Graduate { graduate_id: 6 }.may_see(xtu));
        assert!(!Scope::Employer { employer_id: 1 }.may_see(xtu));
        assert!(!Scope::Nothing.may_see(xtu));
        let notice = Owner { institution: Some(1), ..Owner::default() };
        assert!(Scope::Institution { institution_id: 1, college_id: Some(11) }.may_see(notice));
        let mut w = SqlBuilder::new("WHERE 1 = 1");
        let graduates = Owners {
            institution: Some("g.institution_id"),
            college: Some("g.college_id"),
            graduate: Some("g.id"),
            ..Owners::NONE
        };
        assert_eq!(Scope::Employer { employer_id: 1 }.restrict(&mut w, graduates), Err(OutOfScope));
        assert_eq!(w.sql, "WHERE 1 = 1", "a refusal adds nothing");
        Scope::Institution { institution_id: 1, college_id: Some(11) }.restrict(&mut w, graduates).unwrap();
        assert_eq!(w.sql, "WHERE 1 = 1 AND g.institution_id = $1 AND g.college_id = $2");
        let employer = Owner { employer: Some(7), directory: true, ..Owner::default() };
        assert!(Scope::Institution { institution_id: 2, college_id: Some(3) }.may_see(employer));
        assert!(Scope::Employer { employer_id: 7 }.may_see(employer));
        assert!(!Scope::Employer { employer_id: 8 }.may_see(employer));
        assert!(!Scope::Graduate { graduate_id: 7 }.may_see(employer));
    }

    #[test]
    fn a_narrowed_page_stays_inside_the_actors_scope() {
        let staff = Scope::Institution { institution_id: 1, college_id: None };
        let college = Scope::Institution { institution_id: 1, college_id: Some(11) };
        assert!(Scope::Province.covers(&staff) && staff.covers(&college) && college.covers(&college));
        assert!(!college.covers(&staff), "one college's staff may not see the whole institution");
        assert!(!staff.covers(&Scope::Institution { institution_id: 2, college_id: None }));
        assert!(!college.covers(&Scope::Institution { institution_id: 1, college_id: Some(12) }));
        assert!(!staff.covers(&Scope::Province) && staff.covers(&Scope::Nothing));
        assert!(!Scope::Graduate { graduate_id: 1 }.covers(&Scope::Graduate { graduate_id: 2 }));
    }
}
