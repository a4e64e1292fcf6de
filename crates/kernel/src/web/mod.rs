//! The web shell: application state, the per-request context (locale, actor,
//! CSRF token), the page layout, embedded assets and the error mapping.

pub mod allowance;
pub mod assets;
pub mod cache;
pub mod error;
pub mod export;
pub mod figure;
pub mod form;
pub mod listing;
pub mod pages;
pub mod progress;
pub mod table;
pub mod url;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

pub use error::AppError;
pub use form::{CsrfForm, FieldErrors, NoFields, Upload};

use crate::audit::AuditActor;
use crate::auth::{self, Actor, Role, Scope, SigningKey};
use crate::config::Config;
use crate::db::Db;
use crate::i18n::Locale;

pub const SESSION_COOKIE: &str = "jiuye_session";
pub const CSRF_COOKIE: &str = "jiuye_csrf";
pub const LANG_COOKIE: &str = "jiuye_lang";
pub const FLASH_COOKIE: &str = "jiuye_flash";
/// Names the account this browser last logged in to, signed: such a browser
/// is throttled apart from others at its address (`auth::throttle`).
pub const KNOWN_BROWSER_COOKIE: &str = "jiuye_browser";

/// One navigation link, contributed by an area for the roles that use it.
#[derive(Debug, Clone)]
pub struct NavEntry {
    pub href: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Empty: shown to anonymous visitors only.
    pub roles: &'static [Role],
    /// The bar's menu the link sits in; `None`: on the bar itself.
    pub menu: Option<Menu>,
    /// A per-person condition on top of the role (e.g. a graduate in the
    /// key-group register): asked once per request for the signed-in actor,
    /// the link shown only when it says yes. `None`: the role decides alone.
    pub when: Option<NavCheck>,
}

/// Whether one signed-in person gets a link (see [`NavEntry::when`]). It
/// answers for that person only and the answer is shown to nobody else.
pub type NavCheck = for<'a> fn(&'a Db, &'a Actor) -> Pin<Box<dyn Future<Output = crate::DbResult<bool>> + Send + 'a>>;

/// The navigation bar's menus, so a role with twenty links sees five words.
/// A menu holding a single link for a role shows that link on the bar instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Menu {
    /// 去向与签约: rosters, destinations, agreements.
    Destinations,
    /// 统计分析: rates, reports, briefings.
    Statistics,
    /// 招聘: postings, their review, the job list.
    Recruitment,
    /// 帮扶: the key-group register, guidance calendar, trainings and bases.
    Assistance,
    /// 项目评审: calls (批次), applications, expert review.
    Programmes,
    /// 培训与导师: training classes, certificates, the mentor pool, courses.
    Training,
    /// 档案与服务: archive transfers (档案转递), one-stop service requests, the handbook.
    Services,
    /// 门户与台账: the public portal's editing, annual quality reports, the plan board.
    Portal,
    /// 基础数据: institutions, employers, majors, regions, codes.
    Registry,
    /// 系统管理: accounts, audit, tokens.
    Admin,
}

impl Menu {
    pub fn label(self, l: Locale) -> &'static str {
        match self {
            Menu::Destinations => l.pick("去向与签约", "Destinations"),
            Menu::Statistics => l.pick("统计分析", "Statistics"),
            Menu::Recruitment => l.pick("招聘", "Recruitment"),
            Menu::Assistance => l.pick("帮扶", "Assistance"),
            Menu::Programmes => l.pick("项目评审", "Programmes"),
            Menu::Training => l.pick("培训与导师", "Training"),
            Menu::Services => l.pick("档案与服务", "Archives & services"),
            Menu::Portal => l.pick("门户与台账", "Portal & plan"),
            Menu::Registry => l.pick("基础数据", "Registry"),
            Menu::Admin => l.pick("系统管理", "Administration"),
        }
    }
}

/// A link as the bar shows it: (href, label).
pub type NavLink = (&'static str, &'static str);

/// What the bar shows: a link, or a menu of links (`<details>`, so it opens
/// without JavaScript).
pub struct NavItem {
    pub label: &'static str,
    /// One for a link on the bar.
    pub links: Vec<NavLink>,
    pub is_menu: bool,
}

