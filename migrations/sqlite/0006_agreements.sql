-- Online three-party agreements (网上签约): the agreement and every step taken on it.
CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    cohort_year INTEGER NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    college_id INTEGER NOT NULL REFERENCES colleges (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    employer_id INTEGER NOT NULL REFERENCES employers (id),
    status TEXT NOT NULL,
    position_title TEXT NOT NULL,
    monthly_salary TEXT,
    work_region_code TEXT,
    probation_months INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX agreements_graduate ON agreements (graduate_id, status);
CREATE INDEX agreements_institution ON agreements (institution_id, status);
CREATE INDEX agreements_employer ON agreements (employer_id, status);

CREATE TABLE agreement_events (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT
);
CREATE INDEX agreement_events_agreement ON agreement_events (agreement_id, id);
