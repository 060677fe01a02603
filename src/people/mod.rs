//! Personal data (GDPR article 15): everything roadshow holds about one e-mail address, across
//! tours, for an admin to hand over. Erasure (article 17) is to come.

pub mod api;
pub mod service;

pub use api::routes;
