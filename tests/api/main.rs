//! Integration tests: the real HTTP server against a real database (SQLite by default,
//! PostgreSQL when TEST_DATABASE_URL is set).

mod analytics;
mod audit;
mod auth;
mod checkin;
mod cli;
mod contract;
mod counters;
mod door;
mod drafts;
mod erasure;
mod feedback;
mod fixtures;
mod health;
mod helpers;
mod language;
mod mail;
mod pages;
mod people;
mod processes;
mod properties;
mod proxies;
mod registration_pages;
mod registrations;
mod reminders;
mod scanner_pages;
mod search;
mod security;
mod security_door;
mod security_web;
mod tours;
mod twins;
mod webhooks;
