//! HTTP plumbing shared by every area: the JSON body extractor with precise errors, the page
//! context (language, signed-in user, CSRF token), CSRF-checked forms and HTML error pages.

mod csrf;
mod form;
mod json;
mod page;
mod rate_limit;
mod request_guard;

pub use csrf::{CSRF_COOKIE, CsrfForm, ensure_csrf_cookie};
pub use form::FormState;
pub use json::{ApiJson, JSON_LIMIT as JSON_BODY_LIMIT, json_config_error};
pub use page::{PageContext, PageError, html, redirect_see_other};
pub use rate_limit::{PublicRateLimit, limit_public_writes};
pub use request_guard::refuse_nul_in_url;
