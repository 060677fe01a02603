-- A stop's picked quotes and its latest comments are read in order from an index, so that the
-- stop's dashboard costs the same at 2,000 and at 2,000,000 registrations (without them, both
-- read and sorted every answer of the stop: 3 ms each at 3,700 answers, 30 ms at 37,000).
-- `feedback_stop` is the first column of both, so it goes.
CREATE INDEX feedback_stop_quotes ON feedback (stop_id, quote_selected, submitted_at);
CREATE INDEX feedback_stop_submitted ON feedback (stop_id, submitted_at);
DROP INDEX feedback_stop;
