-- Views of a posting's public page (浏览量) by anyone but its employer: one
-- row per posting, China-time day and viewer, so a viewer counts once a day.
-- The viewer is a keyed pseudonym of the account (or, for a visitor, the
-- browser) that changes with the day; no address is kept.
CREATE TABLE posting_views (
    posting_id INTEGER NOT NULL REFERENCES postings (id),
    day TEXT NOT NULL,
    viewer TEXT NOT NULL,
    PRIMARY KEY (posting_id, day, viewer)
);
