-- The public portal (门户, issue 16): articles of the province's editors (news,
-- policy, person, case, project) and the universities' work news (work_news,
-- `institution_id` the submitting university), each through the review:
-- draft → submitted → published or returned (with `return_reason`), published →
-- unpublished. `recommended` marks work news recommended to the Ministry.
-- `cohort_year` is the year's cohort when the article was written, which the
-- plan board's figures count by. Every move is a row of `portal_article_steps`.
CREATE TABLE portal_articles (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    institution_id INTEGER REFERENCES institutions (id),
    cohort_year INTEGER NOT NULL,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    cover_sha256 TEXT,
    cover_type TEXT,
    status TEXT NOT NULL,
    recommended INTEGER NOT NULL DEFAULT 0,
    return_reason TEXT NOT NULL DEFAULT '',
    author_label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    published_at TEXT
);
CREATE INDEX portal_articles_public ON portal_articles (status, kind, published_at);
CREATE INDEX portal_articles_institution ON portal_articles (institution_id, kind);

CREATE TABLE portal_article_steps (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES portal_articles (id),
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX portal_article_steps_article ON portal_article_steps (article_id);

-- A policy's documents (PDFs kept in the file store by their SHA-256).
CREATE TABLE portal_documents (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES portal_articles (id),
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX portal_documents_article ON portal_documents (article_id);
