-- Foundation: accounts, sessions, API tokens, tours, stops, workshops, checkpoints.
-- Ids are TEXT UUIDs made in Rust; timestamps are UTC (TIMESTAMP), converted to a stop's
-- time zone only when shown.

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,            -- stored lower-case
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'marketing', 'staff')),
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,       -- SHA-256 of the secret; the secret is never stored
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,     -- SHA-256 of the cookie value
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE tours (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    default_locale TEXT NOT NULL DEFAULT 'fr',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE tour_targets (
    tour_id TEXT NOT NULL REFERENCES tours (id) ON DELETE CASCADE,
    outcome TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value > 0),
    PRIMARY KEY (tour_id, outcome)
);

CREATE TABLE stops (
    id TEXT PRIMARY KEY NOT NULL,
    tour_id TEXT NOT NULL REFERENCES tours (id) ON DELETE CASCADE,
    city TEXT NOT NULL,
    venue TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    registration_closes_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX stops_tour_id_starts_at ON stops (tour_id, starts_at);

CREATE TABLE workshops (
    id TEXT PRIMARY KEY NOT NULL,
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    room TEXT NOT NULL DEFAULT '',
    trainer TEXT NOT NULL DEFAULT '',
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX workshops_stop_id_starts_at ON workshops (stop_id, starts_at);

CREATE TABLE checkpoints (
    id TEXT PRIMARY KEY NOT NULL,
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('entrance', 'workshop')),
    workshop_id TEXT UNIQUE REFERENCES workshops (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    CHECK ((kind = 'entrance') = (workshop_id IS NULL))
);
CREATE INDEX checkpoints_stop_id ON checkpoints (stop_id);
-- one entrance per stop
CREATE UNIQUE INDEX checkpoints_one_entrance ON checkpoints (stop_id) WHERE kind = 'entrance';
