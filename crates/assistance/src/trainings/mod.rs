//! The province's key-group trainings (measure 22 of the plan): e.g. the six
//! December sessions and the March one-to-one online guidance for graduates of
//! formerly registered poor families. A training is the province's own or
//! hosted by a training base (`crate::bases`); staff enrol their key-group
//! graduates, a graduate in the audience enrols itself, the province (or the
//! base's host) ticks attendance per session and marks completion, which
//! writes a ledger entry of the training kind so coverage moves.
//!
//! `rules` is pure (audience, capacity, the N-of-M completion rule, the
//! form); SQL lives in `store`; `pages` and `my_pages` are thin.

pub mod my_pages;
pub mod pages;
pub mod rules;
pub mod store;