/// A section an area adds to a role's workbench (工作台, the home page), as
/// HTML: the home page belongs to the registry, while what a graduate has to
/// act on (destination, invitations) belongs to outcomes.
pub type Panel =
    for<'a> fn(&'a AppState, &'a Actor, Locale) -> Pin<Box<dyn Future<Output = Result<String, AppError>> + Send + 'a>>;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Where dashboards and reports read: a streaming replica when one is configured and current enough.
    pub reads: crate::db::Reads,
    pub config: Arc<Config>,
    pub nav: Arc<Vec<NavEntry>>,
    /// Where a role lands after logging in, when it was not on its way to a page.
    pub start_pages: Arc<Vec<(Role, &'static str)>>,
    /// The areas' sections of each role's workbench, in order.
    pub panels: Arc<Vec<(Role, Panel)>>,
    /// The live figures the areas offer the plan board and the inspection view.
    pub figures: Arc<Vec<figure::Figure>>,
    /// Headline figures, recomputed at most every few seconds.
    pub cache: Arc<cache::Cache>,
    /// How far long uploads have come, for the pages polling them.
    pub progress: Arc<progress::Board>,
    /// The signing key, read from the database at the first request that needs it.
    pub signing_key: Arc<tokio::sync::OnceCell<SigningKey>>,
}

impl AppState {
    pub async fn signing_key(&self) -> Result<&SigningKey, AppError> {
        Ok(self.signing_key.get_or_try_init(|| SigningKey::load_or_create(&self.db)).await?)
    }
}

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let same_site = if name == CSRF_COOKIE { "Strict" } else { "Lax" };
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `?lang=` first, then the language cookie, then `Accept-Language`.
pub fn request_locale(headers: &HeaderMap, query: Option<&str>) -> Locale {
    let from_query = query
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "lang").and_then(|(_, v)| Locale::parse(&v)));
    from_query.or_else(|| cookie(headers, LANG_COOKIE).and_then(Locale::parse)).unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Locale::from_accept_language)
            .unwrap_or_default()
    })
}

/// The CSRF token of this visitor, put in the request by [`visitor_cookies`]:
/// the cookie's when the server signed it, a new one otherwise.
#[derive(Clone)]
struct CsrfToken(String);

const CSRF_PURPOSE: &str = "csrf";

/// Middleware: makes sure every visitor has a CSRF cookie this server issued
/// (a cookie planted by a neighbouring site or a man in the middle is not
/// signed, so it is replaced rather than trusted), clears a flash message
/// once it has been shown, and, behind HTTPS, marks every cookie Secure
/// (the flash and language cookies too), whichever handler set it.
pub async fn visitor_cookies(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let key = match state.signing_key().await {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let existing =
        cookie(request.headers(), CSRF_COOKIE).filter(|t| key.open(CSRF_PURPOSE, t).is_some()).map(str::to_owned);
    let had_flash = cookie(request.headers(), FLASH_COOKIE).is_some();
    let token = existing.clone().unwrap_or_else(|| key.seal(CSRF_PURPOSE, &auth::session::random_token()));
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if existing.is_none() {
        let secure = state.config.secure_cookies;
        headers.append(header::SET_COOKIE, set_cookie(CSRF_COOKIE, &token, 60 * 60 * 24 * 30, secure));
    }
    let sets_flash =
        headers.get_all(header::SET_COOKIE).iter().any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()));
    if had_flash && !sets_flash {
        headers.append(header::SET_COOKIE, set_cookie(FLASH_COOKIE, "", 0, false));
    }
    if state.config.secure_cookies {
        mark_secure(headers);
    }
    response
}

