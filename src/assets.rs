//! Static files (CSS, icons, later the scanner's QR decoder), embedded in the binary so that a
//! single file runs everywhere and nothing is fetched from a CDN.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

use crate::error::AppError;

/// `(name, content type, bytes)` of every embedded file.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../static/favicon.svg"),
    ),
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{name}", web::get().to(serve));
}

async fn serve(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, bytes) = FILES
        .iter()
        .find(|(n, _, _)| *n == name.as_str())
        .ok_or(AppError::NotFound("file"))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, *content_type))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(*bytes))
}
