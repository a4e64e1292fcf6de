-- Annual employment quality reports (就业质量年度报告, measure 19, issue 16):
-- the province's deadline per cohort and each institution's report (a PDF in
-- the file store), replaced until the province publishes it.
CREATE TABLE quality_report_deadlines (
    cohort_year INTEGER PRIMARY KEY,
    -- The last China calendar day a report is on time (YYYY-MM-DD).
    due_on TEXT NOT NULL,
    set_at TEXT NOT NULL,
    set_by_label TEXT NOT NULL
);

CREATE TABLE quality_reports (
    id INTEGER PRIMARY KEY,
    cohort_year INTEGER NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    -- The first upload's instant: it alone says on time or late; a replacement
    -- corrects the report, it does not submit it again.
    submitted_at TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by_label TEXT NOT NULL,
    replacements INTEGER NOT NULL DEFAULT 0,
    published_at TEXT,
    published_by_label TEXT
);
CREATE UNIQUE INDEX quality_reports_one ON quality_reports (cohort_year, institution_id);
CREATE INDEX quality_reports_published ON quality_reports (published_at);
