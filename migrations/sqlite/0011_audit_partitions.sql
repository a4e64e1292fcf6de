-- Issue 8: the audit log becomes 32 hash chains (partitions), so that concurrent writers no
-- longer all wait for one head row (see kernel::audit). A record keeps its chain and its
-- number in that chain; ids now come from the table (rowid) instead of MAX(id) + 1.
-- The records so far become chain 0 numbered by their ids, which is what their hashes
-- cover, so they verify as they did.
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE audit_log SET seq = id;
-- No index on (chain, seq): the head row's lock hands out the numbers, verify reads the log in
-- id order, and another index would cost every audited write another page.

-- One head row per chain (id = chain number): its last number, hash and record id.
ALTER TABLE audit_head ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN last_id INTEGER NOT NULL DEFAULT 0;
UPDATE audit_head
SET id = 0,
    seq = (SELECT COALESCE(MAX(id), 0) FROM audit_log),
    last_id = (SELECT COALESCE(MAX(id), 0) FROM audit_log)
WHERE id = 1;
-- Chains 1 to 31 start empty, each from its own genesis hash: its number in 64 hex digits.
WITH RECURSIVE n(chain) AS (SELECT 1 UNION ALL SELECT chain + 1 FROM n WHERE chain < 31)
INSERT INTO audit_head (id, last_hash, seq, last_id) SELECT chain, printf('%064x', chain), 0, 0 FROM n;
