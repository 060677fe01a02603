ALTER TABLE feedback_requests DROP COLUMN unsubscribed_at;
ALTER TABLE feedback_requests DROP COLUMN reminded_at;
ALTER TABLE stops DROP COLUMN feedback_requested_at;
