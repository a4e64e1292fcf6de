-- Error reports hold the uploaded rows, ID numbers included (issue 10): they
-- name the uploader's institution beside the account, and are deleted once
-- older than the configured retention (`--import-reports-days`), found by age.
ALTER TABLE import_reports ADD COLUMN institution_id INTEGER REFERENCES institutions (id);
CREATE INDEX import_reports_by_age ON import_reports (created_at);
