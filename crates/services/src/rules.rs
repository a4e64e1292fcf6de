//! The pure rules of one-stop services (一件事一次办): a service item's
//! variants, fields and steps in the line form the province edits, a
//! request's flow from step to step (办理流程), its deadlines over the
//! working-day calendar and when it escalates (超时上报). No I/O here.

use chrono::NaiveDate;
use kernel::calendar::Calendar;

use kernel::Locale;

/// Who handles a step (办理层级): the graduate's institution (its college or
/// careers office) or the province's education department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// 学校（含学院）
    Institution,
    /// 省教育厅
    Province,
}

impl Level {
    pub fn key(self) -> &'static str {
        match self {
            Level::Institution => "institution",
            Level::Province => "province",
        }
    }

    pub fn from_key(s: &str) -> Option<Level> {
        match s.trim() {
            "institution" | "学校" => Some(Level::Institution),
            "province" | "省" | "省教育厅" => Some(Level::Province),
            _ => None,
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Level::Institution => l.pick("学校", "Institution"),
            Level::Province => l.pick("省教育厅", "Province"),
        }
    }
}

/// One step of an item's procedure (办理环节) with its time limit in working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub name_en: String,
    pub level: Level,
    pub days: u32,
}

impl Step {
    pub fn label(&self, l: Locale) -> &str {
        pick(l, &self.name, &self.name_en)
    }
}

/// One field of an item's form (申请表字段).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub required: bool,
}

impl Field {
    pub fn label(&self, l: Locale) -> &str {
        pick(l, &self.label, &self.label_en)
    }
}

/// A variant of an item (办理情形), such as a proof for 落户 or for 社保.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub code: String,
    pub name: String,
    pub name_en: String,
}

impl Variant {
    pub fn label(&self, l: Locale) -> &str {
        pick(l, &self.name, &self.name_en)
    }
}

fn pick<'a>(l: Locale, zh: &'a str, en: &'a str) -> &'a str {
    match l {
        Locale::En if !en.is_empty() => en,
        _ => zh,
    }
}

/// Most steps an item may have, and most working days one step may take.
pub const MAX_STEPS: usize = 8;
pub const MAX_DAYS: u32 = 60;

fn parts(line: &str) -> Vec<String> {
    line.split('|').map(|p| p.trim().to_owned()).collect()
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().map(str::trim).enumerate().filter(|(_, s)| !s.is_empty()).map(|(i, s)| (i + 1, s))
}

/// Steps as lines `学院审核 | College review | institution | 3`.
pub fn parse_steps(text: &str, l: Locale) -> Result<Vec<Step>, Vec<String>> {
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    for (no, line) in lines(text) {
        let p = parts(line);
        let level = p.get(2).and_then(|s| Level::from_key(s));
        let days = p.get(3).and_then(|d| d.parse::<u32>().ok()).filter(|d| (1..=MAX_DAYS).contains(d));
        match (p.first().filter(|n| !n.is_empty()), level, days) {
            (Some(name), Some(level), Some(days)) if p.len() == 4 => {
                steps.push(Step { name: name.clone(), name_en: p[1].clone(), level, days })
            }
            _ => errors.push(format!(
                "{}{no}{}",
                l.pick("办理环节第 ", "Step line "),
                l.pick(
                    " 行应为“名称 | 英文名称 | institution 或 province | 1–60 个工作日”。",
                    ": write “name | English name | institution or province | 1–60 working days”."
                )
            )),
        }
    }
    if steps.is_empty() && errors.is_empty() {
        errors.push(l.pick("至少需要一个办理环节。", "An item needs at least one step.").to_owned());
    }
    if steps.len() > MAX_STEPS {
        errors.push(format!("{}{MAX_STEPS}{}", l.pick("办理环节最多 ", "At most "), l.pick(" 个。", " steps.")));
    }
    if errors.is_empty() {
        Ok(steps)
    } else {
        Err(errors)
    }
}

