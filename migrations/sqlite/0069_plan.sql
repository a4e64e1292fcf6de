-- The plan board (工作台账, issue 16): the year's measures (措施) per province
-- and cohort loaded from data/plans/*.csv, each with its owner (牵头单位),
-- dates and targets; a target names the live figure it is measured by and is
-- a number or a range (`low`..`high`, `high` NULL for "at least"), or a share
-- in per cent (`unit` 'percent'). The province adjusts owner, dates and
-- targets on a page; a reload of the file leaves adjusted rows as they are
-- (`adjusted`). Reminders: one row per measure and deadline once sent.
CREATE TABLE plan_measures (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL,
    cohort_year INTEGER NOT NULL,
    measure_no INTEGER NOT NULL,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL,
    owner TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    adjusted INTEGER NOT NULL DEFAULT 0,
    UNIQUE (province, cohort_year, measure_no)
);

CREATE TABLE plan_targets (
    id INTEGER PRIMARY KEY,
    measure_id INTEGER NOT NULL REFERENCES plan_measures (id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    label_en TEXT NOT NULL,
    figure_key TEXT NOT NULL,
    unit TEXT NOT NULL,
    low INTEGER NOT NULL,
    high INTEGER,
    UNIQUE (measure_id, position)
);

CREATE TABLE plan_reminders (
    measure_id INTEGER NOT NULL REFERENCES plan_measures (id),
    due_on TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (measure_id, due_on)
);

-- 四到位 returns: one per institution and cohort. The figures the platform
-- holds (graduates, staff accounts, fairs hosted) are copied in from the
-- records when the return is started and only confirmed; staff, funds,
-- venue and organisation are typed. Status: draft → signed (by a named
-- school leader) → accepted, or returned with a reason and signed again.
CREATE TABLE plan_returns (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    cohort_year INTEGER NOT NULL,
    graduates INTEGER NOT NULL,
    staff_accounts INTEGER NOT NULL,
    campus_fairs INTEGER NOT NULL,
    staff_fulltime INTEGER NOT NULL,
    funds_wan INTEGER NOT NULL,
    venue_sqm INTEGER NOT NULL,
    organisation TEXT NOT NULL,
    leader_name TEXT NOT NULL,
    leader_title TEXT NOT NULL,
    signed_on TEXT NOT NULL,
    status TEXT NOT NULL,
    review_reason TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (institution_id, cohort_year)
);

-- 疫情防控应急预案: a university's plan as a PDF in the file store and a summary.
CREATE TABLE plan_contingency (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    cohort_year INTEGER NOT NULL,
    summary TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    UNIQUE (institution_id, cohort_year)
);
