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
-- from them in Rust (every time zone's offset is a whole number of quarter hours).
CREATE TABLE analytics_counts (
    stop_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    company_size TEXT NOT NULL,
    partner_type TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (stop_id, metric, subject, company_size, partner_type)
) WITHOUT ROWID;

-- The triggers look up an attendee's other check-ins (are they still a workshop-goer?), and a
-- cancellation removes them: by registration, which no index of check_ins led with.
CREATE INDEX check_ins_registration ON check_ins (registration_id);

-- The checkpoints whose check-ins make someone a workshop-goer or a label-goer.
CREATE VIEW analytics_goer_checkpoints AS
SELECT id AS checkpoint_id, 'workshop_goer' AS metric FROM checkpoints WHERE kind = 'workshop'
UNION ALL
SELECT p.id, 'label_goer'
  FROM checkpoints p JOIN workshops w ON w.id = p.workshop_id
 WHERE w.specialist_label;

CREATE VIEW analytics_recount AS
SELECT stop_id, 'registration' AS metric, status || '/' || source AS subject,
       company_size, partner_type, COUNT(*) AS n
  FROM registrations GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT stop_id, 'registered_at',
       substr(created_at, 1, 14) || printf('%02d', CAST(substr(created_at, 15, 2) AS INTEGER) / 15 * 15),
       company_size, partner_type, COUNT(*)
  FROM registrations GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT c.stop_id, 'check_in', c.checkpoint_id, r.company_size, r.partner_type, COUNT(*)
  FROM check_ins c JOIN registrations r ON r.id = c.registration_id GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT c.stop_id, 'arrival',
       substr(c.scanned_at, 1, 14) || printf('%02d', CAST(substr(c.scanned_at, 15, 2) AS INTEGER) / 15 * 15),
       r.company_size, r.partner_type, COUNT(*)
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
  CROSS JOIN (SELECT 'answer' AS metric UNION ALL SELECT 'rating_overall'
              UNION ALL SELECT 'rating_trainers' UNION ALL SELECT 'rating_content') m
 GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT f.stop_id, 'nps', CAST(f.nps AS TEXT), r.company_size, r.partner_type, COUNT(*)
  FROM feedback f JOIN registrations r ON r.id = f.registration_id GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT k.stop_id, 'complaint', k.theme || '/' || k.status,
       COALESCE(r.company_size, ''), COALESCE(r.partner_type, ''), COUNT(*)
  FROM complaints k LEFT JOIN registrations r ON r.id = k.registration_id GROUP BY 1, 2, 3, 4, 5
UNION ALL
SELECT o.stop_id, 'outcome', o.kind, r.company_size, r.partner_type, COUNT(*)
  FROM outcomes o JOIN registrations r ON r.id = o.registration_id GROUP BY 1, 2, 3, 4, 5;

-- ---- registrations ----

-- A registration's company size, kind of partner, stop and date are those of all its rows'
-- counters: changing them would leave those counters behind, so it is refused.
CREATE TRIGGER analytics_registration_fixed BEFORE UPDATE OF stop_id, company_size, partner_type, created_at ON registrations
WHEN OLD.stop_id IS NOT NEW.stop_id OR OLD.company_size IS NOT NEW.company_size
  OR OLD.partner_type IS NOT NEW.partner_type OR OLD.created_at IS NOT NEW.created_at
BEGIN
    SELECT RAISE(ABORT, 'a registration''s stop, company size, kind of partner and date are fixed (analytics counters)');
END;

-- Its rows go first, while the registration still tells their counters' size and type (the
-- foreign keys would remove them after it).
CREATE TRIGGER analytics_registration_removing BEFORE DELETE ON registrations
BEGIN
    DELETE FROM check_ins WHERE registration_id = OLD.id;
    DELETE FROM enrolments WHERE registration_id = OLD.id;
    DELETE FROM feedback WHERE registration_id = OLD.id;
    DELETE FROM outcomes WHERE registration_id = OLD.id;
    UPDATE complaints SET registration_id = NULL WHERE registration_id = OLD.id;
END;

