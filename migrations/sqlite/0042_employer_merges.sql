-- Duplicate employers merged (合并重复单位): every reference to the merged
-- employer moves to the kept one; `moved` keeps which rows moved (JSON:
-- {"table": [keys]}) and the merged employer's status, so an undo puts them back.
-- The merged employer stays, with status 'merged', so its credit code stays taken.
CREATE TABLE employer_merges (
    id INTEGER PRIMARY KEY,
    kept_id INTEGER NOT NULL REFERENCES employers (id),
    merged_id INTEGER NOT NULL REFERENCES employers (id),
    merged_status TEXT NOT NULL,
    moved TEXT NOT NULL,
    merged_by INTEGER,
    merged_at TEXT NOT NULL,
    undone_at TEXT
);
CREATE INDEX employer_merges_merged ON employer_merges (merged_id, undone_at);
