-- Platform foundation: registry, accounts, sessions, audit log, code tables.
-- Instants are TEXT in UTC (RFC 3339, milliseconds, 'Z'); calendar days are TEXT 'YYYY-MM-DD'.

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_code TEXT,
    level TEXT NOT NULL,
    retired BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE code_tables (
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT,
    parent_code TEXT,
    bucket_2021 TEXT,
    bucket_2024 TEXT,
    evidence TEXT,
    unverified BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (kind, version, code)
);

CREATE TABLE major_catalogue (
    catalogue TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    discipline_code TEXT NOT NULL,
    discipline_name TEXT NOT NULL,
    level TEXT NOT NULL,
    unverified BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (catalogue, code)
);

CREATE TABLE institutions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    region_code TEXT,
    level TEXT NOT NULL,
    ownership TEXT NOT NULL
);

CREATE TABLE colleges (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (institution_id, code)
);

CREATE TABLE majors (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    college_id INTEGER NOT NULL REFERENCES colleges (id),
    catalogue TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    UNIQUE (institution_id, college_id, code, level)
);
CREATE INDEX majors_institution ON majors (institution_id);

CREATE TABLE cohorts (
    year INTEGER PRIMARY KEY,
    destination_version TEXT NOT NULL,
    rate_definition TEXT NOT NULL,
    graduation_date TEXT NOT NULL
);

CREATE TABLE employers (
    id INTEGER PRIMARY KEY,
    credit_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    region_code TEXT,
    nature_code TEXT,
    industry_code TEXT,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    status TEXT NOT NULL,
    reviewed_by INTEGER,
    reviewed_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX employers_status ON employers (status);

CREATE TABLE graduates (
    id INTEGER PRIMARY KEY,
    cohort_year INTEGER NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    college_id INTEGER NOT NULL REFERENCES colleges (id),
    major_id INTEGER NOT NULL REFERENCES majors (id),
    student_no TEXT NOT NULL,
    id_number TEXT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    ethnicity_code TEXT NOT NULL,
    political_code TEXT NOT NULL,
    origin_region_code TEXT NOT NULL,
    urban_rural TEXT NOT NULL,
    education_level TEXT NOT NULL,
    key_groups TEXT NOT NULL DEFAULT '',
    phone TEXT,
    UNIQUE (institution_id, cohort_year, student_no),
    UNIQUE (cohort_year, id_number)
);
CREATE INDEX graduates_institution ON graduates (institution_id, cohort_year);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    institution_id INTEGER REFERENCES institutions (id),
    college_id INTEGER REFERENCES colleges (id),
    employer_id INTEGER REFERENCES employers (id),
    graduate_id INTEGER REFERENCES graduates (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL
);
CREATE INDEX accounts_institution ON accounts (institution_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    client_addr TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id);

-- The head of the hash chain; updating it serialises audit writes on PostgreSQL.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_hash) VALUES (1, '0000000000000000000000000000000000000000000000000000000000000000');
