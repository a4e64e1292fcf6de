//! Forms: CSRF checking on every POST, and messages kept beside each field.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::CsrfToken;
use crate::web::error::AppError;

/// A form with a file, as the browser sent it: its text fields, trimmed, and
/// the bytes and name of its `file` field.
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: BTreeMap<String, String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    /// The whole form; `None` when the body broke off, which is how a body
    /// over the route's size limit arrives (so: "too large", not "no token").
    pub async fn read(mut multipart: axum::extract::Multipart) -> Option<Upload> {
        let mut upload = Upload::default();
        while let Some(field) = multipart.next_field().await.ok()? {
            let name = field.name().unwrap_or("").to_owned();
            if name == "file" {
                upload.file_name = field.file_name().unwrap_or("").to_owned();
                upload.bytes = field.bytes().await.ok()?.to_vec();
            } else {
                let text = field.text().await.ok()?;
                upload.fields.insert(name, text.trim().to_owned());
            }
        }
        Some(upload)
    }

    /// A text field, or `""`.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// Whether the form carried the visitor's CSRF token.
    pub fn csrf_matches(&self, token: &str) -> bool {
        !token.is_empty() && self.field("_csrf") == token
    }
}

/// Form bodies larger than this are refused before parsing.
pub const FORM_LIMIT: usize = 256 * 1024;

/// A url-encoded form whose `_csrf` field matched the visitor's CSRF cookie,
/// one the server signed (`visitor_cookies` replaces any other).
pub struct CsrfForm<T>(pub T);

/// A form that is only a button: nothing but its CSRF token.
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, AppError> {
        let expected = req.extensions().get::<CsrfToken>().map(|t| t.0.clone());
        let bytes = axum::body::to_bytes(req.into_body(), FORM_LIMIT).await.map_err(|_| AppError::TooLarge)?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest("malformed form".into()))?;
        let sent = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str());
        match (expected.as_deref(), sent) {
            (Some(a), Some(b)) if !a.is_empty() && constant_time_eq(a.as_bytes(), b.as_bytes()) => {}
            _ => return Err(AppError::Csrf),
        }
        let value =
            serde_urlencoded::from_bytes(&bytes).map_err(|e| AppError::BadRequest(format!("malformed form: {e}")))?;
        Ok(CsrfForm(value))
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Validation messages by field name, shown beside the fields.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    /// For templates: the message or an empty string.
    pub fn of(&self, field: &str) -> &str {
        self.get(field).unwrap_or("")
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// (field, message) pairs in field order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Trims a text field and caps its length; `None` when empty.
pub fn clean(value: &str, max_chars: usize) -> Option<String> {
    let t = value.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.chars().take(max_chars).collect())
    }
}
