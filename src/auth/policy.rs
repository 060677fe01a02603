//! Roles, permissions and the extractors that enforce them: the single place that decides who
//! may do what.

use serde::{Deserialize, Serialize};

/// A staff account's role. `admin` can do everything; `marketing` and `staff` are separate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Marketing,
    Staff,
}

impl Role {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Marketing => "marketing",
            Self::Staff => "staff",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin" => Some(Self::Admin),
            "marketing" => Some(Self::Marketing),
            "staff" => Some(Self::Staff),
            _ => None,
        }
    }
}

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Any signed-in account.
    SignedIn,
    /// Create and change tours, stops, workshops, users, devices.
    ManageSetup,
    /// Scan badges, search attendees, register walk-ins.
    ScanBadges,
    /// Read dashboards, exports, feedback; record outcomes.
    ReadAnalytics,
    /// Record a complaint (on site or after a call).
    RecordComplaints,
    /// Change a complaint's status, owner, resolution.
    WorkComplaints,
    /// Register webhooks and see their deliveries (what leaves roadshow for other systems).
    ManageIntegrations,
    /// Send a stop's attendees an e-mail now (a reminder announcing a change).
    ContactAttendees,
    /// Read and erase everything held about a person.
    ManagePersonalData,
    /// Read the audit log.
    ReadAudit,
}

/// The policy: one table, in one place.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => true,
        Role::Marketing => matches!(
            permission,
            SignedIn | ReadAnalytics | RecordComplaints | WorkComplaints | ContactAttendees
        ),
        Role::Staff => matches!(permission, SignedIn | ScanBadges | RecordComplaints),
    }
}

/// The account behind a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Set when the request comes from a scanner device, which is bound to one stop.
    pub device: Option<DeviceBinding>,
}

/// A scanner device's identity and the one stop it may scan at.
#[derive(Debug, Clone)]
pub struct DeviceBinding {
    pub id: String,
    pub stop_id: String,
}

impl CurrentUser {
    /// Whether this caller may do `permission`. A scanner device acts with the scanner scope
    /// only — scanning, search, walk-ins, undo, counters and scanner data at its own stop —
    /// whoever registered it: a phone left on a counter must not carry an admin's rights.
    pub fn allows(&self, permission: Permission) -> bool {
        match &self.device {
            Some(_) => permission == Permission::ScanBadges && allows(self.role, permission),
            None => allows(self.role, permission),
        }
    }

    /// Refuses a device bound to another stop (a lost phone cannot be used elsewhere).
    pub fn may_scan_at(&self, stop_id: &str) -> Result<(), crate::error::AppError> {
        match &self.device {
            Some(device) if device.stop_id != stop_id => Err(crate::error::AppError::Forbidden),
            _ => Ok(()),
        }
    }
}

/// A permission as a type, so that handlers can name it in their signature.
pub trait Requirement {
    /// The permission this marker stands for.
    const PERMISSION: Permission;
}

macro_rules! requirements {
    ($($name:ident),*) => {$(
        #[doc = concat!("Marker for [`Permission::", stringify!($name), "`].")]
        #[derive(Debug)]
        pub struct $name;
        impl Requirement for $name {
            const PERMISSION: Permission = Permission::$name;
        }
    )*};
}
requirements!(
    SignedIn,
    ManageSetup,
    ScanBadges,
    ReadAnalytics,
    RecordComplaints,
    WorkComplaints,
    ManageIntegrations,
    ContactAttendees,
    ManagePersonalData,
    ReadAudit
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_table() {
        use Permission::*;
        let cases = [
            (Role::Admin, ManageSetup, true),
            (Role::Admin, ScanBadges, true),
            (Role::Marketing, ManageSetup, false),
            (Role::Marketing, ScanBadges, false),
            (Role::Marketing, ReadAnalytics, true),
            (Role::Marketing, WorkComplaints, true),
            (Role::Staff, ManageSetup, false),
            (Role::Staff, ReadAnalytics, false),
            (Role::Staff, ScanBadges, true),
            (Role::Staff, RecordComplaints, true),
            (Role::Staff, WorkComplaints, false),
            (Role::Admin, ManageIntegrations, true),
            (Role::Marketing, ManageIntegrations, false),
            (Role::Staff, ManageIntegrations, false),
            (Role::Marketing, ContactAttendees, true),
            (Role::Staff, ContactAttendees, false),
            (Role::Admin, ManagePersonalData, true),
            (Role::Marketing, ManagePersonalData, false),
            (Role::Staff, ManagePersonalData, false),
            (Role::Admin, ReadAudit, true),
            (Role::Marketing, ReadAudit, false),
            (Role::Staff, ReadAudit, false),
        ];
        for (role, permission, expected) in cases {
            assert_eq!(
                allows(role, permission),
                expected,
                "{role:?} {permission:?}"
            );
        }
    }

    #[test]
    fn a_device_has_the_scanner_scope_only_whoever_registered_it() {
        use Permission::*;
        let device = |role| CurrentUser {
            id: "u".into(),
            email: "u@roadshow.example".into(),
            name: "U".into(),
            role,
            device: Some(DeviceBinding {
                id: "d".into(),
                stop_id: "s".into(),
            }),
        };
        for role in [Role::Admin, Role::Staff] {
            let d = device(role);
            assert!(d.allows(ScanBadges), "{role:?}");
            for p in [
                SignedIn,
                ManageSetup,
                ReadAnalytics,
                RecordComplaints,
                WorkComplaints,
                ManageIntegrations,
                ContactAttendees,
                ManagePersonalData,
                ReadAudit,
            ] {
                assert!(!d.allows(p), "{role:?} device {p:?}");
            }
            assert!(d.may_scan_at("s").is_ok());
            assert!(d.may_scan_at("other").is_err());
        }
        assert!(!device(Role::Marketing).allows(ScanBadges));
    }
}
