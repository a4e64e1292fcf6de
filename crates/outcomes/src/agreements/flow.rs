//! The three-party agreement's state machine (docs/domain/agreements.md §2), pure: which
//! party may take which step from which state, and where it leads.

use kernel::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 单位已邀约
    Invited,
    /// 学生已签名
    SignedByGraduate,
    /// 学院已审核
    CollegeApproved,
    /// 单位已盖章
    Sealed,
    /// 生效
    Effective,
    /// 已撤回
    Withdrawn,
    /// 已拒绝
    Declined,
    /// 解约申请: the graduate asked to cancel; awaits the college.
    CancelRequested,
    /// 学院已同意解约; awaits the employer.
    CancelCollegeApproved,
    /// 单位已同意解约; awaits the school.
    CancelEmployerApproved,
    /// 已解约
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 11] = [
        Status::Invited,
        Status::SignedByGraduate,
        Status::CollegeApproved,
        Status::Sealed,
        Status::Effective,
        Status::Withdrawn,
        Status::Declined,
        Status::CancelRequested,
        Status::CancelCollegeApproved,
        Status::CancelEmployerApproved,
        Status::Cancelled,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Status::Invited => "invited",
            Status::SignedByGraduate => "signed",
            Status::CollegeApproved => "college_approved",
            Status::Sealed => "sealed",
            Status::Effective => "effective",
            Status::Withdrawn => "withdrawn",
            Status::Declined => "declined",
            Status::CancelRequested => "cancel_requested",
            Status::CancelCollegeApproved => "cancel_college_approved",
            Status::CancelEmployerApproved => "cancel_employer_approved",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.key() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Status::Invited => l.pick("单位已邀约", "Invited by the employer"),
            Status::SignedByGraduate => l.pick("学生已签名", "Signed by the graduate"),
            Status::CollegeApproved => l.pick("学院已审核", "Approved by the college"),
            Status::Sealed => l.pick("单位已盖章", "Sealed by the employer"),
            Status::Effective => l.pick("生效", "In force"),
            Status::Withdrawn => l.pick("已撤回", "Withdrawn"),
            Status::Declined => l.pick("已拒绝", "Declined"),
            Status::CancelRequested => l.pick("解约申请（待学院审核）", "Cancellation requested (college)"),
            Status::CancelCollegeApproved => l.pick("解约申请（待单位同意）", "Cancellation requested (employer)"),
            Status::CancelEmployerApproved => l.pick("解约申请（待学校审核）", "Cancellation requested (school)"),
            Status::Cancelled => l.pick("已解约", "Cancelled"),
        }
    }

    /// A live agreement blocks another one for the same graduate.
    pub fn is_live(self) -> bool {
        !matches!(self, Status::Withdrawn | Status::Declined | Status::Cancelled)
    }
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Employer,
    Graduate,
    /// The graduate's college (院系), or the school's office acting for it.
    College,
    /// The school's employment office (学校).
    School,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Withdraw,
    Decline,
    Accept,
    CollegeApprove,
    CollegeReject,
    Seal,
    Confirm,
    SchoolReject,
    /// The graduate asks to cancel an agreement in force (解约申请).
    RequestCancel,
    /// Approvals in order (docs/domain/agreements.md §4): college, then employer, then school.
    CollegeApproveCancel,
    EmployerApproveCancel,
    SchoolApproveCancel,
    /// Any of the three refuses: the agreement stays in force.
    RefuseCancel,
}

