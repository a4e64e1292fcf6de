-- Fairs and events (招聘会与活动): a kind from the `fair_kind` code table, hosted
-- by the province (no host institution) or by one or more universities
-- (`fair_hosts`); optionally a stop of a touring series. Times are UTC
-- instants; the audience is all, one education level, key groups only, or
-- the universities in `fair_audience`.
CREATE TABLE fair_series (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL REFERENCES cohorts (year),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE fairs (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL REFERENCES cohorts (year),
    series_id INTEGER REFERENCES fair_series (id),
    kind_code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    mode TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    region_code TEXT NOT NULL,
    venue TEXT,
    online_url TEXT,
    booths INTEGER NOT NULL,
    layout TEXT,
    capacity INTEGER NOT NULL,
    audience TEXT NOT NULL,
    audience_level TEXT,
    organisers TEXT NOT NULL,
    co_organisers TEXT,
    status TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX fairs_starts ON fairs (starts_at, id);
CREATE INDEX fairs_cohort_kind ON fairs (cohort, kind_code, status);

-- The universities hosting a campus or cross-campus fair; none is the province's.
CREATE TABLE fair_hosts (
    fair_id INTEGER NOT NULL REFERENCES fairs (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (fair_id, institution_id)
);
CREATE INDEX fair_hosts_institution ON fair_hosts (institution_id, fair_id);

-- The universities whose graduates may register when the audience is 'institutions'.
CREATE TABLE fair_audience (
    fair_id INTEGER NOT NULL REFERENCES fairs (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (fair_id, institution_id)
);

-- An employer's booth (展位): applied for with approved postings, reviewed by
-- a host; approved ones get a number; over the booth count, the waiting list.
CREATE TABLE fair_booths (
    id INTEGER PRIMARY KEY,
    fair_id INTEGER NOT NULL REFERENCES fairs (id),
    employer_id INTEGER NOT NULL REFERENCES employers (id),
    status TEXT NOT NULL,
    booth_no TEXT,
    reason TEXT,
    applied_at TEXT NOT NULL,
    reviewed_by INTEGER,
    reviewed_at TEXT,
    checked_in_at TEXT,
    UNIQUE (fair_id, employer_id)
);
CREATE INDEX fair_booths_employer ON fair_booths (employer_id, fair_id);
CREATE INDEX fair_booths_status ON fair_booths (fair_id, status, id);

CREATE TABLE fair_booth_postings (
    booth_id INTEGER NOT NULL REFERENCES fair_booths (id),
    posting_id INTEGER NOT NULL REFERENCES postings (id),
    PRIMARY KEY (booth_id, posting_id)
);

-- A graduate's registration (报名); over capacity it waits. Checked in once:
-- `checked_in_at` is set by the first scan only. A graduate who comes without
-- registering is checked in as a walk-in ('walk_in').
CREATE TABLE fair_registrations (
    id INTEGER PRIMARY KEY,
    fair_id INTEGER NOT NULL REFERENCES fairs (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    status TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    checked_in_at TEXT,
    checked_in_by INTEGER,
    UNIQUE (fair_id, graduate_id)
);
CREATE INDEX fair_registrations_graduate ON fair_registrations (graduate_id, fair_id);
CREATE INDEX fair_registrations_status ON fair_registrations (fair_id, status, id);

-- Graduates who came to a booth (scanned by the employer, or online); once each.
CREATE TABLE fair_booth_visits (
    booth_id INTEGER NOT NULL REFERENCES fair_booths (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    source TEXT NOT NULL,
    visited_at TEXT NOT NULL,
    PRIMARY KEY (booth_id, graduate_id)
);

-- The plan's targets for a cohort (e.g. 40 permanent-market sessions, 15–20
-- key-group fairs): data, never constants.
CREATE TABLE fair_targets (
    cohort INTEGER NOT NULL REFERENCES cohorts (year),
    kind_code TEXT NOT NULL,
    planned_min INTEGER NOT NULL,
    planned_max INTEGER NOT NULL,
    PRIMARY KEY (cohort, kind_code)
);

-- An application made at a fair (from a booth's job list) names it.
ALTER TABLE applications ADD COLUMN fair_id INTEGER REFERENCES fairs (id);
CREATE INDEX applications_fair ON applications (fair_id);