pub fn steps_text(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| format!("{} | {} | {} | {}", s.name, s.name_en, s.level.key(), s.days))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Fields as lines `reason | 变更原因 | Reason | required` (or `optional`).
pub fn parse_fields(text: &str, l: Locale) -> Result<Vec<Field>, Vec<String>> {
    let mut fields: Vec<Field> = Vec::new();
    let mut errors = Vec::new();
    for (no, line) in lines(text) {
        let p = parts(line);
        let key_ok = p.first().is_some_and(|k| {
            !k.is_empty() && k.len() <= 40 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let required = match p.get(3).map(String::as_str) {
            Some("required" | "必填") => Some(true),
            Some("optional" | "选填") => Some(false),
            _ => None,
        };
        match (key_ok, required) {
            (true, Some(required)) if p.len() == 4 && !p[1].is_empty() => {
                if fields.iter().any(|f| f.key == p[0]) {
                    errors.push(format!(
                        "{}{no}{}",
                        l.pick("表单字段第 ", "Field line "),
                        l.pick(" 行的键重复。", ": its key is repeated.")
                    ));
                } else {
                    fields.push(Field { key: p[0].clone(), label: p[1].clone(), label_en: p[2].clone(), required });
                }
            }
            _ => errors.push(format!(
                "{}{no}{}",
                l.pick("表单字段第 ", "Field line "),
                l.pick(
                    " 行应为“键（英文字母、数字、下划线）| 中文名 | 英文名 | required 或 optional”。",
                    ": write “key (letters, digits, _) | Chinese label | English label | required or optional”."
                )
            )),
        }
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

pub fn fields_text(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| {
            format!("{} | {} | {} | {}", f.key, f.label, f.label_en, if f.required { "required" } else { "optional" })
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Variants as lines `unemployed | 未就业证明 | Non-employment`; none is fine.
pub fn parse_variants(text: &str, l: Locale) -> Result<Vec<Variant>, Vec<String>> {
    let mut variants: Vec<Variant> = Vec::new();
    let mut errors = Vec::new();
    for (no, line) in lines(text) {
        let p = parts(line);
        if p.len() == 3 && !p[0].is_empty() && !p[1].is_empty() && !variants.iter().any(|v| v.code == p[0]) {
            variants.push(Variant { code: p[0].clone(), name: p[1].clone(), name_en: p[2].clone() });
        } else {
            errors.push(format!(
                "{}{no}{}",
                l.pick("办理情形第 ", "Variant line "),
                l.pick(
                    " 行应为“代码 | 中文名 | 英文名”，代码不重复。",
                    ": write “code | Chinese name | English name”, codes not repeated."
                )
            ));
        }
    }
    if errors.is_empty() {
        Ok(variants)
    } else {
        Err(errors)
    }
}

pub fn variants_text(variants: &[Variant]) -> String {
    variants.iter().map(|v| format!("{} | {} | {}", v.code, v.name, v.name_en)).collect::<Vec<_>>().join("\n")
}

/// The province's form for one item's guide, as typed.
#[derive(Debug, Clone, Default)]
pub struct ItemForm {
    pub name: String,
    pub name_en: String,
    pub conditions: String,
    pub conditions_en: String,
    pub materials: String,
    pub materials_en: String,
    pub time_limit: String,
    pub variants: String,
    pub fields: String,
    pub steps: String,
}

impl ItemForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> ItemForm {
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
        ItemForm {
            name: get("name"),
            name_en: get("name_en"),
            conditions: get("conditions"),
            conditions_en: get("conditions_en"),
            materials: get("materials"),
            materials_en: get("materials_en"),
            time_limit: get("time_limit"),
            variants: get("variants"),
            fields: get("fields"),
            steps: get("steps"),
        }
    }
}

/// An item's guide checked.
#[derive(Debug, Clone)]
pub struct CheckedItem {
    pub name: String,
    pub name_en: String,
    pub conditions: String,
    pub conditions_en: String,
    pub materials: String,
    pub materials_en: String,
    pub time_limit: u32,
    pub variants: Vec<Variant>,
    pub fields: Vec<Field>,
    pub steps: Vec<Step>,
}

/// Checks the guide: names and conditions given, a time limit in working
/// days no shorter than its steps' sum, well-formed lines; every refusal.
pub fn check_item(f: &ItemForm, l: Locale) -> Result<CheckedItem, Vec<String>> {
    let mut errors = Vec::new();
    if f.name.is_empty() || f.name.chars().count() > 60 {
        errors
            .push(l.pick("请填写事项名称（60 字以内）。", "Give the item's name (at most 60 characters).").to_owned());
    }
    if f.conditions.is_empty() {
        errors.push(l.pick("请填写办理条件。", "Give the conditions.").to_owned());
    }
    if f.materials.is_empty() {
        errors.push(l.pick("请填写所需材料。", "Give the materials needed.").to_owned());
    }
    let limit = f.time_limit.parse::<u32>().ok().filter(|d| (1..=MAX_DAYS * MAX_STEPS as u32).contains(d));
    if limit.is_none() {
        errors.push(
            l.pick("办理时限应为正整数个工作日。", "The time limit is a whole number of working days.").to_owned(),
        );
    }
    let variants = parse_variants(&f.variants, l).map_err(|e| errors.extend(e)).ok();
    let fields = parse_fields(&f.fields, l).map_err(|e| errors.extend(e)).ok();
    let steps = parse_steps(&f.steps, l).map_err(|e| errors.extend(e)).ok();
    if let (Some(limit), Some(steps)) = (limit, &steps) {
        let sum: u32 = steps.iter().map(|s| s.days).sum();
        if sum > limit {
            errors.push(format!(
                "{}{sum}{}",
                l.pick("各环节时限合计 ", "The steps take "),
                l.pick(" 个工作日，超过了办理时限。", " working days together, more than the time limit.")
            ));
        }
    }
    match (limit, variants, fields, steps) {
        (Some(time_limit), Some(variants), Some(fields), Some(steps)) if errors.is_empty() => Ok(CheckedItem {
            name: f.name.clone(),
            name_en: f.name_en.clone(),
            conditions: f.conditions.clone(),
            conditions_en: f.conditions_en.clone(),
            materials: f.materials.clone(),
            materials_en: f.materials_en.clone(),
            time_limit,
            variants,
            fields,
            steps,
        }),
        _ => Err(errors),
    }
}

/// Material files (申请材料) one request may carry at most.
pub const MAX_MATERIALS: usize = 5;
/// A material file's size at most: the size every document upload keeps to.
pub const MATERIAL_LIMIT: usize = 10 * 1024 * 1024;
/// The one form's body at most, with its materials (the form's text on top).
pub const MATERIALS_BODY_LIMIT: usize = MAX_MATERIALS * MATERIAL_LIMIT + 1024 * 1024;

/// The longest answer to one field.
pub const MAX_ANSWER: usize = 500;

/// Checks a graduate's answers to an item's form and its chosen variant;
/// returns the answers in the fields' order, or every refusal.
pub fn check_answers(
    fields: &[Field],
    variants: &[Variant],
    variant: &str,
    pairs: &[(String, String)],
    l: Locale,
) -> Result<Vec<(String, String)>, Vec<String>> {
    let mut errors = Vec::new();
    if !variants.is_empty() && !variants.iter().any(|v| v.code == variant) {
        errors.push(l.pick("请选择办理情形。", "Choose which kind you need.").to_owned());
    }
    let mut answers = Vec::new();
    for f in fields {
        let value = pairs
            .iter()
            .find(|(k, _)| *k == format!("f_{}", f.key))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default();
        if f.required && value.is_empty() {
            errors.push(format!("{}{}", l.pick("请填写：", "Please fill in: "), f.label(l)));
        } else if value.chars().count() > MAX_ANSWER {
            errors.push(format!("{}{}", f.label(l), l.pick("：不超过 500 字。", ": at most 500 characters.")));
        }
        answers.push((f.key.clone(), value));
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------- the flow

/// Where a request stands (办理状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// 办理中: at a step, waiting for its handler.
    Open,
    /// 退回补正: back with the graduate for more material.
    Returned,
    /// 不予办理
    Refused,
    /// 已办结
    Completed,
}

impl State {
    pub const ALL: [State; 4] = [State::Open, State::Returned, State::Refused, State::Completed];

    pub fn key(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Returned => "returned",
            State::Refused => "refused",
            State::Completed => "completed",
        }
    }

    pub fn from_key(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.key() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            State::Open => l.pick("办理中", "In progress"),
            State::Returned => l.pick("退回补正", "Returned for more"),
            State::Refused => l.pick("不予办理", "Refused"),
            State::Completed => l.pick("已办结", "Completed"),
        }
    }
}

/// What a handler or the graduate does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 审核通过, to the next step.
    Approve,
    /// 退回补正, with a reason.
    Return,
    /// 不予办理, with a reason.
    Refuse,
    /// 办结, at the last step, with a result note.
    Complete,
    /// The graduate amends and submits again (重新提交).
    Resubmit,
}

impl Action {
    pub fn key(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Refuse => "refuse",
            Action::Complete => "complete",
            Action::Resubmit => "resubmit",
        }
    }

    pub fn from_key(s: &str) -> Option<Action> {
        [Action::Approve, Action::Return, Action::Refuse, Action::Complete, Action::Resubmit]
            .into_iter()
            .find(|a| a.key() == s)
    }
}

/// A request's place in its procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub state: State,
    /// The current step, from 0.
    pub step: usize,
    /// How many steps the procedure has (at least one).
    pub steps: usize,
}

/// Why an action cannot be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    #[error("the request is closed")]
    Closed,
    #[error("the request is not with its handler")]
    NotOpen,
    #[error("the request is not returned")]
    NotReturned,
    #[error("the last step completes the request")]
    LastStep,
    #[error("only the last step completes the request")]
    NotLastStep,
    #[error("a reason is needed")]
    NeedsReason,
}

