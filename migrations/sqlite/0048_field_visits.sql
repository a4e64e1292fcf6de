-- Field visits and special meetings (实地调研、专项座谈会) the province holds
-- with an institution, optionally about a finding; the kind is a code of the
-- table `field_visit_kind`; documents kept in the file store.
CREATE TABLE field_visits (
    id INTEGER PRIMARY KEY,
    kind_code TEXT NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    finding_id INTEGER REFERENCES verification_findings (id),
    visited_on TEXT NOT NULL,
    people TEXT NOT NULL,
    findings TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_label TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX field_visits_institution ON field_visits (institution_id, visited_on);

CREATE TABLE field_visit_documents (
    id INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES field_visits (id),
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    added_by_label TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX field_visit_documents_visit ON field_visit_documents (visit_id, id);
