-- One row per registration and reminder offset (days before its stop): inserted before the
-- e-mail is queued, in the same transaction, so that the primary key lets exactly one worker
-- send each reminder whatever the number of processes.
CREATE TABLE reminders_sent (
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    days_before INTEGER NOT NULL,
    queued_at TIMESTAMP NOT NULL,
    PRIMARY KEY (registration_id, days_before)
);