CREATE TRIGGER analytics_registration_added AFTER INSERT ON registrations
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    VALUES (NEW.stop_id, 'registration', NEW.status || '/' || NEW.source, NEW.company_size, NEW.partner_type, 1),
           (NEW.stop_id, 'registered_at',
            substr(NEW.created_at, 1, 14) || printf('%02d', CAST(substr(NEW.created_at, 15, 2) AS INTEGER) / 15 * 15),
            NEW.company_size, NEW.partner_type, 1)
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_registration_removed AFTER DELETE ON registrations
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    VALUES (OLD.stop_id, 'registration', OLD.status || '/' || OLD.source, OLD.company_size, OLD.partner_type, -1),
           (OLD.stop_id, 'registered_at',
            substr(OLD.created_at, 1, 14) || printf('%02d', CAST(substr(OLD.created_at, 15, 2) AS INTEGER) / 15 * 15),
            OLD.company_size, OLD.partner_type, -1)
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_registration_changed AFTER UPDATE OF status, source ON registrations
WHEN OLD.status IS NOT NEW.status OR OLD.source IS NOT NEW.source
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    VALUES (OLD.stop_id, 'registration', OLD.status || '/' || OLD.source, OLD.company_size, OLD.partner_type, -1)
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    VALUES (NEW.stop_id, 'registration', NEW.status || '/' || NEW.source, NEW.company_size, NEW.partner_type, 1)
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

-- ---- check-ins ----

CREATE TRIGGER analytics_check_in_added AFTER INSERT ON check_ins
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT NEW.stop_id, 'check_in', NEW.checkpoint_id, r.company_size, r.partner_type, 1
      FROM registrations r WHERE r.id = NEW.registration_id
    UNION ALL
    SELECT NEW.stop_id, 'arrival',
           substr(NEW.scanned_at, 1, 14) || printf('%02d', CAST(substr(NEW.scanned_at, 15, 2) AS INTEGER) / 15 * 15),
           r.company_size, r.partner_type, 1
      FROM registrations r, checkpoints p
     WHERE r.id = NEW.registration_id AND p.id = NEW.checkpoint_id AND p.kind = 'entrance'
    UNION ALL
    -- Someone is a workshop-goer from their first workshop check-in on.
    -- (The checkpoints of the view analytics_goer_checkpoints, spelt out for the indexes.)
    SELECT NEW.stop_id, 'workshop_goer', '', r.company_size, r.partner_type, 1
      FROM registrations r, checkpoints p
     WHERE r.id = NEW.registration_id AND p.id = NEW.checkpoint_id AND p.kind = 'workshop'
       AND NOT EXISTS (SELECT 1 FROM check_ins o JOIN checkpoints op ON op.id = o.checkpoint_id
                        WHERE o.registration_id = NEW.registration_id AND o.checkpoint_id <> NEW.checkpoint_id
                          AND op.kind = 'workshop')
    UNION ALL
    SELECT NEW.stop_id, 'label_goer', '', r.company_size, r.partner_type, 1
      FROM registrations r, checkpoints p, workshops w
     WHERE r.id = NEW.registration_id AND p.id = NEW.checkpoint_id AND w.id = p.workshop_id
       AND w.specialist_label
       AND NOT EXISTS (SELECT 1 FROM check_ins o
                         JOIN checkpoints op ON op.id = o.checkpoint_id
                         JOIN workshops ow ON ow.id = op.workshop_id
                        WHERE o.registration_id = NEW.registration_id AND o.checkpoint_id <> NEW.checkpoint_id
                          AND ow.specialist_label)
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_check_in_removed AFTER DELETE ON check_ins
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT OLD.stop_id, 'check_in', OLD.checkpoint_id, r.company_size, r.partner_type, -1
      FROM registrations r WHERE r.id = OLD.registration_id
    UNION ALL
    SELECT OLD.stop_id, 'arrival',
           substr(OLD.scanned_at, 1, 14) || printf('%02d', CAST(substr(OLD.scanned_at, 15, 2) AS INTEGER) / 15 * 15),
           r.company_size, r.partner_type, -1
      FROM registrations r, checkpoints p
     WHERE r.id = OLD.registration_id AND p.id = OLD.checkpoint_id AND p.kind = 'entrance'
    UNION ALL
    -- … until their last one is gone.
    -- (The checkpoints of the view analytics_goer_checkpoints, spelt out for the indexes.)
    SELECT OLD.stop_id, 'workshop_goer', '', r.company_size, r.partner_type, -1
      FROM registrations r, checkpoints p
     WHERE r.id = OLD.registration_id AND p.id = OLD.checkpoint_id AND p.kind = 'workshop'
       AND NOT EXISTS (SELECT 1 FROM check_ins o JOIN checkpoints op ON op.id = o.checkpoint_id
                        WHERE o.registration_id = OLD.registration_id AND o.checkpoint_id <> OLD.checkpoint_id
                          AND op.kind = 'workshop')
    UNION ALL
    SELECT OLD.stop_id, 'label_goer', '', r.company_size, r.partner_type, -1
      FROM registrations r, checkpoints p, workshops w
     WHERE r.id = OLD.registration_id AND p.id = OLD.checkpoint_id AND w.id = p.workshop_id
       AND w.specialist_label
       AND NOT EXISTS (SELECT 1 FROM check_ins o
                         JOIN checkpoints op ON op.id = o.checkpoint_id
                         JOIN workshops ow ON ow.id = op.workshop_id
                        WHERE o.registration_id = OLD.registration_id AND o.checkpoint_id <> OLD.checkpoint_id
                          AND ow.specialist_label)
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

