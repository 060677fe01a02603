//! The language switch sticks: a page asked for with `?lang=` also sets the `lang` cookie, so
//! that the next pages (and forms posted from them) keep that language.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::i18n::{LANG_COOKIE, Locale};

/// Sets the `lang` cookie (a year) when the request chose a language with `?lang=`.
pub async fn remember_language(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let chosen = Locale::chosen_in(req.request());
    // Like every cookie roadshow sets: Secure whenever the client came over https.
    let https = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .is_some_and(|s| super::client::is_https(req.request(), &s.settings));
    let mut res = next.call(req).await?;
    if let Some(locale) = chosen {
        let cookie = Cookie::build(LANG_COOKIE, locale.code())
            .path("/")
            .secure(https)
            .same_site(SameSite::Lax)
            .max_age(Duration::days(365))
            .finish();
        // A response that cannot take the cookie still answers; the choice is just not kept.
        let _ = res.response_mut().add_cookie(&cookie);
    }
    Ok(res)
}
