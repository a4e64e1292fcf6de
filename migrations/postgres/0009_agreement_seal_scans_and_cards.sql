-- How the employer sealed an agreement: its e-seal, or an uploaded scan of the stamped paper.
ALTER TABLE agreements ADD COLUMN seal_method TEXT;
ALTER TABLE agreements ADD COLUMN seal_file_sha256 TEXT;
ALTER TABLE agreements ADD COLUMN seal_file_name TEXT;

-- A graduate's signing card (签约二维码): employers scan it to invite without typing the ID number.
-- The token is kept as is, not hashed: it only lets a logged-in employer address an invitation,
-- and the graduate must be able to show it again.
CREATE TABLE graduate_cards (
    token TEXT PRIMARY KEY,
    graduate_id BIGINT NOT NULL REFERENCES graduates (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX graduate_cards_graduate ON graduate_cards (graduate_id);

-- How many agreements a graduate of the cohort may cancel (违约次数上限); DOMAIN.md 8.1: 1 by default.
ALTER TABLE cohorts ADD COLUMN breach_limit BIGINT NOT NULL DEFAULT 1;
