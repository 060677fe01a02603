//! Check-in: badges scanned at the entrance and at each workshop room (to come).
