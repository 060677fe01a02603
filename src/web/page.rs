//! What every page template needs (`PageContext`), HTML responses, and errors shown as pages.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, dev::Payload};
use askama::Template;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::Locale;

/// The CSRF token of this request's forms, placed in the extensions by the CSRF middleware
/// (`csrf::ensure_csrf_cookie`) and read by the page context.
#[derive(Debug, Clone)]
pub(crate) struct CsrfToken(pub String);

/// The layout's data: language, the signed-in user if any, the CSRF token for forms, and the
/// current path (for the language switch).
#[derive(Debug, Clone)]
pub struct PageContext {
    pub tr: Locale,
    pub user: Option<CurrentUser>,
    pub csrf: String,
    pub path: String,
    /// The page follows a successful save (`?updated=1` on the redirect): the layout says so.
    pub updated: bool,
}

/// The query a form's redirect adds so that the next page confirms the save.
pub const UPDATED: &str = "updated=1";

impl PageContext {
    /// The context of a request, looking up its session.
    pub async fn of(req: &HttpRequest) -> Result<Self, AppError> {
        let user = crate::auth::session::session_user(req).await?;
        Ok(Self::anonymous(req).with_user(user))
    }

    /// The context without looking up the session (error pages, public pages).
    pub fn anonymous(req: &HttpRequest) -> Self {
        // Derived by the CSRF middleware; never the cookie itself.
        let csrf = req
            .extensions()
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        Self {
            tr: Locale::from_request(req),
            user: None,
            csrf,
            path: req.path().to_owned(),
            updated: req.query_string().split('&').any(|pair| pair == UPDATED),
        }
    }

    /// The same context with a known user.
    pub fn with_user(mut self, user: Option<CurrentUser>) -> Self {
        self.user = user;
        self
    }

    /// The link that shows this page in the other language.
    pub fn other_language_href(&self) -> String {
        format!("{}?lang={}", self.path, self.tr.other().code())
    }

    /// The name of the user's role in the page's language.
    pub fn role_label(&self) -> &str {
        match &self.user {
            Some(u) => self.tr.t(match u.role {
                crate::auth::Role::Admin => "role.admin",
                crate::auth::Role::Marketing => "role.marketing",
                crate::auth::Role::Staff => "role.staff",
            }),
            None => "",
        }
    }
}

impl FromRequest for PageContext {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Self::of(&req).await.map_err(|e| PageError::new(&req, e)) })
    }
}

/// Renders a template as an HTML response with `status`.
pub fn html(status: StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    let body = page
        .render()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("rendering a page: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// The answer to a successful form post: 303 to the page that shows the result.
pub fn redirect_see_other(location: &str) -> HttpResponse {
    // A value that cannot be a header (a line break, say) would make the builder answer 500.
    let location = actix_web::http::header::HeaderValue::from_str(location)
        .unwrap_or_else(|_| actix_web::http::header::HeaderValue::from_static("/"));
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    ctx: PageContext,
    message: &'a str,
    status: u16,
}

/// An error on the HTML side: rendered as a page in the visitor's language, or as a redirect to
/// the login page when no one is signed in.
#[derive(Debug)]
pub struct PageError(Box<PageErrorInner>);

#[derive(Debug)]
struct PageErrorInner {
    error: AppError,
    ctx: PageContext,
    kind: PageErrorKind,
}

#[derive(Debug)]
enum PageErrorKind {
    Error,
    LoginRequired(String),
    Csrf,
}

impl PageError {
    /// Wraps an error raised while serving `req`.
    pub fn new(req: &HttpRequest, error: AppError) -> Self {
        Self(Box::new(PageErrorInner {
            error,
            ctx: PageContext::anonymous(req),
            kind: PageErrorKind::Error,
        }))
    }

    /// Sends the visitor to the login page, then back here.
    pub fn login_required(req: &HttpRequest) -> Self {
        let next = match req.method() {
            &actix_web::http::Method::GET => {
                req.uri().path_and_query().map_or("/admin", |p| p.as_str())
            }
            _ => "/admin",
        };
        Self(Box::new(PageErrorInner {
            error: AppError::Unauthorized("login required".into()),
            ctx: PageContext::anonymous(req),
            kind: PageErrorKind::LoginRequired(next.to_owned()),
        }))
    }

    /// A form whose CSRF token did not match.
    pub fn csrf(req: &HttpRequest) -> Self {
        Self(Box::new(PageErrorInner {
            error: AppError::Forbidden,
            ctx: PageContext::anonymous(req),
            kind: PageErrorKind::Csrf,
        }))
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.error.fmt(f)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self.0.kind {
            PageErrorKind::LoginRequired(_) => StatusCode::SEE_OTHER,
            _ => self.0.error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let PageErrorKind::LoginRequired(next) = &self.0.kind {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", next)
                .finish();
            return redirect_see_other(&format!("/login?{query}"));
        }
        self.0.error.log();
        let key = match self.0.kind {
            PageErrorKind::Csrf => "error.csrf".to_owned(),
            _ => format!("error.{}", self.0.error.kind()),
        };
        let status = self.status_code();
        let page = ErrorPage {
            ctx: self.0.ctx.clone(),
            message: self.0.ctx.tr.t(&key),
            status: status.as_u16(),
        };
        html(status, &page)
            .unwrap_or_else(|_| HttpResponse::build(status).body(self.0.ctx.tr.t(&key).to_owned()))
    }
}
