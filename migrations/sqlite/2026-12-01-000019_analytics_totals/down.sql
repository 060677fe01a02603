DROP TRIGGER analytics_totals_stop_removed;
DROP TRIGGER analytics_total_removed;
DROP TRIGGER analytics_total_changed;
DROP TRIGGER analytics_total_added;
DROP TABLE analytics_totals;
