//! The transfer's state machine (转递流程): 待确认去向 → 已确认接收单位 →
//! 已装袋封存 → 已寄出 → 接收单位已签收; a return (退回) from dispatched goes
//! back to confirmed with its reason. No step is skipped, nothing is sealed
//! without a confirmed receiver and nothing dispatched without a tracking
//! number. Pure.

use kernel::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// 待确认去向: no receiver confirmed yet.
    Pending,
    /// 已确认接收单位.
    Confirmed,
    /// 已装袋封存.
    Sealed,
    /// 已寄出.
    Dispatched,
    /// 接收单位已签收.
    Received,
}

impl State {
    pub const ALL: [State; 5] = [State::Pending, State::Confirmed, State::Sealed, State::Dispatched, State::Received];

    pub fn key(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Confirmed => "confirmed",
            State::Sealed => "sealed",
            State::Dispatched => "dispatched",
            State::Received => "received",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.key() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            State::Pending => l.pick("待确认去向", "Receiver to confirm"),
            State::Confirmed => l.pick("已确认接收单位", "Receiver confirmed"),
            State::Sealed => l.pick("已装袋封存", "Sealed"),
            State::Dispatched => l.pick("已寄出", "Dispatched"),
            State::Received => l.pick("接收单位已签收", "Received"),
        }
    }
}

/// The dispatch channel (寄送方式): 机要通信 or EMS, school to receiver only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Confidential,
    Ems,
}

impl Channel {
    pub fn key(self) -> &'static str {
        match self {
            Channel::Confidential => "jiyao",
            Channel::Ems => "ems",
        }
    }

    /// The key, or how a sheet names it.
    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim().to_lowercase().as_str() {
            "jiyao" | "机要" | "机要通信" | "confidential" => Some(Channel::Confidential),
            "ems" | "邮政ems" | "ems特快" => Some(Channel::Ems),
            _ => None,
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Channel::Confidential => l.pick("机要通信", "Confidential post (机要)"),
            Channel::Ems => "EMS",
        }
    }
}

/// What someone does to a transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Confirm (or change) the receiver; `has_receiver` whether one is given.
    Confirm {
        has_receiver: bool,
    },
    Seal,
    Dispatch {
        channel: Channel,
        tracking_no: String,
    },
    Receive,
    Return {
        reason: String,
    },
}

impl Action {
    /// The step's name in the steps table and the audit log.
    pub fn step(&self) -> &'static str {
        match self {
            Action::Confirm { .. } => "confirm",
            Action::Seal => "seal",
            Action::Dispatch { .. } => "dispatch",
            Action::Receive => "receive",
            Action::Return { .. } => "return",
        }
    }
}

/// What an office does to a whole batch at once (整批装袋封存 / 整批签收):
/// each transfer of the batch in the step's starting state is moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStep {
    Seal,
    Receive,
}

impl BatchStep {
    /// The state the step moves transfers from.
    pub fn from(self) -> State {
        match self {
            BatchStep::Seal => State::Confirmed,
            BatchStep::Receive => State::Dispatched,
        }
    }

    pub fn action(self) -> Action {
        match self {
            BatchStep::Seal => Action::Seal,
            BatchStep::Receive => Action::Receive,
        }
    }

    /// What the office is told after moving `n` transfers.
    pub fn done(self, n: usize, l: Locale) -> String {
        match (self, l) {
            (BatchStep::Seal, Locale::Zh) => format!("已装袋封存 {n} 份档案。"),
            (BatchStep::Seal, Locale::En) => format!("{n} archives sealed."),
            (BatchStep::Receive, Locale::Zh) => format!("已登记签收 {n} 份档案。"),
            (BatchStep::Receive, Locale::En) => format!("{n} archives recorded as received."),
        }
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not from this state")]
    Skipped,
    #[error("no receiver")]
    NoReceiver,
    #[error("no tracking number")]
    NoTrackingNo,
    #[error("no reason")]
    NoReason,
}

impl Refused {
    pub fn told(self, l: Locale) -> &'static str {
        match self {
            Refused::Skipped => l.pick(
                "当前状态不能进行此操作（不能跳过步骤）。",
                "Not possible in the current state (no step is skipped).",
            ),
            Refused::NoReceiver => l.pick("尚未确认接收单位。", "No receiver is confirmed."),
            Refused::NoTrackingNo => l.pick(
                "请填写有效的机要号或 EMS 邮件号（6-30 位字母或数字）。",
                "Give a valid tracking number (6-30 letters or digits).",
            ),
            Refused::NoReason => l.pick("请填写退回原因。", "Give the reason for the return."),
        }
    }
}

