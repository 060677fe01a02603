-- Analytics counters: every figure of the dashboards as a sum kept current by triggers in the
-- transaction that changes a row, so that reading a tour's figures costs the same at 2,000
-- and at 2,000,000 registrations (see src/analytics/counters.rs). Each counter is one metric
-- of one stop, about one subject, for the attendees of one company size and kind of partner
-- (the dashboard's filters sum over the other two):
--
--   registration   status/source            registrations (all statuses)
--   registered_at  UTC quarter hour         registrations by when they were made
--   check_in       checkpoint id            check-ins
--   arrival        UTC quarter hour         check-ins at an entrance, by scan time
--   workshop_goer  ''                       attendees checked in at one workshop or more
--   label_goer     ''                       … at a specialist-label workshop
--   enrolment      workshop id/status       workshop enrolments
--   answer         ''                       feedback answers
--   rating_overall, rating_trainers, rating_content  ''  sums of those ratings
--   nps            score 0–10               answers that gave that score
--   complaint      theme/status             complaints ('' size and type without attendee)
--   outcome        kind                     follow-up outcomes
--
-- `analytics_recount` says the same from the rows; `roadshow analytics rebuild` copies it into
-- the counters, and the tests compare the two after a random mix of everything that writes.
-- Quarter hours are 'YYYY-MM-DD HH:MM' in UTC: a stop's local quarter hours and days are drawn
-- from them in Rust (every time zone's offset is a whole number of quarter hours). The SQLite
-- migration says the same with triggers of its own dialect.
CREATE TABLE analytics_counts (
    stop_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    company_size TEXT NOT NULL,
    partner_type TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (stop_id, metric, subject, company_size, partner_type)
);

CREATE FUNCTION analytics_quarter(t TIMESTAMP) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(date_trunc('hour', t) + floor(extract(minute FROM t) / 15) * INTERVAL '15 minutes',
                   'YYYY-MM-DD HH24:MI')
$$;

-- The triggers look up an attendee's other check-ins (are they still a workshop-goer?), and a
-- cancellation removes them: by registration, which no index of check_ins led with.
CREATE INDEX check_ins_registration ON check_ins (registration_id);

-- The checkpoints whose check-ins make someone a workshop-goer or a label-goer.
CREATE VIEW analytics_goer_checkpoints AS
SELECT id AS checkpoint_id, 'workshop_goer'::TEXT AS metric FROM checkpoints WHERE kind = 'workshop'
UNION ALL
SELECT p.id, 'label_goer'
  FROM checkpoints p JOIN workshops w ON w.id = p.workshop_id
 WHERE w.specialist_label;

CREATE VIEW analytics_recount AS
SELECT stop_id, 'registration'::TEXT AS metric, status || '/' || source AS subject,
       company_size, partner_type, COUNT(*) AS n
  FROM registrations GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT stop_id, 'registered_at', analytics_quarter(created_at), company_size, partner_type, COUNT(*)
  FROM registrations GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT c.stop_id, 'check_in', c.checkpoint_id, r.company_size, r.partner_type, COUNT(*)
  FROM check_ins c JOIN registrations r ON r.id = c.registration_id GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT c.stop_id, 'arrival', analytics_quarter(c.scanned_at), r.company_size, r.partner_type, COUNT(*)
  FROM check_ins c
  JOIN checkpoints p ON p.id = c.checkpoint_id
  JOIN registrations r ON r.id = c.registration_id
 WHERE p.kind = 'entrance' GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT c.stop_id, g.metric, '', r.company_size, r.partner_type, COUNT(DISTINCT c.registration_id)
  FROM check_ins c
  JOIN analytics_goer_checkpoints g ON g.checkpoint_id = c.checkpoint_id
  JOIN registrations r ON r.id = c.registration_id
 GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT r.stop_id, 'enrolment', e.workshop_id || '/' || e.status, r.company_size, r.partner_type, COUNT(*)
  FROM enrolments e JOIN registrations r ON r.id = e.registration_id GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT f.stop_id, m.metric, '', r.company_size, r.partner_type, SUM(
           CASE m.metric WHEN 'answer' THEN 1 WHEN 'rating_overall' THEN f.overall
                         WHEN 'rating_trainers' THEN f.trainers ELSE f.content END)
  FROM feedback f
  JOIN registrations r ON r.id = f.registration_id
  CROSS JOIN (VALUES ('answer'), ('rating_overall'), ('rating_trainers'), ('rating_content')) m (metric)
 GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT f.stop_id, 'nps', f.nps::TEXT, r.company_size, r.partner_type, COUNT(*)
  FROM feedback f JOIN registrations r ON r.id = f.registration_id GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT k.stop_id, 'complaint', k.theme || '/' || k.status,
       COALESCE(r.company_size, ''), COALESCE(r.partner_type, ''), COUNT(*)
  FROM complaints k LEFT JOIN registrations r ON r.id = k.registration_id GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT o.stop_id, 'outcome', o.kind, r.company_size, r.partner_type, COUNT(*)
  FROM outcomes o JOIN registrations r ON r.id = o.registration_id GROUP BY 1, 2, 3, 4, 5;

-- Adds `delta` to one counter. The functions are PL/pgSQL so that their statements' plans are
-- kept for the session: a trigger runs at every scan.
CREATE FUNCTION analytics_bump(stop TEXT, what TEXT, about TEXT, size TEXT, partner TEXT, delta BIGINT)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analytics_counts AS c (stop_id, metric, subject, company_size, partner_type, n)
    VALUES (stop, what, about, size, partner, delta)
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = c.n + excluded.n;
END $$;

-- The counters of one row of each table, added (delta 1) or taken away (delta -1). The
-- attendee's company size and kind of partner come from their registration ('' for a
-- complaint without attendee); a row whose registration is gone counts nothing.

CREATE FUNCTION analytics_count_registration(it registrations, delta BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM analytics_bump(it.stop_id, 'registration', it.status || '/' || it.source,
                           it.company_size, it.partner_type, delta);
    PERFORM analytics_bump(it.stop_id, 'registered_at', analytics_quarter(it.created_at),
                           it.company_size, it.partner_type, delta);
END $$;

CREATE FUNCTION analytics_count_check_in(it check_ins, delta BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    size TEXT;
    partner TEXT;
    room_kind TEXT;
    label BOOLEAN;
BEGIN
    SELECT company_size, partner_type INTO size, partner FROM registrations WHERE id = it.registration_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM analytics_bump(it.stop_id, 'check_in', it.checkpoint_id, size, partner, delta);
    SELECT p.kind, COALESCE(w.specialist_label, FALSE) INTO room_kind, label
      FROM checkpoints p LEFT JOIN workshops w ON w.id = p.workshop_id
     WHERE p.id = it.checkpoint_id;
    IF room_kind = 'entrance' THEN
        PERFORM analytics_bump(it.stop_id, 'arrival', analytics_quarter(it.scanned_at), size, partner, delta);
    END IF;
    -- Someone is a workshop-goer from their first workshop check-in to their last (the same
    -- checkpoints as the view analytics_goer_checkpoints).
    IF room_kind = 'workshop' AND NOT EXISTS (
        SELECT 1 FROM check_ins o JOIN checkpoints op ON op.id = o.checkpoint_id
         WHERE o.registration_id = it.registration_id AND o.checkpoint_id <> it.checkpoint_id
           AND op.kind = 'workshop') THEN
        PERFORM analytics_bump(it.stop_id, 'workshop_goer', '', size, partner, delta);
    END IF;
    IF label AND NOT EXISTS (
        SELECT 1 FROM check_ins o
          JOIN checkpoints op ON op.id = o.checkpoint_id
          JOIN workshops ow ON ow.id = op.workshop_id
         WHERE o.registration_id = it.registration_id AND o.checkpoint_id <> it.checkpoint_id
           AND ow.specialist_label) THEN
        PERFORM analytics_bump(it.stop_id, 'label_goer', '', size, partner, delta);
    END IF;
END $$;

CREATE FUNCTION analytics_count_enrolment(it enrolments, delta BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    r registrations;
BEGIN
    SELECT * INTO r FROM registrations WHERE id = it.registration_id;
    IF FOUND THEN
        PERFORM analytics_bump(r.stop_id, 'enrolment', it.workshop_id || '/' || it.status,
                               r.company_size, r.partner_type, delta);
    END IF;
END $$;

CREATE FUNCTION analytics_count_feedback(it feedback, delta BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    size TEXT;
    partner TEXT;
BEGIN
    SELECT company_size, partner_type INTO size, partner FROM registrations WHERE id = it.registration_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM analytics_bump(it.stop_id, 'answer', '', size, partner, delta);
    PERFORM analytics_bump(it.stop_id, 'rating_overall', '', size, partner, delta * it.overall);
    PERFORM analytics_bump(it.stop_id, 'rating_trainers', '', size, partner, delta * it.trainers);
    PERFORM analytics_bump(it.stop_id, 'rating_content', '', size, partner, delta * it.content);
    PERFORM analytics_bump(it.stop_id, 'nps', it.nps::TEXT, size, partner, delta);
END $$;

CREATE FUNCTION analytics_count_complaint(it complaints, delta BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    size TEXT := '';
    partner TEXT := '';
BEGIN
    IF it.registration_id IS NOT NULL THEN
        SELECT company_size, partner_type INTO size, partner FROM registrations WHERE id = it.registration_id;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    PERFORM analytics_bump(it.stop_id, 'complaint', it.theme || '/' || it.status, size, partner, delta);
END $$;

CREATE FUNCTION analytics_count_outcome(it outcomes, delta BIGINT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    size TEXT;
    partner TEXT;
BEGIN
    SELECT company_size, partner_type INTO size, partner FROM registrations WHERE id = it.registration_id;
    IF FOUND THEN
        PERFORM analytics_bump(it.stop_id, 'outcome', it.kind, size, partner, delta);
    END IF;
END $$;

-- The triggers of the six tables: the old row's counters go, the new row's come.
CREATE FUNCTION analytics_registrations_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    -- A new status or source moves one counter (the date stays).
    IF TG_OP = 'UPDATE' THEN
        PERFORM analytics_bump(OLD.stop_id, 'registration', OLD.status || '/' || OLD.source,
                               OLD.company_size, OLD.partner_type, -1);
        PERFORM analytics_bump(NEW.stop_id, 'registration', NEW.status || '/' || NEW.source,
                               NEW.company_size, NEW.partner_type, 1);
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM analytics_count_registration(OLD, -1); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM analytics_count_registration(NEW, 1); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_counts AFTER INSERT OR DELETE OR UPDATE OF status, source ON registrations
FOR EACH ROW EXECUTE FUNCTION analytics_registrations_changed();

CREATE FUNCTION analytics_check_ins_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM analytics_count_check_in(OLD, -1); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM analytics_count_check_in(NEW, 1); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_counts AFTER INSERT OR DELETE OR UPDATE OF scanned_at ON check_ins
FOR EACH ROW EXECUTE FUNCTION analytics_check_ins_changed();

CREATE FUNCTION analytics_enrolments_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM analytics_count_enrolment(OLD, -1); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM analytics_count_enrolment(NEW, 1); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_counts AFTER INSERT OR DELETE OR UPDATE OF status, workshop_id, registration_id ON enrolments
FOR EACH ROW EXECUTE FUNCTION analytics_enrolments_changed();

CREATE FUNCTION analytics_feedback_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM analytics_count_feedback(OLD, -1); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM analytics_count_feedback(NEW, 1); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_counts AFTER INSERT OR DELETE OR UPDATE OF overall, trainers, content, nps, stop_id, registration_id ON feedback
FOR EACH ROW EXECUTE FUNCTION analytics_feedback_changed();

CREATE FUNCTION analytics_complaints_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM analytics_count_complaint(OLD, -1); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM analytics_count_complaint(NEW, 1); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_counts AFTER INSERT OR DELETE OR UPDATE OF theme, status, stop_id, registration_id ON complaints
FOR EACH ROW EXECUTE FUNCTION analytics_complaints_changed();

CREATE FUNCTION analytics_outcomes_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM analytics_count_outcome(OLD, -1); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM analytics_count_outcome(NEW, 1); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_counts AFTER INSERT OR DELETE OR UPDATE OF kind, stop_id, registration_id ON outcomes
FOR EACH ROW EXECUTE FUNCTION analytics_outcomes_changed();

-- A registration's stop, company size, kind of partner and date are those of all its rows'
-- counters, and a check-in is removed and made again rather than moved: changing those would
-- leave counters behind, so it is refused.
CREATE FUNCTION analytics_refuse_change() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% cannot change % (analytics counters)', TG_TABLE_NAME, TG_ARGV[0];
END $$;

CREATE TRIGGER analytics_fixed BEFORE UPDATE OF stop_id, company_size, partner_type, created_at ON registrations
FOR EACH ROW
WHEN (OLD.stop_id IS DISTINCT FROM NEW.stop_id OR OLD.company_size IS DISTINCT FROM NEW.company_size
      OR OLD.partner_type IS DISTINCT FROM NEW.partner_type OR OLD.created_at IS DISTINCT FROM NEW.created_at)
EXECUTE FUNCTION analytics_refuse_change('its stop, company size, kind of partner or date');
CREATE TRIGGER analytics_fixed BEFORE UPDATE OF checkpoint_id, registration_id, stop_id ON check_ins
FOR EACH ROW
WHEN (OLD.checkpoint_id IS DISTINCT FROM NEW.checkpoint_id OR OLD.registration_id IS DISTINCT FROM NEW.registration_id
      OR OLD.stop_id IS DISTINCT FROM NEW.stop_id)
EXECUTE FUNCTION analytics_refuse_change('its checkpoint, attendee or stop');

-- A registration's rows go first, while it still tells their counters' size and type (the
-- foreign keys would remove them after it).
CREATE FUNCTION analytics_registration_removing() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM check_ins WHERE registration_id = OLD.id;
    DELETE FROM enrolments WHERE registration_id = OLD.id;
    DELETE FROM feedback WHERE registration_id = OLD.id;
    DELETE FROM outcomes WHERE registration_id = OLD.id;
    UPDATE complaints SET registration_id = NULL WHERE registration_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER analytics_removing BEFORE DELETE ON registrations
FOR EACH ROW EXECUTE FUNCTION analytics_registration_removing();

-- What makes a label-goer changed: the stop's label-goers are counted again.
CREATE FUNCTION analytics_label_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM analytics_counts WHERE stop_id = NEW.stop_id AND metric = 'label_goer';
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT stop_id, metric, subject, company_size, partner_type, n
      FROM analytics_recount WHERE stop_id = NEW.stop_id AND metric = 'label_goer';
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_label_changed AFTER UPDATE OF specialist_label ON workshops
FOR EACH ROW WHEN (OLD.specialist_label IS DISTINCT FROM NEW.specialist_label)
EXECUTE FUNCTION analytics_label_changed();

CREATE FUNCTION analytics_stop_removed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM analytics_counts WHERE stop_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_stop_removed AFTER DELETE ON stops
FOR EACH ROW EXECUTE FUNCTION analytics_stop_removed();

-- The rows already there.
INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
SELECT stop_id, metric, subject, company_size, partner_type, n FROM analytics_recount WHERE n <> 0;
