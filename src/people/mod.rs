//! Personal data: everything roadshow holds about one e-mail address, across tours, for an
//! admin to hand over (GDPR article 15); its erasure, keeping every figure (article 17), asked
//! by an admin, by the attendee from their manage page, or due to the retention setting.

pub mod api;
pub mod attendee;
pub mod erasure;
pub mod messages;
pub mod pages;
pub mod retention;
pub mod service;

/// The API's and the admin page's routes.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
    attendee::routes(cfg);
}