/// The state after `action`, `has_receiver` saying whether a receiver is confirmed now.
pub fn next(state: State, has_receiver: bool, action: &Action) -> Result<State, Refused> {
    match (state, action) {
        (State::Pending | State::Confirmed, Action::Confirm { has_receiver: true }) => Ok(State::Confirmed),
        (State::Pending | State::Confirmed, Action::Confirm { has_receiver: false }) => Err(Refused::NoReceiver),
        (State::Confirmed, Action::Seal) if has_receiver => Ok(State::Sealed),
        (State::Confirmed | State::Pending, Action::Seal) if !has_receiver => Err(Refused::NoReceiver),
        (State::Sealed, Action::Dispatch { tracking_no, .. }) => {
            if !has_receiver {
                Err(Refused::NoReceiver)
            } else if !crate::rules::valid_tracking_no(tracking_no) {
                Err(Refused::NoTrackingNo)
            } else {
                Ok(State::Dispatched)
            }
        }
        (State::Dispatched, Action::Receive) => Ok(State::Received),
        (State::Dispatched, Action::Return { reason }) if reason.trim().is_empty() => Err(Refused::NoReason),
        (State::Dispatched, Action::Return { .. }) => Ok(State::Confirmed),
        _ => Err(Refused::Skipped),
    }
}

/// Whether a transfer is overdue: its batch's deadline passed and not received.
pub fn overdue(state: State, deadline: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> bool {
    state != State::Received && deadline.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dispatch(n: &str) -> Action {
        Action::Dispatch { channel: Channel::Ems, tracking_no: n.into() }
    }

    #[test]
    fn a_batch_step_is_the_single_step_from_its_state() {
        for step in [BatchStep::Seal, BatchStep::Receive] {
            assert!(next(step.from(), true, &step.action()).is_ok(), "{step:?}");
        }
    }

    #[test]
    fn the_whole_way() {
        let mut s = State::Pending;
        for a in [Action::Confirm { has_receiver: true }, Action::Seal, dispatch("EA123456789CN"), Action::Receive] {
            s = next(s, true, &a).expect("allowed");
        }
        assert_eq!(s, State::Received);
    }

    #[test]
    fn no_step_is_skipped() {
        assert_eq!(next(State::Pending, true, &Action::Seal), Err(Refused::Skipped));
        assert_eq!(next(State::Confirmed, true, &dispatch("EA123456789CN")), Err(Refused::Skipped));
        assert_eq!(next(State::Sealed, true, &Action::Receive), Err(Refused::Skipped));
        assert_eq!(next(State::Received, true, &Action::Return { reason: "x".into() }), Err(Refused::Skipped));
        assert_eq!(next(State::Sealed, true, &Action::Confirm { has_receiver: true }), Err(Refused::Skipped));
    }

    #[test]
    fn no_seal_or_dispatch_without_a_receiver() {
        assert_eq!(next(State::Pending, false, &Action::Seal), Err(Refused::NoReceiver));
        assert_eq!(next(State::Sealed, false, &dispatch("EA123456789CN")), Err(Refused::NoReceiver));
        assert_eq!(next(State::Pending, false, &Action::Confirm { has_receiver: false }), Err(Refused::NoReceiver));
    }

    #[test]
    fn a_dispatch_needs_a_tracking_number_and_a_return_a_reason() {
        assert_eq!(next(State::Sealed, true, &dispatch("")), Err(Refused::NoTrackingNo));
        assert_eq!(next(State::Sealed, true, &dispatch("12 34")), Err(Refused::NoTrackingNo));
        assert_eq!(next(State::Dispatched, true, &Action::Return { reason: " ".into() }), Err(Refused::NoReason));
        assert_eq!(next(State::Dispatched, true, &Action::Return { reason: "地址不详".into() }), Ok(State::Confirmed));
    }

    #[test]
    fn overdue_only_before_receipt_and_after_the_deadline() {
        let d = chrono::NaiveDate::from_ymd_opt(2022, 9, 1).expect("date");
        let after = d + chrono::Duration::days(1);
        assert!(overdue(State::Dispatched, Some(d), after));
        assert!(!overdue(State::Received, Some(d), after));
        assert!(!overdue(State::Dispatched, Some(d), d));
        assert!(!overdue(State::Confirmed, None, after));
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            any::<bool>().prop_map(|has_receiver| Action::Confirm { has_receiver }),
            Just(Action::Seal),
            "[A-Z0-9 ]{0,14}".prop_map(|n| Action::Dispatch { channel: Channel::Ems, tracking_no: n }),
            Just(Action::Receive),
            "[a-z ]{0,3}".prop_map(|reason| Action::Return { reason }),
        ]
    }

    proptest! {
        /// Whatever is tried, a transfer reaches sealed only from confirmed
        /// with a receiver, dispatched only from sealed, received only from dispatched.
        #[test]
        fn every_reachable_state_came_by_its_step(actions in proptest::collection::vec((any_action(), any::<bool>()), 0..30)) {
            let mut s = State::Pending;
            for (a, has) in actions {
                if let Ok(n) = next(s, has, &a) {
                    match n {
                        State::Sealed => prop_assert!(s == State::Confirmed && has),
                        State::Dispatched => prop_assert!(s == State::Sealed && has),
                        State::Received => prop_assert_eq!(s, State::Dispatched),
                        State::Confirmed => prop_assert!(matches!(s, State::Pending | State::Confirmed | State::Dispatched)),
                        State::Pending => prop_assert!(false, "nothing goes back to pending"),
                    }
                    s = n;
                }
            }
        }
    }
}
