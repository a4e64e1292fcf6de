-- The key-group register (issue 14) is the graduates the roster flags
-- (`key_groups`) or staff added (`assistance_flags` in force). Kept on the
-- graduate row as `in_register`, by triggers so that no writer of either can
-- forget it, the register is a partial index of its own: a page walks the
-- members alone (37,000 of 450,000 in the demo), in order, and stops after a
-- page, instead of walking every graduate and checking each against the OR.
ALTER TABLE graduates ADD COLUMN in_register INTEGER NOT NULL DEFAULT 0;
UPDATE graduates SET in_register = 1
WHERE key_groups <> '' OR id IN (SELECT graduate_id FROM assistance_flags WHERE removed_at IS NULL);

CREATE FUNCTION graduates_register_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.in_register := CASE WHEN NEW.key_groups <> '' OR EXISTS (
        SELECT 1 FROM assistance_flags f WHERE f.graduate_id = NEW.id AND f.removed_at IS NULL) THEN 1 ELSE 0 END;
    RETURN NEW;
END
$$;
CREATE TRIGGER graduates_register BEFORE INSERT OR UPDATE OF key_groups ON graduates
    FOR EACH ROW EXECUTE FUNCTION graduates_register_member();

CREATE FUNCTION assistance_flags_register() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    graduate BIGINT := CASE WHEN TG_OP = 'DELETE' THEN OLD.graduate_id ELSE NEW.graduate_id END;
BEGIN
    UPDATE graduates g SET in_register = CASE WHEN g.key_groups <> '' OR EXISTS (
        SELECT 1 FROM assistance_flags f WHERE f.graduate_id = graduate AND f.removed_at IS NULL) THEN 1 ELSE 0 END
    WHERE g.id = graduate;
    RETURN NULL;
END
$$;
CREATE TRIGGER assistance_flags_register AFTER INSERT OR DELETE OR UPDATE OF removed_at ON assistance_flags
    FOR EACH ROW EXECUTE FUNCTION assistance_flags_register();

-- A walk's own indexes, for the province, an institution and a college, by
-- each sort: the key, then what the filters check (migration 0074's columns).
CREATE INDEX graduates_register_student_no ON graduates (cohort_year, student_no, id)
    INCLUDE (key_groups, destination_category) WHERE in_register = 1;
CREATE INDEX graduates_register_name ON graduates (cohort_year, name, id)
    INCLUDE (key_groups, destination_category) WHERE in_register = 1;
CREATE INDEX graduates_register_institution_student_no ON graduates (institution_id, cohort_year, student_no, id)
    INCLUDE (key_groups, destination_category) WHERE in_register = 1;
CREATE INDEX graduates_register_institution_name ON graduates (institution_id, cohort_year, name, id)
    INCLUDE (key_groups, destination_category) WHERE in_register = 1;
CREATE INDEX graduates_register_college_student_no ON graduates (college_id, cohort_year, student_no, id)
    INCLUDE (key_groups, destination_category) WHERE in_register = 1;
CREATE INDEX graduates_register_college_name ON graduates (college_id, cohort_year, name, id)
    INCLUDE (key_groups, destination_category) WHERE in_register = 1;
