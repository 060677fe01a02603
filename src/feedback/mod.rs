//! Post-event feedback forms and their requests (to come).
