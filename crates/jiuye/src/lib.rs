//! The `jiuye` binary's library half: router assembly, start-up, the command
//! line and demo data. Tests drive the same `app()` the server runs.

pub mod cli;
pub mod demo;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{middleware, Json, Router};
use utoipa::OpenApi;

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
    let mut tx = db.begin().await?;
    if registry::seed::seed_reference_data(&mut tx).await? {
        tracing::info!("seeded reference data (regions, code tables, majors, institutions)");
    }
    tx.commit().await?;
    Ok(db)
}

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = registry::api::RegistryApi::openapi();
    doc.info.title = "Jiuye API".to_owned();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.info.description =
        Some("高校毕业生就业创业工作平台 JSON API. Authenticate with `Authorization: Bearer <token>`.".to_owned());
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
        cache: Arc::new(web::cache::Cache::new(std::time::Duration::from_secs(30))),
        progress: Arc::new(web::progress::Board::default()),
    }
}

/// Each area's routes on its own state, merged, with the shell's middleware around them.
pub fn router(states: States) -> Router {
    let spec = openapi();
    let shell = Router::new().merge(web::pages::routes()).merge(registry::routes()).with_state(states.shell);
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
