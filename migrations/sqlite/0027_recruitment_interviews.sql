-- Interviews (面试安排): the employer proposes a time and a place or an online
-- meeting; the graduate accepts or asks for another time. A new proposal is a
-- new row; the latest is the one that stands.
CREATE TABLE interviews (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    starts_at TEXT NOT NULL,
    place TEXT,
    meeting_url TEXT,
    note TEXT,
    answer TEXT NOT NULL,
    answer_note TEXT,
    created_at TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX interviews_application ON interviews (application_id, id);
