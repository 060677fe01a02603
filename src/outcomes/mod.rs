//! Outcomes: follow-up conversions recorded for an attendee after the event ("certification
//! started"), one by one or imported from CSV. They feed the funnel and the tour's targets.

pub mod api;
pub mod service;
pub mod store;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
}
