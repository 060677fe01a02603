//! The registration form: choose workshops, register, or have the confirmation sent again.

use super::*;
use actix_web::{get, post};

#[derive(Template)]
#[template(path = "public/register.html")]
pub(super) struct RegisterPage {
    ctx: PageContext,
    stop: StopInfo,
    form: FormState,
    company_sizes: &'static [&'static str],
    partner_types: &'static [&'static str],
    /// Set when the e-mail is already registered: offer to send the confirmation again.
    already_registered: bool,
}

#[get("/stops/{stop_id}/register")]
pub(super) async fn registration_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let stop = load_stop(&req, &state, path.into_inner(), &ctx).await?;
    let form = FormState::from_pairs([("locale", ctx.tr.code().to_owned())]);
    let page_data = RegisterPage {
        ctx,
        stop,
        form,
        company_sizes: COMPANY_SIZES,
        partner_types: PARTNER_TYPES,
        already_registered: false,
    };
    page(&req, StatusCode::OK, &page_data)
}

/// The workshop ids chosen on a form: one field per time slot (`slot_0`, `slot_1`…).
pub(super) fn chosen_workshops(form: &FormState, slots: &[Slot]) -> Vec<String> {
    slots
        .iter()
        .filter_map(|slot| form.optional(&format!("slot_{}", slot.index)))
        .collect()
}

impl RegisterPage {
    /// The form again, as the visitor filled it.
    fn again(ctx: PageContext, stop: StopInfo, form: FormState, already_registered: bool) -> Self {
        Self {
            ctx,
            stop,
            form,
            company_sizes: COMPANY_SIZES,
            partner_types: PARTNER_TYPES,
            already_registered,
        }
    }
}

/// What the visitor typed, as the registration use case takes it.
fn raw_registration(form: &FormState, slots: &[Slot]) -> RawRegistration {
    RawRegistration {
        first_name: form.value("first_name").to_owned(),
        last_name: form.value("last_name").to_owned(),
        email: form.value("email").to_owned(),
        company: form.value("company").to_owned(),
        job_title: form.optional("job_title"),
        company_size: form.optional("company_size"),
        partner_id: form.optional("partner_id"),
        partner_type: form.optional("partner_type"),
        locale: form.optional("locale"),
        consent: Some(form.value("consent") == "yes"),
        workshops: chosen_workshops(form, slots),
    }
}

#[post("/stops/{stop_id}/register")]
pub(super) async fn submit_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let stop = load_stop(&req, &state, path.into_inner(), &ctx).await?;
    let mut form = FormState::new(form.0);
    if form.value("action") == "resend" {
        let (stop_id, email) = (stop.id.clone(), form.value("email").to_owned());
        service::resend_confirmation(&state.pool, &state.events, stop_id, email)
            .await
            .map_err(|e| PageError::new(&req, e))?;
        form.notice = Some(ctx.tr.t("register.resent").to_owned());
        return page(
            &req,
            StatusCode::OK,
            &RegisterPage::again(ctx, stop, form, false),
        );
    }
    let raw = raw_registration(&form, &stop.slots);
    match service::register_attendee(
        &state.registrar,
        &state.events,
        stop.id.clone(),
        raw,
        Source::Online,
    )
    .await
    {
        Ok(view) => {
            let token = state.badges.link_token("manage", &view.registration.id);
            Ok(redirect_see_other(&format!("/manage/{token}?welcome=1")))
        }
        Err(AppError::Conflict(message)) => {
            let already_registered = message.starts_with("this e-mail is already registered");
            // Already registered is no mistake of the visitor's: a notice with the way out,
            // not an error box.
            if already_registered {
                form.notice = Some(ctx.tr.t("register.already").to_owned());
            } else {
                form.alert = Some(ctx.tr.t("register.closed").to_owned());
            }
            let again = RegisterPage::again(ctx, stop, form, already_registered);
            page(&req, StatusCode::CONFLICT, &again)
        }
        Err(e) => {
            form.absorb(e, ctx.tr)
                .map_err(|e| PageError::new(&req, e))?;
            let again = RegisterPage::again(ctx, stop, form, false);
            page(&req, StatusCode::UNPROCESSABLE_ENTITY, &again)
        }
    }
}
