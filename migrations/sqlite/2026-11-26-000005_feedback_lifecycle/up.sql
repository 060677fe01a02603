-- Feedback after the day: sent once per stop when it ends, one reminder, an unsubscribe link.
ALTER TABLE stops ADD COLUMN feedback_requested_at TIMESTAMP;
ALTER TABLE feedback_requests ADD COLUMN reminded_at TIMESTAMP;
ALTER TABLE feedback_requests ADD COLUMN unsubscribed_at TIMESTAMP;
