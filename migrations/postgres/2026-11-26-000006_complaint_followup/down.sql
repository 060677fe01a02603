ALTER TABLE complaints DROP COLUMN notify_reseller;
ALTER TABLE complaints DROP COLUMN due_on;