impl FlowError {
    pub fn message(self, l: Locale) -> &'static str {
        match self {
            FlowError::Closed => l.pick("该申请已办结或不予办理，不能再处理。", "The request is closed."),
            FlowError::NotOpen => {
                l.pick("该申请已退回申请人补正，等待重新提交。", "The request is back with the graduate.")
            }
            FlowError::NotReturned => {
                l.pick("只有退回补正的申请才能重新提交。", "Only a returned request can be submitted again.")
            }
            FlowError::LastStep => {
                l.pick("这是最后一个环节：请填写结果并办结。", "This is the last step: complete it with a result.")
            }
            FlowError::NotLastStep => {
                l.pick("还有后续环节：请审核通过转下一环节。", "Steps remain: approve it to the next step.")
            }
            FlowError::NeedsReason => l.pick("请填写理由或办理结果。", "Give a reason or the result."),
        }
    }
}

/// The position after an action; `note` is the reason or the result and
/// must be given to return, refuse or complete. No step is ever skipped:
/// approval moves exactly one step on, and only the last step completes.
pub fn act(p: Position, action: Action, note: &str) -> Result<Position, FlowError> {
    let needs_note = matches!(action, Action::Return | Action::Refuse | Action::Complete);
    if matches!(p.state, State::Refused | State::Completed) {
        return Err(FlowError::Closed);
    }
    if action == Action::Resubmit {
        return match p.state {
            State::Returned => Ok(Position { state: State::Open, ..p }),
            _ => Err(FlowError::NotReturned),
        };
    }
    if p.state != State::Open {
        return Err(FlowError::NotOpen);
    }
    if needs_note && note.trim().is_empty() {
        return Err(FlowError::NeedsReason);
    }
    let last = p.step + 1 >= p.steps;
    match action {
        Action::Approve if last => Err(FlowError::LastStep),
        Action::Approve => Ok(Position { step: p.step + 1, ..p }),
        Action::Complete if !last => Err(FlowError::NotLastStep),
        Action::Complete => Ok(Position { state: State::Completed, ..p }),
        Action::Return => Ok(Position { state: State::Returned, ..p }),
        Action::Refuse => Ok(Position { state: State::Refused, ..p }),
        Action::Resubmit => Err(FlowError::NotReturned),
    }
}

