//! Conflicts of interest (回避): an expert may not review an application when
//! they share an institution, when the expert was a co-applicant or the
//! supervisor of its leader or a member, or when a declared relation links
//! them (declared by the expert, or by the applicant naming the expert).
//! Pure: plain structs in, the reasons out.

use std::collections::{HashMap, HashSet};

/// A person named on an application or in an expert's record: matched by
/// name (spaces ignored) and, when both sides know it, institution.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub name: String,
    pub institution_id: Option<i64>,
}

impl Person {
    pub fn new(name: &str, institution_id: Option<i64>) -> Person {
        Person { name: name.to_owned(), institution_id }
    }

    fn key(&self) -> String {
        self.name.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// The same person: same name, and not two different known institutions.
    pub fn same_as(&self, other: &Person) -> bool {
        let k = self.key();
        !k.is_empty()
            && k == other.key()
            && match (self.institution_id, other.institution_id) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// An expert as conflict detection and assignment see them.
#[derive(Debug, Clone, Default)]
pub struct Expert {
    pub id: i64,
    pub person: Person,
    /// Field codes (`review_field`).
    pub fields: Vec<String>,
    /// People the expert applied together with before.
    pub co_applicants: Vec<Person>,
    /// People the expert supervised (students, mentees).
    pub supervisees: Vec<Person>,
    /// Relations the expert declared (kin, same team, business partner).
    pub relations: Vec<Person>,
}

/// An application as conflict detection and assignment see it.
#[derive(Debug, Clone, Default)]
pub struct Application {
    pub id: i64,
    pub institution_id: Option<i64>,
    /// The field code (`review_field`).
    pub field: String,
    pub leader: Person,
    pub members: Vec<Person>,
    /// The team's supervisors (指导教师), when the call asks for them.
    pub supervisors: Vec<Person>,
    /// Experts the applicant declared a relation with (asked to be avoided).
    pub declared_experts: Vec<i64>,
}

impl Application {
    fn team(&self) -> impl Iterator<Item = &Person> {
        std::iter::once(&self.leader).chain(self.members.iter())
    }
}

/// Why an expert may not review an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Conflict {
    SameInstitution,
    CoApplicant,
    Supervisor,
    DeclaredRelation,
}

impl Conflict {
    pub fn code(self) -> &'static str {
        match self {
            Conflict::SameInstitution => "same_institution",
            Conflict::CoApplicant => "co_applicant",
            Conflict::Supervisor => "supervisor",
            Conflict::DeclaredRelation => "declared_relation",
        }
    }

    pub fn label(self, l: kernel::Locale) -> &'static str {
        match self {
            Conflict::SameInstitution => l.pick("同单位", "Same institution"),
            Conflict::CoApplicant => l.pick("曾共同申报", "Past co-applicant"),
            Conflict::Supervisor => l.pick("指导关系", "Supervisor"),
            Conflict::DeclaredRelation => l.pick("申报关联关系", "Declared relation"),
        }
    }
}

/// Every reason the expert must not review the application (empty: free).
pub fn conflicts(e: &Expert, a: &Application) -> Vec<Conflict> {
    let mut out = Vec::new();
    if e.person.institution_id.is_some() && e.person.institution_id == a.institution_id {
        out.push(Conflict::SameInstitution);
    }
    if a.team().any(|p| e.co_applicants.iter().any(|c| c.same_as(p)) || p.same_as(&e.person)) {
        out.push(Conflict::CoApplicant);
    }
    if a.team().any(|p| e.supervisees.iter().any(|s| s.same_as(p)))
        || a.supervisors.iter().any(|s| s.same_as(&e.person))
    {
        out.push(Conflict::Supervisor);
    }
    if a.declared_experts.contains(&e.id) || a.team().any(|p| e.relations.iter().any(|r| r.same_as(p))) {
        out.push(Conflict::DeclaredRelation);
    }
    out
}

/// The conflicted (application index, expert index) pairs, checking every pair.
pub fn conflicted_pairs(apps: &[Application], experts: &[Expert]) -> HashSet<(usize, usize)> {
    let mut out = HashSet::new();
    for (i, a) in apps.iter().enumerate() {
        for (j, e) in experts.iter().enumerate() {
            if !conflicts(e, a).is_empty() {
                out.insert((i, j));
            }
        }
    }
    out
}

