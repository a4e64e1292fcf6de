-- Issue 8: the audit log becomes 32 hash chains (partitions), so that concurrent writers no
-- longer all wait for one head row (see kernel::audit). PostgreSQL twin of
-- migrations/sqlite/0011_audit_partitions.sql. A record keeps its chain and its number in
-- that chain; ids now come from the identity instead of MAX(id) + 1. The records so far
-- become chain 0 numbered by their ids, which is what their hashes cover, so they verify
-- as they did.
ALTER TABLE audit_log ADD COLUMN chain BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
UPDATE audit_log SET seq = id;
ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL;
-- No index on (chain, seq): the head row's lock hands out the numbers, verify reads the log in
-- id order, and another index would cost every audited write another page.
-- The records so far were numbered by hand, so the identity has not moved: start it after them.
SELECT setval(pg_get_serial_sequence('audit_log', 'id'), COALESCE((SELECT MAX(id) FROM audit_log), 0) + 1, false);

-- One head row per chain (id = chain number): its last number, hash and record id.
ALTER TABLE audit_head ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN last_id BIGINT NOT NULL DEFAULT 0;
UPDATE audit_head
SET id = 0,
    seq = (SELECT COALESCE(MAX(id), 0) FROM audit_log),
    last_id = (SELECT COALESCE(MAX(id), 0) FROM audit_log)
WHERE id = 1;
-- Chains 1 to 31 start empty, each from its own genesis hash: its number in 64 hex digits.
INSERT INTO audit_head (id, last_hash, seq, last_id)
SELECT chain, lpad(to_hex(chain), 64, '0'), 0, 0 FROM generate_series(1, 31) AS chain;
