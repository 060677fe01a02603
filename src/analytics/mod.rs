//! Attendance analytics for marketing: the figures of API.md "Analytics" (`figures` the values,
//! `store` the queries, `service` the use cases and their cache, `report` the shapes served),
//! their JSON API (`api`), the dashboard pages with server-side SVG charts (`pages`, `charts`,
//! `format`) and the CSV/Excel exports (`export`).

pub mod api;
pub mod cache;
pub mod charts;
pub mod counts;
pub mod export;
pub mod figures;
pub mod format;
pub mod pages;
pub mod report;
pub mod service;
pub mod store;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
    export::routes(cfg);
}
