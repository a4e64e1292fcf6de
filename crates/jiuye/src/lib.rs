//! The `jiuye` binary's library half: router assembly, start-up, the command
//! line and demo data. Tests drive the same `app()` the server runs.

pub mod cli;
pub mod demo;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{middleware, Json, Router};
use utoipa::OpenApi;
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
    }
    let mut tx = db.begin().await?;
    if registry::seed::seed_reference_data(&mut tx).await? {
        tracing::info!("seeded reference data (regions, code tables, majors, institutions)");
    }
    tx.commit().await?;
    Ok(db)
}

/// The document's own part: title and description (version and license come
/// from Cargo); every path and schema comes from the areas' API routers.
#[derive(OpenApi)]
#[openapi(info(
    title = "Jiuye API",
    description = "高校毕业生就业创业工作平台 JSON API. Authenticate with `Authorization: Bearer <token>`."
))]
struct JiuyeApi;

/// The JSON API of every area, each route registered together with its
/// OpenAPI entry. A new area's API router is merged here.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(JiuyeApi::openapi()).merge(registry::api())
}

/// The OpenAPI document, generated from the handlers' annotations: the same
/// one `router()` serves at /api/openapi.json.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().into_openapi()
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
}

pub fn state(db: Db, config: Config) -> States {
    let shell = shell(db, config);
    States { outcomes: outcomes::OutcomesState::new(shell.clone()), shell }
}

fn shell(db: Db, config: Config) -> AppState {
    let mut nav = registry::nav();
    nav.extend(outcomes::nav());
    AppState {
        db,
        config: Arc::new(config),
        nav: Arc::new(nav),
        start_pages: Arc::new(outcomes::start_pages()),
        panels: Arc::new(outcomes::panels()),
        cache: Arc::new(web::cache::Cache::new(std::time::Duration::from_secs(30))),
        progress: Arc::new(web::progress::Board::default()),
    }
}

/// Each area's routes on its own state, merged, with the shell's middleware around them.
pub fn router(states: States) -> Router {
    let (api, spec) = api().split_for_parts();
    let shell = Router::new().merge(web::pages::routes()).merge(registry::routes()).merge(api).with_state(states.shell);
    Router::new()
        .merge(shell)
        .merge(outcomes::routes().with_state(states.outcomes))
        .route("/api/openapi.json", get(move || std::future::ready(Json(spec.clone()))))
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(web::form::FORM_LIMIT))
        .layer(middleware::from_fn(web::error::render_errors))
        .layer(middleware::from_fn(web::visitor_cookies))
        .layer(middleware::from_fn(web::security_headers))
}