/// The header a page's script sends its CSRF token in, for an API write by the session.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Middleware, inside [`visitor_cookies`]: an API write (anything but GET and
/// HEAD under `/api/`) comes with a bearer token, or, by a logged-in browser
/// session, with the visitor's CSRF token repeated in [`CSRF_HEADER`]: another
/// site can make a browser send the cookie, but not set a header. A request
/// with neither token nor session is left to the handler, which answers 401.
pub async fn api_writes_by_session(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let safe = matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    if safe
        || !request.uri().path().starts_with("/api/")
        || bearer(headers).is_some()
        || cookie(headers, SESSION_COOKIE).is_none()
    {
        return next.run(request).await;
    }
    let kept = request.extensions().get::<CsrfToken>().map(|t| t.0.as_str()).unwrap_or_default();
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default().trim();
    if !kept.is_empty() && form::constant_time_eq(sent.as_bytes(), kept.as_bytes()) {
        return next.run(request).await;
    }
    let l = request_locale(headers, request.uri().query());
    AppError::Denied(
        l.pick(
            "接口写操作须带接口令牌（Authorization: Bearer …），或由已登录的页面在 X-CSRF-Token 请求头中带上表单令牌。",
            "An API write needs an API token (Authorization: Bearer …), or, from a logged-in page, \
             the form token in the X-CSRF-Token header.",
        )
        .to_owned(),
    )
    .into_response()
}

fn mark_secure(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).iter().cloned().collect();
    headers.remove(header::SET_COOKIE);
    for value in cookies {
        let text = value.to_str().unwrap_or_default();
        let value = match text.ends_with("; Secure") || text.contains("; Secure;") {
            true => value,
            false => HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(value),
        };
        headers.append(header::SET_COOKIE, value);
    }
}

/// Middleware: headers that keep pages from being framed, sniffed or fed
/// scripts from elsewhere. Every asset is our own, so `'self'` is enough.
/// Served over HTTPS (secure cookies), browsers are told to come back only so.
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if state.config.secure_cookies {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Everything a handler needs to know about who is asking.
pub struct Ctx {
    pub locale: Locale,
    pub actor: Option<Actor>,
    /// The API token the request came with (接口令牌), when it came with one.
    pub token_id: Option<i64>,
    pub csrf: String,
    pub client_addr: String,
    /// Path and query of this request, for the language switch and `next`.
    pub here: String,
    pub flash: Option<String>,
    nav: Arc<Vec<NavEntry>>,
    /// The links with a per-person condition that this actor passed (asked once per request).
    nav_passed: Vec<&'static str>,
    config: Arc<Config>,
}

/// Any router state that holds the shell's `AppState` (an area's typed state does).
impl<S: Send + Sync> FromRequestParts<S> for Ctx
where
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let state = AppState::from_ref(state);
        let locale = request_locale(&parts.headers, parts.uri.query());
        let (actor, token_id) = if let Some(token) = bearer(&parts.headers) {
            let (actor, id) = auth::lookup_api_token(&state.db, token).await?.ok_or(AppError::Unauthorized)?;
            (Some(actor), Some(id))
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            (auth::lookup_session(&state.db, token).await?, None)
        } else {
            (None, None)
        };
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let client_addr = client_address(&parts.headers, peer, state.config.client_ip_header.as_deref());
        let csrf = parts.extensions.get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
        let flash = cookie(&parts.headers, FLASH_COOKIE)
            .and_then(|v| serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("m={v}")).ok())
            .and_then(|mut v| v.pop().map(|(_, m)| m));
        let here = parts.uri.path_and_query().map(|p| p.to_string()).unwrap_or_else(|| "/".to_owned());
        let mut nav_passed = Vec::new();
        if let (Some(a), None) = (&actor, token_id) {
            for n in state.nav.iter().filter(|n| n.roles.contains(&a.role)) {
                if let Some(check) = n.when {
                    if check(&state.db, a).await? {
                        nav_passed.push(n.href);
                    }
                }
            }
        }
        Ok(Ctx {
            locale,
            actor,
            token_id,
            csrf,
            client_addr,
            here,
            flash,
            nav: state.nav.clone(),
            nav_passed,
            config: state.config.clone(),
        })
    }
}

/// The client's address: from the trusted proxy's header when one is
/// configured (the last address in it, the one that proxy saw; earlier ones
/// are whatever the client wrote), else the connection's peer.
pub fn client_address(headers: &HeaderMap, peer: Option<IpAddr>, proxy_header: Option<&str>) -> String {
    let from_proxy = proxy_header
        .and_then(|name| headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).next_back())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    from_proxy.or(peer).map(|ip| ip.to_string()).unwrap_or_else(|| "local".to_owned())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

impl Ctx {
    /// The signed-in actor, or a redirect to the login form.
    pub fn actor(&self) -> Result<&Actor, AppError> {
        self.actor.as_ref().ok_or(AppError::Unauthorized)
    }

