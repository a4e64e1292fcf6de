-- The key-group register reads the roster's flagged graduates of a cohort (about one in twelve)
-- without scanning the whole cohort.
CREATE INDEX graduates_key_group ON graduates (cohort_year, id) WHERE key_groups <> '';
