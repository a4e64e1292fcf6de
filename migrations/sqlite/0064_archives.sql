-- Archive transfer (档案转递, measure 24). Talent service centres
-- (公共就业人才服务机构) the province keeps, keyed by region code; one
-- transfer per graduate with its proposed and confirmed receiver, its state
-- (pending → confirmed → sealed → dispatched → received; a return goes back
-- to confirmed), its batch and tracking number; every step with who and when;
-- the public check's per-address counter.
CREATE TABLE archive_centres (
    id INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE archive_batches (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    cohort_year INTEGER NOT NULL,
    name TEXT NOT NULL,
    deadline TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX archive_batches_institution ON archive_batches (institution_id, cohort_year);

CREATE TABLE archive_transfers (
    id INTEGER PRIMARY KEY,
    graduate_id INTEGER NOT NULL UNIQUE REFERENCES graduates (id),
    cohort_year INTEGER NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    transfer_no TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    state_since TEXT NOT NULL,
    proposed_kind TEXT,
    proposed_name TEXT,
    proposed_centre_id INTEGER REFERENCES archive_centres (id),
    problem TEXT,
    receiver_kind TEXT,
    receiver_name TEXT,
    receiver_centre_id INTEGER REFERENCES archive_centres (id),
    batch_id INTEGER REFERENCES archive_batches (id),
    channel TEXT,
    tracking_no TEXT,
    return_reason TEXT,
    returns INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX archive_transfers_institution ON archive_transfers (institution_id, cohort_year, state);
CREATE INDEX archive_transfers_batch ON archive_transfers (batch_id);

CREATE TABLE archive_steps (
    id INTEGER PRIMARY KEY,
    transfer_id INTEGER NOT NULL REFERENCES archive_transfers (id),
    step TEXT NOT NULL,
    at TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    channel TEXT,
    tracking_no TEXT,
    note TEXT
);
CREATE INDEX archive_steps_transfer ON archive_steps (transfer_id);

