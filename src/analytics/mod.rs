//! Attendance analytics and outcomes for marketing (to come).
