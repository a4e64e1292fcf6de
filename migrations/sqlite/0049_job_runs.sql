-- Scheduled work done once per deployment, not once per app server: a server
-- claims a job's day by inserting its row (the unique name and day let only
-- one insert win), runs it, and records how it ended.
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    day TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    detail TEXT,
    UNIQUE (name, day)
);
