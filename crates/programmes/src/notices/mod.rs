//! The public notice (公示) of a call's proposed list, or of a university's
//! own recommendations, with formal objections, their handling and the
//! published result (issue 15, part 4).
//!
//! `rules` is pure (the notice's end over the working-day calendar, the
//! objection window and checks, when the result may be published); SQL lives
//! in `store` (with `set_outcome`, the outcome an application's review gave);
//! `pages` the offices' pages, `public_pages` the public site's.

pub mod pages;
pub mod public_pages;
pub mod rules;
pub mod store;
