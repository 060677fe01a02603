//! The closed sets of a complaint: what it is about and where it stands. Each is stored, shown
//! in URLs and forms, and serialised as its word; this is the one place the words are mapped.

/// Who recorded a complaint raised in a feedback answer (history rows name their actor); shown
/// in the reader's language.
pub const FEEDBACK_ACTOR: &str = "feedback form";

/// What a complaint is about, as on the feedback form.
///
/// Read from a body through [`TryFrom<String>`], so that an unknown word is refused with the
/// field's own message ("must be one of …") rather than serde's.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase", try_from = "String", into = "String")]
pub enum ComplaintTheme {
    Trainers,
    Licensing,
    Leads,
    Logistics,
    Other,
}

impl ComplaintTheme {
    /// Every theme, in the order the form and the pages show them.
    pub const ALL: [Self; 5] = [
        Self::Trainers,
        Self::Licensing,
        Self::Leads,
        Self::Logistics,
        Self::Other,
    ];

    /// The stored and serialised word.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Trainers => "trainers",
            Self::Licensing => "licensing",
            Self::Leads => "leads",
            Self::Logistics => "logistics",
            Self::Other => "other",
        }
    }

    /// The theme a word names (exactly).
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// The words, for a message: `trainers, licensing, leads, logistics, other`.
    pub fn words() -> String {
        words(&Self::ALL.map(Self::as_str))
    }

    /// What is said of a word that is no theme.
    pub fn expected() -> String {
        format!("must be one of {}", Self::words())
    }
}

/// Where a complaint stands: open, acknowledged by marketing, then resolved or closed without
/// a fix.
///
/// Read from a body through [`TryFrom<String>`] (surrounding blanks ignored), so that an
/// unknown word is refused with the field's own message rather than serde's.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case", try_from = "String", into = "String")]
pub enum ComplaintStatus {
    Open,
    Acknowledged,
    Resolved,
    WontFix,
}

impl ComplaintStatus {
    /// Every status, in the order they are shown.
    pub const ALL: [Self; 4] = [
        Self::Open,
        Self::Acknowledged,
        Self::Resolved,
        Self::WontFix,
    ];

    /// Still to be dealt with: a promise made about them can fall due.
    pub const PENDING: [Self; 2] = [Self::Open, Self::Acknowledged];

    /// The stored and serialised word.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Resolved => "resolved",
            Self::WontFix => "wont_fix",
        }
    }

    /// The status a word names (exactly).
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Open or acknowledged: neither resolved nor closed.
    pub fn is_pending(self) -> bool {
        Self::PENDING.contains(&self)
    }

    pub fn is_resolved(self) -> bool {
        self == Self::Resolved
    }

    /// What is said of a word that is no status.
    pub fn expected() -> String {
        format!("must be one of {}", words(&Self::ALL.map(Self::as_str)))
    }
}

fn words(all: &[&str]) -> String {
    all.join(", ")
}

impl std::fmt::Display for ComplaintTheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for ComplaintStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// From a body or a form, and from the database (`#[diesel(deserialize_as = String)]`, where a
/// word that is no theme is a corrupt row): the error is the field's message.
impl TryFrom<String> for ComplaintTheme {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw).ok_or_else(Self::expected)
    }
}

/// As for themes; blanks around the word are ignored, as they always were for a status.
impl TryFrom<String> for ComplaintStatus {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(raw.trim()).ok_or_else(Self::expected)
    }
}

impl From<ComplaintTheme> for String {
    fn from(theme: ComplaintTheme) -> Self {
        theme.as_str().to_owned()
    }
}

impl From<ComplaintStatus> for String {
    fn from(status: ComplaintStatus) -> Self {
        status.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_maps_back_to_its_value() {
        for theme in ComplaintTheme::ALL {
            assert_eq!(ComplaintTheme::parse(theme.as_str()), Some(theme));
            assert_eq!(
                serde_json::to_value(theme).expect("json"),
                serde_json::json!(theme.as_str())
            );
        }
        for status in ComplaintStatus::ALL {
            assert_eq!(ComplaintStatus::try_from(format!(" {status} ")), Ok(status));
            assert_eq!(
                serde_json::from_value::<ComplaintStatus>(serde_json::json!(status.as_str()))
                    .expect("json"),
                status
            );
        }
        assert_eq!(ComplaintStatus::WontFix.as_str(), "wont_fix");
    }

    #[test]
    fn an_unknown_word_is_refused_with_the_fields_message() {
        assert_eq!(
            ComplaintTheme::try_from("pricing".to_owned()),
            Err("must be one of trainers, licensing, leads, logistics, other".to_owned())
        );
        assert_eq!(ComplaintTheme::parse(" leads"), None);
        let err = serde_json::from_value::<ComplaintStatus>(serde_json::json!("done"))
            .expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "must be one of open, acknowledged, resolved, wont_fix"
        );
    }
}
