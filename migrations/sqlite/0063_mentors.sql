-- The mentor pool (就业创业导师库), one-to-one guidance with mentors and the
-- course library (issue 15, training part 2). A mentor record links to an
-- existing account (a university's staff, an employer's, an expert's); mentor
-- pages are gated by "this account has a published mentor record".
CREATE TABLE mentors (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    fields TEXT NOT NULL,
    organisation TEXT NOT NULL,
    title TEXT NOT NULL,
    phone TEXT NOT NULL,
    bio TEXT NOT NULL,
    availability TEXT NOT NULL,
    institution_id INTEGER REFERENCES institutions (id),
    employer_id INTEGER REFERENCES employers (id),
    status TEXT NOT NULL,
    recommended_by INTEGER NOT NULL REFERENCES accounts (id),
    recommended_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by_label TEXT,
    reason TEXT
);
-- One live record (pending or published) per account.
CREATE UNIQUE INDEX mentors_account ON mentors (account_id) WHERE status IN ('pending', 'published');
CREATE INDEX mentors_status ON mentors (status, kind);
CREATE INDEX mentors_institution ON mentors (institution_id, status);

-- The yearly review (年度考核): the year's activity and the decision.
CREATE TABLE mentor_reviews (
    id INTEGER PRIMARY KEY,
    mentor_id INTEGER NOT NULL REFERENCES mentors (id),
    year INTEGER NOT NULL,
    slots INTEGER NOT NULL,
    sessions INTEGER NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    decided_by_label TEXT NOT NULL
);
CREATE UNIQUE INDEX mentor_reviews_year ON mentor_reviews (mentor_id, year);

-- 驻校企业家 residencies and 挂职锻炼 industry secondments, per teacher.
CREATE TABLE mentor_postings (
    id INTEGER PRIMARY KEY,
    mentor_id INTEGER NOT NULL REFERENCES mentors (id),
    kind TEXT NOT NULL,
    place TEXT NOT NULL,
    from_on TEXT NOT NULL,
    to_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX mentor_postings_mentor ON mentor_postings (mentor_id, from_on);

CREATE TABLE mentor_slots (
    id INTEGER PRIMARY KEY,
    mentor_id INTEGER NOT NULL REFERENCES mentors (id),
    starts_at TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    mode TEXT NOT NULL,
    place TEXT NOT NULL,
    created_at TEXT NOT NULL,
    cancelled_at TEXT,
    cancel_reason TEXT
);
CREATE INDEX mentor_slots_mentor ON mentor_slots (mentor_id, starts_at);
CREATE INDEX mentor_slots_starts ON mentor_slots (starts_at);

CREATE TABLE mentor_bookings (
    id INTEGER PRIMARY KEY,
    slot_id INTEGER NOT NULL REFERENCES mentor_slots (id),
    mentor_id INTEGER NOT NULL REFERENCES mentors (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    topic TEXT NOT NULL,
    state TEXT NOT NULL,
    booked_at TEXT NOT NULL,
    closed_at TEXT,
    closed_by_label TEXT,
    note TEXT,
    entry_id INTEGER REFERENCES assistance_entries (id)
);
-- One standing booking per slot; one open booking per graduate and mentor.
CREATE UNIQUE INDEX mentor_bookings_slot ON mentor_bookings (slot_id) WHERE state IN ('booked', 'held', 'missed');
CREATE UNIQUE INDEX mentor_bookings_open ON mentor_bookings (graduate_id, mentor_id) WHERE state = 'booked';
CREATE INDEX mentor_bookings_graduate ON mentor_bookings (graduate_id, state);
CREATE INDEX mentor_bookings_mentor ON mentor_bookings (mentor_id, state);

CREATE TABLE mentor_reminders (
    booking_id INTEGER NOT NULL REFERENCES mentor_bookings (id),
    kind TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (booking_id, kind)
);

-- The course library: model courses (特色示范课程) and shared resources.
CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    audience TEXT NOT NULL,
    institution_id INTEGER REFERENCES institutions (id),
    created_by INTEGER NOT NULL REFERENCES accounts (id),
    created_by_label TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX courses_audience ON courses (audience, id);

CREATE TABLE course_files (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id),
    shown_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX course_files_course ON course_files (course_id);
