//! The training bases (measure 23 of the plan): the national 就业能力培训基地
//! under 宏志助航 and the province's own selection. A base has a host
//! institution, a level (code table `base_level`), its trainings (the
//! trainings area's, hosted by the base), its trainees (graduates enrolled in
//! those trainings, with completion and destination read live) and the
//! province's supervision visits. Review calls (遴选) will point at a base.
//!
//! `rules` is pure (figures, forms); SQL lives in `store`; `pages` is thin.

pub mod pages;
pub mod rules;
pub mod store;
