-- Graduate destinations (毕业去向): an append-only event log and the current state beside it.
CREATE TABLE destination_events (
    id INTEGER PRIMARY KEY,
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    cohort_year INTEGER NOT NULL,
    institution_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_label TEXT NOT NULL,
    code_version TEXT NOT NULL,
    category_code TEXT NOT NULL,
    employer_name TEXT,
    credit_code TEXT,
    position_code TEXT,
    nature_code TEXT,
    industry_code TEXT,
    region_code TEXT,
    signed_on TEXT,
    note TEXT
);
CREATE INDEX destination_events_graduate ON destination_events (graduate_id, id);
CREATE INDEX destination_events_cohort ON destination_events (cohort_year, at);

CREATE TABLE destinations (
    graduate_id INTEGER PRIMARY KEY REFERENCES graduates (id),
    cohort_year INTEGER NOT NULL,
    institution_id INTEGER NOT NULL,
    last_event_id INTEGER NOT NULL,
    category_code TEXT NOT NULL,
    employer_name TEXT,
    credit_code TEXT,
    region_code TEXT,
    signed_on TEXT,
    updated_at TEXT NOT NULL,
    confirmation TEXT NOT NULL DEFAULT 'pending',
    dispute_reason TEXT
);
CREATE INDEX destinations_institution ON destinations (institution_id, cohort_year);
