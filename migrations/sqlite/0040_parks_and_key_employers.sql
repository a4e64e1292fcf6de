-- Industrial parks (产业园区) and key employers (重点用人单位): the province
-- designates an employer on a day, in a park or none, for one of the 三高四新
-- strategy fields (code table `strategy_field`), and issues its plaque (授牌).
CREATE TABLE parks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE key_employers (
    id INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES employers (id),
    park_id INTEGER REFERENCES parks (id),
    field_code TEXT NOT NULL,
    designated_on TEXT NOT NULL,
    plaque_no TEXT,
    plaque_issued_on TEXT,
    plaque_issued_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX key_employers_employer ON key_employers (employer_id);
CREATE INDEX key_employers_park ON key_employers (park_id);
