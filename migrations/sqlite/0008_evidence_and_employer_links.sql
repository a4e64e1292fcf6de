-- Evidence files (证明材料) for destinations, and destinations linked to the employer registry.
CREATE TABLE destination_evidence (
    id INTEGER PRIMARY KEY,
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    event_id INTEGER NOT NULL REFERENCES destination_events (id),
    kind TEXT NOT NULL,
    file_sha256 TEXT,
    file_name TEXT,
    content_type TEXT,
    size INTEGER,
    agreement_id INTEGER,
    uploaded_at TEXT NOT NULL,
    actor_id INTEGER,
    actor_label TEXT NOT NULL
);
CREATE INDEX destination_evidence_graduate ON destination_evidence (graduate_id, event_id);

-- The file kinds the current destination still lacks, ';'-separated; '' when complete.
ALTER TABLE destinations ADD COLUMN evidence_missing TEXT NOT NULL DEFAULT '';
ALTER TABLE destinations ADD COLUMN employer_id INTEGER REFERENCES employers (id);
ALTER TABLE destination_events ADD COLUMN employer_id INTEGER REFERENCES employers (id);
CREATE INDEX destinations_employer ON destinations (employer_id);