/// Every action an agreement's history records, by key, in both languages:
/// the invitation and each step. Buttons and the history read this one table.
const ACTIONS: [(&str, &str, &str); 14] = [
    ("invite", "单位发起邀约", "Invite"),
    ("withdraw", "撤回邀约", "Withdraw"),
    ("decline", "拒绝", "Decline"),
    ("accept", "接受并签名", "Accept and sign"),
    ("college_approve", "学院审核通过", "Approve (college)"),
    ("college_reject", "学院退回", "Send back (college)"),
    ("seal", "单位盖章", "Seal"),
    ("confirm", "学校确认生效", "Confirm (school)"),
    ("school_reject", "学校退回", "Send back (school)"),
    ("request_cancel", "申请解约", "Ask to cancel"),
    ("college_approve_cancel", "学院同意解约", "Agree to cancel (college)"),
    ("employer_approve_cancel", "单位同意解约", "Agree to cancel (employer)"),
    ("school_approve_cancel", "学校同意解约", "Agree to cancel (school)"),
    ("refuse_cancel", "不同意解约", "Refuse the cancellation"),
];

/// An action's name in the reader's language; an unknown key shows as it is.
pub fn action_label(key: &str, l: Locale) -> &str {
    ACTIONS.iter().find(|(k, _, _)| *k == key).map(|(_, zh, en)| l.pick(zh, en)).unwrap_or(key)
}

impl Step {
    pub fn parse(s: &str) -> Option<Step> {
        Some(match s {
            "withdraw" => Step::Withdraw,
            "decline" => Step::Decline,
            "accept" => Step::Accept,
            "college_approve" => Step::CollegeApprove,
            "college_reject" => Step::CollegeReject,
            "seal" => Step::Seal,
            "confirm" => Step::Confirm,
            "school_reject" => Step::SchoolReject,
            "request_cancel" => Step::RequestCancel,
            "college_approve_cancel" => Step::CollegeApproveCancel,
            "employer_approve_cancel" => Step::EmployerApproveCancel,
            "school_approve_cancel" => Step::SchoolApproveCancel,
            "refuse_cancel" => Step::RefuseCancel,
            _ => return None,
        })
    }

    pub fn key(self) -> &'static str {
        match self {
            Step::Withdraw => "withdraw",
            Step::Decline => "decline",
            Step::Accept => "accept",
            Step::CollegeApprove => "college_approve",
            Step::CollegeReject => "college_reject",
            Step::Seal => "seal",
            Step::Confirm => "confirm",
            Step::SchoolReject => "school_reject",
            Step::RequestCancel => "request_cancel",
            Step::CollegeApproveCancel => "college_approve_cancel",
            Step::EmployerApproveCancel => "employer_approve_cancel",
            Step::SchoolApproveCancel => "school_approve_cancel",
            Step::RefuseCancel => "refuse_cancel",
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        action_label(self.key(), l)
    }

    /// The party that takes this step.
    pub fn party(self) -> Party {
        match self {
            Step::Withdraw | Step::Seal | Step::EmployerApproveCancel => Party::Employer,
            Step::Decline | Step::Accept | Step::RequestCancel => Party::Graduate,
            Step::CollegeApprove | Step::CollegeReject | Step::CollegeApproveCancel => Party::College,
            Step::Confirm | Step::SchoolReject | Step::SchoolApproveCancel => Party::School,
            // Whoever's approval is awaited may refuse; `may_take` decides.
            Step::RefuseCancel => Party::School,
        }
    }

    /// Every party that may take this step in some state.
    pub fn parties(self) -> &'static [Party] {
        match self {
            Step::RefuseCancel => &[Party::College, Party::Employer, Party::School],
            _ => match self.party() {
                Party::Employer => &[Party::Employer],
                Party::Graduate => &[Party::Graduate],
                Party::College => &[Party::College],
                Party::School => &[Party::School],
            },
        }
    }

    /// Whether one of `parties` may take this step from `status`.
    pub fn may_take(self, status: Status, parties: &[Party]) -> bool {
        let party = match (self, status) {
            (Step::RefuseCancel, Status::CancelRequested) => Party::College,
            (Step::RefuseCancel, Status::CancelCollegeApproved) => Party::Employer,
            _ => self.party(),
        };
        parties.contains(&party) && next(status, self).is_some()
    }
}

