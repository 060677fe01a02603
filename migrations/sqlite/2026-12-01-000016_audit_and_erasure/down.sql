DROP TABLE change_versions;
ALTER TABLE stops DROP COLUMN attendees_pseudonymised_at;
DROP TABLE audit_log;
