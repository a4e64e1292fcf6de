-- A cohort's anomaly-scan thresholds (统计核查), as JSON; none saved: the defaults.
CREATE TABLE verification_settings (
    cohort INTEGER PRIMARY KEY REFERENCES cohorts (year),
    thresholds TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