/// For each application the indexes of the experts free to review it: the
/// same answer as [`conflicts`] on every pair, found through an index of the
/// people the experts name (by name key), so the work grows with the
/// applications' teams rather than with applications × experts × links.
pub fn free_experts(apps: &[Application], experts: &[Expert]) -> Vec<Vec<usize>> {
    // Name key → (expert index, the person as named: a co-applicant,
    // supervisee or relation, or the expert themselves).
    let mut named: HashMap<String, Vec<(usize, &Person)>> = HashMap::new();
    let mut by_institution: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut by_id: HashMap<i64, Vec<usize>> = HashMap::new();
    for (j, e) in experts.iter().enumerate() {
        for p in e.co_applicants.iter().chain(&e.supervisees).chain(&e.relations).chain(std::iter::once(&e.person)) {
            named.entry(p.key()).or_default().push((j, p));
        }
        if let Some(i) = e.person.institution_id {
            by_institution.entry(i).or_default().push(j);
        }
        by_id.entry(e.id).or_default().push(j);
    }
    let mut blocked = vec![false; experts.len()];
    apps.iter()
        .map(|a| {
            let mut hit = Vec::new();
            if let Some(i) = a.institution_id {
                hit.extend(by_institution.get(&i).into_iter().flatten().copied());
            }
            for id in &a.declared_experts {
                hit.extend(by_id.get(id).into_iter().flatten().copied());
            }
            for p in a.team().chain(&a.supervisors) {
                for &(j, q) in named.get(&p.key()).into_iter().flatten() {
                    if q.same_as(p) && !conflicts(&experts[j], a).is_empty() {
                        hit.push(j);
                    }
                }
            }
            hit.iter().for_each(|&j| blocked[j] = true);
            let free = (0..experts.len()).filter(|&j| !blocked[j]).collect();
            hit.iter().for_each(|&j| blocked[j] = false);
            free
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn expert() -> Expert {
        Expert {
            id: 7,
            person: Person::new("王 明", Some(1)),
            fields: vec!["0812".into()],
            co_applicants: vec![Person::new("李华", Some(2))],
            supervisees: vec![Person::new("赵敏", None)],
            relations: vec![Person::new("钱多", Some(3))],
        }
    }

    fn app(inst: i64, leader: &str) -> Application {
        Application {
            id: 1,
            institution_id: Some(inst),
            field: "0812".into(),
            leader: Person::new(leader, Some(inst)),
            ..Application::default()
        }
    }

    #[test]
    fn free_when_nothing_links_them() {
        assert!(conflicts(&expert(), &app(5, "孙一")).is_empty());
    }

    #[test]
    fn same_institution() {
        assert_eq!(conflicts(&expert(), &app(1, "孙一")), vec![Conflict::SameInstitution]);
    }

    #[test]
    fn co_applicant_leader_or_member() {
        assert_eq!(conflicts(&expert(), &app(2, "李华")), vec![Conflict::CoApplicant]);
        let mut a = app(4, "孙一");
        a.members.push(Person::new(" 李 华", None));
        assert_eq!(conflicts(&expert(), &a), vec![Conflict::CoApplicant]);
        // A namesake at another institution is someone else.
        assert!(conflicts(&expert(), &app(4, "李华")).is_empty());
    }

    #[test]
    fn supervisor_either_way() {
        assert_eq!(conflicts(&expert(), &app(9, "赵敏")), vec![Conflict::Supervisor]);
        let mut a = app(9, "孙一");
        a.supervisors.push(Person::new("王明", Some(1)));
        assert_eq!(conflicts(&expert(), &a), vec![Conflict::Supervisor]);
    }

    #[test]
    fn declared_relations_either_side() {
        assert_eq!(conflicts(&expert(), &app(3, "钱多")), vec![Conflict::DeclaredRelation]);
        let mut a = app(8, "孙一");
        a.declared_experts.push(7);
        assert_eq!(conflicts(&expert(), &a), vec![Conflict::DeclaredRelation]);
    }

    #[test]
    fn several_reasons_at_once() {
        let mut a = app(1, "李华");
        a.leader.institution_id = None;
        a.declared_experts.push(7);
        assert_eq!(
            conflicts(&expert(), &a),
            vec![Conflict::SameInstitution, Conflict::CoApplicant, Conflict::DeclaredRelation]
        );
        assert_eq!(conflicted_pairs(&[a, app(5, "孙一")], &[expert()]).len(), 1);
    }

    fn person() -> impl Strategy<Value = Person> {
        (0usize..4, proptest::option::of(0i64..3))
            .prop_map(|(n, i)| Person::new(["李华", "赵敏", "钱多", "孙 一"][n], i))
    }

    proptest! {
        /// The index finds exactly the pairs the pairwise check finds.
        #[test]
        fn the_index_agrees_with_every_pair(
            apps in proptest::collection::vec(
                (proptest::option::of(0i64..3), person(), proptest::collection::vec(person(), 0..3),
                 proptest::collection::vec(person(), 0..2), proptest::collection::vec(0i64..4, 0..2)),
                1..6),
            experts in proptest::collection::vec(
                (person(), proptest::collection::vec(person(), 0..3), proptest::collection::vec(person(), 0..2),
                 proptest::collection::vec(person(), 0..2)),
                1..5),
        ) {
            let apps: Vec<Application> = apps.into_iter().enumerate().map(|(i, (inst, leader, members, supervisors, declared))| {
                Application { id: i as i64, institution_id: inst, field: "01".into(), leader, members, supervisors, declared_experts: declared }
            }).collect();
            let experts: Vec<Expert> = experts.into_iter().enumerate().map(|(j, (person, co_applicants, supervisees, relations))| {
                Expert { id: j as i64, person, fields: vec![], co_applicants, supervisees, relations }
            }).collect();
            let pairs = conflicted_pairs(&apps, &experts);
            let free = free_experts(&apps, &experts);
            for (i, f) in free.iter().enumerate() {
                for j in 0..experts.len() {
                    prop_assert_eq!(f.contains(&j), !pairs.contains(&(i, j)), "application {} expert {}", i, j);
                }
            }
        }
    }
}
