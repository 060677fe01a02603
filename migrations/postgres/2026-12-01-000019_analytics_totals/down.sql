DROP TRIGGER analytics_totals_stop_removed ON stops;
DROP FUNCTION analytics_totals_stop_removed();
DROP TRIGGER analytics_total_removed ON analytics_counts;
DROP TRIGGER analytics_total_changed ON analytics_counts;
DROP TRIGGER analytics_total_added ON analytics_counts;
DROP FUNCTION analytics_total_follow();
DROP TABLE analytics_totals;
