-- Uses of the public forms per client address (kernel::web::allowance), for
-- their hourly allowance; one table for every form instead of one each.
CREATE TABLE public_form_uses (
    id INTEGER PRIMARY KEY,
    purpose TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    used_at TEXT NOT NULL
);
CREATE INDEX public_form_uses_addr ON public_form_uses (purpose, client_addr, used_at);
CREATE INDEX public_form_uses_at ON public_form_uses (used_at);
DROP TABLE training_certificate_checks;
