CREATE INDEX feedback_stop ON feedback (stop_id);
DROP INDEX feedback_stop_submitted;
DROP INDEX feedback_stop_quotes;
