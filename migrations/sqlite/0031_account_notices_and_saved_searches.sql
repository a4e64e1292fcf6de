-- Messages to one account (站内消息): any area sends one (new jobs for a saved
-- search; a fair that moved); listed on /messages until read.
CREATE TABLE account_notices (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    topic TEXT NOT NULL,
    message TEXT NOT NULL,
    link TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX account_notices_account ON account_notices (account_id, read_at, id);

-- A job seeker's saved searches (保存的搜索): the job list's query as its
-- address keeps it. With `notify`, postings published after `seen_until`
-- (milliseconds since 1970) that match are told in one message; `checked_at` is
-- the lease that lets one server of several do each check.
CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    notify BOOLEAN NOT NULL,
    seen_until BIGINT NOT NULL,
    checked_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX saved_searches_account ON saved_searches (account_id, id);
CREATE INDEX saved_searches_due ON saved_searches (notify, checked_at);
