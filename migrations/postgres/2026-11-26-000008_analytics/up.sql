-- Analytics: which workshops lead to the specialist label, the attendee's kind of partner (a
-- dashboard filter), and the follow-up outcomes that feed the funnel and the tour's targets.
ALTER TABLE workshops ADD COLUMN specialist_label BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE registrations ADD COLUMN partner_type TEXT NOT NULL DEFAULT '';

CREATE TABLE outcomes (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    stop_id TEXT NOT NULL REFERENCES stops (id),
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- One outcome of a kind per attendee: an import run twice counts nobody twice.
    UNIQUE (registration_id, kind)
);
CREATE INDEX outcomes_stop_kind ON outcomes (stop_id, kind);

-- The dashboards count per stop; these let both backends answer from indexes alone, without
-- reading a registration's row (see src/analytics/figures.rs).
CREATE INDEX check_ins_stop_registration ON check_ins (stop_id, checkpoint_id, registration_id, scanned_at);
CREATE INDEX feedback_stop_scores ON feedback (stop_id, nps, overall, trainers, content);
CREATE INDEX registrations_analytics ON registrations (stop_id, status, source, company_size, partner_type, created_at);
