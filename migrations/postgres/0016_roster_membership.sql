-- A graduate's place in the roster over time, for the placement projection:
-- joined_at is when the graduate entered the cohort's roster (an as-of report
-- counts only those who had by then; NULL: entered before this was kept, so
-- counted on every day), roster_revision the cohort's roster revision at which
-- the row last changed (a projection reads only the rows changed since it was
-- made instead of reloading the cohort).
ALTER TABLE graduates ADD COLUMN joined_at TEXT;
ALTER TABLE graduates ADD COLUMN roster_revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX graduates_roster_revision ON graduates (cohort_year, roster_revision);
