//! Attendance analytics and outcomes for marketing: the next area to build.
