//! roadshow runs a vendor's tour of one-day partner events: set-up, registration, badges,
//! check-in, analytics and feedback. The binary in `main.rs` is a thin CLI over this library.
//!
//! Layout: `startup` wires the HTTP app; each area (`tours`, `registrations`, `checkin`,
//! `analytics`, `feedback`, `complaints`) keeps its API, pages, service, domain rules and
//! queries in its own folder; `db`, `auth`, `web`, `error` are shared.

pub mod analytics;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod background;
pub mod badge;
pub mod checkin;
pub mod complaints;
pub mod config;
pub mod db;
pub mod email;
pub mod error;
pub mod events;
pub mod feedback;
pub mod freshness;
pub mod health;
pub mod i18n;
pub mod ids;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod outcomes;
pub mod people;
pub mod registrations;
pub mod sample_data;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod time;
pub mod tours;
pub mod validation;
pub mod web;
pub mod webhooks;
