-- Training, the offices' missing pieces (issue 15): a teacher an office
-- removes is deactivated (`left_at`), keeping its enrolments and
-- certificates; a course its owner withdraws (`withdrawn_at`) leaves the
-- library and its files are no longer served.
ALTER TABLE training_teachers ADD COLUMN left_at TEXT;
ALTER TABLE training_teachers ADD COLUMN left_by_label TEXT;
ALTER TABLE courses ADD COLUMN withdrawn_at TEXT;
ALTER TABLE courses ADD COLUMN withdrawn_by_label TEXT;
ALTER TABLE courses ADD COLUMN updated_at TEXT;
