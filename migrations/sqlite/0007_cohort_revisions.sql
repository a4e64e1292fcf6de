-- Counters the in-memory placement projection compares against to know it is
-- current: bumped by every roster import and, before any event is appended,
-- by every destination write (which also orders event ids within a cohort).
ALTER TABLE cohorts ADD COLUMN roster_revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cohorts ADD COLUMN destination_revision BIGINT NOT NULL DEFAULT 0;
