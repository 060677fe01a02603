//! HTTP plumbing shared by every area: the JSON body extractor with precise errors, the page
//! context (language, signed-in user, CSRF token), CSRF-checked forms and HTML error pages.

pub mod client;
pub mod client_limit;
mod csrf;
mod form;
mod headers;
mod json;
mod language;
mod page;
mod rate_limit;
mod redirect;
mod request_guard;

pub use client_limit::PublicRateLimit;
pub use csrf::{CSRF_COOKIE, CsrfForm, ensure_csrf_cookie};
pub(crate) use csrf::{csrf_cookie, new_cookie_value as new_csrf_cookie_value};
pub use form::{FormState, round_trip};
pub use headers::{CONTENT_SECURITY_POLICY, api_problems, security_headers};
pub use json::{ApiBytes, ApiJson, JSON_LIMIT as JSON_BODY_LIMIT, json_config_error, whole_number};
pub use language::remember_language;
pub use page::{PageContext, PageError, UPDATED, html, redirect_see_other};
pub use rate_limit::limit_public_writes;
pub use redirect::local_path;
pub use request_guard::refuse_nul_in_url;
