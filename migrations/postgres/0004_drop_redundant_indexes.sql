-- Both are prefixes of the unique constraints (institution_id, cohort_year, student_no) and
-- (cohort_year, id_number), which serve the same lookups; dropping them makes imports cheaper.
DROP INDEX graduates_institution;
DROP INDEX graduates_cohort;
