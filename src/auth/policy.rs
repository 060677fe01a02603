//! Roles, permissions and the extractors that enforce them: the single place that decides who
//! may do what.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::state::AppState;
use crate::web::PageError;

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
}

/// The policy: one table, in one place.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => true,
        Role::Marketing => matches!(
            permission,
            SignedIn | ReadAnalytics | RecordComplaints | WorkComplaints
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
    WorkComplaints
);

/// An API caller authenticated by bearer token and allowed `P`; otherwise 401 or 403.
#[derive(Debug)]
pub struct ApiUser<P: Requirement> {
    pub user: CurrentUser,
    _permission: PhantomData<P>,
}

impl<P: Requirement + 'static> FromRequest for ApiUser<P> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let bearer = bearer_token(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no app state")))?;
            let token = bearer.ok_or_else(|| {
                AppError::Unauthorized(
                    "a bearer token is required (Authorization: Bearer …)".into(),
                )
            })?;
            let user = super::service::user_for_token(&state, token)
                .await?
                .ok_or_else(|| {
                    AppError::Unauthorized("the token is invalid or has expired".into())
                })?;
            if !user.allows(P::PERMISSION) {
                return Err(AppError::Forbidden);
            }
            Ok(Self {
                user,
                _permission: PhantomData,
            })
        })
    }
}

/// The token of an `Authorization: Bearer …` header, if any (not yet checked).
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let value = header.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// A page visitor signed in with a cookie session and allowed `P`; otherwise the login page or
/// a "forbidden" page.
#[derive(Debug)]
pub struct PageUser<P: Requirement> {
    pub user: CurrentUser,
    _permission: PhantomData<P>,
}

impl<P: Requirement + 'static> FromRequest for PageUser<P> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = super::session::session_user(&req)
                .await
                .map_err(|e| PageError::new(&req, e))?
                .ok_or_else(|| PageError::login_required(&req))?;
            if !user.allows(P::PERMISSION) {
                return Err(PageError::new(&req, AppError::Forbidden));
            }
            Ok(Self {
                user,
                _permission: PhantomData,
            })
        })
    }
}

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
            ] {
                assert!(!d.allows(p), "{role:?} device {p:?}");
            }
            assert!(d.may_scan_at("s").is_ok());
            assert!(d.may_scan_at("other").is_err());
        }
        assert!(!device(Role::Marketing).allows(ScanBadges));
    }
}
