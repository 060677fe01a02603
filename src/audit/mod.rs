//! The audit log: every change made by a signed-in person or token — set-up, devices, tokens,
//! complaints, outcomes, exports, erasures, webhooks, messages sent — recorded by the use case
//! that makes it, in the same transaction, with who made it. Entries are only ever inserted:
//! this module offers no way to change or remove one, and no route does.
//!
//! Scans are not copied here: each scan is already its own append-only row with the device or
//! account that made it (`scans`), and check-in speed matters more than a second copy.

pub mod api;
pub mod pages;
pub mod store;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::policy::CurrentUser;
use crate::db::DbConnection;
use crate::error::AppError;

/// Who made a change: an account (through the pages, a token or a scanner device).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Actor {
    pub id: String,
    pub email: String,
    pub role: String,
    /// The scanner device the request came from, when it came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
}

impl From<&CurrentUser> for Actor {
    fn from(user: &CurrentUser) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            role: user.role.as_str().to_owned(),
            device_id: user.device.as_ref().map(|d| d.id.clone()),
        }
    }
}

/// What a use case changed, described by the use case itself.
#[derive(Debug, Clone)]
pub struct Change {
    /// `<target>.<verb>`: `tour.created`, `complaint.updated`, `person.erased`, …
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: String,
    /// The fields changed (`{"field": {"from": …, "to": …}}`) or what was done.
    pub details: Value,
}

impl Change {
    pub fn new(
        action: &'static str,
        target_type: &'static str,
        target_id: impl Into<String>,
    ) -> Self {
        Self {
            action,
            target_type,
            target_id: target_id.into(),
            details: Value::Object(Map::new()),
        }
    }

    pub fn with(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// Writes `change` as made by `actor` (`None`: roadshow itself), on `conn` — the caller's
/// transaction, so that the entry exists exactly when the change does.
pub fn record(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    change: Change,
) -> Result<(), AppError> {
    let entry = store::Entry {
        id: uuid::Uuid::new_v4().to_string(),
        at: crate::time::now(),
        actor_id: actor.map(|a| a.id.clone()),
        actor_email: actor.map(|a| a.email.clone()),
        actor_role: actor.map(|a| a.role.clone()),
        action: change.action.to_owned(),
        target_type: change.target_type.to_owned(),
        target_id: change.target_id,
        details: actor
            .and_then(|a| a.device_id.as_ref())
            .map_or(change.details.clone(), |device| {
                let mut details = change.details.clone();
                if let Value::Object(map) = &mut details {
                    map.insert("device_id".into(), Value::String(device.clone()));
                }
                details
            })
            .to_string(),
    };
    store::insert(conn, &entry)?;
    Ok(())
}

/// The fields whose value differs between two states of a thing, as
/// `{"field": {"from": before, "to": after}}` (both serialised to JSON objects).
pub fn diff<T: Serialize>(before: &T, after: &T) -> Value {
    let (Ok(Value::Object(before)), Ok(Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Value::Object(Map::new());
    };
    let mut changed = Map::new();
    for (field, to) in &after {
        let from = before.get(field).unwrap_or(&Value::Null);
        if from != to {
            changed.insert(field.clone(), serde_json::json!({"from": from, "to": to}));
        }
    }
    Value::Object(changed)
}

/// The API's and the admin page's routes.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Stop {
        city: &'static str,
        capacity: i32,
        venue: &'static str,
    }

    #[test]
    fn a_diff_names_only_the_fields_that_changed() {
        let before = Stop {
            city: "Strasbourg",
            capacity: 120,
            venue: "Palais",
        };
        let after = Stop {
            city: "Strasbourg",
            capacity: 150,
            venue: "Palais",
        };
        assert_eq!(
            diff(&before, &after),
            serde_json::json!({"capacity": {"from": 120, "to": 150}})
        );
        assert_eq!(diff(&before, &before), serde_json::json!({}));
    }
}
