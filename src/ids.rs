//! Typed ids for the rows whose ids travel together, so that passing one where another is
//! expected does not compile: a badge signs a stop and a registration, a check-in is keyed by a
//! checkpoint and a registration, an enrolment joins a registration and a workshop.
//!
//! Each is the row's text UUID: diesel maps it as the column's `Text` (`DieselNewType`), JSON
//! shows it as a plain string, and it reads as `&str` (`Deref`) wherever any id will do, such as
//! a log line or a URL. Only the functions that take two ids or more ask for the types.
//!
//! ```
//! # use roadshow::badge::BadgeKeys;
//! # use roadshow::ids::{RegistrationId, StopId};
//! let keys = BadgeKeys::from_seed([1; 32]);
//! let (stop, registration) = (StopId::generate(), RegistrationId::generate());
//! assert!(keys.sign(&stop, &registration).is_ok());
//! ```
//!
//! The same call with the ids swapped is refused by the compiler:
//!
//! ```compile_fail,E0308
//! # use roadshow::badge::BadgeKeys;
//! # use roadshow::ids::{RegistrationId, StopId};
//! let keys = BadgeKeys::from_seed([1; 32]);
//! let (stop, registration) = (StopId::generate(), RegistrationId::generate());
//! keys.sign(&registration, &stop);
//! ```

use std::fmt;
use std::ops::Deref;

use diesel_derive_newtype::DieselNewType;
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, DieselNewType, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh random id (UUID v4), for a row about to be inserted.
            pub fn generate() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }
    };
}

id_type!(
    /// A stop of a tour (`stops.id`).
    StopId
);
id_type!(
    /// A registration to a stop (`registrations.id`).
    RegistrationId
);
id_type!(
    /// A workshop of a stop (`workshops.id`).
    WorkshopId
);
id_type!(
    /// A place where badges are scanned: the entrance or a workshop's room (`checkpoints.id`).
    CheckpointId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_text_in_json_and_reads_as_str() {
        let id = RegistrationId::from("4b0e7c1e-0000-4000-8000-000000000001");
        assert_eq!(
            serde_json::to_string(&id).expect("json"),
            "\"4b0e7c1e-0000-4000-8000-000000000001\""
        );
        let back: RegistrationId =
            serde_json::from_str("\"4b0e7c1e-0000-4000-8000-000000000001\"").expect("json");
        assert_eq!(back, id);
        assert!(id.starts_with("4b0e7c1e"));
        assert_ne!(RegistrationId::generate(), RegistrationId::generate());
    }
}
