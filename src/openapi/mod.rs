//! The OpenAPI document, generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`.

use actix_web::{HttpResponse, get, web};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    analytics, audit, auth, checkin, complaints, error, feedback, outcomes, people, registrations,
    tours, webhooks,
};

mod errors;
use errors::StandardErrors;
pub mod fields;
mod methods;

pub use methods::{allowed_methods, unrouted};

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// roadshow's JSON API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "roadshow",
        description = "Registration, badges, check-in, analytics and feedback for a tour of one-day partner events. \
                       Errors are application/problem+json (RFC 9457) with per-field `errors` for invalid input."
    ),
    paths(
        auth::api::create_token,
        tours::api::list_tours,
        tours::api::create_tour,
        tours::api::get_tour,
        tours::api::update_tour,
        tours::api::create_stop,
        tours::api::get_stop,
        tours::api::update_stop,
        tours::api::delete_tour,
        tours::api::delete_stop,
        tours::api::delete_workshop,
        tours::api::create_workshop,
        tours::api::update_workshop,
        registrations::api::create_registration,
        registrations::api::resend_confirmation,
        registrations::api::get_registration,
        registrations::api::change_workshops,
        registrations::api::cancel_registration,
        registrations::api::badge_svg,
        registrations::api::badge_png,
        registrations::api::remind_stop,
        checkin::api::check_in,
        checkin::api::check_in_batch,
        checkin::api::search_attendees,
        checkin::api::create_walk_in,
        checkin::api::undo_scan,
        checkin::api::checkpoint_status,
        checkin::api::scanner_data,
        checkin::devices::create_device,
        checkin::devices::list_devices,
        checkin::devices::revoke_device,
        feedback::api::request_feedback,
        feedback::api::submit_feedback,
        feedback::api::stop_summary,
        feedback::api::tour_summary,
        feedback::api::pick_quote,
        complaints::api::create_complaint,
        complaints::api::list_complaints,
        complaints::api::get_complaint,
        complaints::api::update_complaint,
        analytics::api::stop_analytics,
        analytics::api::tour_analytics,
        outcomes::api::record_outcome,
        outcomes::api::import_outcomes,
        outcomes::api::list_outcomes,
        outcomes::api::delete_outcome,
        webhooks::api::create_webhook,
        webhooks::api::list_webhooks,
        webhooks::api::delete_webhook,
        webhooks::api::list_deliveries,
        webhooks::api::test_webhook,
        webhooks::api::retry_delivery,
        people::api::person,
        people::api::erase_person,
        audit::api::list_entries,
    ),
    components(schemas(error::Problem)),
    modifiers(&BearerAuth, &StandardErrors),
    tags(
        (name = "accounts", description = "bearer tokens for API clients"),
        (name = "setup", description = "tours, stops, workshops and checkpoints"),
        (name = "registration", description = "public registration, the private manage link, badges"),
        (name = "check-in", description = "scanning badges at the door and at workshops, offline sync, devices"),
        (name = "feedback", description = "post-event feedback and the complaints it raises"),
        (name = "analytics", description = "attendance figures per stop and per tour, for marketing"),
        (name = "outcomes", description = "follow-up conversions (certification started…) that feed the funnel and targets"),
        (name = "personal data", description = "what is held about a person, for their rights under the GDPR"),
        (name = "audit", description = "who changed what: an append-only log of every change made by a person or a token"),
        (name = "integrations", description = "webhooks (Standard Webhooks): events sent to other systems as they happen"),
    )
)]
pub struct ApiDoc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(openapi_json);
}

#[get("/api/v1/openapi.json")]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complaint_statuses_and_themes_are_enums_of_their_words() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("json");
        let schemas = &doc["components"]["schemas"];
        let words = |name: &str| -> Vec<String> {
            schemas[name]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} is an enum: {}", schemas[name]))
                .iter()
                .filter_map(|w| w.as_str().map(str::to_owned))
                .collect()
        };
        let statuses = complaints::domain::ComplaintStatus::ALL.map(|s| s.to_string());
        let themes = complaints::domain::ComplaintTheme::ALL.map(|t| t.to_string());
        assert_eq!(words("ComplaintStatus"), statuses);
        assert_eq!(words("ComplaintTheme"), themes);
        let reference =
            |schema: &str, field: &str| schemas[schema]["properties"][field].to_string();
        assert!(reference("ComplaintResponse", "status").contains("ComplaintStatus"));
        assert!(reference("CreateComplaintRequest", "theme").contains("ComplaintTheme"));
        assert!(reference("UpdateComplaintRequest", "status").contains("ComplaintStatus"));
    }

    /// The documented parameters are the route's: every `{name}` of a path is a required path
    /// parameter, and nothing else is declared as one (query filters are `in: query`). The
    /// paths come from the actix route attributes, so the document cannot name another route.
    #[test]
    fn path_parameters_are_the_routes_placeholders() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("json");
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.len() > 30, "the document lists the API");
        for (path, operations) in paths {
            let placeholders: Vec<&str> = path
                .split('/')
                .filter_map(|part| part.strip_prefix('{')?.split('}').next())
                .collect();
            for (method, operation) in operations.as_object().expect("operations") {
                let declared: Vec<&str> = operation["parameters"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| {
                        assert_eq!(p["required"], true, "{method} {path}: {p}");
                        p["name"].as_str().expect("name")
                    })
                    .collect();
                let mut expected = placeholders.clone();
                let mut found = declared.clone();
                expected.sort_unstable();
                found.sort_unstable();
                assert_eq!(found, expected, "{method} {path}");
            }
        }
    }
}
