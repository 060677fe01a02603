//! The admin pages of a workshop: its form.

use super::*;
use crate::web::UPDATED;
use actix_web::{get, post};
#[derive(Template)]
#[template(path = "admin/workshop_form.html")]
pub(super) struct WorkshopFormPage {
    ctx: PageContext,
    form: FormState,
    stop_id: String,
    stop_city: String,
    /// `None` for a new workshop.
    workshop_id: Option<String>,
}

pub(super) fn workshop_from_form(
    form: &FormState,
    view: &StopView,
) -> Result<NewWorkshop, AppError> {
    let s = &view.summary;
    NewWorkshop::parse(
        RawWorkshop {
            title: form.value("title").to_owned(),
            room: form.optional("room"),
            trainer: form.optional("trainer"),
            starts_at: form.value("starts_at").to_owned(),
            ends_at: form.value("ends_at").to_owned(),
            capacity: form.number("capacity"),
            specialist_label: form.value("specialist_label") == "on",
        },
        crate::tours::domain::StopWindow {
            timezone: s.timezone,
            starts_at: s.stop.starts_at,
            ends_at: s.stop.ends_at,
        },
        TimeInput::Local,
    )
}

/// A posted workshop form, new or existing, and what to answer.
struct WorkshopForm<'a> {
    req: &'a HttpRequest,
    ctx: PageContext,
    view: StopView,
    /// `None` for a new workshop.
    workshop_id: Option<String>,
    actor: Actor,
}

impl WorkshopForm<'_> {
    /// Saves through `change`, then back to the stop; or the form again with its errors.
    async fn save<T: Send + 'static>(
        self,
        state: &AppState,
        form: Form,
        change: impl FnOnce(&mut DbConnection, NewWorkshop, &mut Effects) -> Result<T, AppError>
        + Send
        + 'static,
    ) -> Result<HttpResponse, PageError> {
        let form = FormState::new(form.0);
        let result = save(
            state,
            self.actor,
            workshop_from_form(&form, &self.view),
            change,
        )
        .await;
        let stop = self.view.summary.stop;
        let back = format!("/admin/stops/{}?{UPDATED}", stop.id);
        round_trip(
            self.req,
            form,
            self.ctx.tr,
            result,
            |_| back,
            |form| WorkshopFormPage {
                ctx: self.ctx,
                form,
                stop_id: stop.id,
                stop_city: stop.city,
                workshop_id: self.workshop_id,
            },
        )
    }
}

#[get("/admin/stops/{stop_id}/workshops/new")]
pub(super) async fn new_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (view, _) = load_stop(&req, &state, path.into_inner()).await?;
    let s = view.summary.stop;
    let tz = view.summary.timezone;
    let form = FormState::from_pairs([
        ("starts_at", to_local_input(s.starts_at, tz)),
        (
            "ends_at",
            to_local_input(s.starts_at + chrono::Duration::hours(1), tz),
        ),
    ]);
    let ctx = context(&req, admin);
    let page_data = WorkshopFormPage {
        ctx,
        form,
        stop_id: s.id,
        stop_city: s.city,
        workshop_id: None,
    };
    page(&req, StatusCode::OK, &page_data)
}

#[post("/admin/stops/{stop_id}/workshops")]
pub(super) async fn create_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let (view, _) = load_stop(&req, &state, path.into_inner()).await?;
    let stop_id = view.summary.stop.id.clone();
    let answer = WorkshopForm {
        req: &req,
        actor: Actor::from(&admin.user),
        ctx: context(&req, admin),
        view,
        workshop_id: None,
    };
    answer
        .save(&state, form, move |conn, new, effects| {
            service::create_workshop(conn, &stop_id, &new, effects)
        })
        .await
}

#[get("/admin/workshops/{workshop_id}/edit")]
pub(super) async fn edit_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let workshop = db::run(&state.pool, move |conn| service::find_workshop(conn, &id))
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let (view, _) = load_stop(&req, &state, workshop.stop_id.clone()).await?;
    let tz = view.summary.timezone;
    let form = FormState::from_pairs([
        ("title", workshop.title),
        ("room", workshop.room),
        ("trainer", workshop.trainer),
        ("starts_at", to_local_input(workshop.starts_at, tz)),
        ("ends_at", to_local_input(workshop.ends_at, tz)),
        ("capacity", workshop.capacity.to_string()),
        (
            "specialist_label",
            if workshop.specialist_label { "on" } else { "" }.to_owned(),
        ),
    ]);
    let ctx = context(&req, admin);
    let page_data = WorkshopFormPage {
        ctx,
        form,
        stop_id: view.summary.stop.id,
        stop_city: view.summary.stop.city,
        workshop_id: Some(workshop.id),
    };
    page(&req, StatusCode::OK, &page_data)
}

#[post("/admin/workshops/{workshop_id}")]
pub(super) async fn update_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let lookup = id.clone();
    let workshop = db::run(&state.pool, move |conn| {
        service::find_workshop(conn, &lookup)
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let (view, _) = load_stop(&req, &state, workshop.stop_id).await?;
    let answer = WorkshopForm {
        req: &req,
        actor: Actor::from(&admin.user),
        ctx: context(&req, admin),
        view,
        workshop_id: Some(id.clone()),
    };
    answer
        .save(&state, form, move |conn, new, effects| {
            service::update_workshop(conn, &id, &new, effects)
        })
        .await
}
