-- Issue 10: sessions a user can see and end, login throttling that cannot lock others out,
-- server secrets, and agreements numbered and kept one-live under concurrency.

-- What the "my sessions" page shows of each session.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client_addr TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;

-- Throttle rows are short-lived counters; the keys and their meaning changed, so start afresh.
DROP TABLE login_throttle;
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL
);
CREATE INDEX login_throttle_last_failure ON login_throttle (last_failure_at);

-- Secrets the app servers share (the key that signs CSRF and known-browser cookies), made at first use.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The last agreement serial per institution and cohort: its row's lock hands out numbers.
-- Numbers so far counted the institution's agreements of every cohort, so start above them.
CREATE TABLE agreement_serials (
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    cohort_year INTEGER NOT NULL,
    last_serial INTEGER NOT NULL,
    PRIMARY KEY (institution_id, cohort_year)
);
INSERT INTO agreement_serials (institution_id, cohort_year, last_serial)
SELECT a.institution_id, a.cohort_year,
       (SELECT COUNT(*) FROM agreements b WHERE b.institution_id = a.institution_id)
FROM agreements a GROUP BY a.institution_id, a.cohort_year;

-- At most one agreement in progress or in force per graduate (flow::Status::is_live).
CREATE UNIQUE INDEX agreements_one_live ON agreements (graduate_id)
    WHERE status NOT IN ('withdrawn', 'declined', 'cancelled');
