-- The audit log: who changed what, when, on which target, and what changed. Rows are only ever
-- inserted, in the transaction of the change they record; no statement of roadshow updates or
-- deletes one (erasure included: an entry names people by id or pseudonym, never by their data).
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,                        -- NULL: roadshow itself (a housekeeping job, the CLI, an attendee's own request)
    actor_email TEXT,                     -- as it was when the change was made
    actor_role TEXT,
    action TEXT NOT NULL,                 -- tour.created, complaint.updated, person.erased, ...
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    details TEXT NOT NULL                 -- JSON: the fields changed, from and to
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_actor ON audit_log (actor_email, at);

-- When the retention job (ROADSHOW_RETENTION_MONTHS) pseudonymised a stop's attendees: a stop
-- done is not read again at each run.
ALTER TABLE stops ADD COLUMN attendees_pseudonymised_at TIMESTAMP;

-- Cross-process freshness: a change that other processes' caches must see (a device revoked,
-- a set-up change) bumps its row in the transaction of the change; every process reads these
-- two rows a few times a second and clears the cache concerned when one moved.
CREATE TABLE change_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO change_versions (name, version) VALUES ('credentials', 0), ('setup', 0);