-- An earlier scan arriving late (offline scanners) moves the arrival to its quarter hour.
CREATE TRIGGER analytics_check_in_rescanned AFTER UPDATE OF scanned_at ON check_ins
WHEN OLD.scanned_at IS NOT NEW.scanned_at
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT OLD.stop_id, 'arrival',
           substr(OLD.scanned_at, 1, 14) || printf('%02d', CAST(substr(OLD.scanned_at, 15, 2) AS INTEGER) / 15 * 15),
           r.company_size, r.partner_type, -1
      FROM registrations r, checkpoints p
     WHERE r.id = OLD.registration_id AND p.id = OLD.checkpoint_id AND p.kind = 'entrance'
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT NEW.stop_id, 'arrival',
           substr(NEW.scanned_at, 1, 14) || printf('%02d', CAST(substr(NEW.scanned_at, 15, 2) AS INTEGER) / 15 * 15),
           r.company_size, r.partner_type, 1
      FROM registrations r, checkpoints p
     WHERE r.id = NEW.registration_id AND p.id = NEW.checkpoint_id AND p.kind = 'entrance'
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_check_in_moved BEFORE UPDATE OF checkpoint_id, registration_id, stop_id ON check_ins
WHEN OLD.checkpoint_id IS NOT NEW.checkpoint_id OR OLD.registration_id IS NOT NEW.registration_id
  OR OLD.stop_id IS NOT NEW.stop_id
BEGIN
    SELECT RAISE(ABORT, 'a check-in is removed and made again, not moved (analytics counters)');
END;

-- ---- the set-up: what makes a label-goer, removed stops ----

CREATE TRIGGER analytics_label_changed AFTER UPDATE OF specialist_label ON workshops
WHEN OLD.specialist_label IS NOT NEW.specialist_label
BEGIN
    DELETE FROM analytics_counts WHERE stop_id = NEW.stop_id AND metric = 'label_goer';
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT stop_id, metric, subject, company_size, partner_type, n
      FROM analytics_recount WHERE stop_id = NEW.stop_id AND metric = 'label_goer';
END;

CREATE TRIGGER analytics_stop_removed AFTER DELETE ON stops
BEGIN
    DELETE FROM analytics_counts WHERE stop_id = OLD.id;
END;

-- ---- enrolments ----

CREATE TRIGGER analytics_enrolment_added AFTER INSERT ON enrolments
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT r.stop_id, 'enrolment', NEW.workshop_id || '/' || NEW.status, r.company_size, r.partner_type, 1
      FROM registrations r WHERE r.id = NEW.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_enrolment_removed AFTER DELETE ON enrolments
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT r.stop_id, 'enrolment', OLD.workshop_id || '/' || OLD.status, r.company_size, r.partner_type, -1
      FROM registrations r WHERE r.id = OLD.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_enrolment_changed AFTER UPDATE ON enrolments
WHEN OLD.status IS NOT NEW.status OR OLD.workshop_id IS NOT NEW.workshop_id
  OR OLD.registration_id IS NOT NEW.registration_id
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT r.stop_id, 'enrolment', OLD.workshop_id || '/' || OLD.status, r.company_size, r.partner_type, -1
      FROM registrations r WHERE r.id = OLD.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT r.stop_id, 'enrolment', NEW.workshop_id || '/' || NEW.status, r.company_size, r.partner_type, 1
      FROM registrations r WHERE r.id = NEW.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

-- ---- feedback ----

