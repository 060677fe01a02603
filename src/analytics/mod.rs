//! Attendance analytics for marketing: the figures of API.md "Analytics" (`figures`), their
//! JSON API (`api`), the dashboard pages with server-side SVG charts (`pages`, `charts`) and the
//! CSV/Excel exports (`export`).

pub mod api;
pub mod attendees;
pub mod cache;
pub mod figures;
pub mod report;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
    export::routes(cfg);
    attendees::routes(cfg);
}
pub mod charts;
pub mod export;
pub mod format;
pub mod pages;
