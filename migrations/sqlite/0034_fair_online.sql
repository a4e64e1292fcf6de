-- Online fairs (网络专场): a booth is online from `online_at` until it goes
-- offline (NULL); graduates queue at it (one row each, rejoining reuses it)
-- and write with it in text.
ALTER TABLE fair_booths ADD COLUMN online_at TEXT;

CREATE TABLE fair_queue (
    id INTEGER PRIMARY KEY,
    booth_id INTEGER NOT NULL REFERENCES fair_booths (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    status TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    called_at TEXT,
    UNIQUE (booth_id, graduate_id)
);
CREATE INDEX fair_queue_waiting ON fair_queue (booth_id, status, joined_at);
CREATE INDEX fair_queue_graduate ON fair_queue (graduate_id, booth_id);

CREATE TABLE fair_chat (
    id INTEGER PRIMARY KEY,
    booth_id INTEGER NOT NULL REFERENCES fair_booths (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    from_employer BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX fair_chat_thread ON fair_chat (booth_id, graduate_id, id);
