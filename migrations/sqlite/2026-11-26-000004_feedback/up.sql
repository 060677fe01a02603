-- Post-event feedback and the complaints it raises, tracked with their full history.

CREATE TABLE feedback_requests (
    registration_id TEXT PRIMARY KEY NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    requested_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX feedback_requests_stop ON feedback_requests (stop_id);

CREATE TABLE feedback (
    id TEXT PRIMARY KEY NOT NULL,
    registration_id TEXT NOT NULL UNIQUE REFERENCES registrations (id) ON DELETE CASCADE,
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    overall INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    trainers INTEGER NOT NULL CHECK (trainers BETWEEN 1 AND 5),
    content INTEGER NOT NULL CHECK (content BETWEEN 1 AND 5),
    nps INTEGER NOT NULL CHECK (nps BETWEEN 0 AND 10),
    comment TEXT NOT NULL DEFAULT '',
    submitted_at TIMESTAMP NOT NULL
);
CREATE INDEX feedback_stop ON feedback (stop_id);

CREATE TABLE complaints (
    id TEXT PRIMARY KEY NOT NULL,
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    theme TEXT NOT NULL CHECK (theme IN ('trainers', 'licensing', 'leads', 'logistics', 'other')),
    summary TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    registration_id TEXT REFERENCES registrations (id) ON DELETE SET NULL,
    feedback_id TEXT REFERENCES feedback (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved', 'wont_fix')),
    owner TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,             -- a user's name, or "feedback form"
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX complaints_stop_theme_status ON complaints (stop_id, theme, status);

-- Every change of a complaint, never rewritten.
CREATE TABLE complaint_events (
    id TEXT PRIMARY KEY NOT NULL,
    complaint_id TEXT NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    field TEXT NOT NULL,                  -- created, status, owner, resolution
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, at);
