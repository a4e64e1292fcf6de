//! The portal's editorial rules, pure: the kinds of article (栏目), the
//! review's states and which moves each role may make, the form's checks and
//! the body's small markup (paragraphs and `## ` subheadings, never HTML).

use kernel::auth::Role;
use kernel::Locale;

/// Longest title, summary and body accepted (characters).
pub const TITLE_MAX: usize = 120;
pub const SUMMARY_MAX: usize = 300;
pub const BODY_MAX: usize = 20_000;
pub const REASON_MAX: usize = 500;

/// An article's kind (栏目).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 新闻
    News,
    /// 政策 (with attached documents)
    Policy,
    /// 典型人物
    Person,
    /// 案例
    Case,
    /// 项目
    Project,
    /// 就业创业工作动态和典型经验: a university's submission.
    WorkNews,
}

impl Kind {
    pub const ALL: [Kind; 6] = [Kind::News, Kind::Policy, Kind::Person, Kind::Case, Kind::Project, Kind::WorkNews];
    /// The kinds the province's editors write.
    pub const PROVINCE: [Kind; 5] = [Kind::News, Kind::Policy, Kind::Person, Kind::Case, Kind::Project];

    pub fn key(self) -> &'static str {
        match self {
            Kind::News => "news",
            Kind::Policy => "policy",
            Kind::Person => "person",
            Kind::Case => "case",
            Kind::Project => "project",
            Kind::WorkNews => "work_news",
        }
    }

    pub fn parse(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The public list's path segment (/portal/{section}).
    pub fn section(self) -> &'static str {
        match self {
            Kind::News => "news",
            Kind::Policy => "policies",
            Kind::Person => "people",
            Kind::Case => "cases",
            Kind::Project => "projects",
            Kind::WorkNews => "work-news",
        }
    }

    pub fn of_section(section: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.section() == section)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Kind::News => l.pick("新闻", "News"),
            Kind::Policy => l.pick("政策", "Policies"),
            Kind::Person => l.pick("典型人物", "Role models"),
            Kind::Case => l.pick("案例", "Cases"),
            Kind::Project => l.pick("项目", "Projects"),
            Kind::WorkNews => l.pick("高校工作动态", "Universities' work news"),
        }
    }
}

/// Where an article stands in the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 草稿
    Draft,
    /// 待审核
    Submitted,
    /// 已发布
    Published,
    /// 已退回 (with a reason)
    Returned,
    /// 已撤下
    Unpublished,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Draft, Status::Submitted, Status::Published, Status::Returned, Status::Unpublished];

    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Published => "published",
            Status::Returned => "returned",
            Status::Unpublished => "unpublished",
        }
    }

    pub fn parse(key: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Status::Draft => l.pick("草稿", "Draft"),
            Status::Submitted => l.pick("待审核", "Awaiting review"),
            Status::Published => l.pick("已发布", "Published"),
            Status::Returned => l.pick("已退回", "Returned"),
            Status::Unpublished => l.pick("已撤下", "Unpublished"),
        }
    }

    /// Whether the author may still change the text.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned | Status::Unpublished)
    }
}

/// A move in the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 提交审核
    Submit,
    /// 审核通过并发布
    Publish,
    /// 退回修改
    Return,
    /// 推荐教育部 (work news only; publishes it if it was not yet)
    Recommend,
    /// 撤下
    Unpublish,
}

impl Action {
    pub fn key(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Publish => "publish",
            Action::Return => "return",
            Action::Recommend => "recommend",
            Action::Unpublish => "unpublish",
        }
    }

    pub fn parse(key: &str) -> Option<Action> {
        [Action::Submit, Action::Publish, Action::Return, Action::Recommend, Action::Unpublish]
            .into_iter()
            .find(|a| a.key() == key)
    }

    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Action::Submit => l.pick("提交审核", "Submitted for review"),
            Action::Publish => l.pick("审核发布", "Published"),
            Action::Return => l.pick("退回修改", "Returned"),
            Action::Recommend => l.pick("推荐教育部", "Recommended to the Ministry"),
            Action::Unpublish => l.pick("撤下", "Unpublished"),
        }
    }
}

/// Where a move leads from a state, or `None` when it cannot be made there.
/// `recommended` says whether the work news was recommended already.
pub fn next(kind: Kind, from: Status, action: Action, recommended: bool) -> Option<Status> {
    match (action, from) {
        (Action::Submit, s) if s.editable() => Some(Status::Submitted),
        (Action::Publish, Status::Submitted) => Some(Status::Published),
        (Action::Return, Status::Submitted) => Some(Status::Returned),
        (Action::Recommend, Status::Submitted | Status::Published) if kind == Kind::WorkNews && !recommended => {
            Some(Status::Published)
        }
        (Action::Unpublish, Status::Published) => Some(Status::Unpublished),
        _ => None,
    }
}