CREATE TRIGGER analytics_feedback_added AFTER INSERT ON feedback
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT NEW.stop_id, m.metric, m.subject, r.company_size, r.partner_type, m.n
      FROM registrations r,
           (SELECT 'answer' AS metric, '' AS subject, 1 AS n
            UNION ALL SELECT 'rating_overall', '', NEW.overall
            UNION ALL SELECT 'rating_trainers', '', NEW.trainers
            UNION ALL SELECT 'rating_content', '', NEW.content
            UNION ALL SELECT 'nps', CAST(NEW.nps AS TEXT), 1) m
     WHERE r.id = NEW.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_feedback_removed AFTER DELETE ON feedback
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT OLD.stop_id, m.metric, m.subject, r.company_size, r.partner_type, -m.n
      FROM registrations r,
           (SELECT 'answer' AS metric, '' AS subject, 1 AS n
            UNION ALL SELECT 'rating_overall', '', OLD.overall
            UNION ALL SELECT 'rating_trainers', '', OLD.trainers
            UNION ALL SELECT 'rating_content', '', OLD.content
            UNION ALL SELECT 'nps', CAST(OLD.nps AS TEXT), 1) m
     WHERE r.id = OLD.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_feedback_changed AFTER UPDATE OF overall, trainers, content, nps, stop_id, registration_id ON feedback
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT OLD.stop_id, m.metric, m.subject, r.company_size, r.partner_type, -m.n
      FROM registrations r,
           (SELECT 'answer' AS metric, '' AS subject, 1 AS n
            UNION ALL SELECT 'rating_overall', '', OLD.overall
            UNION ALL SELECT 'rating_trainers', '', OLD.trainers
            UNION ALL SELECT 'rating_content', '', OLD.content
            UNION ALL SELECT 'nps', CAST(OLD.nps AS TEXT), 1) m
     WHERE r.id = OLD.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT NEW.stop_id, m.metric, m.subject, r.company_size, r.partner_type, m.n
      FROM registrations r,
           (SELECT 'answer' AS metric, '' AS subject, 1 AS n
            UNION ALL SELECT 'rating_overall', '', NEW.overall
            UNION ALL SELECT 'rating_trainers', '', NEW.trainers
            UNION ALL SELECT 'rating_content', '', NEW.content
            UNION ALL SELECT 'nps', CAST(NEW.nps AS TEXT), 1) m
     WHERE r.id = NEW.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

-- ---- complaints ----

CREATE TRIGGER analytics_complaint_added AFTER INSERT ON complaints
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT NEW.stop_id, 'complaint', NEW.theme || '/' || NEW.status,
           COALESCE(r.company_size, ''), COALESCE(r.partner_type, ''), 1
      FROM (SELECT 1) one LEFT JOIN registrations r ON r.id = NEW.registration_id
     WHERE true
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_complaint_removed AFTER DELETE ON complaints
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT OLD.stop_id, 'complaint', OLD.theme || '/' || OLD.status,
           COALESCE(r.company_size, ''), COALESCE(r.partner_type, ''), -1
      FROM (SELECT 1) one LEFT JOIN registrations r ON r.id = OLD.registration_id
     WHERE true
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_complaint_changed AFTER UPDATE OF theme, status, stop_id, registration_id ON complaints
WHEN OLD.theme IS NOT NEW.theme OR OLD.status IS NOT NEW.status OR OLD.stop_id IS NOT NEW.stop_id
  OR OLD.registration_id IS NOT NEW.registration_id
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT OLD.stop_id, 'complaint', OLD.theme || '/' || OLD.status,
           COALESCE(r.company_size, ''), COALESCE(r.partner_type, ''), -1
      FROM (SELECT 1) one LEFT JOIN registrations r ON r.id = OLD.registration_id
     WHERE true
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT NEW.stop_id, 'complaint', NEW.theme || '/' || NEW.status,
           COALESCE(r.company_size, ''), COALESCE(r.partner_type, ''), 1
      FROM (SELECT 1) one LEFT JOIN registrations r ON r.id = NEW.registration_id
     WHERE true
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

-- ---- outcomes ----

CREATE TRIGGER analytics_outcome_added AFTER INSERT ON outcomes
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT NEW.stop_id, 'outcome', NEW.kind, r.company_size, r.partner_type, 1
      FROM registrations r WHERE r.id = NEW.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_outcome_removed AFTER DELETE ON outcomes
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT OLD.stop_id, 'outcome', OLD.kind, r.company_size, r.partner_type, -1
      FROM registrations r WHERE r.id = OLD.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

CREATE TRIGGER analytics_outcome_changed AFTER UPDATE OF kind, stop_id, registration_id ON outcomes
WHEN OLD.kind IS NOT NEW.kind OR OLD.stop_id IS NOT NEW.stop_id OR OLD.registration_id IS NOT NEW.registration_id
BEGIN
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT OLD.stop_id, 'outcome', OLD.kind, r.company_size, r.partner_type, -1
      FROM registrations r WHERE r.id = OLD.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
    INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
    SELECT NEW.stop_id, 'outcome', NEW.kind, r.company_size, r.partner_type, 1
      FROM registrations r WHERE r.id = NEW.registration_id
    ON CONFLICT (stop_id, metric, subject, company_size, partner_type) DO UPDATE SET n = analytics_counts.n + excluded.n;
END;

-- The rows already there.
INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n)
SELECT stop_id, metric, subject, company_size, partner_type, n FROM analytics_recount WHERE n <> 0;
