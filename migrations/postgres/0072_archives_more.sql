-- Archive transfer reminders (档案转递提醒): what the daily job told each
-- institution, so each batch is told once when its deadline nears and once
-- when it has passed with archives not yet dispatched, and each return once
-- (per return: `round` is the transfer's count of returns) while it waits to
-- be sent again. kind: batch_near, batch_passed (ref_id a batch), returned
-- (ref_id a transfer).
CREATE TABLE archive_reminders (
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    round BIGINT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (kind, ref_id, round)
);

-- A return's day, read by the reminders for the transfers still waiting.
CREATE INDEX archive_steps_step ON archive_steps (step, transfer_id);
