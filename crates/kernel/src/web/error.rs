//! The one place where errors become HTTP responses. Handlers return
//! [`AppError`]; [`render_errors`] turns it into a page in the visitor's
//! language, a redirect to the login form, or JSON for API clients.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::db::DbError;
use crate::i18n::Locale;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Forbidden, with the reason shown to the visitor (in their language).
    #[error("forbidden: {0}")]
    Denied(String),
    /// What was here has been deleted (an error report past its retention), and why.
    #[error("gone: {0}")]
    Gone(String),
    #[error("login required")]
    Unauthorized,
    #[error("form expired (CSRF token mismatch)")]
    Csrf,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    TooLarge,
    /// The request cannot be done in the record's current state (an agreement step no longer open).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Template(#[from] askama::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Carried on an error response until [`render_errors`] gives it a body.
#[derive(Debug, Clone)]
pub struct ErrorMark {
    pub status: StatusCode,
    pub detail: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, detail) = match &self {
            AppError::NotFound => (StatusCode::NOT_FOUND, None),
            AppError::Forbidden => (StatusCode::FORBIDDEN, None),
            AppError::Denied(m) => (StatusCode::FORBIDDEN, Some(m.clone())),
            AppError::Gone(m) => (StatusCode::GONE, Some(m.clone())),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, None),
            AppError::Csrf => (StatusCode::FORBIDDEN, Some("csrf".to_owned())),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, Some(m.clone())),
            AppError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, None),
            AppError::Conflict(m) => (StatusCode::CONFLICT, Some(m.clone())),
            AppError::Db(DbError::Missing(_)) => (StatusCode::NOT_FOUND, None),
            other => {
                tracing::error!(error = %other, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorMark { status, detail });
        response
    }
}

fn message(status: StatusCode, detail: Option<&str>, locale: Locale) -> (&'static str, String) {
    let title = match status {
        StatusCode::NOT_FOUND => locale.pick("页面不存在", "Page not found"),
        StatusCode::FORBIDDEN => locale.pick("无权访问", "Access denied"),
        StatusCode::GONE => locale.pick("已删除", "Deleted"),
        StatusCode::PAYLOAD_TOO_LARGE => locale.pick("上传内容过大", "Upload too large"),
        StatusCode::BAD_REQUEST => locale.pick("请求无效", "Bad request"),
        StatusCode::UNAUTHORIZED => locale.pick("请先登录", "Please log in"),
        StatusCode::CONFLICT => locale.pick("与当前状态冲突", "Conflicts with the current state"),
        StatusCode::METHOD_NOT_ALLOWED => locale.pick("不能直接打开此地址", "This address cannot be opened directly"),
        StatusCode::UNPROCESSABLE_ENTITY => locale.pick("请求内容无法处理", "Unprocessable request"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => locale.pick("请求内容类型不支持", "Unsupported content type"),
        _ => locale.pick("服务器出错了", "Something went wrong"),
    };
    let text = match (status, detail) {
        (_, Some("csrf")) => locale
            .pick("页面已过期，请返回刷新后重试。", "This form has expired. Go back, reload the page and try again.")
            .to_owned(),
        (_, Some(d)) => d.to_owned(),
        (StatusCode::NOT_FOUND, None) => locale
            .pick("您要找的内容不存在或已被删除。", "What you are looking for does not exist or was removed.")
            .to_owned(),
        (StatusCode::FORBIDDEN, None) => {
            locale.pick("您的账号没有查看此内容的权限。", "Your account is not allowed to see this.").to_owned()
        }
        // Typically a form's address opened from the history or a bookmark.
        (StatusCode::METHOD_NOT_ALLOWED, None) => locale
            .pick(
                "此地址用于提交表单，请回到相应页面填写后提交。",
                "This address receives a form. Go back to the page with the form, fill it in and submit it there.",
            )
            .to_owned(),
        (StatusCode::PAYLOAD_TOO_LARGE, None) => {
            locale.pick("文件超过了允许的大小。", "The file is larger than allowed.").to_owned()
        }
        _ => locale
            .pick(
                "请稍后再试；如果问题持续，请联系管理员。",
                "Please try again later; if it persists, contact the administrator.",
            )
            .to_owned(),
    };
    (title, text)
}

/// Middleware: gives marked error responses their body.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let locale = super::request_locale(request.headers(), request.uri().query());
    let is_api = request.uri().path().starts_with("/api/");
    let path_and_query = request.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status();
    let mark = match response.extensions().get::<ErrorMark>() {
        Some(mark) => mark.clone(),
        // An API handler's own answer, such as a refused batch's row errors as JSON.
        None if is_api && is_json(&response) => return response,
        // A body axum's extractor refused says which field and why: an API caller needs that.
        None if is_api && status.is_client_error() => ErrorMark { status, detail: rejection(response, locale).await },
        // Errors raised by axum itself (bad form encoding, unknown method...).
        None if status.is_client_error() || status.is_server_error() => ErrorMark { status, detail: None },
        None => return response,
    };
    if is_api {
        let (title, text) = message(mark.status, mark.detail.as_deref(), locale);
        let body = serde_json::json!({ "error": title, "message": text, "status": mark.status.as_u16() });
        return (mark.status, axum::Json(body)).into_response();
    }
    if mark.status == StatusCode::UNAUTHORIZED {
        let next = super::url::url_encode(&path_and_query);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let (title, text) = message(mark.status, mark.detail.as_deref(), locale);
    let html = super::error_page(locale, title, &text);
    let mut out = (mark.status, html).into_response();
    out.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    out
}

/// What axum's JSON extractor said of a refused body (the field's path and
/// the expected type, e.g. `rows[2].cohort: invalid type: string "2022",
/// expected i64`), introduced in the caller's language.
async fn rejection(response: Response, locale: Locale) -> Option<String> {
    let said = axum::body::to_bytes(response.into_body(), 4096).await.ok()?;
    let said = String::from_utf8_lossy(&said);
    let said = said.trim();
    let intro = locale.pick("请求内容不符合接口格式：", "The request body does not match the API: ");
    (!said.is_empty()).then(|| format!("{intro}{said}"))
}

fn is_json(response: &Response) -> bool {
    response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}
