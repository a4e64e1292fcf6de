//! What every operation of the JSON API may answer besides what its handler
//! documents: the shell answers these for all of them (kernel::web::error's
//! `render_errors` gives each the `{error, message, status}` body), so they
//! are written into the document here, once, rather than on each handler
//! where one forgotten line would make the document lie. Schemathesis checks
//! the result in CI (.ci/schemathesis.sh); tests/it/api_contract.rs checks
//! every operation of the merged document.

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::OneOfBuilder;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder, Schema};

/// The error body's schema (outcomes::api::ApiError).
const ERROR: &str = "ApiError";
const JSON: &str = "application/json";

/// Completes every `/api/` operation of `doc`: the bearer scheme, 401 and
/// 403, 400 where a parameter or body can be malformed (an id past i64, a
/// date that is not one, JSON that does not parse), 415 and 422 where a
/// JSON body is read (axum's extractor refuses a wrong content type and a
/// body of the wrong shape), and the error body on every error answer.
pub fn complete(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/api/") {
            continue;
        }
        for op in
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
        {
            complete_operation(op);
        }
    }
}

fn complete_operation(op: &mut Operation) {
    // Every API handler needs a caller (`Ctx::actor`): none is open to the anonymous.
    if op.security.as_ref().is_none_or(|s| s.is_empty()) {
        op.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
    }
    ensure(op, "401", "没有有效的令牌 / no valid token (missing, unknown or revoked)");
    ensure(op, "403", "令牌所属账号的角色或范围不允许 / the token's role or scope does not allow this");
    let has_parameters = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let has_body = op.request_body.is_some();
    if has_parameters || has_body {
        ensure(op, "400", "参数或请求内容格式错误 / a parameter or the body is malformed or out of range");
    }
    if has_body {
        ensure(op, "415", "请求内容须为 JSON / the body is not sent as application/json");
        ensure(op, "422", "请求内容不符合接口格式 / the body's JSON does not match the request schema");
    }
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else { continue };
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        match response.content.get_mut(JSON) {
            None => {
                response.content.insert(JSON.to_owned(), Content::new(Some(Ref::from_schema_name(ERROR))));
            }
            // A handler's own refusal (a refused push's cells, a refused check-in) shares 422
            // with the extractor's refusal of a body of the wrong shape: either may come.
            Some(content) if status == "422" && has_body => {
                let own = content.schema.take();
                let is_error = matches!(&own, Some(RefOr::Ref(r)) if r.ref_location.ends_with(&format!("/{ERROR}")));
                content.schema = match own {
                    Some(own) if !is_error => Some(RefOr::T(Schema::OneOf(
                        OneOfBuilder::new().item(own).item(Ref::from_schema_name(ERROR)).build(),
                    ))),
                    other => other,
                };
            }
            Some(_) => {}
        }
    }
}

/// Adds the answer `status` unless the handler documents it already (its description is then kept).
fn ensure(op: &mut Operation, status: &str, description: &str) {
    if !op.responses.responses.contains_key(status) {
        let response = ResponseBuilder::new().description(description).build();
        op.responses.responses.insert(status.to_owned(), RefOr::T(response));
    }
}
