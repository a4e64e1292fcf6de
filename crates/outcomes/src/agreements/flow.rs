//! The three-party agreement's state machine (DOMAIN.md 8.1), pure: which
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
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Invited,
        Status::SignedByGraduate,
        Status::CollegeApproved,
        Status::Sealed,
        Status::Effective,
        Status::Withdrawn,
        Status::Declined,
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
        }
    }

    /// A live agreement blocks another one for the same graduate.
    pub fn is_live(self) -> bool {
        !matches!(self, Status::Withdrawn | Status::Declined)
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
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Step::Withdraw => l.pick("撤回邀约", "Withdraw"),
            Step::Decline => l.pick("拒绝", "Decline"),
            Step::Accept => l.pick("接受并签名", "Accept and sign"),
            Step::CollegeApprove => l.pick("学院审核通过", "Approve (college)"),
            Step::CollegeReject => l.pick("学院退回", "Send back (college)"),
            Step::Seal => l.pick("单位盖章", "Seal"),
            Step::Confirm => l.pick("学校确认生效", "Confirm (school)"),
            Step::SchoolReject => l.pick("学校退回", "Send back (school)"),
        }
    }

    /// The party that takes this step.
    pub fn party(self) -> Party {
        match self {
            Step::Withdraw | Step::Seal => Party::Employer,
            Step::Decline | Step::Accept => Party::Graduate,
            Step::CollegeApprove | Step::CollegeReject => Party::College,
            Step::Confirm | Step::SchoolReject => Party::School,
        }
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
        _ => return None,
    })
}

/// The steps `party` may take from `status`, for the buttons a page shows.
pub fn steps_for(status: Status, parties: &[Party]) -> Vec<Step> {
    const STEPS: [Step; 8] = [
        Step::Accept,
        Step::Decline,
        Step::Withdraw,
        Step::CollegeApprove,
        Step::CollegeReject,
        Step::Seal,
        Step::Confirm,
        Step::SchoolReject,
    ];
    STEPS.into_iter().filter(|s| parties.contains(&s.party()) && next(status, *s).is_some()).collect()
}

/// The agreement number: 毕业年份 + 院校代码 + 学历 digit + 5-digit serial (the
/// Zhejiang scheme in DOMAIN.md 8; unconfirmed for Hunan, so kept in one place).
pub fn number(cohort: i64, institution_code: &str, level: &str, serial: i64) -> String {
    let level_digit = match level {
        l if l.contains("专科") => 1,
        l if l.contains("硕士") || l.contains("博士") => 3,
        _ => 2,
    };
    format!("{cohort}{institution_code}{level_digit}{serial:05}")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn numbers() {
        assert_eq!(number(2022, "10530", "本科生毕业", 7), "202210530200007");
        assert_eq!(number(2022, "12345", "专科生毕业", 12), "202212345100012");
        assert_eq!(number(2022, "10533", "博士生毕业", 1), "202210533300001");
    }
}
