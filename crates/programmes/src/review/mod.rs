//! Expert review: the pool, conflicts of interest, assignment, scores, normalisation and ranking.
