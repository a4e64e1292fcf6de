//! Live figures (实时数据): a count an area computes from its own records for
//! a cohort, province-wide or for one institution, offered by key so the plan
//! board (工作台账) and the inspection view can show it beside a target
//! without knowing the area. An area lists its figures in `figures()`;
//! `jiuye` gathers them into `AppState::figures`, and a plan file names a
//! measure's figure by its key.

use std::future::Future;
use std::pin::Pin;

use crate::i18n::Locale;
use crate::web::{AppError, AppState};

/// What a figure is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureScope {
    /// The graduating year (届), as `graduates.cohort_year`.
    pub cohort: i64,
    /// `None`: the whole province.
    pub institution: Option<i64>,
}

/// A figure's value: a count, or a count out of a whole (a share, such as
/// archives transferred out of graduates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub count: i64,
    pub of: Option<i64>,
}

impl Reading {
    pub fn count(count: i64) -> Self {
        Reading { count, of: None }
    }

    pub fn share(count: i64, of: i64) -> Self {
        Reading { count, of: Some(of) }
    }

    /// The share in per cent, rounded to two places; `None` for a plain count
    /// or an empty whole.
    pub fn percent(&self) -> Option<f64> {
        match self.of {
            Some(of) if of > 0 => Some((self.count as f64 * 10_000.0 / of as f64).round() / 100.0),
            _ => None,
        }
    }
}

/// A figure being computed. An area's figure is most simply an `async fn(&AppState, FigureScope) ->
/// Result<Reading, AppError>` given as `|state, scope| Box::pin(its_fn(state, scope))`.
pub type Computing<'a> = Pin<Box<dyn Future<Output = Result<Reading, AppError>> + Send + 'a>>;

pub type FigureFn = for<'a> fn(&'a AppState, FigureScope) -> Computing<'a>;

/// One live figure an area offers.
#[derive(Clone)]
pub struct Figure {
    /// How a plan file names it: `<area>.<figure>`, e.g. `archives.transferred`.
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// The page the figure can be checked on, for the board's link (a path;
    /// `?institution=` is added for one institution where the page takes it).
    pub source: &'static str,
    /// Whether the figure means something for one institution (a count of
    /// province-run fairs does not).
    pub per_institution: bool,
    pub compute: FigureFn,
}

impl Figure {
    pub fn label(&self, l: Locale) -> &'static str {
        l.pick(self.zh, self.en)
    }
}

/// The figure with this key, if an area offers it.
pub fn find<'a>(figures: &'a [Figure], key: &str) -> Option<&'a Figure> {
    figures.iter().find(|f| f.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_in_per_cent_with_two_places() {
        assert_eq!(Reading::share(1, 3).percent(), Some(33.33));
        assert_eq!(Reading::share(0, 0).percent(), None);
        assert_eq!(Reading::count(5).percent(), None);
    }
}
