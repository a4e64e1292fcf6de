-- A graduate's recommendations read the postings it viewed lately, by the
-- pseudonyms its account had on each of those days.
CREATE INDEX posting_views_viewer ON posting_views (viewer, day);
