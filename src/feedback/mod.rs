//! Post-event feedback: a one-time link per checked-in attendee, a short form (ratings, a
//! recommendation score, complaint themes), each theme ticked opening a complaint.

pub mod api;
pub mod jobs;
pub mod messages;
pub mod pages;
pub mod service;
pub mod summary;

/// Registers the feedback API.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
}
