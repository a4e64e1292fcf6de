//! An application's stages (投递进度), pure: which the employer may move it
//! to from where, and what the graduate may do.

use kernel::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// 已投递
    Received,
    /// 已查看: the employer opened it.
    Viewed,
    /// 初筛通过
    Shortlisted,
    /// 面试
    Interview,
    /// 录用意向 (offer), awaiting the graduate's answer.
    Offer,
    /// 已录用: the graduate accepted the offer.
    Hired,
    /// 不合适
    Rejected,
    /// 已撤回 by the graduate (an offer declined included).
    Withdrawn,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Received,
        Stage::Viewed,
        Stage::Shortlisted,
        Stage::Interview,
        Stage::Offer,
        Stage::Hired,
        Stage::Rejected,
        Stage::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Viewed => "viewed",
            Stage::Shortlisted => "shortlisted",
            Stage::Interview => "interview",
            Stage::Offer => "offer",
            Stage::Hired => "hired",
            Stage::Rejected => "rejected",
            Stage::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.key() == s)
    }
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Stage::Received => l.pick("已投递", "Received"),
            Stage::Viewed => l.pick("已查看", "Viewed"),
            Stage::Shortlisted => l.pick("初筛通过", "Shortlisted"),
            Stage::Interview => l.pick("面试", "Interview"),
            Stage::Offer => l.pick("录用意向", "Offer"),
            Stage::Hired => l.pick("已录用", "Hired"),
            Stage::Rejected => l.pick("不合适", "Not a match"),
            Stage::Withdrawn => l.pick("已撤回", "Withdrawn"),
        }
    }
    /// The employer's next moves from here: forward one step or to 不合适.
    /// An offer is answered by the graduate, not moved by the employer.
    pub fn employer_moves(self) -> &'static [Stage] {
        match self {
            Stage::Received | Stage::Viewed => &[Stage::Shortlisted, Stage::Rejected],
            Stage::Shortlisted => &[Stage::Interview, Stage::Offer, Stage::Rejected],
            Stage::Interview => &[Stage::Offer, Stage::Rejected],
            Stage::Offer | Stage::Hired | Stage::Rejected | Stage::Withdrawn => &[],
        }
    }
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Hired | Stage::Rejected | Stage::Withdrawn)
    }
    /// The graduate may withdraw until the application is decided.
    pub fn withdrawable(self) -> bool {
        !self.is_final()
    }
}

/// What the graduate answers an offer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
}

impl Answer {
    pub fn parse(s: &str) -> Option<Answer> {
        match s {
            "accept" => Some(Answer::Accept),
            "decline" => Some(Answer::Decline),
            _ => None,
        }
    }
    /// Where an answer leads; only an offer is answered.
    pub fn leads_to(self, from: Stage) -> Option<Stage> {
        match (self, from) {
            (Answer::Accept, Stage::Offer) => Some(Stage::Hired),
            (Answer::Decline, Stage::Offer) => Some(Stage::Withdrawn),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_reads_back_and_has_two_names() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.key()), Some(stage));
            assert_ne!(stage.label(Locale::Zh), stage.label(Locale::En));
        }
    }

    #[test]
    fn the_employer_moves_forward_or_says_no_and_never_past_an_answer() {
        assert!(Stage::Received.employer_moves().contains(&Stage::Shortlisted));
        assert!(!Stage::Received.employer_moves().contains(&Stage::Hired));
        for done in [Stage::Offer, Stage::Hired, Stage::Rejected, Stage::Withdrawn] {
            assert!(done.employer_moves().is_empty(), "{done:?}");
        }
        assert_eq!(Answer::Accept.leads_to(Stage::Offer), Some(Stage::Hired));
        assert_eq!(Answer::Decline.leads_to(Stage::Offer), Some(Stage::Withdrawn));
        assert_eq!(Answer::Accept.leads_to(Stage::Interview), None);
        assert!(!Stage::Hired.withdrawable() && Stage::Offer.withdrawable());
    }
}
