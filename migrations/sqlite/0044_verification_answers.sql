-- A university's answers to a finding (情况说明): its explanation and, where it
-- has one, a document; every answer kept, newest shown first.
CREATE TABLE verification_answers (
    id INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES verification_findings (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    explanation TEXT NOT NULL,
    file_sha256 TEXT,
    file_name TEXT,
    content_type TEXT,
    answered_by INTEGER NOT NULL,
    answered_label TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE INDEX verification_answers_finding ON verification_answers (finding_id, id);

-- A destination change made to correct a record after verification (核查更正)
-- says so, and why; NULL for every other change.
ALTER TABLE destination_events ADD COLUMN correction TEXT;
