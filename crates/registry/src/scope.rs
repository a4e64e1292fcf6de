//! Who may read and change which part of the registry, in terms of
//! `Scope::may_see` and `Scope::covers`.

use kernel::auth::{Owner, Scope};

/// Province staff read every institution; university staff only their own.
pub fn can_read_institution(scope: &Scope, institution_id: i64) -> bool {
    scope.may_see(Owner { institution: Some(institution_id), ..Owner::default() })
}

/// Colleges and majors are edited by the province or by staff of the whole
/// institution; staff scoped to one college only read.
pub fn can_edit_institution(scope: &Scope, institution_id: i64) -> bool {
    scope.covers(&Scope::Institution { institution_id, college_id: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_see_only_their_institution() {
        let staff = Scope::Institution { institution_id: 1, college_id: None };
        assert!(can_read_institution(&staff, 1));
        assert!(!can_read_institution(&staff, 2));
        assert!(can_edit_institution(&staff, 1) && !can_edit_institution(&staff, 2));
        let college_staff = Scope::Institution { institution_id: 1, college_id: Some(3) };
        assert!(can_read_institution(&college_staff, 1));
        assert!(!can_edit_institution(&college_staff, 1));
        assert!(!can_read_institution(&Scope::Employer { employer_id: 1 }, 1));
        assert!(can_edit_institution(&Scope::Province, 2));
    }
}
