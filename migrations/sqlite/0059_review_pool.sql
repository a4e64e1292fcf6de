-- Expert review, part 2 (issue 15): the expert pool and the working-day
-- calendar. An expert (评审专家) may be linked to an account of the expert
-- role; fields are codes of `review_field`, comma separated. The links are
-- what conflict detection reads: past co-applicants, supervisees and declared
-- relations. The calendar lists the days that break the weekday rule: public
-- holidays and swapped working days (调休), from the State Council's notices.

CREATE TABLE review_experts (
    id INTEGER PRIMARY KEY,
    account_id INTEGER UNIQUE REFERENCES accounts (id),
    name TEXT NOT NULL,
    institution_id INTEGER REFERENCES institutions (id),
    affiliation TEXT NOT NULL,
    title TEXT NOT NULL,
    phone TEXT NOT NULL,
    fields TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL
);
CREATE INDEX review_experts_institution ON review_experts (institution_id);

-- kind: co_applicant, supervisee or relation.
CREATE TABLE review_expert_links (
    id INTEGER PRIMARY KEY,
    expert_id INTEGER NOT NULL REFERENCES review_experts (id),
    kind TEXT NOT NULL,
    person_name TEXT NOT NULL,
    person_institution_id INTEGER REFERENCES institutions (id),
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX review_expert_links_expert ON review_expert_links (expert_id);

-- kind: holiday or workday.
CREATE TABLE work_calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by_label TEXT NOT NULL
);

INSERT INTO work_calendar_days (day, kind, name, updated_at, updated_by_label) VALUES
    ('2022-01-01', 'holiday', '元旦', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-01-02', 'holiday', '元旦', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-01-03', 'holiday', '元旦', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-01-31', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-02-01', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-02-02', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-02-03', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-02-04', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-02-05', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-02-06', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-01-29', 'workday', '春节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-01-30', 'workday', '春节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-04-03', 'holiday', '清明节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-04-04', 'holiday', '清明节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-04-05', 'holiday', '清明节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-04-02', 'workday', '清明节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-04-30', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-05-01', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-05-02', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-05-03', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-05-04', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-04-24', 'workday', '劳动节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-05-07', 'workday', '劳动节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-06-03', 'holiday', '端午节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-06-04', 'holiday', '端午节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-06-05', 'holiday', '端午节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-09-10', 'holiday', '中秋节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-09-11', 'holiday', '中秋节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-09-12', 'holiday', '中秋节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-10-01', 'holiday', '国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-10-02', 'holiday', '国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-10-03', 'holiday', '国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-10-04', 'holiday', '国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-10-05', 'holiday', '国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-10-06', 'holiday', '国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-10-07', 'holiday', '国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-10-08', 'workday', '国庆节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-10-09', 'workday', '国庆节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2022-12-31', 'holiday', '元旦', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-01', 'holiday', '元旦', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-02', 'holiday', '元旦', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-21', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-22', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-23', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-24', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-25', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-26', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-27', 'holiday', '春节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-28', 'workday', '春节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-01-29', 'workday', '春节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-04-05', 'holiday', '清明节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-04-29', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-04-30', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-05-01', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-05-02', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-05-03', 'holiday', '劳动节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-04-23', 'workday', '劳动节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-05-06', 'workday', '劳动节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-06-22', 'holiday', '端午节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-06-23', 'holiday', '端午节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-06-24', 'holiday', '端午节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-06-25', 'workday', '端午节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-09-29', 'holiday', '中秋节、国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-09-30', 'holiday', '中秋节、国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-10-01', 'holiday', '中秋节、国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-10-02', 'holiday', '中秋节、国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-10-03', 'holiday', '中秋节、国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-10-04', 'holiday', '中秋节、国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-10-05', 'holiday', '中秋节、国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-10-06', 'holiday', '中秋节、国庆节', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-10-07', 'workday', '国庆节调休', '2022-01-01T00:00:00Z', 'seed'),
    ('2023-10-08', 'workday', '国庆节调休', '2022-01-01T00:00:00Z', 'seed');
