-- One-to-one guidance appointments (一对一指导预约, issue 14): the slots a
-- helper opens on its calendar, the graduates' bookings of them, and the
-- reminders sent (one row per appointment and kind, so a reminder goes once).
-- Times are China time as 'YYYY-MM-DD HH:MM'.

CREATE TABLE assistance_slots (
    id INTEGER PRIMARY KEY,
    helper_id INTEGER NOT NULL REFERENCES accounts (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    starts_at TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    mode TEXT NOT NULL,
    place TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_label TEXT NOT NULL,
    cancelled_at TEXT,
    cancel_reason TEXT
);
CREATE INDEX assistance_slots_helper ON assistance_slots (helper_id, starts_at);
CREATE INDEX assistance_slots_starts ON assistance_slots (starts_at);

-- A booking: booked, then held or missed (marked by the helper), or cancelled
-- (by the graduate), moved (to another slot), withdrawn (the slot cancelled).
CREATE TABLE assistance_appointments (
    id INTEGER PRIMARY KEY,
    slot_id INTEGER NOT NULL REFERENCES assistance_slots (id),
    graduate_id INTEGER NOT NULL REFERENCES graduates (id),
    helper_id INTEGER NOT NULL REFERENCES accounts (id),
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    topic TEXT NOT NULL,
    state TEXT NOT NULL,
    booked_at TEXT NOT NULL,
    closed_at TEXT,
    closed_by_label TEXT,
    note TEXT,
    entry_id INTEGER REFERENCES assistance_entries (id)
);
-- One standing appointment per slot: two graduates cannot both hold it.
CREATE UNIQUE INDEX assistance_appointments_slot ON assistance_appointments (slot_id)
    WHERE state IN ('booked', 'held', 'missed');
-- One open booking per graduate and helper.
CREATE UNIQUE INDEX assistance_appointments_open ON assistance_appointments (graduate_id, helper_id)
    WHERE state = 'booked';
CREATE INDEX assistance_appointments_graduate ON assistance_appointments (graduate_id, state);
CREATE INDEX assistance_appointments_helper ON assistance_appointments (helper_id, state);

CREATE TABLE assistance_reminders (
    appointment_id INTEGER NOT NULL REFERENCES assistance_appointments (id),
    kind TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (appointment_id, kind)
);
