-- What a 就业协议书 says besides position, pay and place (docs/domain/agreements.md §1):
-- the term (合同期限) in months, the breach terms (违约金), where the archive (档案) and the
-- 户口 go; probation_months exists since 0006. The verification code lets anyone check a
-- printed agreement on /verify/agreement/{code}; agreements from before have none.
ALTER TABLE agreements ADD COLUMN term_months BIGINT;
ALTER TABLE agreements ADD COLUMN breach_terms TEXT;
ALTER TABLE agreements ADD COLUMN archive_to TEXT;
ALTER TABLE agreements ADD COLUMN hukou_to TEXT;
ALTER TABLE agreements ADD COLUMN verify_code TEXT;
CREATE UNIQUE INDEX agreements_verify_code ON agreements (verify_code);

-- Which fields of the destination form each category needs (data/destination_fields.csv,
-- followed on every start like the code tables).
CREATE TABLE destination_fields (
    category_code TEXT PRIMARY KEY,
    fields TEXT NOT NULL
);
