-- Programmes (项目评审, issue 15), part 1: calls (批次) and the applications
-- made to them. A call is configuration, never code per call type: its type
-- (code table `call_type`), dates, eligible institutions, quotas, form fields,
-- rubric and eligibility rules are rows here.

-- A call. `levels`: institution levels (本科, 专科) comma separated, empty for
-- none; `institution_ids`: further eligible institutions, comma separated.
-- `rounds`: the flow, e.g. "school,province". `rules`: the eligibility rules
-- as JSON. `status`: draft, open, closed.
CREATE TABLE programme_calls (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    type_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    review_on TEXT NOT NULL,
    notice_on TEXT NOT NULL,
    levels TEXT NOT NULL,
    institution_ids TEXT NOT NULL,
    quota_default INTEGER NOT NULL,
    rounds TEXT NOT NULL,
    self_assessment INTEGER NOT NULL,
    rules TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);

-- Per-institution quota overrides.
CREATE TABLE programme_call_quotas (
    call_id INTEGER NOT NULL REFERENCES programme_calls (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    quota INTEGER NOT NULL,
    PRIMARY KEY (call_id, institution_id)
);

-- The application form's fields, in order. kind: text, long, number, date,
-- choice (choices `|` separated), file (an attachment).
CREATE TABLE programme_call_fields (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES programme_calls (id),
    position INTEGER NOT NULL,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    kind TEXT NOT NULL,
    required INTEGER NOT NULL,
    choices TEXT NOT NULL
);
CREATE INDEX programme_call_fields_call ON programme_call_fields (call_id, position);

-- The scoring rubric's dimensions, in order; `track` empty for every track.
CREATE TABLE programme_rubric (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES programme_calls (id),
    position INTEGER NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    weight INTEGER NOT NULL,
    points INTEGER NOT NULL,
    track TEXT NOT NULL
);
CREATE INDEX programme_rubric_call ON programme_rubric (call_id, position);

-- An application. status: draft, submitted, withdrawn, recommended.
-- `members`: JSON [{name, id_number}]; `answers`: JSON {field id: text};
-- `assessment`: JSON {dimension id: {score, evidence}}. `outcome`: the
-- province's decision once reviewed (approved, rejected), `finished_on` when
-- an approved project was completed (an unfinished one blocks its leader).
CREATE TABLE programme_applications (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES programme_calls (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    title TEXT NOT NULL,
    track TEXT NOT NULL,
    leader_name TEXT NOT NULL,
    leader_id_number TEXT NOT NULL,
    members TEXT NOT NULL,
    answers TEXT NOT NULL,
    assessment TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    finished_on TEXT,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL,
    submitted_at TEXT,
    recommended_at TEXT
);
CREATE INDEX programme_applications_call ON programme_applications (call_id, institution_id, status);
CREATE INDEX programme_applications_leader ON programme_applications (leader_id_number);

-- An application's attachments, each for a file field of the form.
CREATE TABLE programme_application_files (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES programme_applications (id),
    field_id INTEGER NOT NULL REFERENCES programme_call_fields (id),
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by_label TEXT NOT NULL
);
CREATE INDEX programme_application_files_application ON programme_application_files (application_id);

-- Bans after revocation (撤项): a leader's ID number may not lead a new
-- application until the date.
CREATE TABLE programme_bans (
    id INTEGER PRIMARY KEY,
    id_number TEXT NOT NULL,
    until_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX programme_bans_id_number ON programme_bans (id_number);
