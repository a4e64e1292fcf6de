-- A claim (认领) of an employer known only from a destination: what the
-- claimant proposes (name, contact, nature, industry) waits here as JSON until
-- staff approve it, so a claim cannot rename the employer on its own.
ALTER TABLE employers ADD COLUMN proposed TEXT;

-- Self-registrations by client address, for the hourly limit.
CREATE TABLE employer_registrations (
    id INTEGER PRIMARY KEY,
    client_addr TEXT NOT NULL,
    registered_at TEXT NOT NULL
);
CREATE INDEX employer_registrations_by_addr ON employer_registrations (client_addr, registered_at);

-- The registration form's question (人机验证): the form carries the token, the
-- answer stays here until it is tried once or expires.
CREATE TABLE registration_questions (
    token TEXT PRIMARY KEY,
    answer INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);
