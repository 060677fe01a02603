//! The JSON shapes of the set-up API: what clients send and what they get back.

use super::*;
use crate::openapi::fields;

// ---- requests ----

/// A target the tour aims for, e.g. 550 certifications started.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetDto {
    /// A word of lower-case letters, digits, `_` and `-`; each outcome once per tour.
    #[schema(schema_with = fields::outcome_kind)]
    pub outcome: String,
    #[schema(schema_with = fields::count::<1_000_000>)]
    pub value: i64,
}

/// A new tour. `slug` defaults to one made from the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Rencontres Partenaires 360° 2026", "slug": "rencontres-360-2026",
    "targets": [{"outcome": "certification_started", "value": 550}]
}))]
pub struct CreateTourRequest {
    #[schema(schema_with = fields::name::<200>)]
    pub name: String,
    /// Lower-case letters, digits and inner `-`, at most 80; unique among tours.
    #[schema(schema_with = fields::slug)]
    pub slug: Option<String>,
    #[schema(schema_with = fields::lines::<5000>)]
    pub description: Option<String>,
    /// `fr` (default) or `en`.
    #[schema(schema_with = fields::tour_locale)]
    pub default_locale: Option<String>,
    #[schema(max_items = 20)]
    pub targets: Option<Vec<TargetDto>>,
    /// `true`: a draft, hidden from the public and closed to registration until published.
    /// Default `false`: public at once.
    pub draft: Option<bool>,
}

/// Changes to a tour; absent fields keep their value (`targets` replaces the list).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTourRequest {
    #[schema(schema_with = fields::new_name::<200>)]
    pub name: Option<String>,
    #[schema(schema_with = fields::slug)]
    pub slug: Option<String>,
    #[schema(schema_with = fields::lines::<5000>)]
    pub description: Option<String>,
    #[schema(schema_with = fields::tour_locale)]
    pub default_locale: Option<String>,
    #[schema(max_items = 20)]
    pub targets: Option<Vec<TargetDto>>,
    /// `true` publishes a draft, `false` takes the tour back to draft.
    pub published: Option<bool>,
}

/// A new stop. Times are RFC 3339 with an offset; `timezone` is an IANA name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "city": "Strasbourg", "venue": "Palais de la Musique et des Congrès",
    "timezone": "Europe/Paris", "starts_at": "2026-10-13T09:00:00+02:00",
    "ends_at": "2026-10-13T18:00:00+02:00", "capacity": 350
}))]
pub struct CreateStopRequest {
    #[schema(schema_with = fields::name::<120>)]
    pub city: String,
    #[schema(schema_with = fields::name::<200>)]
    pub venue: String,
    #[schema(schema_with = fields::line::<500>)]
    pub address: Option<String>,
    #[schema(schema_with = fields::timezone)]
    pub timezone: String,
    #[schema(schema_with = fields::date_time)]
    pub starts_at: String,
    /// After `starts_at`.
    #[schema(schema_with = fields::date_time)]
    pub ends_at: String,
    #[schema(schema_with = fields::count::<100_000>)]
    pub capacity: i64,
    /// Defaults to the end of the stop.
    #[schema(schema_with = fields::optional_date_time)]
    pub registration_closes_at: Option<String>,
}

/// Changes to a stop; absent fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStopRequest {
    #[schema(schema_with = fields::new_name::<120>)]
    pub city: Option<String>,
    #[schema(schema_with = fields::new_name::<200>)]
    pub venue: Option<String>,
    #[schema(schema_with = fields::line::<500>)]
    pub address: Option<String>,
    #[schema(schema_with = fields::optional_timezone)]
    pub timezone: Option<String>,
    #[schema(schema_with = fields::new_date_time)]
    pub starts_at: Option<String>,
    #[schema(schema_with = fields::new_date_time)]
    pub ends_at: Option<String>,
    #[schema(schema_with = fields::optional_count::<100_000>)]
    pub capacity: Option<i64>,
    #[schema(schema_with = fields::optional_date_time)]
    pub registration_closes_at: Option<String>,
}

/// A new workshop within its stop's day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Devenir Spécialiste PME", "room": "Salle Schweitzer", "trainer": "Bertrand Launay",
    "starts_at": "2026-10-13T14:00:00+02:00", "ends_at": "2026-10-13T15:30:00+02:00",
    "capacity": 40, "specialist_label": true
}))]
pub struct CreateWorkshopRequest {
    #[schema(schema_with = fields::name::<200>)]
    pub title: String,
    #[schema(schema_with = fields::line::<120>)]
    pub room: Option<String>,
    #[schema(schema_with = fields::line::<200>)]
    pub trainer: Option<String>,
    /// Within the stop's day.
    #[schema(schema_with = fields::date_time)]
    pub starts_at: String,
    /// After `starts_at`, within the stop's day.
    #[schema(schema_with = fields::date_time)]
    pub ends_at: String,
    #[schema(schema_with = fields::count::<100_000>)]
    pub capacity: i64,
    /// Part of the specialist-label track (the dashboards show the share who attended it).
    #[serde(default)]
    pub specialist_label: bool,
}

/// Changes to a workshop; absent fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWorkshopRequest {
    #[schema(schema_with = fields::new_name::<200>)]
    pub title: Option<String>,
    #[schema(schema_with = fields::line::<120>)]
    pub room: Option<String>,
    #[schema(schema_with = fields::line::<200>)]
    pub trainer: Option<String>,
    #[schema(schema_with = fields::new_date_time)]
    pub starts_at: Option<String>,
    #[schema(schema_with = fields::new_date_time)]
    pub ends_at: Option<String>,
    #[schema(schema_with = fields::optional_count::<100_000>)]
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
