//! The graduate's own side (/me/assistance): its plan, helpers and the jobs
//! referred to it, each answered here. The page names no category: what
//! group a graduate is in is for its helpers, not shown on its screens.

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use kernel::auth::{Actor, Role};
use kernel::web::{redirect_with_flash, AppError, AppState, CsrfForm, Ctx};
use kernel::Locale;

use crate::store::{self, Entry, Measure, Person};

pub fn routes() -> Router<AppState> {
    Router::new().route("/me/assistance", get(my_page)).route("/me/assistance/referrals/{id}/answer", post(answer))
}

/// The signed-in graduate, when it is in the register; 404 otherwise.
async fn me(state: &AppState, ctx: &Ctx) -> Result<Person, AppError> {
    let actor = ctx.require(&[Role::Graduate])?;
    let id = actor.graduate_id.ok_or(AppError::NotFound)?;
    let p = store::person(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match store::in_register(&state.db, &p).await? {
        true => Ok(p),
        false => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MyPage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    helpers: Vec<(i64, String)>,
    measures: Vec<Measure>,
    referrals: Vec<Entry>,
    answers: [&'static str; 3],
}

impl MyPage<'_> {
    fn answer_label(&self, a: &str) -> &'static str {
        store::answer_label(a, self.l)
    }
    fn answered(&self, e: &Entry) -> &'static str {
        store::answer_label(e.answer.as_deref().unwrap_or(""), self.l)
    }
}

async fn my_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let p = me(&state, &ctx).await?;
    let page = MyPage {
        ctx: &ctx,
        l: ctx.locale,
        helpers: store::helpers_of(&state.db, p.id).await?,
        measures: store::measures_of(&state.db, p.id).await?,
        referrals: store::entries_of(&state.db, p.id, true, ctx.locale).await?,
        answers: store::ANSWERS,
    };
    ctx.page(ctx.t("我的就业帮扶", "My employment assistance"), &page)
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    let p = me(&state, &ctx).await?;
    if !store::ANSWERS.contains(&form.answer.as_str()) {
        return Ok(redirect_with_flash(
            "/me/assistance",
            ctx.t("请选择感兴趣、已投递或不考虑。", "Choose interested, applied or declined."),
        ));
    }
    let mut tx = state.db.begin().await?;
    let answered = store::answer_referral(&mut tx, &ctx.audit_actor(), &p, id, &form.answer).await?;
    tx.commit().await?;
    if !answered {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(
        &format!("/me/assistance#referral-{id}"),
        ctx.t("已回复，帮扶老师会看到。", "Answered; your helper will see it."),
    ))
}

#[derive(Template)]
#[template(
    source = r#"<section class="panel" id="my-assistance-panel"><h2>{{ l.t("就业帮扶", "Employment assistance") }}</h2>
<p>{{ l.t("学校为你安排了就业帮扶：帮扶老师、帮扶计划和推荐的岗位。", "Your university arranged assistance for you: helpers, a plan and jobs referred to you.") }}
{% if waiting > 0 %}<strong id="referrals-waiting">{{ waiting }}</strong> {{ l.t("个推荐岗位待你回复。", "referrals wait for your answer.") }}{% endif %}</p>
<p><a href="/me/assistance" id="my-assistance-link">{{ l.t("查看我的帮扶", "See my assistance") }}</a></p></section>"#,
    ext = "html"
)]
struct Panel {
    l: Locale,
    waiting: usize,
}

/// The workbench section of a graduate in the register; nothing for others.
pub fn panel<'a>(
    state: &'a AppState,
    actor: &'a Actor,
    l: Locale,
) -> Pin<Box<dyn Future<Output = Result<String, AppError>> + Send + 'a>> {
    Box::pin(async move {
        let Some(id) = actor.graduate_id else { return Ok(String::new()) };
        let Some(p) = store::person(&state.db, id).await? else { return Ok(String::new()) };
        if !store::in_register(&state.db, &p).await? {
            return Ok(String::new());
        }
        let waiting = store::entries_of(&state.db, p.id, true, l).await?.iter().filter(|e| e.answer.is_none()).count();
        Ok(Panel { l, waiting }.render()?)
    })
}
