-- Each run of the anomaly scan (异常扫描), and its signals as kept (核查线索):
-- one row per cohort, institution and kind. A new scan refreshes a finding's
-- figures; a dismissed one stays dismissed until its figures change (the
-- fingerprint), when it opens again. Decisions are in the audit log too.
CREATE TABLE verification_scans (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL REFERENCES cohorts (year),
    as_of TEXT,
    started_at TEXT NOT NULL,
    signals INTEGER NOT NULL
);

CREATE TABLE verification_findings (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL REFERENCES cohorts (year),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    figures TEXT NOT NULL,
    graduates TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    decided_by INTEGER,
    decided_at TEXT,
    first_seen TEXT NOT NULL,
    scan_id INTEGER NOT NULL REFERENCES verification_scans (id),
    UNIQUE (cohort, institution_id, kind)
);
CREATE INDEX verification_findings_scan ON verification_findings (scan_id, institution_id);
