-- Notices (通知提醒) from the province to an institution's employment office,
-- such as a follow-up when the institution barely uses online signing.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    topic TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    read_at TEXT,
    read_by TEXT
);
CREATE INDEX notices_institution ON notices (institution_id, read_at);
