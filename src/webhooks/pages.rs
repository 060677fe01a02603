//! The admin page of webhooks: the endpoints with their waiting and failed deliveries, a form
//! to add one (its secret shown once), and per endpoint its deliveries with "retry", "send a
//! test event" and "remove". Each action is the use case the API calls.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::{EventType, service, store};
use crate::audit::Actor;
use crate::auth::PageUser;
use crate::auth::policy::ManageIntegrations;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{CsrfForm, PageContext, PageError, html, redirect_see_other};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page)
        .service(create)
        .service(endpoint_page)
        .service(send_test)
        .service(remove)
        .service(retry);
}

fn when(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// An event type as people read it (the wire name stays in the form's values and the API).
fn label(tr: crate::i18n::Locale, event_type: &str) -> String {
    tr.t(&format!("webhooks.type.{event_type}")).to_owned()
}

/// The labels of an endpoint's space-separated types.
fn labels(tr: crate::i18n::Locale, events: &str) -> String {
    events
        .split(' ')
        .map(|t| label(tr, t))
        .collect::<Vec<_>>()
        .join(", ")
}

struct EndpointRow {
    id: String,
    url: String,
    events: String,
    pending: i64,
    failed: i64,
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct ListPage {
    ctx: PageContext,
    endpoints: Vec<EndpointRow>,
    /// `(wire name, label, ticked)` of each type.
    types: Vec<(&'static str, String, bool)>,
    url: String,
    errors: Vec<(String, String)>,
    /// The secret of the endpoint just added, shown this once.
    created_secret: Option<String>,
}

/// What the add form shows: the values typed back with their errors, or the new secret.
#[derive(Default)]
struct FormShown {
    url: String,
    ticked: Vec<&'static str>,
    errors: Vec<(String, String)>,
    created_secret: Option<String>,
}

async fn render_list(
    req: &HttpRequest,
    state: &AppState,
    ctx: PageContext,
    status: StatusCode,
    form: FormShown,
) -> Result<HttpResponse, PageError> {
    let tr = ctx.tr;
    let endpoints = db::run(&state.pool, move |conn| {
        store::list_endpoints(conn)?
            .into_iter()
            .map(|e| {
                Ok(EndpointRow {
                    pending: store::count_by_status(conn, &e.id, "pending")?,
                    failed: store::count_by_status(conn, &e.id, "failed")?,
                    events: labels(tr, &e.events),
                    id: e.id,
                    url: e.url,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()
    })
    .await
    .map_err(|e| PageError::new(req, e))?;
    let FormShown {
        url,
        ticked,
        errors,
        created_secret,
    } = form;
    let types = EventType::ALL
        .iter()
        .map(|t| {
            (
                t.as_str(),
                label(tr, t.as_str()),
                ticked.contains(&t.as_str()),
            )
        })
        .collect();
    html(
        status,
        &ListPage {
            ctx,
            endpoints,
            types,
            url,
            errors,
            created_secret,
        },
    )
    .map_err(|e| PageError::new(req, e))
}

#[get("/admin/webhooks")]
async fn list_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageIntegrations>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(admin.user));
    render_list(&req, &state, ctx, StatusCode::OK, FormShown::default()).await
}

#[post("/admin/webhooks")]
async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageIntegrations>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let value = |name: &str| {
        form.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let ticked: Vec<&'static str> = form
        .0
        .iter()
        .filter(|(k, _)| k == "events")
        .filter_map(|(_, v)| EventType::parse(v).map(EventType::as_str))
        .collect();
    let new = service::NewEndpoint {
        url: value("url"),
        events: ticked.iter().filter_map(|t| EventType::parse(t)).collect(),
        secret: Some(value("secret")),
    };
    let ctx = PageContext::anonymous(&req).with_user(Some(admin.user.clone()));
    let allow_private = state.settings.webhook_allow_private;
    let actor = Actor::from(&admin.user);
    match service::register_endpoint(&state.pool, allow_private, actor, new).await {
        Ok(endpoint) => {
            let form = FormShown {
                created_secret: Some(endpoint.secret),
                ..FormShown::default()
            };
            render_list(&req, &state, ctx, StatusCode::CREATED, form).await
        }
        Err(AppError::Invalid(errors)) => {
            let errors = errors.localized(ctx.tr).into_iter().collect();
            let form = FormShown {
                url: value("url"),
                ticked,
                errors,
                created_secret: None,
            };
            render_list(&req, &state, ctx, StatusCode::UNPROCESSABLE_ENTITY, form).await
        }
        Err(other) => Err(PageError::new(&req, other)),
    }
}

struct DeliveryRow {
    id: String,
    kind: String,
    label: String,
    status: String,
    attempts: i32,
    last_status_code: String,
    last_error: String,
    created_at: String,
}

#[derive(Template)]
#[template(path = "admin/webhook.html")]
struct EndpointPage {
    ctx: PageContext,
    id: String,
    url: String,
    events: String,
    deliveries: Vec<DeliveryRow>,
}

#[get("/admin/webhooks/{id}")]
async fn endpoint_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageIntegrations>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (endpoint, deliveries) = db::run(&state.pool, move |conn| {
        let endpoint = store::find_endpoint(conn, &id)?.ok_or(AppError::NotFound("webhook"))?;
        let deliveries = store::list_deliveries(conn, &id, 100)?;
        Ok((endpoint, deliveries))
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let ctx = PageContext::anonymous(&req).with_user(Some(admin.user));
    let deliveries = deliveries
        .into_iter()
        .map(|d| DeliveryRow {
            label: label(ctx.tr, &d.event_type),
            created_at: when(d.created_at),
            last_status_code: d
                .last_status_code
                .map(|c| c.to_string())
                .unwrap_or_default(),
            last_error: d.last_error.unwrap_or_default(),
            id: d.id,
            kind: d.event_type,
            status: d.status,
            attempts: d.attempts,
        })
        .collect();
    html(
        StatusCode::OK,
        &EndpointPage {
            events: labels(ctx.tr, &endpoint.events),
            ctx,
            id: endpoint.id,
            url: endpoint.url,
            deliveries,
        },
    )
    .map_err(|e| PageError::new(&req, e))
}

#[post("/admin/webhooks/{id}/test")]
async fn send_test(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageIntegrations>,
    path: web::Path<String>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    service::send_test(&state.pool, id.clone(), Actor::from(&admin.user))
        .await
        .map_err(|e| PageError::new(&req, e))?;
    Ok(redirect_see_other(&format!("/admin/webhooks/{id}")))
}

#[post("/admin/webhooks/{id}/delete")]
async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageIntegrations>,
    path: web::Path<String>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    service::remove_endpoint(&state.pool, path.into_inner(), Actor::from(&admin.user))
        .await
        .map_err(|e| PageError::new(&req, e))?;
    Ok(redirect_see_other("/admin/webhooks"))
}

#[post("/admin/webhooks/{id}/deliveries/{delivery_id}/retry")]
async fn retry(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageIntegrations>,
    path: web::Path<(String, String)>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (id, delivery_id) = path.into_inner();
    let actor = Actor::from(&admin.user);
    service::retry_delivery(&state.pool, id.clone(), delivery_id, actor)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    Ok(redirect_see_other(&format!("/admin/webhooks/{id}")))
}
