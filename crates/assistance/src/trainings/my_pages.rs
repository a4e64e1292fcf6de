//! The graduate's trainings (/me/assistance/trainings): its enrolments with
//! the sessions attended and completion, and the trainings it may enrol in.
//! Nothing here names a key group.

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::{time, Locale};

use super::rules;
use super::store::{self, Mine, Session, Training};
use crate::store::Person;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/assistance/trainings", get(my_page))
        .route("/me/assistance/trainings/{id}/enrol", post(enrol))
}

/// The signed-in graduate and its categories; 404 when it is in no key group.
async fn me(state: &AppState, ctx: &Ctx) -> Result<(Person, Vec<String>), AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let id = actor.graduate_id.ok_or(AppError::NotFound)?;
    let p = crate::store::person(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let categories = store::categories_of(&state.db, &p).await?;
    if categories.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok((p, categories))
}

/// Trainings not yet over the graduate may enrol in.
async fn open_to(state: &AppState, p: &Person, categories: &[String]) -> Result<Vec<Training>, AppError> {
    let today = time::today_china().to_string();
    let mut open = Vec::new();
    for t in store::list(&state.db, None).await? {
        if t.ends_on >= today
            && !t.is_cancelled()
            && t.audience.admits(p.institution_id, categories)
            && !store::is_enrolled(&state.db, t.id, p.id).await?
        {
            open.push(t);
        }
    }
    Ok(open)
}

#[derive(Template)]
#[template(path = "trainings/mine.html")]
struct MyPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    mine: Vec<MineView>,
    open: Vec<Training>,
}

/// One enrolment as the graduate's page shows it, with today's pass.
struct MineView {
    m: Mine,
    /// Today's session of a training still on, with the pass to show at its door.
    today: Option<TodayPass>,
}

struct TodayPass {
    session: Session,
    qr: String,
    token: String,
}

impl MyPage<'_> {
    fn full(&self, t: &Training) -> bool {
        !rules::has_place(t.enrolled, t.capacity)
    }
}

async fn my_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let (p, categories) = me(&state, &ctx).await?;
    let today = time::today_china().to_string();
    let key = state.signing_key().await?;
    let now = chrono::Utc::now();
    let mine = store::mine(&state.db, p.id)
        .await?
        .into_iter()
        .map(|m| {
            let session = m.sessions.iter().find(|s| s.held_on == today).filter(|_| !m.training.is_cancelled());
            let today = session.map(|s| {
                let token = rules::pass(key, m.training.id, p.id, now);
                TodayPass { session: s.clone(), qr: kernel::qr::svg(&token).unwrap_or_default(), token }
            });
            MineView { m, today }
        })
        .collect();
    let page = MyPage { ctx: &ctx, l: ctx.locale, mine, open: open_to(&state, &p, &categories).await? };
    ctx.page(ctx.t("我的培训", "My trainings"), &page)
}

async fn enrol(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<kernel::web::NoFields>,
) -> Result<Response, AppError> {
    let (p, categories) = me(&state, &ctx).await?;
    let t = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !t.audience.admits(p.institution_id, &categories) {
        return Err(AppError::NotFound);
    }
    let back = "/me/assistance/trainings";
    if t.is_cancelled() {
        return Ok(redirect_with_flash(back, super::pages::cancelled_message(ctx.locale)));
    }
    if store::is_enrolled(&state.db, t.id, p.id).await? {
        return Ok(redirect_with_flash(back, ctx.t("你已报名。", "You are enrolled already.")));
    }
    if t.ends_on < time::today_china().to_string() || !rules::has_place(t.enrolled, t.capacity) {
        return Ok(redirect_with_flash(back, ctx.t("该培训已结束或名额已满。", "The training is over or full.")));
    }
    let mut tx = state.db.begin().await?;
    let enrolled = store::enrol(&mut tx, &ctx.audit_actor(), &t, &p).await?;
    tx.commit().await?;
    let message = match enrolled {
        store::Enrolled::Done(_) => ctx.t("报名成功。", "Enrolled."),
        store::Enrolled::Already => ctx.t("你已报名。", "You are enrolled already."),
        store::Enrolled::Full => ctx.t("该培训已结束或名额已满。", "The training is over or full."),
    };
    Ok(redirect_with_flash(back, message))
}

#[derive(Template)]
#[template(
    source = r#"<section class="panel" id="my-trainings-panel"><h2>{{ l.t("就业培训", "Trainings") }}</h2>
<p>{{ l.t("已报名 ", "Enrolled in ") }}<strong>{{ enrolled }}</strong>{{ l.t(" 项培训，可报名 ", " trainings; open to you: ") }}<strong>{{ open }}</strong>{{ l.t(" 项。", ".") }}</p>
<p><a href="/me/assistance/trainings" id="my-trainings-link">{{ l.t("查看我的培训", "See my trainings") }}</a></p></section>"#,
    ext = "html"
)]
struct Panel {
    l: Locale,
    enrolled: usize,
    open: usize,
}

/// The workbench section of a graduate in a key group; nothing for others.
pub fn panel<'a>(
    state: &'a AppState,
    actor: &'a Actor,
    l: Locale,
) -> Pin<Box<dyn Future<Output = Result<String, AppError>> + Send + 'a>> {
    Box::pin(async move {
        let Some(id) = actor.graduate_id else { return Ok(String::new()) };
        let Some(p) = crate::store::person(&state.db, id).await? else { return Ok(String::new()) };
        let categories = store::categories_of(&state.db, &p).await?;
        if categories.is_empty() {
            return Ok(String::new());
        }
        let enrolled = store::mine(&state.db, p.id).await?.len();
        let open = open_to(state, &p, &categories).await?.len();
        if enrolled == 0 && open == 0 {
            return Ok(String::new());
        }
        Ok(Panel { l, enrolled, open }.render()?)
    })
}
