-- One-stop services (一件事一次办, issue 16): the catalogue of service items
-- with their guide, variants, form fields and steps (as the province keeps
-- them; the first ones seeded from data/services/catalogue.json), and the
-- graduates' requests moving through a copy of the item's steps. `step_no`
-- counts from 0; `step_due` is the current step's deadline (a day, China
-- time); `escalated` when the step went past it and the next level was told;
-- `was_overdue` once any step went past its deadline, so `on_time` is known
-- at completion.
CREATE TABLE service_items (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    conditions TEXT NOT NULL,
    conditions_en TEXT NOT NULL,
    materials TEXT NOT NULL,
    materials_en TEXT NOT NULL,
    time_limit INTEGER NOT NULL,
    variants TEXT NOT NULL,
    fields TEXT NOT NULL,
    steps TEXT NOT NULL,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by_label TEXT NOT NULL
);

CREATE TABLE service_requests (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES service_items (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    college_id INTEGER NOT NULL REFERENCES colleges (id),
    variant TEXT NOT NULL,
    answers TEXT NOT NULL,
    steps TEXT NOT NULL,
    state TEXT NOT NULL,
    step_no INTEGER NOT NULL,
    step_level TEXT NOT NULL,
    step_due TEXT NOT NULL,
    escalated INTEGER NOT NULL,
    was_overdue INTEGER NOT NULL,
    on_time INTEGER,
    reason TEXT NOT NULL,
    result_note TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    completed_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX service_requests_institution ON service_requests (institution_id, state);
CREATE INDEX service_requests_graduate ON service_requests (graduate_id);
CREATE INDEX service_requests_due ON service_requests (state, step_due);

-- What happened to a request, in order: submitted, approved, returned,
-- resubmitted, refused, completed, escalated.
CREATE TABLE service_request_events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES service_requests (id),
    at TEXT NOT NULL,
    by_label TEXT NOT NULL,
    action TEXT NOT NULL,
    step_no INTEGER NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX service_request_events_request ON service_request_events (request_id, id);

-- The consultation log (咨询台账): phone and walk-in questions the offices
-- answered, by category (code table `service_question_category`), with a
-- follow-up flag (0 none, 1 needed, 2 done); `institution_id` is the office
-- that answered, NULL for the province's own desk.
CREATE TABLE service_consultations (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER REFERENCES institutions (id),
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    follow_up INTEGER NOT NULL,
    asked_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX service_consultations_institution ON service_consultations (institution_id, asked_on);

-- The public FAQ (常见问题) the province keeps, often from a frequent question.
CREATE TABLE service_faq (
    id INTEGER PRIMARY KEY,
    category TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);

-- The handbook (业务办理操作手册) the province keeps: sections with text,
-- searched by substring over title and body.
CREATE TABLE service_handbook (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by_label TEXT NOT NULL
);
