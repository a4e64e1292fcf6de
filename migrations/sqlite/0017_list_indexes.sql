-- Lists page by key (sort column, id), so each offered sort has an index that ends in id;
-- an institution's or college's staff read their own part of it. Names are searched by their
-- start (a surname): on SQLite LIKE uses an index only in NOCASE order.
CREATE INDEX graduates_student_no ON graduates (student_no, id);
CREATE INDEX graduates_name ON graduates (name, id);
CREATE INDEX graduates_institution_student_no ON graduates (institution_id, student_no, id);
CREATE INDEX graduates_institution_name ON graduates (institution_id, name, id);
CREATE INDEX graduates_college_student_no ON graduates (college_id, student_no, id);
CREATE INDEX graduates_name_prefix ON graduates (name COLLATE NOCASE);
CREATE INDEX graduates_id_number ON graduates (id_number);
-- The destination filters of the graduates list, and their counts.
CREATE INDEX destinations_category ON destinations (category_code, graduate_id);
CREATE INDEX destinations_confirmation ON destinations (confirmation, graduate_id);
-- The agreements list, newest change first.
CREATE INDEX agreements_updated ON agreements (updated_at, id);
