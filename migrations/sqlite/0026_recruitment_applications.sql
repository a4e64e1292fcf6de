-- Applications (投递): a graduate applies once to a posting; the employer
-- moves it through stages; every move is kept with who made it.
CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    posting_id INTEGER NOT NULL REFERENCES postings (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    employer_id INTEGER NOT NULL REFERENCES employers (id),
    stage TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (posting_id, graduate_id)
);
CREATE INDEX applications_graduate ON applications (graduate_id, id);
CREATE INDEX applications_employer ON applications (employer_id, posting_id, id);

CREATE TABLE application_steps (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    stage TEXT NOT NULL,
    at TEXT NOT NULL,
    by_account INTEGER,
    note TEXT
);
CREATE INDEX application_steps_application ON application_steps (application_id, id);
