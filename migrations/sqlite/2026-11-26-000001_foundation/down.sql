DROP TABLE checkpoints;
DROP TABLE workshops;
DROP TABLE stops;
DROP TABLE tour_targets;
DROP TABLE tours;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE users;
