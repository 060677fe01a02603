//! The error answers every operation can give, added to the document from what the operation
//! is: the server's middleware and extractors give them the same way for every route, so they
//! are declared the same way here rather than on each handler. A handler still declares its
//! own answers (its 404 or 409 and what they mean); those are kept.

use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

pub struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (&mut item.get, false),
                (&mut item.delete, true),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
            ];
            for (operation, writes) in operations {
                if let Some(operation) = operation.as_mut() {
                    add_standard_errors(operation, writes);
                }
            }
        }
    }
}

fn add_standard_errors(operation: &mut Operation, writes: bool) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_path = parameters
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let has_query = parameters
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let has_body = operation.request_body.is_some();
    let secured = operation.security.as_ref().is_some_and(|requirements| {
        // `{}` among the requirements means "no token needed".
        !requirements.is_empty()
            && requirements
                .iter()
                .all(|r| serde_json::to_value(r).is_ok_and(|v| v != serde_json::json!({})))
    });
    let mut add = |status: &str, description: &str| {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem(description));
    };
    if has_body || has_query {
        add(
            "400",
            "The body or the query string could not be read (malformed JSON, a repeated query parameter).",
        );
    }
    if secured {
        add("401", "No bearer token, or one that is wrong or expired.");
        add("403", "The token's role may not do this.");
    }
    if has_path {
        add("404", "No such resource.");
    }
    if has_body {
        add("413", "The body is larger than this operation reads.");
        add(
            "415",
            "The body is not of the media type this operation reads.",
        );
    }
    if has_body || has_query {
        add(
            "422",
            "Invalid field values: `errors` names each field and what is wrong with it.",
        );
    }
    if writes {
        add(
            "429",
            "Too many writes from this address without a token; `Retry-After` says when to try again.",
        );
    }
}

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}
