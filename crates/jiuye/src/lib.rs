//! The `jiuye` binary's library half: router assembly, start-up, the command
//! line and demo data. Tests drive the same `app()` the server runs.

pub mod api_doc;
pub mod backup;
pub mod cli;
pub mod demo;
pub mod verify;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{middleware, Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use kernel::config::Config;
use kernel::web::{self, AppError, AppState};
use kernel::Db;

/// Opens the database, brings the schema up to date and seeds reference data.
pub async fn open(config: &Config) -> anyhow::Result<Db> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await.map_err(schema_refused)?;
    let filled = registry::graduates::fill_name_initials(&db).await?;
    if filled > 0 {
        tracing::info!(filled, "filled the pinyin initials of graduates' names");
        // The migration's ANALYZE saw the column empty: its index would look useless.
        db.analyze().await?;
    }
    let mut tx = db.begin().await?;
    if registry::seed::seed_reference_data(&mut tx).await? {
        tracing::info!("seeded reference data (regions, code tables, majors, institutions)");
    }
    let items = services::store::seed_catalogue(&mut tx).await?;
    if items > 0 {
        tracing::info!(items, "seeded the one-stop services' catalogue");
    }
    tx.commit().await?;
    Ok(db)
}

/// A schema this program cannot run on, said plainly: which migration, what
/// to do. sqlx finds it before applying anything, so nothing was changed.
fn schema_refused(e: kernel::DbError) -> anyhow::Error {
    use sqlx::migrate::MigrateError;
    let label = backup::manifest::schema_label;
    let version = env!("CARGO_PKG_VERSION");
    match e {
        kernel::DbError::Migrate(MigrateError::VersionMissing(v)) => anyhow::anyhow!(
            "数据库结构比本程序新：它记录了本程序（jiuye {version}）不认识的迁移 {m}，应是更新版本的 jiuye 升级过它。请用那个或更新的版本运行，或用本版本制作的备份恢复（docs/backup.md）；数据库未作任何改动。 / \
             The database's schema is newer than this program: it records migration {m}, which jiuye {version} does not know, so a newer jiuye upgraded it. \
             Run that release or a newer one, or restore a backup made with this release (docs/backup.md); nothing was changed.",
            m = label(v)
        ),
        kernel::DbError::Migrate(MigrateError::VersionMismatch(v)) => anyhow::anyhow!(
            "数据库中的迁移 {m} 与本程序（jiuye {version}）的不同，数据库未作任何改动。 / \
             Migration {m} in the database differs from the one in jiuye {version}: the database was made by another build. Run the build that made it; nothing was changed.",
            m = label(v)
        ),
        other => other.into(),
    }
}

/// The document's own part: title, description and how to authenticate
/// (version and license come from Cargo); every path and schema comes from
/// the areas' API routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jiuye API",
        description = "高校毕业生就业创业工作平台 JSON API. Authenticate with `Authorization: Bearer <token>`: a token the province issues for an account (/admin/tokens) acts with that account's role and scope. Errors answer with `{error, message, status}` in the caller's language (`Accept-Language`, Chinese by default); a refused push answers 422 with every refused cell."
    ),
    modifiers(&BearerToken)
)]
struct JiuyeApi;

/// The `bearer` security scheme the paths name.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("接口令牌: an API token issued by the province for an account (jy_…)"))
            .build();
        doc.components.get_or_insert_with(Default::default).add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The JSON API of every area, each route registered together with its
/// OpenAPI entry: the shell's and registry's on the shell's state, outcomes'
/// and recruitment's each on its own. A new area's API router is merged here.
fn api(
) -> (OpenApiRouter<AppState>, OpenApiRouter<outcomes::OutcomesState>, OpenApiRouter<recruitment::RecruitmentState>) {
    let shell = OpenApiRouter::with_openapi(JiuyeApi::openapi()).merge(registry::api());
    (shell, outcomes::api::routes(), recruitment::api())
}

/// The OpenAPI document, generated from the handlers' annotations: the same
/// one `router()` serves at /api/openapi.json.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (shell, outcomes, recruitment) = api();
    let mut doc = shell.into_openapi();
    doc.merge(outcomes.into_openapi());
    doc.merge(recruitment.into_openapi());
    api_doc::complete(&mut doc);
    doc
}

/// Every route of the platform with the shell's middleware around it.
pub fn app(db: Db, config: Config) -> Router {
    router(state(db, config))
}

/// What handlers share: the shell's state (database, configuration,
/// navigation, caches) and each area's typed state built on it.
#[derive(Clone)]
pub struct States {
    pub shell: AppState,
    pub outcomes: outcomes::OutcomesState,
    pub recruitment: recruitment::RecruitmentState,
}

pub fn state(db: Db, config: Config) -> States {
    state_reading(db.clone(), kernel::db::Reads::primary(db), config)
}

/// The app's state with dashboards and reports reading from `reads` (a read replica, say).
pub fn state_reading(db: Db, reads: kernel::db::Reads, config: Config) -> States {
    let shell = shell(db, reads, config);
    States {
        outcomes: outcomes::OutcomesState::new(shell.clone()),
        recruitment: recruitment::RecruitmentState::new(shell.clone()),
        shell,
    }
}

