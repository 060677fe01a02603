//! Static files (CSS, icons, later the scanner's QR decoder), embedded in the binary so that a
//! single file runs everywhere and nothing is fetched from a CDN.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, get, web};

use crate::error::AppError;

/// `(name, content type, bytes)` of every embedded file.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "badge.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/badge.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../static/favicon.svg"),
    ),
    (
        "live.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/live.js"),
    ),
    (
        "print.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/print.js"),
    ),
    (
        "scanner.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/scanner.js"),
    ),
    // qr-scanner (MIT, nimiq) 1.4.2: the UMD loads its worker from the same folder.
    (
        "qr-scanner.umd.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/qr-scanner.umd.min.js"),
    ),
    (
        "qr-scanner-worker.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/qr-scanner-worker.min.js"),
    ),
];

/// The scanner's service worker, served under `/scan/` so that its scope covers the scanner.
const SCANNER_SW: &[u8] = include_bytes!("../static/scanner-sw.js");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(serve)
        .service(scanner_service_worker)
        .service(scanner_manifest);
}

#[get("/static/{name}")]
async fn serve(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, bytes) = FILES
        .iter()
        .find(|(n, _, _)| *n == name.as_str())
        .ok_or(AppError::NotFound("file"))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, *content_type))
        // The scanner script must not run stale at the door; the rest may be cached an hour.
        .insert_header((
            CACHE_CONTROL,
            if name.as_str() == "scanner.js" {
                "no-cache"
            } else {
                "public, max-age=3600"
            },
        ))
        .body(*bytes))
}

#[get("/scan/sw.js")]
async fn scanner_service_worker() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/javascript; charset=utf-8"))
        // A new version must reach the venue quickly.
        .insert_header((CACHE_CONTROL, "no-cache"))
        .body(SCANNER_SW)
}

#[get("/scan/manifest.webmanifest")]
async fn scanner_manifest() -> HttpResponse {
    let manifest = serde_json::json!({
        "name": "Roadshow — scanner",
        "short_name": "Scanner",
        "start_url": "/scan",
        "scope": "/scan/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#111111",
        "theme_color": "#0b5cad",
        "icons": [{"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml"}]
    });
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/manifest+json"))
        .body(manifest.to_string())
}