/// Who may make a move: the author's side submits (the province for its own
/// kinds, a university's staff for its work news); only the province reviews
/// and unpublishes.
pub fn may(role: Role, kind: Kind, action: Action) -> bool {
    match action {
        Action::Submit => may_write(role, kind),
        Action::Publish | Action::Return | Action::Recommend | Action::Unpublish => role == Role::ProvinceAdmin,
    }
}

/// Who writes an article of this kind.
pub fn may_write(role: Role, kind: Kind) -> bool {
    match kind {
        Kind::WorkNews => role == Role::UniversityStaff,
        _ => role == Role::ProvinceAdmin,
    }
}

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub kind: String,
    pub title: String,
    pub title_en: String,
    pub summary: String,
    pub body: String,
}

impl Form {
    pub fn from_pairs(pairs: &[(String, String)]) -> Form {
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        Form {
            kind: get("kind"),
            title: get("title"),
            title_en: get("title_en"),
            summary: get("summary"),
            body: get("body"),
        }
    }
}

/// The form checked: trimmed, line ends made one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub kind: Kind,
    pub title: String,
    pub title_en: String,
    pub summary: String,
    pub body: String,
}

fn too_long(l: Locale, what_zh: &str, what_en: &str, max: usize) -> String {
    match l {
        Locale::Zh => format!("{what_zh}不能超过 {max} 个字。"),
        Locale::En => format!("The {what_en} may be at most {max} characters."),
    }
}

/// Checks the form for a role; every problem in the reader's language.
pub fn check(form: &Form, role: Role, l: Locale) -> Result<Checked, Vec<String>> {
    let mut errors = Vec::new();
    let kind = Kind::parse(form.kind.trim());
    match kind {
        None => errors.push(l.pick("请选择栏目。", "Choose a section.").to_owned()),
        Some(k) if !may_write(role, k) => {
            errors.push(l.pick("您不能撰写这个栏目的稿件。", "You may not write for this section.").to_owned())
        }
        _ => {}
    }
    let title = one_line(&form.title);
    let title_en = one_line(&form.title_en);
    let summary = one_line(&form.summary);
    let body = form.body.replace("\r\n", "\n").replace('\r', "\n").trim().to_owned();
    if title.is_empty() {
        errors.push(l.pick("请填写标题。", "Enter a title.").to_owned());
    } else if title.chars().count() > TITLE_MAX {
        errors.push(too_long(l, "标题", "title", TITLE_MAX));
    }
    if title_en.chars().count() > TITLE_MAX * 2 {
        errors.push(too_long(l, "英文标题", "English title", TITLE_MAX * 2));
    }
    if summary.chars().count() > SUMMARY_MAX {
        errors.push(too_long(l, "摘要", "summary", SUMMARY_MAX));
    }
    if body.is_empty() {
        errors.push(l.pick("请填写正文。", "Enter the text.").to_owned());
    } else if body.chars().count() > BODY_MAX {
        errors.push(too_long(l, "正文", "text", BODY_MAX));
    }
    if [&title, &title_en, &summary, &body].iter().any(|t| t.chars().any(is_forbidden)) {
        errors.push(
            l.pick(
                "内容含有不可见的控制字符，请删除后再保存。",
                "The text holds invisible control characters; remove them and save again.",
            )
            .to_owned(),
        );
    }
    match (kind, errors.is_empty()) {
        (Some(kind), true) => Ok(Checked { kind, title, title_en, summary, body }),
        _ => Err(errors),
    }
}

/// A return's reason: required, at most `REASON_MAX` characters.
pub fn check_reason(reason: &str, l: Locale) -> Result<String, String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(l.pick("退回时请写明原因。", "Say why the article is returned.").to_owned());
    }
    if reason.chars().count() > REASON_MAX {
        return Err(too_long(l, "退回原因", "reason", REASON_MAX));
    }
    Ok(reason.to_owned())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Control and direction characters, which could hide or reorder text.
fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A piece of an article's body as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
}

/// The body's markup: a blank line ends a paragraph, a line starting `## ` is
/// a subheading. Everything is text; the template escapes it.
pub fn blocks(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(para.join("\n")));
            para.clear();
        }
    };
    for line in body.lines() {
        let line = line.trim();
        if line.is_empty() {
            flush(&mut para, &mut out);
        } else if let Some(h) = line.strip_prefix("## ") {
            flush(&mut para, &mut out);
            out.push(Block::Heading(h.trim().to_owned()));
        } else {
            para.push(line);
        }
    }
    flush(&mut para, &mut out);
    out
}

