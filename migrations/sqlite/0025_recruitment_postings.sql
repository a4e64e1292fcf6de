-- Job postings (招聘岗位): an approved employer posts, the province (or, for
-- one university's campus channel, that university's staff) reviews, and an
-- approved posting shows until its deadline. Salary in yuan a month; both
-- bounds empty is 面议. A deadline is a calendar day in China time.
CREATE TABLE postings (
    id INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES employers (id),
    channel_institution_id INTEGER REFERENCES institutions (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    position_code TEXT NOT NULL,
    industry_code TEXT NOT NULL,
    education_level TEXT,
    headcount INTEGER NOT NULL,
    salary_min INTEGER,
    salary_max INTEGER,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    deadline TEXT NOT NULL,
    public_sector_kind TEXT,
    notice_url TEXT,
    status TEXT NOT NULL,
    review_reason TEXT,
    reviewed_by INTEGER,
    reviewed_at TEXT,
    approved_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX postings_employer ON postings (employer_id, id);
CREATE INDEX postings_status ON postings (status, id);
CREATE INDEX postings_channel ON postings (channel_institution_id, status, id);

-- Where the work is: one row per region code; several allowed.
CREATE TABLE posting_regions (
    posting_id INTEGER NOT NULL REFERENCES postings (id),
    region_code TEXT NOT NULL,
    PRIMARY KEY (posting_id, region_code)
);
CREATE INDEX posting_regions_region ON posting_regions (region_code, posting_id);

-- Majors wanted, by catalogue code; none is 不限.
CREATE TABLE posting_majors (
    posting_id INTEGER NOT NULL REFERENCES postings (id),
    major_code TEXT NOT NULL,
    PRIMARY KEY (posting_id, major_code)
);

-- Every write to a posting appends here in the same transaction: the feed a
-- search index follows (each app server from the last id it applied).
CREATE TABLE posting_changes (
    id INTEGER PRIMARY KEY,
    posting_id INTEGER NOT NULL,
    changed_at TEXT NOT NULL
);
