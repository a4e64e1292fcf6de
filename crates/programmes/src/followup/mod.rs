//! Follow-up of funded items (mid-term check, completion 结题, yearly grading
//! with revocation and a ban, tracking of competition projects after the
//! contest: measure 15's 跟踪孵化) and the registries calls create (the "1+N"
//! incubation base alliance with its projects, mentor studios with funding).
//! Training bases live in `assistance::bases`. Pure rules in `rules`, SQL in
//! `store`, thin `pages`.

pub mod pages;
pub mod rules;
pub mod store;
