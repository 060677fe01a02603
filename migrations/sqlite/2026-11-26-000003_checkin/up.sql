-- Check-in: scanner devices, every scan kept as it was decided, and one check-in per badge and
-- checkpoint (the primary key decides, whatever the concurrency).

CREATE TABLE devices (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,      -- SHA-256 of the device token
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX devices_stop_id ON devices (stop_id);

CREATE TABLE scans (
    id TEXT PRIMARY KEY NOT NULL,         -- the client's scan_id: a resend is the same scan
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    checkpoint_id TEXT NOT NULL REFERENCES checkpoints (id) ON DELETE CASCADE,
    registration_id TEXT,                 -- null when the badge named no registration of ours
    result TEXT NOT NULL,
    user_id TEXT,
    device_id TEXT,
    scanned_at TIMESTAMP NOT NULL,        -- when the device saw the badge
    received_at TIMESTAMP NOT NULL        -- when the server heard of it (later for offline scans)
);
CREATE INDEX scans_checkpoint_received ON scans (checkpoint_id, received_at);
CREATE INDEX scans_registration ON scans (registration_id);

CREATE TABLE check_ins (
    checkpoint_id TEXT NOT NULL REFERENCES checkpoints (id) ON DELETE CASCADE,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL,                -- the scan that made it (written just after it)
    scanned_at TIMESTAMP NOT NULL,        -- the earliest scan that counts
    PRIMARY KEY (checkpoint_id, registration_id)
);
CREATE INDEX check_ins_stop ON check_ins (stop_id, checkpoint_id);

-- A mistaken scan undone by staff: the scan stays as it was, the undo is recorded beside it.
CREATE TABLE scan_undos (
    scan_id TEXT PRIMARY KEY NOT NULL REFERENCES scans (id),
    user_id TEXT,
    undone_at TIMESTAMP NOT NULL
);
