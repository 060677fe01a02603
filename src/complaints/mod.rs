//! Complaints tracked until they are resolved (to come).
