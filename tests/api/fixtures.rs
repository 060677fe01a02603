//! Builders for set-up data, through the real API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with};

/// A tour created through the API; returns its JSON.
pub async fn create_tour(app: &TestApp, token: &str, name: &str) -> Value {
    let response = app
        .post_json(
            "/api/v1/tours",
            &json!({"name": name, "targets": [{"outcome": "certification_started", "value": 550}]}),
            Some(token),
        )
        .await;
    json_with(response, StatusCode::CREATED).await
}

/// A stop body with sensible values; override fields with `extra`.
pub fn stop_body(city: &str, extra: Value) -> Value {
    let mut body = json!({
        "city": city,
        "venue": "Palais de la Musique et des Congrès",
        "address": "Place de Bordeaux, 67000 Strasbourg",
        "timezone": "Europe/Paris",
        "starts_at": "2027-10-13T09:00:00+02:00",
        "ends_at": "2027-10-13T17:30:00+02:00",
        "capacity": 300
    });
    if let (Some(target), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            target.insert(k.clone(), v.clone());
        }
    }
    body
}

/// A stop created through the API; returns its JSON.
pub async fn create_stop(app: &TestApp, token: &str, tour_id: &str, city: &str) -> Value {
    let response = app
        .post_json(
            &format!("/api/v1/tours/{tour_id}/stops"),
            &stop_body(city, json!({})),
            Some(token),
        )
        .await;
    json_with(response, StatusCode::CREATED).await
}

/// A workshop body within the default stop's day.
pub fn workshop_body(title: &str) -> Value {
    json!({
        "title": title,
        "room": "Salle Erasme",
        "trainer": "Marc Schneider",
        "starts_at": "2027-10-13T11:00:00+02:00",
        "ends_at": "2027-10-13T12:30:00+02:00",
        "capacity": 60
    })
}
