ALTER TABLE tours DROP COLUMN published_at;
