-- Registrations with workshop enrolments, seat counters kept by conditional updates, the e-mail
-- outbox, and the public keys that verify badges.

ALTER TABLE stops ADD COLUMN seats_taken INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workshops ADD COLUMN seats_taken INTEGER NOT NULL DEFAULT 0;

CREATE TABLE registrations (
    id TEXT PRIMARY KEY NOT NULL,
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,                  -- lower-case
    company TEXT NOT NULL,
    job_title TEXT NOT NULL DEFAULT '',
    company_size TEXT NOT NULL DEFAULT '',
    partner_id TEXT NOT NULL DEFAULT '',
    locale TEXT NOT NULL DEFAULT 'fr',
    source TEXT NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'walk_in', 'demo')),
    consent_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    cancelled_at TIMESTAMP
);
-- One live registration per e-mail and stop; a cancelled one does not block registering again.
CREATE UNIQUE INDEX registrations_live_email ON registrations (stop_id, email) WHERE status <> 'cancelled';
-- The waitlist is read in arrival order.
CREATE INDEX registrations_stop_status_created ON registrations (stop_id, status, created_at);

CREATE TABLE enrolments (
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (registration_id, workshop_id)
);
CREATE INDEX enrolments_workshop_status_created ON enrolments (workshop_id, status, created_at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,                -- JSON: what the message template needs
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,               -- a worker's lease on the row
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_status_next_attempt ON outbox (status, next_attempt_at);

CREATE TABLE badge_keys (
    kid TEXT PRIMARY KEY NOT NULL,        -- 8 hex digits naming the key inside each badge
    public_key TEXT NOT NULL,             -- base64 of the Ed25519 public key
    created_at TIMESTAMP NOT NULL
);
