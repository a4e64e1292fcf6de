-- The real-name census (实名普查): every graduate of the chosen institutions is
-- asked to confirm or dispute its recorded destination by a day; each answer
-- given under the census is kept beside the destination's own confirmation.
CREATE TABLE verification_censuses (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL REFERENCES cohorts (year),
    title TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE verification_census_institutions (
    census_id INTEGER NOT NULL REFERENCES verification_censuses (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (census_id, institution_id)
);
CREATE INDEX verification_census_institutions_institution ON verification_census_institutions (institution_id);

CREATE TABLE verification_census_answers (
    census_id INTEGER NOT NULL REFERENCES verification_censuses (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    answer TEXT NOT NULL,
    reason TEXT,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (census_id, graduate_id)
);
