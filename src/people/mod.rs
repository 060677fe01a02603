//! Personal data (GDPR article 15): everything roadshow holds about one e-mail address, across
//! tours, for an admin to hand over. Erasure (article 17) is to come.

pub mod api;
pub mod pages;
pub mod service;

/// The API's and the admin page's routes.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
}
