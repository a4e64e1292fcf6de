-- Training sessions with their own dates (issue 14): a training's sessions
-- each have a day, start and end time and a place or online link; the
-- training's dates are its sessions' span. `session_no` is the session's
-- number within its training, never reused, so attendance rows
-- (training_attendance.session_no) keep pointing at their session. A training
-- may be cancelled with a reason; it stays, marked, and takes nothing more.

CREATE TABLE training_sessions (
    id INTEGER PRIMARY KEY,
    training_id INTEGER NOT NULL REFERENCES trainings (id),
    session_no INTEGER NOT NULL,
    held_on TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    online INTEGER NOT NULL,
    place TEXT NOT NULL,
    UNIQUE (training_id, session_no)
);
CREATE INDEX training_sessions_day ON training_sessions (held_on);

-- Existing trainings: sessions 1..M on consecutive days from the start
-- (the last day repeats when the dates are fewer than the sessions), at the
-- training's place, 09:00-12:00. No attendance is lost: its session numbers
-- are the ones made here.
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 60)
INSERT INTO training_sessions (training_id, session_no, held_on, starts_at, ends_at, online, place)
SELECT t.id, n.k, min(date(t.starts_on, '+' || (n.k - 1) || ' days'), t.ends_on), '09:00', '12:00', t.online, t.place
FROM trainings t JOIN n ON n.k <= t.sessions;

-- Attendance rows of sessions beyond a training's count would have no session:
-- give them one (none are expected; nothing is dropped).
INSERT INTO training_sessions (training_id, session_no, held_on, starts_at, ends_at, online, place)
SELECT DISTINCT a.training_id, a.session_no, t.ends_on, '09:00', '12:00', t.online, t.place
FROM training_attendance a JOIN trainings t ON t.id = a.training_id
WHERE NOT EXISTS (SELECT 1 FROM training_sessions s WHERE s.training_id = a.training_id AND s.session_no = a.session_no);

ALTER TABLE trainings ADD COLUMN cancelled_at TEXT;
ALTER TABLE trainings ADD COLUMN cancel_reason TEXT;
ALTER TABLE trainings ADD COLUMN cancelled_by_label TEXT;
