DROP TABLE complaint_events;
DROP TABLE complaints;
DROP TABLE feedback;
DROP TABLE feedback_requests;
