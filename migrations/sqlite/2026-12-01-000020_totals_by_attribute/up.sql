-- The totals also by company size alone and by kind of partner alone: a dashboard filtered on
-- one of them read a quarter of the counters and grouped them; it now reads as many rows as
-- the unfiltered one. Each counter feeds three totals: every attendee ('*', '*'), its company
-- size (size, '*') and its kind of partner ('*', kind). '*' is no attendee's size or kind
-- (both come from fixed lists). Filtered on both, a dashboard reads the counters themselves.
-- The key leads with the two attributes, so that one filter's totals lie together. The
-- PostgreSQL migration says the same in its dialect.
DROP TRIGGER analytics_total_added;
DROP TRIGGER analytics_total_changed;
DROP TRIGGER analytics_total_removed;
DROP TRIGGER analytics_totals_stop_removed;
DROP TABLE analytics_totals;

CREATE TABLE analytics_totals (
    company_size TEXT NOT NULL,
    partner_type TEXT NOT NULL,
    stop_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (company_size, partner_type, stop_id, metric, subject)
) WITHOUT ROWID;

-- A counter added or changed adds its difference to its three totals (an upsert's DO UPDATE
-- fires the UPDATE trigger); one removed takes its value away (a plain UPDATE: its stop's
-- totals may be gone already, see below).
CREATE TRIGGER analytics_total_added AFTER INSERT ON analytics_counts
WHEN NEW.metric NOT IN ('registered_at', 'arrival')
BEGIN
    INSERT INTO analytics_totals (company_size, partner_type, stop_id, metric, subject, n)
    VALUES ('*', '*', NEW.stop_id, NEW.metric, NEW.subject, NEW.n),
           (NEW.company_size, '*', NEW.stop_id, NEW.metric, NEW.subject, NEW.n),
           ('*', NEW.partner_type, NEW.stop_id, NEW.metric, NEW.subject, NEW.n)
    ON CONFLICT (company_size, partner_type, stop_id, metric, subject)
    DO UPDATE SET n = analytics_totals.n + excluded.n;
END;

CREATE TRIGGER analytics_total_changed AFTER UPDATE OF n ON analytics_counts
WHEN NEW.metric NOT IN ('registered_at', 'arrival') AND OLD.n IS NOT NEW.n
BEGIN
    INSERT INTO analytics_totals (company_size, partner_type, stop_id, metric, subject, n)
    VALUES ('*', '*', NEW.stop_id, NEW.metric, NEW.subject, NEW.n - OLD.n),
           (NEW.company_size, '*', NEW.stop_id, NEW.metric, NEW.subject, NEW.n - OLD.n),
           ('*', NEW.partner_type, NEW.stop_id, NEW.metric, NEW.subject, NEW.n - OLD.n)
    ON CONFLICT (company_size, partner_type, stop_id, metric, subject)
    DO UPDATE SET n = analytics_totals.n + excluded.n;
END;

CREATE TRIGGER analytics_total_removed AFTER DELETE ON analytics_counts
WHEN OLD.metric NOT IN ('registered_at', 'arrival')
BEGIN
    UPDATE analytics_totals SET n = n - OLD.n
     WHERE stop_id = OLD.stop_id AND metric = OLD.metric AND subject = OLD.subject
       AND ((company_size = '*' AND partner_type = '*')
            OR (company_size = OLD.company_size AND partner_type = '*')
            OR (company_size = '*' AND partner_type = OLD.partner_type));
END;

CREATE TRIGGER analytics_totals_stop_removed AFTER DELETE ON stops
BEGIN
    DELETE FROM analytics_totals WHERE stop_id = OLD.id;
END;

-- The counters already there.
INSERT INTO analytics_totals (company_size, partner_type, stop_id, metric, subject, n)
SELECT '*', '*', stop_id, metric, subject, SUM(n) FROM analytics_counts
 WHERE metric NOT IN ('registered_at', 'arrival')
 GROUP BY stop_id, metric, subject
UNION ALL
SELECT company_size, '*', stop_id, metric, subject, SUM(n) FROM analytics_counts
 WHERE metric NOT IN ('registered_at', 'arrival')
 GROUP BY company_size, stop_id, metric, subject
UNION ALL
SELECT '*', partner_type, stop_id, metric, subject, SUM(n) FROM analytics_counts
 WHERE metric NOT IN ('registered_at', 'arrival')
 GROUP BY partner_type, stop_id, metric, subject;
