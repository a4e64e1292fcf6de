-- Verification campaigns (核查抽样): the institutions taken in, each one's
-- population and sample split over destination-category strata, the
-- verifiers (university staff of other institutions) and the sampled records
-- with what each call found. The seed is recorded so the sample can be drawn again.
CREATE TABLE verification_campaigns (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL REFERENCES cohorts (year),
    name TEXT NOT NULL,
    margin REAL NOT NULL,
    confidence REAL NOT NULL,
    expected REAL NOT NULL,
    seed INTEGER NOT NULL,
    definition TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    launched_at TEXT NOT NULL,
    closed_at TEXT
);

CREATE TABLE verification_campaign_institutions (
    campaign_id INTEGER NOT NULL REFERENCES verification_campaigns (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    why TEXT NOT NULL,
    population INTEGER NOT NULL,
    sample_size INTEGER NOT NULL,
    reported_rate REAL NOT NULL,
    PRIMARY KEY (campaign_id, institution_id)
);

-- One row per institution and destination category ('' for no record yet).
CREATE TABLE verification_campaign_strata (
    campaign_id INTEGER NOT NULL REFERENCES verification_campaigns (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    stratum TEXT NOT NULL,
    population INTEGER NOT NULL,
    sample_size INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, institution_id, stratum)
);

CREATE TABLE verification_campaign_verifiers (
    campaign_id INTEGER NOT NULL REFERENCES verification_campaigns (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (campaign_id, account_id)
);

CREATE TABLE verification_samples (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES verification_campaigns (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    stratum TEXT NOT NULL,
    recorded_employer TEXT,
    verifier_id INTEGER NOT NULL REFERENCES accounts (id),
    outcome TEXT,
    found_category TEXT,
    found_employer TEXT,
    note TEXT,
    file_sha256 TEXT,
    file_name TEXT,
    content_type TEXT,
    checked_at TEXT,
    UNIQUE (campaign_id, graduate_id)
);
CREATE INDEX verification_samples_verifier ON verification_samples (verifier_id, outcome, id);
CREATE INDEX verification_samples_campaign ON verification_samples (campaign_id, institution_id);
