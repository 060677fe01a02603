//! Tours, their stops (one day in one city) and each stop's workshops and checkpoints: what an
//! admin sets up before anyone registers.

pub mod api;
pub mod checkpoints;
pub mod domain;
pub mod pages;
pub mod service;
pub mod store;

/// Registers the set-up API and the admin pages.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
}
