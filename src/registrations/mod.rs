//! Registration of attendees to a stop and its workshops, badges, the manage link (next issue).
