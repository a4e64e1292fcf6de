//! The recruitment market (招聘): job postings, their review and the public
//! job list; applications and their stages; interviews, offers and fairs
//! build on these.

pub mod applications;
pub mod fairs;
pub mod network;
pub mod postings;
pub mod profiles;
pub mod search;
pub mod statistics;

use std::sync::Arc;

use axum::extract::FromRef;
use kernel::auth::Role;
use kernel::web::{AppState, Menu, NavEntry};

use search::JobIndex;

/// What the area's handlers share: the shell's state and this server's job index.
#[derive(Clone, FromRef)]
pub struct RecruitmentState {
    pub shell: AppState,
    pub jobs: Arc<JobIndex>,
}

impl RecruitmentState {
    /// The job index lives in the data folder; it opens when first searched (or when `serve` starts it).
    pub fn new(shell: AppState) -> RecruitmentState {
        let jobs = Arc::new(JobIndex::new(&shell.config.data_dir));
        RecruitmentState { shell, jobs }
    }
}

pub fn routes() -> axum::Router<RecruitmentState> {
    postings::pages::routes()
        .merge(search::pages::routes())
        .merge(applications::pages::routes())
        .merge(profiles::pages::routes())
        .merge(statistics::pages::routes())
        .merge(fairs::pages::routes())
        .merge(network::pages::routes())
}

/// Recruitment's sections of the workbench, by role.
pub fn panels() -> Vec<(Role, kernel::web::Panel)> {
    network::pages::panels()
}

/// The recruitment API routes, each registered together with its OpenAPI entry.
pub fn api() -> utoipa_axum::router::OpenApiRouter<RecruitmentState> {
    postings::api::routes().merge(applications::api::routes()).merge(fairs::api::routes())
}

pub fn nav() -> Vec<NavEntry> {
    vec![
        NavEntry { href: "/jobs", zh: "找工作", en: "Find a job", roles: &[], menu: None, when: None },
        NavEntry { href: "/fairs", zh: "招聘会", en: "Job fairs", roles: &[], menu: None, when: None },
        NavEntry {
            href: "/fairs",
            zh: "招聘会日历",
            en: "Job fairs",
            roles: &[Role::Graduate, Role::Employer],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/my-fairs",
            zh: "我的招聘会",
            en: "My fairs",
            roles: &[Role::Graduate],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/booths",
            zh: "我的展位",
            en: "My booths",
            roles: &[Role::Employer],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/fairs",
            zh: "招聘活动",
            en: "Fairs and events",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/jobs",
            zh: "找工作",
            en: "Find a job",
            roles: &[Role::Graduate],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/profile",
            zh: "我的简历",
            en: "My profile",
            roles: &[Role::Graduate],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/recommended",
            zh: "为你推荐",
            en: "Recommended",
            roles: &[Role::Graduate],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/saved-searches",
            zh: "搜索订阅",
            en: "Saved searches",
            roles: &[Role::Graduate],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/applications",
            zh: "我的申请",
            en: "My applications",
            roles: &[Role::Graduate],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/postings",
            zh: "我的岗位",
            en: "My postings",
            roles: &[Role::Employer],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/review",
            zh: "岗位审核",
            en: "Review postings",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/statistics",
            zh: "招聘统计",
            en: "Recruitment figures",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/network",
            zh: "园区与重点用人单位",
            en: "Parks and key employers",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/visits",
            zh: "走访记录",
            en: "Visits",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/recruitment/duplicates",
            zh: "重复单位",
            en: "Duplicate employers",
            roles: &[Role::ProvinceAdmin],
            menu: Some(Menu::Recruitment),
            when: None,
        },
        NavEntry {
            href: "/jobs",
            zh: "在招岗位",
            en: "Open postings",
            roles: &[Role::ProvinceAdmin, Role::UniversityStaff, Role::Employer],
            menu: Some(Menu::Recruitment),
            when: None,
        },
    ]
}

/// The live figures recruitment offers the plan board: fairs held by kind
/// (`fair_kind` codes), counted by `fairs::statistics::held`.
pub fn figures() -> Vec<kernel::web::figure::Figure> {
    use kernel::web::figure::{Computing as Out, Figure, FigureScope, Reading};
    fn held<'a>(state: &'a AppState, s: FigureScope, kinds: &'static [&'static str]) -> Out<'a> {
        Box::pin(async move {
            Ok(Reading::count(fairs::statistics::held(&state.db, s.cohort, kinds, s.institution).await?))
        })
    }
    fn regional(state: &AppState, s: FigureScope) -> Out<'_> {
        held(state, s, &["01", "02"])
    }
    fn permanent(state: &AppState, s: FigureScope) -> Out<'_> {
        held(state, s, &["03"])
    }
    fn campus(state: &AppState, s: FigureScope) -> Out<'_> {
        held(state, s, &["05", "06"])
    }
    fn touring(state: &AppState, s: FigureScope) -> Out<'_> {
        held(state, s, &["07"])
    }
    fn rural(state: &AppState, s: FigureScope) -> Out<'_> {
        held(state, s, &["09"])
    }
    fn key_group(state: &AppState, s: FigureScope) -> Out<'_> {
        held(state, s, &["10"])
    }
    let figure = |key, zh, en, per_institution, compute| Figure {
        key,
        zh,
        en,
        source: "/recruitment/fairs",
        per_institution,
        compute,
    };
    vec![
        figure(
            "recruitment.fairs.regional",
            "区域性、行业性供需见面活动（已举办）",
            "Regional and industry fairs held",
            false,
            regional,
        ),
        figure(
            "recruitment.fairs.permanent",
            "常设市场专场（已举办）",
            "Permanent-market sessions held",
            false,
            permanent,
        ),
        figure("recruitment.fairs.campus", "校园招聘会（已举办）", "Campus fairs held", true, campus),
        figure("recruitment.fairs.touring", "巡回招聘会（已举办）", "Touring fairs held", false, touring),
        figure("recruitment.fairs.rural", "乡村振兴专场（已举办）", "Rural-revitalisation fairs held", false, rural),
        figure("recruitment.fairs.key_group", "重点群体专场（已举办）", "Key-group fairs held", false, key_group),
    ]
}
