-- Graduate counts by college and major within an institution read this index only.
CREATE INDEX graduates_structure ON graduates (institution_id, college_id, major_id);
CREATE INDEX graduates_cohort ON graduates (cohort_year);
-- The employer list sorts by registration time and name.
CREATE INDEX employers_created ON employers (created_at);
CREATE INDEX employers_name ON employers (name);
CREATE INDEX employers_status_created ON employers (status, created_at);
