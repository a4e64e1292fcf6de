-- An employer registers with its business licence (营业执照), kept in the file
-- store by its SHA-256 with the type sniffed from its bytes; a rejection keeps
-- its reason, which the employer is shown.
ALTER TABLE employers ADD COLUMN licence_sha256 TEXT;
ALTER TABLE employers ADD COLUMN licence_type TEXT;
ALTER TABLE employers ADD COLUMN review_reason TEXT;
