-- The key-group register (issue 14) walks the graduates' sort indexes on
-- PostgreSQL and checks each entry against the register (the roster's
-- `key_groups`, the cohort) and its filters (placed: the graduate row's copy
-- of its destination's category, migration 0023). Carried in the index, those
-- checks read no table row: a filtered province page read some 16,000 rows of
-- the table for a page of 51 (15 ms); from the index alone it reads its pages.
-- Same names, same keys as migration 0057: only what they carry is new.
DROP INDEX IF EXISTS graduates_student_no;
CREATE INDEX graduates_student_no ON graduates (student_no, id)
    INCLUDE (name, name_initials, id_number, cohort_year, key_groups, destination_category);
DROP INDEX IF EXISTS graduates_name;
CREATE INDEX graduates_name ON graduates (name, id)
    INCLUDE (student_no, name_initials, id_number, cohort_year, key_groups, destination_category);
DROP INDEX IF EXISTS graduates_institution_student_no;
CREATE INDEX graduates_institution_student_no ON graduates (institution_id, student_no, id)
    INCLUDE (name, name_initials, id_number, cohort_year, key_groups, destination_category);
DROP INDEX IF EXISTS graduates_institution_name;
CREATE INDEX graduates_institution_name ON graduates (institution_id, name, id)
    INCLUDE (student_no, name_initials, id_number, cohort_year, key_groups, destination_category);
