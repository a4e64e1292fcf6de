-- Expert review, part 3 (issue 15): a call's review round. Settings and state
-- per call: `k` experts per application, `load_limit` applications per expert
-- at most, `mismatch` the cost of a field mismatch, `blind` hides names and
-- institutions from experts, `method` trimmed (trimmed mean) or zscore
-- (per-expert z-scores), `spread` the range of totals (on 100) above which an
-- application is flagged for re-review, 0 for none. `field`: the call's review
-- field code (`review_field`), which every application of it is matched on,
-- empty for none. state: not_started,
-- assigning, scoring, closed (decided). `slots`: what the province decided on.
CREATE TABLE review_rounds (
    call_id INTEGER PRIMARY KEY REFERENCES programme_calls (id),
    k INTEGER NOT NULL,
    load_limit INTEGER NOT NULL,
    mismatch INTEGER NOT NULL,
    field TEXT NOT NULL,
    blind BOOLEAN NOT NULL DEFAULT FALSE,
    method TEXT NOT NULL,
    spread INTEGER NOT NULL,
    state TEXT NOT NULL,
    slots INTEGER,
    updated_at TEXT NOT NULL,
    updated_by_label TEXT NOT NULL
);

-- An expert on an application. state: assigned, recused (with the reason),
-- submitted (locked; submitted_at). `comment`: the expert's one comment.
CREATE TABLE review_assignments (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES programme_calls (id),
    application_id INTEGER NOT NULL REFERENCES programme_applications (id),
    expert_id INTEGER NOT NULL REFERENCES review_experts (id),
    state TEXT NOT NULL,
    recuse_reason TEXT NOT NULL,
    comment TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    submitted_at TEXT
);
CREATE INDEX review_assignments_call ON review_assignments (call_id, application_id);
CREATE INDEX review_assignments_expert ON review_assignments (expert_id, call_id);

-- An expert's score on one rubric dimension (0 to the dimension's points).
CREATE TABLE review_marks (
    assignment_id INTEGER NOT NULL REFERENCES review_assignments (id),
    dimension_id INTEGER NOT NULL REFERENCES programme_rubric (id),
    score INTEGER NOT NULL,
    PRIMARY KEY (assignment_id, dimension_id)
);

-- A re-review the province asked for (the marks disagreed): the
-- application's assignments were reopened.
CREATE TABLE review_rereviews (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES programme_calls (id),
    application_id INTEGER NOT NULL REFERENCES programme_applications (id),
    reason TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    requested_by_label TEXT NOT NULL
);
CREATE INDEX review_rereviews_application ON review_rereviews (application_id);
