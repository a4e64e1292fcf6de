//! The public site's notices, no account needed: the list of open and past
//! notices (/notices), one notice with the formal objection form while it is
//! open (/notices/{id}), and the published result (/notices/{id}/result).
//! Leaders' full names are shown, as is customary on a 公示; ID numbers never,
//! and nothing of the objections but how many were received.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use kernel::web::form::Upload;
use kernel::web::{redirect_with_flash, AppError, AppState, Ctx};
use kernel::{time, Locale};

use super::rules::{self, ObjectionForm, Window};
use super::store::{self, Item, Notice};

const DOCUMENT_LIMIT: usize = 10 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notices", get(list_page))
        .route("/notices/{id}", get(notice_page))
        .route("/notices/{id}/objections", post(object).layer(DefaultBodyLimit::max(DOCUMENT_LIMIT + 64 * 1024)))
        .route("/notices/{id}/result", get(result_page))
}

struct Line {
    n: Notice,
    open: bool,
    state: &'static str,
}

fn state_name(n: &Notice, w: Window, l: Locale) -> &'static str {
    if n.status == rules::RESULT {
        return l.pick("结果已公布", "Result published");
    }
    match w {
        Window::NotYet => l.pick("即将公示", "Starting soon"),
        Window::Open => l.pick("公示中", "Open for objections"),
        Window::Ended => l.pick("公示期满", "Ended"),
    }
}

#[derive(Template)]
#[template(path = "notices/public_list.html")]
struct ListPage {
    l: Locale,
    lines: Vec<Line>,
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let l = ctx.locale;
    let today = time::today_china();
    let mut lines: Vec<Line> = store::notices(&state.db, None, None, true)
        .await?
        .into_iter()
        .map(|n| {
            let w = n.window(today);
            Line { state: state_name(&n, w, l), open: w == Window::Open && n.status == rules::OPEN, n }
        })
        .collect();
    // Open notices first, then the rest, each newest first.
    lines.sort_by_key(|x| !x.open);
    ctx.page(ctx.t("公示公告", "Public notices"), &ListPage { l, lines })
}

#[derive(Template)]
#[template(path = "notices/public_notice.html")]
struct NoticePage<'a> {
    ctx: &'a Ctx,
    l: Locale,
    n: Notice,
    state: &'static str,
    items: Vec<Item>,
    refusal: Option<&'static str>,
    objections: usize,
    form: ObjectionForm,
    errors: Vec<String>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    n: Notice,
    form: ObjectionForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let w = n.window(time::today_china());
    let refusal = if n.status == rules::RESULT {
        rules::objection_refusal(Window::Ended, l)
    } else {
        rules::objection_refusal(w, l)
    };
    let page = NoticePage {
        ctx,
        l,
        state: state_name(&n, w, l),
        items: store::items(&state.db, n.id).await?,
        refusal,
        objections: store::objections(&state.db, n.id).await?.len(),
        form,
        errors,
        n,
    };
    let title = page.n.title.clone();
    ctx.page(&title, &page)
}

async fn notice_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let n = store::notice(&state.db, id).await?.ok_or(AppError::NotFound)?;
    render(&state, &ctx, n, ObjectionForm::default(), Vec::new()).await
}

async fn object(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let l = ctx.locale;
    let n = store::notice(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let Some(upload) = Upload::read(multipart).await else {
        let e =
            l.pick("提交失败：文件超过 10 MB 或传输中断。", "Not sent: the file is over 10 MB or the transfer broke.");
        return render(&state, &ctx, n, ObjectionForm::default(), vec![e.to_owned()]).await;
    };
    if !upload.csrf_matches(&ctx.csrf) {
        return Err(AppError::Csrf);
    }
    let form = ObjectionForm {
        item: upload.field("item").to_owned(),
        name: upload.field("name").to_owned(),
        phone: upload.field("phone").to_owned(),
        email: upload.field("email").to_owned(),
        reasons: upload.field("reasons").to_owned(),
    };
    let w = n.window(time::today_china());
    let refusal = if n.status == rules::RESULT {
        rules::objection_refusal(Window::Ended, l)
    } else {
        rules::objection_refusal(w, l)
    };
    if let Some(e) = refusal {
        return render(&state, &ctx, n, form, vec![e.to_owned()]).await;
    }
    let items: Vec<i64> = store::items(&state.db, n.id).await?.iter().filter(|i| !i.removed).map(|i| i.id).collect();
    let objection = match rules::check_objection(&form, &items, l) {
        Ok(o) => o,
        Err(errors) => return render(&state, &ctx, n, form, errors).await,
    };
    // Counted before the evidence is stored, in a transaction of its own: an
    // address past its allowance leaves nothing behind.
    let mut tx = state.db.begin().await?;
    let allowed = rules::OBJECTIONS.take(&mut tx, &ctx.client_addr).await?;
    tx.commit().await?;
    if !allowed {
        let e = l.pick(
            "本地址一小时内提交的异议已达上限，请稍后再试，或直接联系受理单位。",
            "This address has sent as many objections as it may in an hour. Try again later, or contact the office directly.",
        );
        return render(&state, &ctx, n, form, vec![e.to_owned()]).await;
    }
    let file = if upload.bytes.is_empty() {
        None
    } else {
        let accepted = kernel::files::accept_document(
            &state.config.files(),
            &upload.file_name,
            &upload.bytes,
            DOCUMENT_LIMIT,
            l.pick("证据材料", "evidence"),
            l,
        )
        .map_err(|e| AppError::Internal(e.into()))?;
        match accepted {
            Ok(a) => Some(a),
            Err(e) => return render(&state, &ctx, n, form, vec![e]).await,
        }
    };
    let mut tx = state.db.begin().await?;
    store::file_objection(
        &mut tx,
        &ctx.audit_actor(),
        &n,
        &objection,
        file.as_ref().map(|a| (a.shown_name.as_str(), &a.stored)),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/notices/{id}"),
        ctx.t(
            "异议已收到。受理单位将核实处理，并通过您留下的联系方式答复。",
            "Objection received. The office will look into it and reply through the contact you gave.",
        ),
    ))
}

#[derive(Template)]
#[template(path = "notices/public_result.html")]
struct ResultPage {
    l: Locale,
    n: Notice,
    items: Vec<Item>,
}

async fn result_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let n = store::notice(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if n.status != rules::RESULT {
        return Err(AppError::NotFound);
    }
    let items = store::items(&state.db, n.id).await?.into_iter().filter(|i| !i.removed).collect();
    let title = format!("{}{}", n.title, ctx.t("（结果）", " (result)"));
    ctx.page(&title, &ResultPage { l: ctx.locale, n, items })
}