/// The summary shown in lists: the author's, or the body's first 80 characters.
pub fn teaser(summary: &str, body: &str) -> String {
    if !summary.is_empty() {
        return summary.to_owned();
    }
    let flat = one_line(body);
    let cut: String = flat.chars().take(80).collect();
    if cut.chars().count() < flat.chars().count() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn form(kind: &str) -> Form {
        Form {
            kind: kind.into(),
            title: "  示例新闻  标题 ".into(),
            title_en: String::new(),
            summary: String::new(),
            body: "第一段\r\n\r\n## 小标题\n第二段".into(),
        }
    }

    #[test]
    fn the_review_moves_draft_to_published_and_back_down() {
        let k = Kind::News;
        assert_eq!(next(k, Status::Draft, Action::Submit, false), Some(Status::Submitted));
        assert_eq!(next(k, Status::Submitted, Action::Publish, false), Some(Status::Published));
        assert_eq!(next(k, Status::Submitted, Action::Return, false), Some(Status::Returned));
        assert_eq!(next(k, Status::Returned, Action::Submit, false), Some(Status::Submitted));
        assert_eq!(next(k, Status::Published, Action::Unpublish, false), Some(Status::Unpublished));
        assert_eq!(next(k, Status::Unpublished, Action::Submit, false), Some(Status::Submitted));
        assert_eq!(next(k, Status::Draft, Action::Publish, false), None, "a draft is not reviewed");
        assert_eq!(next(k, Status::Published, Action::Submit, false), None);
        assert_eq!(next(k, Status::Published, Action::Recommend, false), None, "news is not recommended");
    }

    #[test]
    fn work_news_is_recommended_once_and_published_by_it() {
        let k = Kind::WorkNews;
        assert_eq!(next(k, Status::Submitted, Action::Recommend, false), Some(Status::Published));
        assert_eq!(next(k, Status::Published, Action::Recommend, false), Some(Status::Published));
        assert_eq!(next(k, Status::Published, Action::Recommend, true), None);
        assert_eq!(next(k, Status::Draft, Action::Recommend, false), None);
    }

    #[test]
    fn universities_write_work_news_and_only_the_province_reviews() {
        assert!(may(Role::UniversityStaff, Kind::WorkNews, Action::Submit));
        assert!(!may(Role::UniversityStaff, Kind::News, Action::Submit));
        assert!(!may(Role::UniversityStaff, Kind::WorkNews, Action::Publish));
        assert!(!may(Role::ProvinceAdmin, Kind::WorkNews, Action::Submit));
        assert!(may(Role::ProvinceAdmin, Kind::WorkNews, Action::Recommend));
        assert!(!may(Role::Graduate, Kind::News, Action::Submit));
    }

    #[test]
    fn the_form_is_trimmed_and_checked() {
        let c = check(&form("news"), Role::ProvinceAdmin, Locale::Zh).expect("valid");
        assert_eq!(c.title, "示例新闻 标题");
        assert_eq!(c.body, "第一段\n\n## 小标题\n第二段");
        let e = check(&form("news"), Role::UniversityStaff, Locale::En).unwrap_err();
        assert!(e[0].contains("may not"));
        let mut f = form("nonsense");
        f.title = " ".into();
        f.body = "x".repeat(BODY_MAX + 1);
        let e = check(&f, Role::ProvinceAdmin, Locale::Zh).unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        let mut f = form("policy");
        f.title = "标题\u{202E}反向".into();
        assert!(check(&f, Role::ProvinceAdmin, Locale::Zh).is_err());
        assert!(check_reason("  ", Locale::Zh).is_err());
        assert_eq!(check_reason(" 请补充数据 ", Locale::Zh).as_deref(), Ok("请补充数据"));
    }

    #[test]
    fn the_body_is_paragraphs_and_subheadings() {
        let b = blocks("第一段\n续行\n\n## 小标题\n第二段\n\n\n<script>x</script>");
        assert_eq!(
            b,
            vec![
                Block::Paragraph("第一段\n续行".into()),
                Block::Heading("小标题".into()),
                Block::Paragraph("第二段".into()),
                Block::Paragraph("<script>x</script>".into()),
            ]
        );
        assert_eq!(teaser("", &"字".repeat(100)).chars().count(), 81);
        assert_eq!(teaser("摘要", "正文"), "摘要");
    }

    proptest! {
        #[test]
        fn blocks_keep_every_nonblank_line(body in "[a-z#\\n ]{0,200}") {
            let shown: usize = blocks(&body).iter().map(|b| match b {
                Block::Heading(_) => 1,
                Block::Paragraph(p) => p.lines().count(),
            }).sum();
            prop_assert_eq!(shown, body.lines().filter(|l| !l.trim().is_empty()).count());
        }

        #[test]
        fn no_move_leaves_a_state_it_may_not(from in 0usize..5, action in 0usize..5, kind in 0usize..6, rec: bool) {
            let actions = [Action::Submit, Action::Publish, Action::Return, Action::Recommend, Action::Unpublish];
            let (from, action, kind) = (Status::ALL[from], actions[action], Kind::ALL[kind]);
            if let Some(to) = next(kind, from, action, rec) {
                // Only a submitted or published article reaches the public, and only by review.
                if to == Status::Published {
                    prop_assert!(matches!(action, Action::Publish | Action::Recommend));
                    prop_assert!(matches!(from, Status::Submitted | Status::Published));
                }
                if action == Action::Submit {
                    prop_assert!(from.editable());
                }
            }
        }
    }
}
