//! The `jiuye` binary's library half: router assembly, start-up, the command
//! line and demo data. Tests drive the same `app()` the server runs.

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
    db.migrate().await?;
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
        progress: Arc::new(web::progress::Board::default()),
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
        .layer(middleware::from_fn(web::error::render_errors))
        .layer(middleware::from_fn_with_state(state.clone(), web::visitor_cookies))
        .layer(middleware::from_fn_with_state(state, web::security_headers))
}
