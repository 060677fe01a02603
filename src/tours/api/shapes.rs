//! The JSON shapes of the set-up API: what clients send and what they get back.

use super::*;

// ---- requests ----

/// A target the tour aims for, e.g. 550 certifications started.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TargetDto {
    #[schema(example = "certification_started")]
    pub outcome: String,
    #[schema(example = 550)]
    pub value: i64,
}

/// A new tour. `slug` defaults to one made from the name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTourRequest {
    #[schema(example = "Rencontres Partenaires 360° 2026")]
    pub name: String,
    pub slug: Option<String>,
    pub description: Option<String>,
    /// `fr` (default) or `en`.
    pub default_locale: Option<String>,
    pub targets: Option<Vec<TargetDto>>,
    /// `true`: a draft, hidden from the public and closed to registration until published.
    /// Default `false`: public at once.
    pub draft: Option<bool>,
}

/// Changes to a tour; absent fields keep their value (`targets` replaces the list).
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTourRequest {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub default_locale: Option<String>,
    pub targets: Option<Vec<TargetDto>>,
    /// `true` publishes a draft, `false` takes the tour back to draft.
    pub published: Option<bool>,
}

/// A new stop. Times are RFC 3339 with an offset; `timezone` is an IANA name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateStopRequest {
    #[schema(example = "Strasbourg")]
    pub city: String,
    pub venue: String,
    pub address: Option<String>,
    #[schema(example = "Europe/Paris")]
    pub timezone: String,
    #[schema(example = "2026-10-13T09:00:00+02:00")]
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    /// Defaults to the end of the stop.
    pub registration_closes_at: Option<String>,
}

/// Changes to a stop; absent fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateStopRequest {
    pub city: Option<String>,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub timezone: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub capacity: Option<i64>,
    pub registration_closes_at: Option<String>,
}

/// A new workshop within its stop's day.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateWorkshopRequest {
    #[schema(example = "Devenir Spécialiste PME")]
    pub title: String,
    pub room: Option<String>,
    pub trainer: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    /// Part of the specialist-label track (the dashboards show the share who attended it).
    #[serde(default)]
    pub specialist_label: bool,
}

/// Changes to a workshop; absent fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateWorkshopRequest {
    pub title: Option<String>,
    pub room: Option<String>,
    pub trainer: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub capacity: Option<i64>,
    pub specialist_label: Option<bool>,
}

// ---- responses ----

/// A tour with its stops.
#[derive(Debug, Serialize, ToSchema)]
pub struct TourResponse {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub default_locale: String,
    pub targets: Vec<TargetDto>,
    pub stops: Vec<StopSummaryResponse>,
    /// `false` for a draft (seen by admins only).
    pub published: bool,
}

/// A tour in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TourListItem {
    pub id: String,
    pub slug: String,
    pub name: String,
}

/// A stop in its tour's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct StopSummaryResponse {
    pub id: String,
    pub tour_id: String,
    pub city: String,
    pub venue: String,
    pub address: String,
    pub timezone: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub capacity: i32,
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
    pub seats_left: i64,
    pub registration_open: bool,
}

/// A stop with its workshops and checkpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct StopResponse {
    #[serde(flatten)]
    pub stop: StopSummaryResponse,
    pub workshops: Vec<WorkshopResponse>,
    pub checkpoints: Vec<CheckpointResponse>,
}

/// A workshop with its free seats.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkshopResponse {
    pub id: String,
    pub stop_id: String,
    pub title: String,
    pub room: String,
    pub trainer: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub capacity: i32,
    pub seats_left: i64,
    pub specialist_label: bool,
}

/// Where badges are scanned: the entrance, or a workshop's room.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointResponse {
    pub id: String,
    /// `entrance` or `workshop`.
    pub kind: String,
    pub workshop_id: Option<String>,
    pub name: String,
}

impl From<TourView> for TourResponse {
    fn from(view: TourView) -> Self {
        Self {
            id: view.tour.id,
            slug: view.tour.slug,
            name: view.tour.name,
            description: view.tour.description,
            default_locale: view.tour.default_locale,
            published: view.tour.published_at.is_some(),
            targets: view
                .targets
                .into_iter()
                .map(|t| TargetDto {
                    outcome: t.outcome,
                    value: i64::from(t.value),
                })
                .collect(),
            stops: view
                .stops
                .into_iter()
                .map(StopSummaryResponse::from)
                .collect(),
        }
    }
}

impl From<StopSummary> for StopSummaryResponse {
    fn from(s: StopSummary) -> Self {
        let tz = s.timezone;
        Self {
            id: s.stop.id,
            tour_id: s.stop.tour_id,
            city: s.stop.city,
            venue: s.stop.venue,
            address: s.stop.address,
            timezone: s.stop.timezone.into(),
            starts_at: in_zone(s.stop.starts_at, tz),
            ends_at: in_zone(s.stop.ends_at, tz),
            capacity: s.stop.capacity,
            registration_closes_at: s.stop.registration_closes_at.map(|t| in_zone(t, tz)),
            seats_left: s.seats_left,
            registration_open: s.registration_open,
        }
    }
}

pub(super) fn workshop_response(w: WorkshopView, tz: chrono_tz::Tz) -> WorkshopResponse {
    WorkshopResponse {
        id: w.workshop.id,
        stop_id: w.workshop.stop_id,
        title: w.workshop.title,
        room: w.workshop.room,
        trainer: w.workshop.trainer,
        starts_at: in_zone(w.workshop.starts_at, tz),
        ends_at: in_zone(w.workshop.ends_at, tz),
        capacity: w.workshop.capacity,
        seats_left: w.seats_left,
        specialist_label: w.workshop.specialist_label,
    }
}

impl From<Checkpoint> for CheckpointResponse {
    fn from(c: Checkpoint) -> Self {
        Self {
            id: c.id,
            kind: c.kind,
            workshop_id: c.workshop_id,
            name: c.name,
        }
    }
}

impl From<StopView> for StopResponse {
    fn from(view: StopView) -> Self {
        let tz = view.summary.timezone;
        Self {
            stop: view.summary.into(),
            workshops: view
                .workshops
                .into_iter()
                .map(|w| workshop_response(w, tz))
                .collect(),
            checkpoints: view.checkpoints.into_iter().map(Into::into).collect(),
        }
    }
}

pub(super) fn raw_targets(targets: Vec<TargetDto>) -> Vec<RawTarget> {
    targets
        .into_iter()
        .map(|t| RawTarget {
            outcome: t.outcome,
            value: t.value,
        })
        .collect()
}
