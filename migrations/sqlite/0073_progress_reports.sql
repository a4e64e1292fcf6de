-- How far a long piece of work has come (进度), shared between app servers:
-- the server doing an import writes its progress here (a few times a second
-- at most, and the last report), so a page polling /progress/{token} through
-- a load balancer reads it from any server. Only PostgreSQL deployments
-- write it: on SQLite an import holds the one writer for its whole
-- transaction, and one server serves a SQLite file. Rows are swept an hour
-- after their last report.
CREATE TABLE progress_reports (
    account_id INTEGER NOT NULL,
    token TEXT NOT NULL,
    done INTEGER NOT NULL,
    total INTEGER,
    reported_at TEXT NOT NULL,
    PRIMARY KEY (account_id, token)
);

CREATE INDEX progress_reports_reported ON progress_reports (reported_at);
