//! Addresses the shell builds: query values, and where to go back to.

/// Percent-encodes a value for a query string.
pub fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|e| e[1..].to_owned()).unwrap_or_default()
}

/// Only same-site paths are followed after login, never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// The platform's address as printed or put in a QR code: the configured
/// public address, or else the one this request came in on.
pub fn public_base(config: &crate::config::Config, headers: &axum::http::HeaderMap) -> String {
    match &config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            let scheme = if config.secure_cookies { "https" } else { "http" };
            format!("{scheme}://{host}")
        }
    }
}
