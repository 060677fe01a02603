//! Check-in at the venue: badges scanned at the entrance and at each workshop room, by phones
//! and handheld scanners, online or offline (synced later), with one `ok` per badge and
//! checkpoint whatever the concurrency.

pub mod api;
pub mod batch;
pub mod cache;
pub mod devices;
pub mod domain;
pub mod pages;
pub mod search;
pub mod service;
pub mod store;
pub mod verdict_words;

/// Registers the check-in API and the scanner pages.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    devices::routes(cfg);
    pages::routes(cfg);
}
