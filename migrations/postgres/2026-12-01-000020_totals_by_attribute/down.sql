DROP INDEX analytics_counts_summary_by_attribute;
DROP TABLE analytics_totals;
CREATE TABLE analytics_totals (
    stop_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (stop_id, metric, subject)
);

CREATE OR REPLACE FUNCTION analytics_total_follow() RETURNS TRIGGER
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

INSERT INTO analytics_totals (stop_id, metric, subject, n)
SELECT stop_id, metric, subject, SUM(n) FROM analytics_counts
 WHERE metric NOT IN ('registered_at', 'arrival')
 GROUP BY stop_id, metric, subject;
