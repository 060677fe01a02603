-- Check-ins of one stop are written by one transaction at a time, across processes.
--
-- Each check-in written or removed adds to the stop's counters and their totals (triggers of
-- 2026-11-30-000011 and later), row by row. A group of scans (the door's group commit, a synced
-- batch) writes several check-ins in one transaction, and so locks several counters one after
-- the other. Two processes writing groups of the same stop could lock the same counters in
-- opposite orders and deadlock; PostgreSQL then breaks the tie after a second and fails one
-- group, whose scans are decided again one by one. Within one process the door has a single
-- writer; across processes this lock, taken before a check-in's row is written and so before
-- any of its counters, makes the transactions of a stop take their turns instead.
--
-- A transaction-level advisory lock: held until commit or rollback, taken again for free by
-- the same transaction, never written to disk. Its key is a 64-bit hash of the stop's id.
CREATE FUNCTION check_ins_in_turn() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('check_ins ' || OLD.stop_id, 0));
        RETURN OLD;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('check_ins ' || NEW.stop_id, 0));
    RETURN NEW;
END $$;

CREATE TRIGGER check_ins_in_turn BEFORE INSERT OR UPDATE OR DELETE ON check_ins
FOR EACH ROW EXECUTE FUNCTION check_ins_in_turn();
