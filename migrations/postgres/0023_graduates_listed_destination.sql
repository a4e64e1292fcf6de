-- The graduates list filters by the current destination's category and confirmation and sorts
-- by student number or name. Kept on the graduate row (a copy of `destinations`, '' for none
-- recorded) with an index (filter, sort column, id) for each pair, a filtered page is a range of
-- one index however many or few rows the filter matches. A trigger keeps the copy, so no writer
-- of destinations can forget it.
ALTER TABLE graduates
    ADD COLUMN destination_category TEXT NOT NULL DEFAULT '',
    ADD COLUMN destination_confirmation TEXT NOT NULL DEFAULT '';
UPDATE graduates g SET destination_category = d.category_code, destination_confirmation = d.confirmation
FROM destinations d WHERE d.graduate_id = g.id;
-- Names compare by their characters' code points, as SQLite compares them, whatever the
-- cluster's collation: names sort alike on both engines, and a name searched by its start is a
-- range of the name's index (`name >= '张' AND name < '弡'`) when the list walks it.
ALTER TABLE graduates ALTER COLUMN name TYPE TEXT COLLATE "C";
CREATE INDEX graduates_category_student_no ON graduates (destination_category, student_no, id);
CREATE INDEX graduates_category_name ON graduates (destination_category, name, id);
CREATE INDEX graduates_confirmation_student_no ON graduates (destination_confirmation, student_no, id);
CREATE INDEX graduates_confirmation_name ON graduates (destination_confirmation, name, id);

CREATE FUNCTION graduates_take_destination() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE graduates SET destination_category = '', destination_confirmation = '' WHERE id = OLD.graduate_id;
    ELSE
        UPDATE graduates SET destination_category = NEW.category_code, destination_confirmation = NEW.confirmation
        WHERE id = NEW.graduate_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER destinations_listed AFTER INSERT OR DELETE OR UPDATE OF category_code, confirmation ON destinations
    FOR EACH ROW EXECUTE FUNCTION graduates_take_destination();
