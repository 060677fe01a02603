-- Every check-in writes an entry into each index of check_ins, in the door writer's transaction
-- that a group of scans waits on. check_ins_stop_registration (stop_id, checkpoint_id,
-- registration_id, scanned_at; 2026-11-26-000008) let the dashboards count from the index
-- alone; they read counters now (2026-11-30-000011 and later). Its entries are ordered by
-- registration id, random at the door, so each check-in wrote one more page of it, scattered.
-- check_ins_stop (stop_id, checkpoint_id) answers the same look-ups by stop and checkpoint, and
-- a new check-in's entry goes at the end of its checkpoint's range.
DROP INDEX check_ins_stop_registration;