fn shell(db: Db, reads: kernel::db::Reads, config: Config) -> AppState {
    let mut nav = registry::nav();
    nav.extend(outcomes::nav());
    nav.extend(recruitment::nav());
    nav.extend(verification::pages::nav());
    nav.extend(assistance::nav());
    nav.extend(programmes::nav());
    nav.extend(training::nav());
    nav.extend(archives::nav());
    nav.extend(services::nav());
    nav.extend(portal::nav());
    // Shared through the database on PostgreSQL, so any app server answers a poll.
    let progress = Arc::new(web::progress::Board::on(&db));
    AppState {
        db,
        reads,
        config: Arc::new(config),
        nav: Arc::new(nav),
        start_pages: Arc::new(outcomes::start_pages()),
        panels: Arc::new(
            outcomes::panels().into_iter().chain(recruitment::panels()).chain(assistance::panels()).collect(),
        ),
        figures: Arc::new(
            archives::figures()
                .into_iter()
                .chain(services::figures())
                .chain(programmes::figures())
                .chain(portal::figures())
                .chain(recruitment::figures())
                .chain(assistance::figures())
                .chain(training::figures())
                .chain(verification::figures())
                .collect(),
        ),
        cache: Arc::new(web::cache::Cache::new(std::time::Duration::from_secs(30))),
        progress,
        signing_key: Arc::new(tokio::sync::OnceCell::new()),
    }
}

/// Each area's routes on its own state, merged, with the shell's middleware around them.
pub fn router(states: States) -> Router {
    let (shell_api, outcomes_api, recruitment_api) = api();
    let (shell_api, mut spec) = shell_api.split_for_parts();
    let (outcomes_api, outcomes_spec) = outcomes_api.split_for_parts();
    let (recruitment_api, recruitment_spec) = recruitment_api.split_for_parts();
    spec.merge(outcomes_spec);
    spec.merge(recruitment_spec);
    api_doc::complete(&mut spec);
    let state = states.shell.clone();
    let shell =
        Router::new().merge(web::pages::routes()).merge(registry::routes()).merge(shell_api).with_state(states.shell);
    Router::new()
        .merge(shell)
        .merge(outcomes::routes().merge(outcomes_api).with_state(states.outcomes.clone()))
        .merge(recruitment::routes().merge(recruitment_api).with_state(states.recruitment))
        .merge(verification::pages::routes().with_state(state.clone()))
        .merge(verification::campaign_pages::routes().with_state(states.outcomes.clone()))
        .merge(assistance::routes().with_state(state.clone()))
        .merge(programmes::routes().with_state(state.clone()))
        .merge(training::routes().with_state(state.clone()))
        .merge(archives::routes().with_state(state.clone()))
        .merge(services::routes().with_state(state.clone()))
        .merge(portal::routes().with_state(states.outcomes))
        .route("/api/openapi.json", get(move || std::future::ready(Json(spec.clone()))))
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(web::form::FORM_LIMIT))
        .layer(middleware::from_fn(web::api_writes_by_session))
        .layer(middleware::from_fn(web::error::render_errors))
        .layer(middleware::from_fn_with_state(state.clone(), web::visitor_cookies))
        .layer(middleware::from_fn_with_state(state, web::security_headers))
}

/// One route the router answers: a method and the path pattern as the area
/// wrote it (`/training/classes/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: String,
    pub path: String,
}

/// Every (method, path) the built router answers, read from the router itself
/// so that the list cannot drift from it: axum offers no way to enumerate a
/// router's routes, but its `Debug` shows each path and each method router's
/// `Allow` header. The access matrix (tests/it/access.rs) walks this list;
/// a test there pins the parsing, so an axum upgrade that changes the format
/// fails loudly instead of silently checking nothing. HEAD (which axum adds
/// with GET) is left out.
pub fn routes(router: &Router) -> Vec<Route> {
    let text = format!("{router:?}");
    // The fallback router holds no routes of ours; only the path router's count.
    let text = text.split("fallback_router:").next().unwrap_or_default();
    let mut paths = std::collections::BTreeMap::new();
    let mut methods = std::collections::BTreeMap::new();
    for part in text.split("RouteId(").skip(1) {
        let Some((id, rest)) = part.split_once("): ") else { continue };
        let Ok(id) = id.parse::<u32>() else { continue };
        if let Some(path) = rest.strip_prefix('"') {
            paths.insert(id, path.split('"').next().unwrap_or_default().to_owned());
        } else if rest.starts_with("MethodRouter(") {
            let allow = rest.split("allow_header: ").nth(1).unwrap_or_default();
            let list = if allow.starts_with("Skip") {
                // `any(…)`: every method.
                "ANY".to_owned()
            } else {
                allow.strip_prefix("Bytes(b\"").and_then(|s| s.split('"').next()).unwrap_or_default().to_owned()
            };
            methods.insert(id, list);
        }
    }
    let mut routes: Vec<Route> = paths
        .iter()
        .flat_map(|(id, path)| {
            let list = methods.get(id).cloned().unwrap_or_else(|| "ANY".to_owned());
            list.split(',')
                .filter(|m| !m.is_empty() && *m != "HEAD")
                .map(|m| Route { method: m.to_owned(), path: path.clone() })
                .collect::<Vec<_>>()
        })
        .collect();
    routes.sort();
    routes
}
