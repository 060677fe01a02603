DROP INDEX registrations_analytics;
DROP INDEX feedback_stop_scores;
DROP INDEX check_ins_stop_registration;
DROP TABLE outcomes;
ALTER TABLE registrations DROP COLUMN partner_type;
ALTER TABLE workshops DROP COLUMN specialist_label;
