-- A tour is a draft until it is published: its pages and its registration stay closed to the
-- public while the admin sets it up. Tours that exist already were public: they stay so.
ALTER TABLE tours ADD COLUMN published_at TIMESTAMP;
UPDATE tours SET published_at = created_at;
