-- A graduate's job-seeking profile (求职简历): education comes from the roster
-- and is not kept here; what the graduate adds, its intentions, an uploaded
-- PDF résumé in the file store, and who may see it.
CREATE TABLE profiles (
    graduate_id INTEGER PRIMARY KEY REFERENCES graduates (id),
    skills TEXT,
    certificates TEXT,
    internships TEXT,
    self_intro TEXT,
    intended_regions TEXT,
    intended_industries TEXT,
    intended_positions TEXT,
    intended_salary INTEGER,
    resume_sha256 TEXT,
    visibility TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