/// Who is acting on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    /// Staff of the request's own institution.
    OwnInstitution,
    Province,
}

/// Whether the handler may act on the current step: the institution on its
/// own steps; the province on its steps and on any step escalated to it
/// (超时上报), which it may then move on itself.
pub fn may_handle(step: Level, escalated: bool, who: Handler) -> bool {
    match who {
        Handler::OwnInstitution => step == Level::Institution,
        Handler::Province => step == Level::Province || escalated,
    }
}

// ---------------------------------------------------------------- deadlines

/// A step's deadline: its working days counted from the day it started.
pub fn step_due(calendar: &Calendar, started: NaiveDate, days: u32) -> NaiveDate {
    calendar.add_working_days(started, days)
}

/// Working days left until the deadline (剩余工作日): 0 on the day itself,
/// negative once past it (the working days overdue).
pub fn time_left(calendar: &Calendar, today: NaiveDate, due: NaiveDate) -> i64 {
    if today <= due {
        i64::from(calendar.working_days_between(today, due))
    } else {
        -i64::from(calendar.working_days_between(due, today).max(1))
    }
}

pub fn overdue(today: NaiveDate, due: NaiveDate) -> bool {
    today > due
}

/// Whether the escalation job reports this request now: open, past its
/// step's deadline and not reported yet (once per step).
pub fn escalates(state: State, today: NaiveDate, due: NaiveDate, escalated: bool) -> bool {
    state == State::Open && overdue(today, due) && !escalated
}

