-- The key-group register (issue 14) is the graduates the roster flags
-- (`key_groups`) or staff added (`assistance_flags` in force). Kept on the
-- graduate row as `in_register`, by triggers so that no writer of either can
-- forget it, the register is a partial index of its own: a page walks the
-- members alone (37,000 of 450,000 in the demo), in order, and stops after a
-- page, instead of walking every graduate and checking each against the OR.
ALTER TABLE graduates ADD COLUMN in_register INTEGER NOT NULL DEFAULT 0;
UPDATE graduates SET in_register = 1
WHERE key_groups <> '' OR id IN (SELECT graduate_id FROM assistance_flags WHERE removed_at IS NULL);

CREATE TRIGGER graduates_register_insert AFTER INSERT ON graduates WHEN NEW.key_groups <> '' BEGIN
    UPDATE graduates SET in_register = 1 WHERE id = NEW.id;
END;
CREATE TRIGGER graduates_register_update AFTER UPDATE OF key_groups ON graduates BEGIN
    UPDATE graduates SET in_register = (NEW.key_groups <> '' OR EXISTS (
        SELECT 1 FROM assistance_flags f WHERE f.graduate_id = NEW.id AND f.removed_at IS NULL))
    WHERE id = NEW.id;
END;
CREATE TRIGGER assistance_flags_register_insert AFTER INSERT ON assistance_flags WHEN NEW.removed_at IS NULL BEGIN
    UPDATE graduates SET in_register = 1 WHERE id = NEW.graduate_id;
END;
CREATE TRIGGER assistance_flags_register_update AFTER UPDATE OF removed_at ON assistance_flags BEGIN
    UPDATE graduates SET in_register = (key_groups <> '' OR EXISTS (
        SELECT 1 FROM assistance_flags f WHERE f.graduate_id = NEW.graduate_id AND f.removed_at IS NULL))
    WHERE id = NEW.graduate_id;
END;
CREATE TRIGGER assistance_flags_register_delete AFTER DELETE ON assistance_flags BEGIN
    UPDATE graduates SET in_register = (key_groups <> '' OR EXISTS (
        SELECT 1 FROM assistance_flags f WHERE f.graduate_id = OLD.graduate_id AND f.removed_at IS NULL))
    WHERE id = OLD.graduate_id;
END;

-- A walk's own indexes, for the province, an institution and a college, by
-- each sort: the key, then what the filters check (migration 0074's columns).
CREATE INDEX graduates_register_student_no ON graduates (cohort_year, student_no, id, key_groups, destination_category)
    WHERE in_register = 1;
CREATE INDEX graduates_register_name ON graduates (cohort_year, name, id, key_groups, destination_category)
    WHERE in_register = 1;
CREATE INDEX graduates_register_institution_student_no
    ON graduates (institution_id, cohort_year, student_no, id, key_groups, destination_category) WHERE in_register = 1;
CREATE INDEX graduates_register_institution_name
    ON graduates (institution_id, cohort_year, name, id, key_groups, destination_category) WHERE in_register = 1;
CREATE INDEX graduates_register_college_student_no
    ON graduates (college_id, cohort_year, student_no, id, key_groups, destination_category) WHERE in_register = 1;
CREATE INDEX graduates_register_college_name
    ON graduates (college_id, cohort_year, name, id, key_groups, destination_category) WHERE in_register = 1;
