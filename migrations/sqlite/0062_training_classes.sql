-- Training classes (培训班, issue 15): the guidance-teacher classes, start-up
-- training and the 创业月课堂; kind from `training_class_kind`. A class has a
-- curriculum (modules with hours and trainer), sessions (day, times, place or
-- link; `session_no` never reused), a capacity and a quota per institution
-- (`quota` the default, `training_class_quotas` the exceptions), the
-- completion rule (attend at least `required_sessions`, pass the assessment
-- when `assessed`) and a certificate number prefix.
CREATE TABLE training_classes (
    id INTEGER PRIMARY KEY,
    kind_code TEXT NOT NULL,
    title TEXT NOT NULL,
    audience TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    quota INTEGER NOT NULL,
    required_sessions INTEGER NOT NULL,
    assessed INTEGER NOT NULL,
    pass_mark INTEGER NOT NULL,
    cert_prefix TEXT NOT NULL,
    organiser_institution_id INTEGER REFERENCES institutions (id),
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);

CREATE TABLE training_class_modules (
    id INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL REFERENCES training_classes (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    hours INTEGER NOT NULL,
    trainer TEXT NOT NULL
);
CREATE INDEX training_class_modules_class ON training_class_modules (class_id, position);

CREATE TABLE training_class_sessions (
    id INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL REFERENCES training_classes (id),
    session_no INTEGER NOT NULL,
    held_on TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    online INTEGER NOT NULL,
    place TEXT NOT NULL,
    UNIQUE (class_id, session_no)
);

CREATE TABLE training_class_quotas (
    class_id INTEGER NOT NULL REFERENCES training_classes (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    quota INTEGER NOT NULL,
    PRIMARY KEY (class_id, institution_id)
);

-- A guidance teacher (师资) of an institution, kept by its office; one with a
-- university-staff account (`account_id`) enrols itself.
CREATE TABLE training_teachers (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    phone TEXT NOT NULL,
    title TEXT NOT NULL,
    department TEXT NOT NULL,
    account_id INTEGER UNIQUE REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL,
    UNIQUE (id_number)
);
CREATE INDEX training_teachers_institution ON training_teachers (institution_id, name);

-- A participant: a teacher or a graduate, counted against its institution's quota.
CREATE TABLE training_class_participants (
    id INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL REFERENCES training_classes (id),
    teacher_id INTEGER REFERENCES training_teachers (id),
    graduate_id INTEGER REFERENCES graduates (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    enrolled_at TEXT NOT NULL,
    enrolled_by_label TEXT NOT NULL,
    score INTEGER,
    passed INTEGER,
    assessed_at TEXT,
    completed_at TEXT,
    UNIQUE (class_id, teacher_id),
    UNIQUE (class_id, graduate_id)
);
CREATE INDEX training_class_participants_institution ON training_class_participants (institution_id, class_id);

CREATE TABLE training_class_attendance (
    participant_id INTEGER NOT NULL REFERENCES training_class_participants (id),
    session_no INTEGER NOT NULL,
    class_id INTEGER NOT NULL REFERENCES training_classes (id),
    marked_at TEXT NOT NULL,
    marked_by_label TEXT NOT NULL,
    PRIMARY KEY (participant_id, session_no)
);

-- Certificates: number prefix-year-sequence from a counter row per prefix and
-- year (never reused), one per participant.
CREATE TABLE training_certificates (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    participant_id INTEGER NOT NULL UNIQUE REFERENCES training_class_participants (id),
    class_id INTEGER NOT NULL REFERENCES training_classes (id),
    holder_name TEXT NOT NULL,
    hours INTEGER NOT NULL,
    issued_on TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by_label TEXT NOT NULL
);

CREATE TABLE training_certificate_serials (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_serial INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

-- The public check's uses per client address, for its hourly limit.
CREATE TABLE training_certificate_checks (
    id INTEGER PRIMARY KEY,
    client_addr TEXT NOT NULL,
    checked_at TEXT NOT NULL
);
CREATE INDEX training_certificate_checks_addr ON training_certificate_checks (client_addr, checked_at);
