//! The methods each API path answers, read from the document: a request that reached no route
//! but whose path is known gets 405 with `Allow` rather than 404. The document is the route
//! table here because a test checks that every route mounted under `/api/v1` is in it.

use std::sync::LazyLock;

use actix_web::dev::ResourceDef;
use utoipa::OpenApi;

struct DocumentedPath {
    pattern: ResourceDef,
    methods: Vec<&'static str>,
}

static PATHS: LazyLock<Vec<DocumentedPath>> = LazyLock::new(|| {
    let doc = super::ApiDoc::openapi();
    let mut paths: Vec<DocumentedPath> = doc
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let operations = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            DocumentedPath {
                pattern: ResourceDef::new(path.as_str()),
                methods: operations
                    .into_iter()
                    .filter(|(_, present)| *present)
                    .map(|(method, _)| method)
                    .collect(),
            }
        })
        .collect();
    // The document itself is served beside the operations it lists.
    paths.push(DocumentedPath {
        pattern: ResourceDef::new(super::DOCUMENT_PATH),
        methods: vec!["GET"],
    });
    paths
});

/// The methods that `path` answers, or `None` when no API route has this path. A path written
/// out in full (`/outcomes/import`) is served by its own resource, which answers every method
/// itself: it shadows the templates it also matches (`/outcomes/{id}`). Otherwise the methods
/// of every matching template are merged.
pub fn allowed_methods(path: &str) -> Option<Vec<&'static str>> {
    let matching = PATHS
        .iter()
        .filter(|documented| documented.pattern.is_match(path));
    let literal = matching.clone().find(|documented| {
        !documented.pattern.is_prefix() && documented.pattern.pattern() == Some(path)
    });
    let mut methods: Vec<&'static str> = match literal {
        Some(documented) => documented.methods.clone(),
        None => matching
            .flat_map(|documented| documented.methods.iter().copied())
            .collect(),
    };
    if methods.is_empty() {
        return None;
    }
    methods.sort_unstable();
    methods.dedup();
    Some(methods)
}

/// The answer to an API request that no route took: 405 with `Allow` on a known path, 404
/// otherwise.
pub fn unrouted(path: &str) -> crate::error::AppError {
    match allowed_methods(path) {
        Some(methods) => crate::error::AppError::MethodNotAllowed(methods),
        None => crate::error::AppError::NotFound("resource"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_path_lists_its_methods_and_an_unknown_one_none() {
        assert_eq!(allowed_methods("/api/v1/tours"), Some(vec!["GET", "POST"]));
        assert_eq!(
            allowed_methods("/api/v1/outcomes/import"),
            Some(vec!["POST"])
        );
        assert_eq!(allowed_methods("/api/v1/outcomes/x"), Some(vec!["DELETE"]));
        assert_eq!(allowed_methods("/api/v1/openapi.json"), Some(vec!["GET"]));
        assert_eq!(allowed_methods("/api/v1/nothing-here"), None);
    }
}
