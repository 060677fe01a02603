//! Login and logout pages with a cookie session.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::service;
use super::session::SESSION_COOKIE;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{
    CsrfForm, PageContext, PageError, csrf_cookie, html, new_csrf_cookie_value, redirect_see_other,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login_form).service(log_in).service(log_out);
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: PageContext,
    email: String,
    next: String,
    failed: bool,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Where to go after login: a local path only (no open redirect). Without `next` the role's own
/// landing page; anything that is not a clean path on this site goes to the home page.
fn safe_next(next: Option<&str>, base: &url::Url) -> String {
    match next {
        None | Some("") => "/admin".to_owned(),
        Some(n) => crate::web::local_path(n, base).unwrap_or_else(|| "/".to_owned()),
    }
}

#[get("/login")]
async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let page = LoginPage {
        ctx: PageContext::anonymous(&req),
        email: String::new(),
        next: safe_next(query.next.as_deref(), &state.settings.base_url),
        failed: false,
    };
    html(StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[post("/login")]
async fn log_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: CsrfForm<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let next = safe_next(form.next.as_deref(), &state.settings.base_url);
    let user = service::authenticate(&state, &form.email, &form.password)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let Some(user) = user else {
        tracing::info!("page login refused");
        let page = LoginPage {
            ctx: PageContext::anonymous(&req),
            email: form.email,
            next,
            failed: true,
        };
        return html(StatusCode::UNAUTHORIZED, &page).map_err(|e| PageError::new(&req, e));
    };
    // Staff work at the door; the admin pages would only say "forbidden".
    let next = match (user.role, next.as_str()) {
        (super::Role::Staff, "/admin") => "/scan".to_owned(),
        (super::Role::Marketing, "/admin") => "/complaints".to_owned(),
        _ => next,
    };
    let session = service::open_session(&state, &user)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    tracing::info!(user_id = %user.id, "page login");
    let cookie = Cookie::build(SESSION_COOKIE, session)
        .path("/")
        .http_only(true)
        .secure(crate::web::client::is_https(&req, &state.settings))
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::hours(state.settings.session_ttl_hours))
        .finish();
    let mut response = redirect_see_other(&next);
    // A new session has new form tokens; the anonymous cookie is renewed too, so that nothing
    // seen before login is worth anything after.
    let csrf = csrf_cookie(
        new_csrf_cookie_value(&state.badges),
        crate::web::client::is_https(&req, &state.settings),
    );
    for cookie in [&cookie, &csrf] {
        response.add_cookie(cookie).map_err(|e| {
            PageError::new(&req, AppError::Unexpected(anyhow::anyhow!("cookie: {e}")))
        })?;
    }
    Ok(response)
}

#[derive(Deserialize)]
struct LogoutForm {}

#[post("/logout")]
async fn log_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    _form: CsrfForm<LogoutForm>,
) -> Result<HttpResponse, PageError> {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        service::close_session(&state, cookie.value().to_owned())
            .await
            .map_err(|e| PageError::new(&req, e))?;
    }
    let mut response = redirect_see_other("/login");
    let mut removal = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    removal.make_removal();
    let csrf = csrf_cookie(
        new_csrf_cookie_value(&state.badges),
        crate::web::client::is_https(&req, &state.settings),
    );
    for cookie in [&removal, &csrf] {
        response.add_cookie(cookie).map_err(|e| {
            PageError::new(&req, AppError::Unexpected(anyhow::anyhow!("cookie: {e}")))
        })?;
    }
    Ok(response)
}
