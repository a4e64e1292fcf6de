-- Key-group assistance (重点群体帮扶, issue 14): flags staff add to the register
-- (the roster's own `graduates.key_groups` is read live, not copied here), one
-- file per person (一人一档), helpers, the plan's measures (一人一策), the
-- ledger of assistance given, and the service standard per cohort.

-- A category staff noted for a graduate (source 'staff'); a removal keeps the row with its reason.
CREATE TABLE assistance_flags (
    id INTEGER PRIMARY KEY,
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    category_code TEXT NOT NULL,
    source TEXT NOT NULL,
    noted_at TEXT NOT NULL,
    noted_by INTEGER,
    noted_by_label TEXT NOT NULL,
    removed_at TEXT,
    removed_by_label TEXT,
    removed_reason TEXT
);
CREATE INDEX assistance_flags_graduate ON assistance_flags (graduate_id, removed_at);

-- 一人一档: what the helpers know of the person.
CREATE TABLE assistance_files (
    graduate_id INTEGER PRIMARY KEY REFERENCES graduates (id),
    difficulties TEXT NOT NULL,
    intentions TEXT NOT NULL,
    contacts TEXT NOT NULL,
    updated_by INTEGER,
    updated_by_label TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The helpers assigned to a graduate (staff accounts of its institution).
CREATE TABLE assistance_helpers (
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    assigned_at TEXT NOT NULL,
    assigned_by_label TEXT NOT NULL,
    PRIMARY KEY (graduate_id, account_id)
);
CREATE INDEX assistance_helpers_account ON assistance_helpers (account_id);
CREATE INDEX assistance_helpers_institution ON assistance_helpers (institution_id);

-- 一人一策: a goal and its measure, with a due date and a state (open, done, dropped).
CREATE TABLE assistance_measures (
    id INTEGER PRIMARY KEY,
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    goal TEXT NOT NULL,
    measure TEXT NOT NULL,
    due_on TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX assistance_measures_graduate ON assistance_measures (graduate_id, state);
CREATE INDEX assistance_measures_institution ON assistance_measures (institution_id, state, due_on);

-- The ledger (帮扶台账): one row per service given; the kind is a code of the
-- table `assistance_kind`. A job referral names its posting and keeps the
-- graduate's answer; a fair invitation its fair; a subsidy its amount and dates.
CREATE TABLE assistance_entries (
    id INTEGER PRIMARY KEY,
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    kind_code TEXT NOT NULL,
    at TEXT NOT NULL,
    by_account INTEGER,
    by_label TEXT NOT NULL,
    note TEXT NOT NULL,
    posting_id INTEGER REFERENCES postings (id),
    fair_id INTEGER REFERENCES fairs (id),
    answer TEXT,
    answered_at TEXT,
    amount_yuan INTEGER,
    approved_at TEXT,
    paid_at TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX assistance_entries_graduate ON assistance_entries (graduate_id, at);
CREATE INDEX assistance_entries_institution ON assistance_entries (institution_id, graduate_id, kind_code);

-- The service standard (服务标准) per cohort: how many entries of each kind a
-- graduate should have; cohort 0 holds the default every cohort without its own uses.
CREATE TABLE assistance_standards (
    cohort_year INTEGER NOT NULL,
    kind_code TEXT NOT NULL,
    required INTEGER NOT NULL,
    PRIMARY KEY (cohort_year, kind_code)
);
