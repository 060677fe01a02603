-- The counters summed over every attendee: one row per stop, metric and subject, kept by
-- triggers on `analytics_counts` itself, in the same transaction as the counter. The tour
-- overview without a filter (and a stop's figures) read these, a few hundred rows, instead of
-- grouping the 14,000 counters by company size and kind of partner behind them, which took
-- PostgreSQL 10–15 ms on two cores. A filtered dashboard still sums `analytics_counts`. The
-- counters by quarter hour have no totals: only a stop's detail reads them, by quarter hour.
-- The SQLite migration says the same in its dialect.
CREATE TABLE analytics_totals (
    stop_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (stop_id, metric, subject)
);

-- A counter added or changed adds its difference to its total; one removed takes its value
-- away (a plain UPDATE: its stop's totals may be gone already, see below).
CREATE FUNCTION analytics_total_follow() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE analytics_totals SET n = n - OLD.n
         WHERE stop_id = OLD.stop_id AND metric = OLD.metric AND subject = OLD.subject;
    ELSE
        INSERT INTO analytics_totals AS t (stop_id, metric, subject, n)
        VALUES (NEW.stop_id, NEW.metric, NEW.subject,
                NEW.n - CASE TG_OP WHEN 'UPDATE' THEN OLD.n ELSE 0 END)
        ON CONFLICT (stop_id, metric, subject) DO UPDATE SET n = t.n + excluded.n;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_total_added AFTER INSERT ON analytics_counts
FOR EACH ROW WHEN (NEW.metric NOT IN ('registered_at', 'arrival'))
EXECUTE FUNCTION analytics_total_follow();
CREATE TRIGGER analytics_total_changed AFTER UPDATE OF n ON analytics_counts
FOR EACH ROW WHEN (NEW.metric NOT IN ('registered_at', 'arrival') AND OLD.n IS DISTINCT FROM NEW.n)
EXECUTE FUNCTION analytics_total_follow();
CREATE TRIGGER analytics_total_removed AFTER DELETE ON analytics_counts
FOR EACH ROW WHEN (OLD.metric NOT IN ('registered_at', 'arrival'))
EXECUTE FUNCTION analytics_total_follow();

CREATE FUNCTION analytics_totals_stop_removed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM analytics_totals WHERE stop_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER analytics_totals_stop_removed AFTER DELETE ON stops
FOR EACH ROW EXECUTE FUNCTION analytics_totals_stop_removed();

-- The counters already there.
INSERT INTO analytics_totals (stop_id, metric, subject, n)
SELECT stop_id, metric, subject, SUM(n) FROM analytics_counts
 WHERE metric NOT IN ('registered_at', 'arrival')
 GROUP BY stop_id, metric, subject;
