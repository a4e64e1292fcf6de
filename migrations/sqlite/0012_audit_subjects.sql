-- Issue 9: the audit log is searched by graduate and institution. A record names its subject
-- (the graduate, the institution) and, when a batch import wrote it, the batch's own record
-- (batch_id), set by kernel::audit from the Change and covered by the record's hash when set.
-- Records written before this migration keep these empty: filling them now would put values
-- beside the hash that do not belong to it (and hashing them again would be rewriting the log).
-- They stay findable by entity and entity id, as before.
ALTER TABLE audit_log ADD COLUMN graduate_id INTEGER;
ALTER TABLE audit_log ADD COLUMN institution_id INTEGER;
ALTER TABLE audit_log ADD COLUMN batch_id INTEGER;
-- Partial: sign-ins and other records with no subject cost these indexes nothing.
CREATE INDEX audit_log_graduate ON audit_log (graduate_id, id) WHERE graduate_id IS NOT NULL;
CREATE INDEX audit_log_institution ON audit_log (institution_id, id) WHERE institution_id IS NOT NULL;
CREATE INDEX audit_log_batch ON audit_log (batch_id, id) WHERE batch_id IS NOT NULL;