/// Where `step` leads from `from`, or `None` when it may not be taken there.
pub fn next(from: Status, step: Step) -> Option<Status> {
    use Status::*;
    Some(match (from, step) {
        (Invited, Step::Withdraw) => Withdrawn,
        (Invited, Step::Decline) => Declined,
        (Invited, Step::Accept) => SignedByGraduate,
        (SignedByGraduate, Step::CollegeApprove) => CollegeApproved,
        (SignedByGraduate, Step::CollegeReject) => Invited,
        (CollegeApproved, Step::Seal) => Sealed,
        (Sealed, Step::Confirm) => Effective,
        (Sealed, Step::SchoolReject) => CollegeApproved,
        (Effective, Step::RequestCancel) => CancelRequested,
        (CancelRequested, Step::CollegeApproveCancel) => CancelCollegeApproved,
        (CancelCollegeApproved, Step::EmployerApproveCancel) => CancelEmployerApproved,
        (CancelEmployerApproved, Step::SchoolApproveCancel) => Cancelled,
        (CancelRequested | CancelCollegeApproved | CancelEmployerApproved, Step::RefuseCancel) => Effective,
        _ => return None,
    })
}

/// The steps `party` may take from `status`, for the buttons a page shows.
pub fn steps_for(status: Status, parties: &[Party]) -> Vec<Step> {
    const STEPS: [Step; 13] = [
        Step::Accept,
        Step::Decline,
        Step::Withdraw,
        Step::CollegeApprove,
        Step::CollegeReject,
        Step::Seal,
        Step::Confirm,
        Step::SchoolReject,
        Step::RequestCancel,
        Step::CollegeApproveCancel,
        Step::EmployerApproveCancel,
        Step::SchoolApproveCancel,
        Step::RefuseCancel,
    ];
    STEPS.into_iter().filter(|s| s.may_take(status, parties)).collect()
}

/// The agreement number: 毕业年份 + 院校代码 + 学历 digit + 5-digit serial (the
/// Zhejiang scheme, docs/domain/agreements.md §5; unconfirmed for Hunan, so kept in one place).
pub fn number(cohort: i64, institution_code: &str, level: &str, serial: i64) -> String {
    let level_digit = match level {
        l if l.contains("专科") => 1,
        l if l.contains("硕士") || l.contains("博士") => 3,
        _ => 2,
    };
    format!("{cohort}{institution_code}{level_digit}{serial:05}")
}

/// Crockford's base32: no I, L, O or U, so a code read off paper is typed back right.
const BASE32: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The verification code (验证码) of an agreement from 80 random bits: 16
/// characters, too many to guess or walk through on the public check page.
pub fn verify_code(random: [u8; 10]) -> String {
    let bits = random.iter().fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    (0..16).rev().map(|i| char::from(BASE32[((bits >> (i * 5)) & 31) as usize])).collect()
}

/// A code as people type it back: any case, with spaces or dashes, O for 0, I or L for 1.
pub fn normalize_verify_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// The code in groups of four, as printed: `7K3M-…`.
pub fn grouped(code: &str) -> String {
    code.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c)).collect::<Vec<_>>().join("-")
}

