-- Programmes, part 4 (issue 15): the public notice (公示) of a call's
-- proposed list with its formal objections, the published result, the
-- follow-up of funded items, and the registries calls create (the "1+N"
-- incubation base alliance, mentor studios).

-- A notice. `institution_id` NULL: the province's notice of the call's
-- proposed list; set: a university's own school-level notice of the
-- applications it will recommend. `ends_on` is computed from `starts_on` and
-- `working_days` over the working-day calendar. status: open, result (the
-- result published after the notice ended and every objection was handled).
CREATE TABLE programme_notices (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES programme_calls (id),
    institution_id INTEGER REFERENCES institutions (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    office TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    working_days INTEGER NOT NULL,
    ends_on TEXT NOT NULL,
    show_scores INTEGER NOT NULL,
    status TEXT NOT NULL,
    result_at TEXT,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX programme_notices_call ON programme_notices (call_id, institution_id);

-- The list as published (a snapshot). `removed` when an upheld objection
-- took the item off the list.
CREATE TABLE programme_notice_items (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES programme_notices (id),
    application_id INTEGER NOT NULL REFERENCES programme_applications (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    institution TEXT NOT NULL,
    leader_name TEXT NOT NULL,
    score TEXT NOT NULL,
    removed INTEGER NOT NULL
);
CREATE INDEX programme_notice_items_notice ON programme_notice_items (notice_id, position);

-- A formal objection (异议), named. status: open, upheld, dismissed.
CREATE TABLE programme_objections (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES programme_notices (id),
    item_id INTEGER NOT NULL REFERENCES programme_notice_items (id),
    objector_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    reasons TEXT NOT NULL,
    file_sha256 TEXT,
    file_name TEXT,
    content_type TEXT,
    filed_at TEXT NOT NULL,
    status TEXT NOT NULL,
    reply TEXT NOT NULL,
    handled_on TEXT,
    handled_by_label TEXT
);
CREATE INDEX programme_objections_notice ON programme_objections (notice_id, status);

-- Follow-up of a funded item. kind: midterm (verdict pass, improve, fail),
-- completion (结题, sets the application's finished_on), grading (a year's
-- grade 优秀/良好/合格/不合格: excellent, good, pass, fail), tracking (a
-- competition project after the contest: base, funding, jobs).
CREATE TABLE programme_followups (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES programme_applications (id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    year INTEGER,
    verdict TEXT NOT NULL,
    remarks TEXT NOT NULL,
    base TEXT NOT NULL,
    funding_yuan INTEGER,
    jobs INTEGER,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX programme_followups_application ON programme_followups (application_id, kind);

-- Per call: revocation after `revoke_after` failing years, and the ban's length in years.
CREATE TABLE programme_followup_rules (
    call_id INTEGER PRIMARY KEY REFERENCES programme_calls (id),
    revoke_after INTEGER NOT NULL,
    ban_years INTEGER NOT NULL
);

-- The "1+N" incubation base alliance: one provincial lead base, member bases.
CREATE TABLE incubation_bases (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    institution_id INTEGER REFERENCES institutions (id),
    lead INTEGER NOT NULL,
    application_id INTEGER REFERENCES programme_applications (id),
    designated_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);

CREATE TABLE incubation_base_projects (
    id INTEGER PRIMARY KEY,
    base_id INTEGER NOT NULL REFERENCES incubation_bases (id),
    name TEXT NOT NULL,
    application_id INTEGER REFERENCES programme_applications (id),
    since_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX incubation_base_projects_base ON incubation_base_projects (base_id);

-- Mentor studios (名师工作室) with their funding in yuan.
CREATE TABLE mentor_studios (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    leader_name TEXT NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    application_id INTEGER REFERENCES programme_applications (id),
    funding_yuan INTEGER NOT NULL,
    established_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
