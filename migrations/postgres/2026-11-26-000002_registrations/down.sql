DROP TABLE badge_keys;
DROP TABLE outbox;
DROP TABLE enrolments;
DROP TABLE registrations;
ALTER TABLE workshops DROP COLUMN seats_taken;
ALTER TABLE stops DROP COLUMN seats_taken;