    /// The actor if its role is one of `roles`; 403 otherwise.
    pub fn require(&self, roles: &[Role]) -> Result<&Actor, AppError> {
        let actor = self.actor()?;
        if roles.contains(&actor.role) {
            Ok(actor)
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn scope(&self) -> Scope {
        self.actor.as_ref().map(Actor::scope).unwrap_or(Scope::Nothing)
    }

    /// Who the audit log names: the account, and the API token when the request came through one.
    pub fn audit_actor(&self) -> AuditActor {
        let mut who = AuditActor::of(self.actor.as_ref(), &self.client_addr);
        if let Some(id) = self.token_id {
            who.label = format!("{} (api_token:{id})", who.label);
        }
        who
    }

    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.locale.pick(zh, en)
    }

    /// Renders a page body inside the layout.
    pub fn page(&self, title: &str, body: &impl Template) -> Result<Response, AppError> {
        let body = body.render()?;
        let layout = Layout { ctx: self, l: self.locale, title, body: &body, nav: self.nav_for() };
        let mut response = Html(layout.render()?).into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(response)
    }

    /// The actor's links: those on the bar first, in the areas' order, then the
    /// menus in `Menu`'s order.
    fn nav_for(&self) -> Vec<NavItem> {
        let visible = self.nav.iter().filter(|n| match &self.actor {
            Some(a) => n.roles.contains(&a.role) && (n.when.is_none() || self.nav_passed.contains(&n.href)),
            None => n.roles.is_empty(),
        });
        let mut items: Vec<(Option<Menu>, Vec<NavLink>)> = Vec::new();
        for n in visible {
            let link = (n.href, self.locale.pick(n.zh, n.en));
            match items.iter_mut().find(|(menu, _)| n.menu.is_some() && *menu == n.menu) {
                Some((_, links)) => links.push(link),
                None => items.push((n.menu, vec![link])),
            }
        }
        items.sort_by_key(|(menu, _)| *menu);
        items
            .into_iter()
            .map(|(menu, links)| match menu {
                Some(menu) if links.len() > 1 => NavItem { label: menu.label(self.locale), links, is_menu: true },
                _ => NavItem { label: links[0].1, links, is_menu: false },
            })
            .collect()
    }

    /// The link that shows this page in the other language.
    pub fn switch_lang_href(&self) -> String {
        format!("/lang?to={}&back={}", self.locale.other().tag(), url::url_encode(&self.here))
    }

    /// The department running the platform, for the footer.
    pub fn operator(&self) -> &str {
        self.locale.pick(&self.config.operator, &self.config.operator_en)
    }

    pub fn role_label(&self) -> &'static str {
        self.actor.as_ref().map(|a| a.role.label(self.locale)).unwrap_or("")
    }
}

/// A 303 redirect carrying a one-time message for the next page.
pub fn redirect_with_flash(to: &str, message: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    let value = url::url_encode(message);
    response.headers_mut().append(header::SET_COOKIE, set_cookie(FLASH_COOKIE, &value, 60, false));
    response
}

#[derive(Template)]
#[template(path = "layout.html")]
struct Layout<'a> {
    ctx: &'a Ctx,
    l: Locale,
    title: &'a str,
    body: &'a str,
    nav: Vec<NavItem>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: Locale,
    title: &'a str,
    text: &'a str,
}

pub fn error_page(locale: Locale, title: &str, text: &str) -> Html<String> {
    Html(ErrorPage { l: locale, title, text }.render().unwrap_or_else(|_| title.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_comes_from_the_trusted_header_only_when_configured() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 10.1.2.3"));
        let peer = Some(IpAddr::from([192, 168, 0, 1]));
        assert_eq!(client_address(&headers, peer, Some("X-Forwarded-For")), "10.1.2.3");
        assert_eq!(client_address(&headers, peer, None), "192.168.0.1", "not configured: the header is ignored");
        assert_eq!(client_address(&HeaderMap::new(), peer, Some("x-forwarded-for")), "192.168.0.1");
        headers.insert("x-forwarded-for", HeaderValue::from_static("not an address"));
        assert_eq!(client_address(&headers, peer, Some("x-forwarded-for")), "192.168.0.1");
        assert_eq!(client_address(&HeaderMap::new(), None, None), "local");
    }
}
