//! The attendee's private pages: the badge, changing workshops, cancelling, the calendar file.

use super::*;
use actix_web::{get, post};

use crate::ids::WorkshopId;

pub(super) struct ManageInfo {
    token: String,
    first_name: String,
    last_name: String,
    company: String,
    email: String,
    status: RegistrationStatus,
    status_label: String,
    badge_token: String,
    open: bool,
    workshops: Vec<(String, String, String)>,
    /// For someone waiting: their place in the line (1 = next).
    place_in_line: Option<i64>,
    /// The stop is over: the attendee may ask for their data to be erased.
    ended: bool,
    /// Their data were erased (pseudonymised) already.
    erased: bool,
}

pub(super) fn manage_info(
    state: &AppState,
    token: &str,
    view: &RegistrationView,
    ctx: &PageContext,
) -> Result<ManageInfo, AppError> {
    let r = &view.registration;
    let tz = view.timezone;
    Ok(ManageInfo {
        token: token.to_owned(),
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        company: r.company.clone(),
        email: r.email.clone(),
        status: r.status,
        status_label: ctx.tr.t(&format!("status.{}", r.status)).to_owned(),
        badge_token: state.badges.sign(&r.stop_id, &r.id)?,
        open: r.status != RegistrationStatus::Cancelled && time::now() < view.stop.ends_at,
        place_in_line: None,
        ended: time::now() >= view.stop.ends_at,
        erased: r.email.ends_with(crate::people::erasure::ERASED_DOMAIN),
        workshops: view
            .workshops
            .iter()
            .map(|w| {
                (
                    format!(
                        "{}–{}",
                        display_time(w.workshop.starts_at, tz),
                        display_time(w.workshop.ends_at, tz)
                    ),
                    w.workshop.title.clone(),
                    ctx.tr.t(&format!("status.{}", w.status)).to_owned(),
                )
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "public/manage.html")]
pub(super) struct ManagePage {
    ctx: PageContext,
    stop: StopInfo,
    me: ManageInfo,
    /// A message about what just happened (registered, saved, cancelled).
    notice: Option<String>,
    form: FormState,
    /// The cancel button was pressed without ticking the confirmation.
    cancel_unconfirmed: bool,
}

/// What the page says after a redirect: `?welcome`, `?saved`, `?cancelled`.
#[derive(serde::Deserialize)]
pub(super) struct NoticeQuery {
    welcome: Option<String>,
    saved: Option<String>,
    cancelled: Option<String>,
    erasure_asked: Option<String>,
}

impl NoticeQuery {
    fn notice(&self, ctx: &PageContext, me: &ManageInfo) -> Option<String> {
        let key = if self.welcome.is_some() {
            if me.status == RegistrationStatus::Confirmed {
                "manage.welcome_confirmed"
            } else {
                "manage.welcome_waitlisted"
            }
        } else if self.saved.is_some() {
            "mail.event.updated"
        } else if self.cancelled.is_some() {
            "manage.cancelled_notice"
        } else if self.erasure_asked.is_some() {
            "manage.erasure_asked"
        } else {
            return None;
        };
        Some(ctx.tr.t(key).to_owned())
    }
}

pub(super) async fn load_manage(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
    ctx: &PageContext,
) -> Result<(RegistrationView, StopInfo, ManageInfo), PageError> {
    let id = registration_of(state, token).map_err(|e| PageError::new(req, e))?;
    let (view, place_in_line) = db::run(&state.pool, move |conn| {
        let view = service::registration_view(conn, &id)?;
        let place = (view.registration.status == RegistrationStatus::Waitlisted)
            .then(|| crate::registrations::store::place_in_line(conn, &view.registration))
            .transpose()?;
        Ok((view, place))
    })
    .await
    .map_err(|e| PageError::new(req, e))?;
    let stop = load_stop(req, state, view.stop.id.clone(), ctx).await?;
    let mut me = manage_info(state, token, &view, ctx).map_err(|e| PageError::new(req, e))?;
    me.place_in_line = place_in_line;
    Ok((view, stop, me))
}

pub(super) fn chosen_form(view: &RegistrationView, stop: &StopInfo) -> FormState {
    let mut values = BTreeMap::new();
    for slot in &stop.slots {
        if let Some(w) = slot
            .workshops
            .iter()
            .find(|w| view.workshops.iter().any(|e| e.workshop.id == w.id))
        {
            values.insert(format!("slot_{}", slot.index), w.id.clone());
        }
    }
    FormState::new(values)
}

#[get("/manage/{token}")]
pub(super) async fn manage_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (view, stop, me) = load_manage(&req, &state, &token, &ctx).await?;
    let form = chosen_form(&view, &stop);
    let notice = query.notice(&ctx, &me);
    let page_data = ManagePage {
        ctx,
        stop,
        me,
        notice,
        form,
        cancel_unconfirmed: false,
    };
    page(&req, StatusCode::OK, &page_data)
}

#[post("/manage/{token}/workshops")]
pub(super) async fn submit_workshops(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (view, stop, _) = load_manage(&req, &state, &token, &ctx).await?;
    let mut form = FormState::new(form.0);
    // Ids the stop does not offer are refused by the use case, as from the API.
    let chosen = chosen_workshops(&form, &stop.slots)
        .into_iter()
        .map(WorkshopId::from)
        .collect();
    let id = view.registration.id.to_string();
    let result = service::change_attendee_workshops(&state.pool, &state.events, id, chosen).await;
    match result {
        Ok(_) => Ok(redirect_see_other(&format!("/manage/{token}?saved=1"))),
        Err(e) => {
            form.absorb(e, ctx.tr)
                .map_err(|e| PageError::new(&req, e))?;
            let (_, stop, me) = load_manage(&req, &state, &token, &ctx).await?;
            let page_data = ManagePage {
                ctx,
                stop,
                me,
                notice: None,
                form,
                cancel_unconfirmed: false,
            };
            page(&req, StatusCode::UNPROCESSABLE_ENTITY, &page_data)
        }
    }
}

#[post("/manage/{token}/cancel")]
pub(super) async fn submit_cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    if form.0.get("confirm").map(String::as_str) != Some("yes") {
        // Giving up a seat cannot be undone: ask for the tick first.
        let (view, stop, me) = load_manage(&req, &state, &token, &ctx).await?;
        let form = chosen_form(&view, &stop);
        let page_data = ManagePage {
            ctx,
            stop,
            me,
            notice: None,
            form,
            cancel_unconfirmed: true,
        };
        return page(&req, StatusCode::UNPROCESSABLE_ENTITY, &page_data);
    }
    let id = registration_of(&state, &token).map_err(|e| PageError::new(&req, e))?;
    service::cancel_registration(&state.pool, &state.events, id)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    Ok(redirect_see_other(&format!("/manage/{token}?cancelled=1")))
}

/// After the stop, the attendee asks for their data to be erased: an e-mail with a link that
/// confirms it goes to their address (see `people::erasure::ask_erasure`).
#[post("/manage/{token}/erase")]
pub(super) async fn ask_erasure(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    _form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let id = registration_of(&state, &token).map_err(|e| PageError::new(&req, e))?;
    crate::people::erasure::ask_erasure(&state.pool, &state.events, id)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    Ok(redirect_see_other(&format!(
        "/manage/{token}?erasure_asked=1#erase"
    )))
}

#[derive(Template)]
#[template(path = "public/badge.html")]
pub(super) struct BadgePage {
    ctx: PageContext,
    stop: StopInfo,
    me: ManageInfo,
}

#[get("/manage/{token}/badge")]
pub(super) async fn badge_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (_, stop, me) = load_manage(&req, &state, &token, &ctx).await?;
    page(&req, StatusCode::OK, &BadgePage { ctx, stop, me })
}

#[get("/manage/{token}/calendar.ics")]
pub(super) async fn calendar_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (view, _, _) = load_manage(&req, &state, &token, &ctx).await?;
    let ics = messages::calendar(&view, &state.settings.url(&format!("/manage/{token}")));
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"rencontre.ics\"",
        ))
        .body(ics))
}
