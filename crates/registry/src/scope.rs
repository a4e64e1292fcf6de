//! Who may read and change which part of the registry.

use kernel::auth::Scope;

/// Province staff read every institution; university staff only their own.
pub fn can_read_institution(scope: &Scope, institution_id: i64) -> bool {
    match scope {
        Scope::Province => true,
        Scope::Institution { institution_id: own, .. } => *own == institution_id,
        _ => false,
    }
}

/// Colleges and majors are edited by the province or by staff of the whole
/// institution; staff scoped to one college only read.
pub fn can_edit_institution(scope: &Scope, institution_id: i64) -> bool {
    match scope {
        Scope::Province => true,
        Scope::Institution { institution_id: own, college_id: None } => *own == institution_id,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_see_only_their_institution() {
        let staff = Scope::Institution { institution_id: 1, college_id: None };
        assert!(can_read_institution(&staff, 1));
        assert!(!can_read_institution(&staff, 2));
        let college_staff = Scope::Institution { institution_id: 1, college_id: Some(3) };
        assert!(can_read_institution(&college_staff, 1));
        assert!(!can_edit_institution(&college_staff, 1));
        assert!(!can_read_institution(&Scope::Employer { employer_id: 1 }, 1));
    }
}
