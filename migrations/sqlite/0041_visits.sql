-- Visits (访企拓岗, 调研走访): a university's people visit an employer or a
-- park in a region of the code table `visit_region` (Hunan's cities, areas
-- such as 长三角, provincial capitals), and note what the employer needs.
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    kind TEXT NOT NULL,
    visited_on TEXT NOT NULL,
    visitors TEXT NOT NULL,
    employer_id INTEGER REFERENCES employers (id),
    park_id INTEGER REFERENCES parks (id),
    region_code TEXT NOT NULL,
    majors TEXT NOT NULL,
    positions INTEGER NOT NULL,
    average_pay INTEGER,
    follow_up TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX visits_institution ON visits (institution_id, visited_on);
CREATE INDEX visits_region ON visits (region_code);
CREATE INDEX visits_employer ON visits (employer_id);