/// Whether a viewer speaking for these parties sees the graduate's ID number
/// in full. The graduate and its school (college or office) hold it anyway;
/// the employer needs it for the labour contract, social insurance and the
/// archive, so it gets it on the printed agreement once in force, masked
/// before; anyone else (the province) sees it masked.
pub fn sees_id_number(parties: &[Party], printing: bool) -> bool {
    parties.iter().any(|p| match p {
        Party::Graduate | Party::College | Party::School => true,
        Party::Employer => printing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_name_in_both_languages() {
        for (key, zh, en) in ACTIONS {
            assert!(key == "invite" || Step::parse(key).is_some_and(|s| s.key() == key), "{key}");
            assert_eq!(action_label(key, Locale::Zh), zh);
            assert_eq!(action_label(key, Locale::En), en);
            assert!(!zh.is_ascii(), "{key} in Chinese");
        }
        assert_eq!(Step::Accept.label(Locale::Zh), "接受并签名");
        assert_eq!(action_label("something_new", Locale::Zh), "something_new");
    }

    #[test]
    fn verify_codes_are_16_unambiguous_characters_and_read_back_as_typed() {
        assert_eq!(verify_code([0; 10]), "0000000000000000");
        assert_eq!(verify_code([255; 10]), "ZZZZZZZZZZZZZZZZ");
        let code = verify_code([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(code.len(), 16);
        assert!(code.chars().all(|c| BASE32.contains(&(c as u8))));
        assert_eq!(normalize_verify_code(&grouped(&code).to_lowercase()), code);
        assert_eq!(normalize_verify_code("o1l0-i"), "01101");
        assert_eq!(grouped("ABCDEFGH"), "ABCD-EFGH");
    }

    #[test]
    fn the_id_number_shows_in_full_only_to_parties_who_need_it() {
        assert!(sees_id_number(&[Party::Graduate], false));
        assert!(sees_id_number(&[Party::College, Party::School], false));
        assert!(!sees_id_number(&[Party::Employer], false));
        assert!(sees_id_number(&[Party::Employer], true));
        assert!(!sees_id_number(&[], true), "the province reads it masked");
    }

    #[test]
    fn the_whole_way_to_force() {
        let mut s = Status::Invited;
        for step in [Step::Accept, Step::CollegeApprove, Step::Seal, Step::Confirm] {
            s = next(s, step).unwrap();
        }
        assert_eq!(s, Status::Effective);
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        assert_eq!(next(Status::Invited, Step::Confirm), None);
        assert_eq!(next(Status::SignedByGraduate, Step::Withdraw), None, "no withdrawing once signed");
        assert_eq!(next(Status::Effective, Step::Accept), None);
        assert_eq!(next(Status::Declined, Step::Accept), None);
        assert_eq!(next(Status::SignedByGraduate, Step::CollegeReject), Some(Status::Invited));
    }

    #[test]
    fn each_party_sees_only_its_steps() {
        assert_eq!(steps_for(Status::Invited, &[Party::Graduate]), vec![Step::Accept, Step::Decline]);
        assert_eq!(steps_for(Status::Invited, &[Party::Employer]), vec![Step::Withdraw]);
        assert!(steps_for(Status::Invited, &[Party::College, Party::School]).is_empty());
        assert_eq!(
            steps_for(Status::Sealed, &[Party::College, Party::School]),
            vec![Step::Confirm, Step::SchoolReject]
        );
    }

    #[test]
    fn cancellation_needs_college_employer_and_school_in_that_order() {
        let mut s = Status::Effective;
        assert_eq!(
            next(Status::CancelRequested, Step::SchoolApproveCancel),
            None,
            "the school waits for the college and employer"
        );
        for step in
            [Step::RequestCancel, Step::CollegeApproveCancel, Step::EmployerApproveCancel, Step::SchoolApproveCancel]
        {
            s = next(s, step).unwrap();
        }
        assert_eq!(s, Status::Cancelled);
        assert!(!Status::Cancelled.is_live());
        assert_eq!(next(Status::CancelCollegeApproved, Step::RefuseCancel), Some(Status::Effective));
        assert!(Step::RefuseCancel.may_take(Status::CancelCollegeApproved, &[Party::Employer]));
        assert!(!Step::RefuseCancel.may_take(Status::CancelCollegeApproved, &[Party::College]));
        assert_eq!(steps_for(Status::Effective, &[Party::Graduate]), vec![Step::RequestCancel]);
    }

    #[test]
    fn every_status_reads_back_from_its_key() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.key()), Some(s));
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number(2022, "10530", "本科生毕业", 7), "202210530200007");
        assert_eq!(number(2022, "12345", "专科生毕业", 12), "202212345100012");
        assert_eq!(number(2022, "10533", "博士生毕业", 1), "202210533300001");
    }
}
