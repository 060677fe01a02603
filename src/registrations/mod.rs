//! Registration of attendees to a stop and its workshops: seats and waitlists, badges, the
//! private manage link, and the public pages a reseller uses on a phone.

pub mod api;
pub mod domain;
pub mod jobs;
pub mod messages;
pub mod pages;
pub mod registering;
pub mod reminders;
pub mod search;
pub mod service;
pub mod store;
pub mod view;

/// Registers the public registration API and pages.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
}
