-- Error reports of rejected roster imports, kept so the uploader can download them.
CREATE TABLE import_reports (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    file_name TEXT NOT NULL,
    content_base64 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
