//! Heat's software-config and software-deployment write endpoints of the reference
//! target, as axum handlers: each checks the token's project (and, for a write,
//! whether a fault refuses it) through one guard, then asks `reference::writes`.
//! A child of `server`, whose router mounts them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{Reference, authorize, refused_write};

/// `then` once the token may act on `project` (and, for a write named `write`, once no
/// fault refuses it); else the refusal. Every write endpoint answers through it.
fn guarded(
    reference: &Reference,
    headers: &HeaderMap,
    project: &str,
    write: Option<&str>,
    then: impl FnOnce() -> Response,
) -> Response {
    if let Err(response) = authorize(reference, headers, project) {
        return *response;
    }
    write
        .and_then(|operation| refused_write(reference, operation))
        .unwrap_or_else(then)
}

/// `POST /v1/{project_id}/software_configs`.
pub(super) async fn create_config(
    State(reference): State<Arc<Reference>>,
    Path(project): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guarded(
        &reference,
        &headers,
        &project,
        Some("software_configs:create"),
        || reference.writes.create_config(&project, &body),
    )
}

/// `GET /v1/{project_id}/software_configs[?limit=N&marker=ID]`.
pub(super) async fn list_configs(
    State(reference): State<Arc<Reference>>,
    Path(project): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    guarded(&reference, &headers, &project, None, || {
        reference.writes.list_configs(&project, query.as_deref())
    })
}

/// `GET /v1/{project_id}/software_configs/{id}`.
pub(super) async fn show_config(
    State(reference): State<Arc<Reference>>,
    Path((project, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    guarded(&reference, &headers, &project, None, || {
        reference.writes.show_config(&project, &id)
    })
}

/// `DELETE /v1/{project_id}/software_configs/{id}`.
pub(super) async fn delete_config(
    State(reference): State<Arc<Reference>>,
    Path((project, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    guarded(
        &reference,
        &headers,
        &project,
        Some("software_configs:delete"),
        || reference.writes.delete_config(&project, &id),
    )
}

/// `POST /v1/{project_id}/software_deployments`.
pub(super) async fn create_deployment(
    State(reference): State<Arc<Reference>>,
    Path(project): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guarded(
        &reference,
        &headers,
        &project,
        Some("software_deployments:create"),
        || reference.writes.create_deployment(&project, &body),
    )
}

/// `GET /v1/{project_id}/software_deployments/{id}`.
pub(super) async fn show_deployment(
    State(reference): State<Arc<Reference>>,
    Path((project, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    guarded(&reference, &headers, &project, None, || {
        let own = reference.own_deployments(&project).unwrap_or_default();
        reference.writes.show_deployment(&project, &id, own)
    })
}

/// `PUT /v1/{project_id}/software_deployments/{id}`.
pub(super) async fn update_deployment(
    State(reference): State<Arc<Reference>>,
    Path((project, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guarded(&reference, &headers, &project, None, || {
        let own = reference.own_deployments(&project).unwrap_or_default();
        reference
            .writes
            .update_deployment(&project, &id, &body, own)
    })
}

/// `DELETE /v1/{project_id}/software_deployments/{id}`.
pub(super) async fn delete_deployment(
    State(reference): State<Arc<Reference>>,
    Path((project, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    guarded(
        &reference,
        &headers,
        &project,
        Some("software_deployments:delete"),
        || {
            let own = reference.own_deployments(&project).unwrap_or_default();
            reference.writes.delete_deployment(&project, &id, own)
        },
    )
}
