//! Locale per request: Chinese first, English second. Texts live beside the
//! code that shows them as `(zh, en)` pairs, so a page reads in both languages
//! at once and a missing translation cannot happen.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn parse(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Locale::Zh)
        } else if tag.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The best match from an `Accept-Language` header; Chinese when unsure.
    pub fn from_accept_language(header: &str) -> Locale {
        header.split(',').find_map(|part| Locale::parse(part.split(';').next().unwrap_or(""))).unwrap_or_default()
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn other(self) -> Locale {
        match self {
            Locale::Zh => Locale::En,
            Locale::En => Locale::Zh,
        }
    }

    /// Picks the text for this locale.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::Zh => zh,
            Locale::En => en,
        }
    }

    /// Short form for templates: `{{ l.t("院校", "Institutions") }}`.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.pick(zh, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9"), Locale::En);
        assert_eq!(Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Locale::Zh);
        assert_eq!(Locale::from_accept_language("fr"), Locale::Zh);
    }
}
