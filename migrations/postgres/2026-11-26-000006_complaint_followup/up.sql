-- Promises made about a complaint: a due date, and whether the reseller wants to hear the outcome.
ALTER TABLE complaints ADD COLUMN due_on DATE;
ALTER TABLE complaints ADD COLUMN notify_reseller BOOLEAN NOT NULL DEFAULT FALSE;
