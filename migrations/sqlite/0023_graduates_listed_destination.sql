-- The graduates list filters by the current destination's category and confirmation and sorts
-- by student number or name. Kept on the graduate row (a copy of `destinations`, '' for none
-- recorded) with an index (filter, sort column, id) for each pair, a filtered page is a range of
-- one index however many or few rows the filter matches. Triggers keep the copy, so no writer
-- of destinations can forget it.
ALTER TABLE graduates ADD COLUMN destination_category TEXT NOT NULL DEFAULT '';
ALTER TABLE graduates ADD COLUMN destination_confirmation TEXT NOT NULL DEFAULT '';
UPDATE graduates
SET (destination_category, destination_confirmation) =
    (SELECT d.category_code, d.confirmation FROM destinations d WHERE d.graduate_id = graduates.id)
WHERE id IN (SELECT graduate_id FROM destinations);
CREATE INDEX graduates_category_student_no ON graduates (destination_category, student_no, id);
CREATE INDEX graduates_category_name ON graduates (destination_category, name, id);
CREATE INDEX graduates_confirmation_student_no ON graduates (destination_confirmation, student_no, id);
CREATE INDEX graduates_confirmation_name ON graduates (destination_confirmation, name, id);
-- A name searched by its start (or its initials') and sorted by student number: the matches'
-- student numbers come from the index itself, so sorting a few thousand reads no graduate row.
DROP INDEX graduates_name_prefix;
CREATE INDEX graduates_name_prefix ON graduates (name COLLATE NOCASE, student_no);
DROP INDEX graduates_name_initials;
CREATE INDEX graduates_name_initials ON graduates (name_initials COLLATE NOCASE, student_no);

CREATE TRIGGER destinations_listed_insert AFTER INSERT ON destinations BEGIN
    UPDATE graduates SET destination_category = NEW.category_code, destination_confirmation = NEW.confirmation
    WHERE id = NEW.graduate_id;
END;
CREATE TRIGGER destinations_listed_update AFTER UPDATE OF category_code, confirmation ON destinations BEGIN
    UPDATE graduates SET destination_category = NEW.category_code, destination_confirmation = NEW.confirmation
    WHERE id = NEW.graduate_id;
END;
CREATE TRIGGER destinations_listed_delete AFTER DELETE ON destinations BEGIN
    UPDATE graduates SET destination_category = '', destination_confirmation = '' WHERE id = OLD.graduate_id;
END;
