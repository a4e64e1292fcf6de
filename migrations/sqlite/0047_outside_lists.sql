-- Outside lists (外部名单比对): a list from outside the platform (学信网 real-name
-- feedback, the statistics bureau's sample, social-insurance or tax lists),
-- its rows as matched to graduates, and every mismatch with the record found
-- when it was imported. The kind is a code of the table `outside_list_kind`.
CREATE TABLE outside_lists (
    id INTEGER PRIMARY KEY,
    kind_code TEXT NOT NULL,
    cohort INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- The university that imported it for its own graduates; NULL for the province's.
    institution_id INTEGER REFERENCES institutions (id),
    file_name TEXT NOT NULL,
    rows_count INTEGER NOT NULL,
    mismatch_count INTEGER NOT NULL,
    imported_by INTEGER NOT NULL,
    imported_label TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX outside_lists_cohort ON outside_lists (cohort, id);

CREATE TABLE outside_list_rows (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES outside_lists (id),
    line INTEGER NOT NULL,
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    listed_status TEXT,
    insured INTEGER,
    employer_name TEXT,
    credit_code TEXT
);
CREATE INDEX outside_list_rows_list ON outside_list_rows (list_id, institution_id);

CREATE TABLE outside_list_mismatches (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES outside_lists (id),
    line INTEGER NOT NULL,
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    kind TEXT NOT NULL,
    listed TEXT NOT NULL,
    recorded TEXT NOT NULL
);
CREATE INDEX outside_list_mismatches_list ON outside_list_mismatches (list_id, institution_id, kind);
