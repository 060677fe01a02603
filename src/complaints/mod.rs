//! Complaints tracked until they are resolved: raised by a feedback form or recorded by staff,
//! worked by marketing (owner, status, resolution), every change kept in their history.

pub mod api;
pub mod domain;
pub mod messages;
pub mod pages;
pub mod service;
pub mod store;

/// Registers the complaints API.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
}