/// Whether a completed request was done in time: no step went past its deadline.
pub fn on_time(was_overdue: bool, today: NaiveDate, due: NaiveDate) -> bool {
    !was_overdue && !overdue(today, due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn open(step: usize, steps: usize) -> Position {
        Position { state: State::Open, step, steps }
    }

    #[test]
    fn approval_moves_one_step_and_only_the_last_completes() {
        let p = open(0, 3);
        let p = act(p, Action::Approve, "").unwrap();
        assert_eq!(p.step, 1);
        assert_eq!(act(p, Action::Complete, "done"), Err(FlowError::NotLastStep));
        let p = act(p, Action::Approve, "").unwrap();
        assert_eq!(act(p, Action::Approve, ""), Err(FlowError::LastStep));
        assert_eq!(act(p, Action::Complete, ""), Err(FlowError::NeedsReason));
        let done = act(p, Action::Complete, "证明已出具").unwrap();
        assert_eq!(done.state, State::Completed);
        assert_eq!(act(done, Action::Return, "x"), Err(FlowError::Closed));
    }

    #[test]
    fn a_returned_request_waits_for_the_graduate() {
        let p = act(open(1, 2), Action::Return, "缺少解约证明").unwrap();
        assert_eq!(p.state, State::Returned);
        assert_eq!(act(p, Action::Approve, ""), Err(FlowError::NotOpen));
        let again = act(p, Action::Resubmit, "").unwrap();
        assert_eq!(again, open(1, 2));
        assert_eq!(act(again, Action::Resubmit, ""), Err(FlowError::NotReturned));
        assert_eq!(act(open(0, 1), Action::Refuse, " "), Err(FlowError::NeedsReason));
    }

    proptest! {
        /// Whatever is done, a request never skips a step nor leaves its procedure.
        #[test]
        fn no_step_is_skipped(steps in 1usize..6, actions in proptest::collection::vec(0u8..5, 0..30)) {
            let mut p = open(0, steps);
            for a in actions {
                let action = [Action::Approve, Action::Return, Action::Refuse, Action::Complete, Action::Resubmit][a as usize];
                if let Ok(next) = act(p, action, "note") {
                    prop_assert!(next.step == p.step || next.step == p.step + 1);
                    prop_assert!(next.step < steps);
                    if next.state == State::Completed { prop_assert_eq!(next.step, steps - 1); }
                    p = next;
                }
            }
        }
    }

    #[test]
    fn who_handles_a_step() {
        assert!(may_handle(Level::Institution, false, Handler::OwnInstitution));
        assert!(!may_handle(Level::Institution, false, Handler::Province));
        assert!(may_handle(Level::Institution, true, Handler::Province));
        assert!(!may_handle(Level::Province, false, Handler::OwnInstitution));
        assert!(may_handle(Level::Province, false, Handler::Province));
    }

    #[test]
    fn deadlines_in_working_days() {
        let c = Calendar::default();
        // Friday 4 December 2026 plus 3 working days is Wednesday the 9th.
        let due = step_due(&c, d(12, 4), 3);
        assert_eq!(due, d(12, 9));
        assert_eq!(time_left(&c, d(12, 4), due), 3);
        assert_eq!(time_left(&c, d(12, 9), due), 0);
        assert_eq!(time_left(&c, d(12, 10), due), -1);
        // Over a weekend the overdue count is in working days, at least one.
        assert_eq!(time_left(&c, d(12, 12), d(12, 11)), -1);
        assert_eq!(time_left(&c, d(12, 14), d(12, 11)), -1);
        assert_eq!(time_left(&c, d(12, 15), d(12, 11)), -2);
    }

    #[test]
    fn escalation_once_when_past_due_and_open() {
        let due = d(12, 9);
        assert!(!escalates(State::Open, d(12, 9), due, false));
        assert!(escalates(State::Open, d(12, 10), due, false));
        assert!(!escalates(State::Open, d(12, 10), due, true));
        assert!(!escalates(State::Returned, d(12, 10), due, false));
        assert!(!escalates(State::Completed, d(12, 10), due, false));
        assert!(on_time(false, d(12, 9), due));
        assert!(!on_time(false, d(12, 10), due));
        assert!(!on_time(true, d(12, 1), due));
    }

    #[test]
    fn lines_parse_and_print_back() {
        let l = Locale::Zh;
        let steps =
            parse_steps("学院审核 | College review | institution | 3\n省教育厅备案 | Province | province | 4", l)
                .unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(parse_steps(&steps_text(&steps), l).unwrap(), steps);
        assert!(parse_steps("学院审核 | x | nowhere | 3", l).is_err());
        assert!(parse_steps("学院审核 | x | institution | 0", l).is_err());
        assert!(parse_steps("", l).is_err());
        let fields = parse_fields("reason | 原因 | Reason | required\nno | 编号 | No. | optional", l).unwrap();
        assert_eq!(parse_fields(&fields_text(&fields), l).unwrap(), fields);
        assert!(parse_fields("re ason | 原因 | Reason | required", l).is_err());
        assert!(parse_fields("a | 甲 | A | required\na | 乙 | B | optional", l).is_err());
        let variants = parse_variants("hukou | 落户 | Residence", l).unwrap();
        assert_eq!(parse_variants(&variants_text(&variants), l).unwrap(), variants);
        assert!(parse_variants("", l).unwrap().is_empty());
    }

    #[test]
    fn the_guide_is_checked_whole() {
        let f = ItemForm {
            name: "就业证明".into(),
            conditions: "毕业两年内".into(),
            materials: "身份证".into(),
            time_limit: "3".into(),
            steps: "学院审核 | College | institution | 2\n就业办 | Office | institution | 2".into(),
            ..ItemForm::default()
        };
        let errors = check_item(&f, Locale::Zh).unwrap_err();
        assert!(errors.iter().any(|e| e.contains("超过了办理时限")), "{errors:?}");
        let ok = check_item(&ItemForm { time_limit: "4".into(), ..f }, Locale::Zh).unwrap();
        assert_eq!(ok.steps.len(), 2);
    }

    #[test]
    fn answers_need_required_fields_and_a_variant() {
        let fields = parse_fields("reason | 原因 | Reason | required\nno | 编号 | No. | optional", Locale::Zh).unwrap();
        let variants = parse_variants("hukou | 落户 | Residence", Locale::Zh).unwrap();
        let pairs = vec![("f_reason".to_owned(), "  ".to_owned())];
        let errors = check_answers(&fields, &variants, "", &pairs, Locale::Zh).unwrap_err();
        assert_eq!(errors.len(), 2);
        let pairs = vec![("f_reason".to_owned(), "解约".to_owned())];
        let answers = check_answers(&fields, &variants, "hukou", &pairs, Locale::Zh).unwrap();
        assert_eq!(answers, vec![("reason".into(), "解约".into()), ("no".into(), String::new())]);
    }
}
