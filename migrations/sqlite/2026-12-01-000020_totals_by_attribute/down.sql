DROP TRIGGER analytics_total_added;
DROP TRIGGER analytics_total_changed;
DROP TRIGGER analytics_total_removed;
DROP TRIGGER analytics_totals_stop_removed;
DROP TABLE analytics_totals;
CREATE TABLE analytics_totals (
    stop_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (stop_id, metric, subject)
) WITHOUT ROWID;

-- A counter added or changed adds its difference to its total (an upsert's DO UPDATE fires
-- the UPDATE trigger); one removed takes its value away (a plain UPDATE: its stop's totals may
-- be gone already, see below).
CREATE TRIGGER analytics_total_added AFTER INSERT ON analytics_counts
WHEN NEW.metric NOT IN ('registered_at', 'arrival')
BEGIN
    INSERT INTO analytics_totals (stop_id, metric, subject, n)
    VALUES (NEW.stop_id, NEW.metric, NEW.subject, NEW.n)
    ON CONFLICT (stop_id, metric, subject) DO UPDATE SET n = analytics_totals.n + excluded.n;
END;

CREATE TRIGGER analytics_total_changed AFTER UPDATE OF n ON analytics_counts
WHEN NEW.metric NOT IN ('registered_at', 'arrival') AND OLD.n IS NOT NEW.n
BEGIN
    INSERT INTO analytics_totals (stop_id, metric, subject, n)
    VALUES (NEW.stop_id, NEW.metric, NEW.subject, NEW.n - OLD.n)
    ON CONFLICT (stop_id, metric, subject) DO UPDATE SET n = analytics_totals.n + excluded.n;
END;

CREATE TRIGGER analytics_total_removed AFTER DELETE ON analytics_counts
WHEN OLD.metric NOT IN ('registered_at', 'arrival')
BEGIN
    UPDATE analytics_totals SET n = n - OLD.n
     WHERE stop_id = OLD.stop_id AND metric = OLD.metric AND subject = OLD.subject;
END;

CREATE TRIGGER analytics_totals_stop_removed AFTER DELETE ON stops
BEGIN
    DELETE FROM analytics_totals WHERE stop_id = OLD.id;
END;

-- The counters already there.
INSERT INTO analytics_totals (stop_id, metric, subject, n)
SELECT stop_id, metric, subject, SUM(n) FROM analytics_counts
 WHERE metric NOT IN ('registered_at', 'arrival')
 GROUP BY stop_id, metric, subject;
