CREATE INDEX check_ins_stop_registration ON check_ins (stop_id, checkpoint_id, registration_id, scanned_at);
