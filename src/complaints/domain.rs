//! The closed sets of a complaint: what it is about and where it stands.

/// The themes of complaints, as on the feedback form.
pub const THEMES: &[&str] = &["trainers", "licensing", "leads", "logistics", "other"];
/// The statuses of a complaint.
pub const STATUSES: &[&str] = &["open", "acknowledged", "resolved", "wont_fix"];
