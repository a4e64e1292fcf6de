-- The province's key-group trainings (measure 22) and the training bases
-- (measure 23, issue 14). A training is run by the province or hosted by a
-- base; graduates enrol, attend its sessions and complete it by attending at
-- least `required` of its `sessions`; completion writes a ledger entry of the
-- training kind (assistance_entries). A base's trainees are the graduates
-- enrolled in its trainings; the province's supervision visits are kept here.

-- A training base (就业能力培训基地): national (宏志助航) or the province's own; level from `base_level`.
CREATE TABLE training_bases (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    host_institution_id INTEGER NOT NULL REFERENCES institutions (id),
    level_code TEXT NOT NULL,
    since_year INTEGER NOT NULL,
    contact TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX training_bases_host ON training_bases (host_institution_id);

-- A training: kind from `training_kind`; audience: key-group codes and
-- institution ids, comma separated, empty for all.
CREATE TABLE trainings (
    id INTEGER PRIMARY KEY,
    base_id INTEGER REFERENCES training_bases (id),
    title TEXT NOT NULL,
    kind_code TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    online INTEGER NOT NULL,
    place TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    audience_groups TEXT NOT NULL,
    audience_institutions TEXT NOT NULL,
    sessions INTEGER NOT NULL,
    required INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX trainings_base ON trainings (base_id);

-- An enrolment; completion names the ledger entry it wrote.
CREATE TABLE training_enrolments (
    id INTEGER PRIMARY KEY,
    training_id INTEGER NOT NULL REFERENCES trainings (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    enrolled_at TEXT NOT NULL,
    enrolled_by_label TEXT NOT NULL,
    completed_at TEXT,
    entry_id INTEGER REFERENCES assistance_entries (id),
    UNIQUE (training_id, graduate_id)
);
CREATE INDEX training_enrolments_graduate ON training_enrolments (graduate_id);
CREATE INDEX training_enrolments_institution ON training_enrolments (institution_id, training_id);

-- Attendance: one row per session a graduate attended.
CREATE TABLE training_attendance (
    training_id INTEGER NOT NULL REFERENCES trainings (id),
    session_no INTEGER NOT NULL,
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    marked_at TEXT NOT NULL,
    marked_by_label TEXT NOT NULL,
    PRIMARY KEY (training_id, session_no, graduate_id)
);

-- The province's supervision visits (督导) to a base.
CREATE TABLE base_visits (
    id INTEGER PRIMARY KEY,
    base_id INTEGER NOT NULL REFERENCES training_bases (id),
    visited_on TEXT NOT NULL,
    visitors TEXT NOT NULL,
    findings TEXT NOT NULL,
    rectify_by TEXT,
    closed_at TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by_label TEXT NOT NULL
);
CREATE INDEX base_visits_base ON base_visits (base_id, visited_on);
