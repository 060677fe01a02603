//! Accounts (admin, marketing, staff), how they prove who they are, and the one policy that
//! decides who may do what.
//!
//! - API clients send `Authorization: Bearer <token>`; tokens are random, stored as SHA-256, expire.
//! - Pages use a cookie session (also stored hashed) and a CSRF token on every form.
//! - Handlers ask for a permission in their signature (`_: ApiUser<ManageSetup>`), never check roles.

pub mod api;
pub mod cache;
pub mod extract;
pub mod pages;
pub mod password;
pub mod policy;
pub mod secret;
pub mod service;
pub mod session;
pub mod store;

pub use extract::{ApiUser, PageUser};
pub use policy::{CurrentUser, Permission, Role};

/// Registers the login/logout pages and the token endpoint.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
}
