-- A school's or college's staff read their agreements newest change first, and a college's
-- staff sort their graduates by name: each such order has an index that ends in id.
CREATE INDEX agreements_institution_updated ON agreements (institution_id, updated_at, id);
CREATE INDEX agreements_college_updated ON agreements (college_id, updated_at, id);
CREATE INDEX graduates_college_name ON graduates (college_id, name, id);
-- A name's pinyin initials (zs for 张三), searched by their start when the search is in Latin
-- letters. Filled when a graduate is written; rows from before are filled at start-up.
ALTER TABLE graduates ADD COLUMN name_initials TEXT NOT NULL DEFAULT '';
CREATE INDEX graduates_name_initials ON graduates (name_initials text_pattern_ops);
