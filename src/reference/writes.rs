//! The orchestration API's writes that fixtures use, with Heat's request and
//! response shapes (`heat/api/openstack/v1/software_configs.py`,
//! `software_deployments.py`, API reference `config-create-*.json`,
//! `deployment-create-*.json`, `deployment-update-*.json`), stored per project
//! so that `GET .../software_deployments` lists what was created there and only
//! there:
//!
//! ```text
//! GET    /v1/{project_id}/software_configs             200 {"software_configs": [...]} (limit, marker)
//! POST   /v1/{project_id}/software_configs             200 {"software_config": {...}}
//! GET    /v1/{project_id}/software_configs/{id}        200 {"software_config": {...}}
//! DELETE /v1/{project_id}/software_configs/{id}        204
//! POST   /v1/{project_id}/software_deployments         200 {"software_deployment": {...}}
//! GET    /v1/{project_id}/software_deployments/{id}    200 {"software_deployment": {...}}
//! PUT    /v1/{project_id}/software_deployments/{id}    200 {"software_deployment": {...}}
//! DELETE /v1/{project_id}/software_deployments/{id}    204
//! ```
//!
//! Where Heat stores whatever it is given, the reference keeps its listing
//! conformant to the contract, and says so:
//! - a deployment's `status` must be `COMPLETE`, `IN_PROGRESS` or `FAILED` (else `400`);
//!   `status` defaults to `IN_PROGRESS`, `action` to `CREATE`, `status_reason` to `""`;
//! - `input_values` and `output_values` are objects, `{}` when not given (Heat: `null`);
//! - `updated_time` equals `creation_time` until the first update (Heat omits it);
//! - deleting a config that a deployment still uses is `409 Conflict` (Heat raises an
//!   unmapped error, a `500`);
//! - the reference's own (fixture) deployments are listed and shown but read-only: `PUT` and
//!   `DELETE` of one are `403 Forbidden`.
//!
//! Errors have Heat's fault body:
//!
//! ```json
//! {"explanation": "The resource could not be found.", "code": 404, "title": "Not Found",
//!  "error": {"message": "Software config with id 7c... not found", "traceback": null,
//!            "type": "NotFound"}}
//! ```

use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// The statuses the contract allows (SD-RESP-9).
const STATUSES: [&str; 3] = ["COMPLETE", "IN_PROGRESS", "FAILED"];

/// A stored object and the project it belongs to.
#[derive(Debug, Clone)]
struct Stored {
    project: String,
    value: Value,
}

/// Everything created through the API, per project.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    configs: Mutex<Vec<Stored>>,
    deployments: Mutex<Vec<Stored>>,
    counter: AtomicU64,
    random: std::collections::hash_map::RandomState,
}

impl Writes {
    /// The deployments created in `project`, in creation order.
    pub(crate) fn deployments_of(&self, project: &str) -> Vec<Value> {
        lock(&self.deployments)
            .iter()
            .filter(|d| d.project == project)
            .map(|d| d.value.clone())
            .collect()
    }

    /// `POST /v1/{project}/software_configs`.
    pub(crate) fn create_config(&self, project: &str, body: &[u8]) -> Response {
        let body = match object(body) {
            Ok(body) => body,
            Err(refused) => return refused.into_response(),
        };
        for list in ["inputs", "outputs"] {
            if body
                .get(list)
                .is_some_and(|v| !v.is_array() && !v.is_null())
            {
                return heat_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid",
                    &format!("{list} must be a list"),
                );
            }
        }
        let text = |key: &str, default: &str| {
            body.get(key)
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_owned()
        };
        let list = |key: &str| {
            body.get(key)
                .filter(|v| v.is_array())
                .cloned()
                .unwrap_or(json!([]))
        };
        let config = json!({
            "id": self.uuid(),
            "name": text("name", ""),
            "group": text("group", "Heat::Ungrouped"),
            "config": body.get("config").cloned().unwrap_or(Value::Null),
            "inputs": list("inputs"),
            "outputs": list("outputs"),
            "options": body.get("options").cloned().unwrap_or(Value::Null),
            "creation_time": now(),
        });
        lock(&self.configs).push(Stored {
            project: project.to_owned(),
            value: config.clone(),
        });
        json_response(StatusCode::OK, &json!({ "software_config": config }))
    }

    /// `GET /v1/{project}/software_configs[?limit=N&marker=ID]`: Heat's index, each config
    /// as `id`, `name`, `group`, `creation_time`, in creation order; a page starts after
    /// `marker` (a config of the project, else 404) and holds at most `limit`.
    pub(crate) fn list_configs(&self, project: &str, query: Option<&str>) -> Response {
        let mut limit = usize::MAX;
        let mut marker = None;
        for pair in query.unwrap_or_default().split('&') {
            match pair.split_once('=') {
                Some(("limit", value)) => match value.parse::<usize>() {
                    Ok(n) => limit = n,
                    Err(_) => {
                        return invalid("limit must be a non-negative integer").into_response();
                    }
                },
                Some(("marker", value)) => marker = Some(value.to_owned()),
                _ => {}
            }
        }
        let configs: Vec<Value> = lock(&self.configs)
            .iter()
            .filter(|c| c.project == project)
            .map(|c| c.value.clone())
            .collect();
        let start = match &marker {
            None => 0,
            Some(id) => match configs.iter().position(|c| c["id"] == json!(id)) {
                Some(at) => at + 1,
                None => return config_not_found(id),
            },
        };
        let page: Vec<Value> = configs
            .iter()
            .skip(start)
            .take(limit)
            .map(|c| {
                json!({
                    "id": c["id"],
                    "name": c["name"],
                    "group": c["group"],
                    "creation_time": c["creation_time"],
                })
            })
            .collect();
        json_response(StatusCode::OK, &json!({ "software_configs": page }))
    }

    /// `GET /v1/{project}/software_configs/{id}`.
    pub(crate) fn show_config(&self, project: &str, id: &str) -> Response {
        match find(&lock(&self.configs), project, id) {
            Some(config) => json_response(StatusCode::OK, &json!({ "software_config": config })),
            None => config_not_found(id),
        }
    }

    /// `DELETE /v1/{project}/software_configs/{id}`.
    pub(crate) fn delete_config(&self, project: &str, id: &str) -> Response {
        let in_use = lock(&self.deployments)
            .iter()
            .any(|d| d.project == project && d.value["config_id"] == json!(id));
        let mut configs = lock(&self.configs);
        let Some(at) = position(&configs, project, id) else {
            return config_not_found(id);
        };
        if in_use {
            return heat_error(
                StatusCode::CONFLICT,
                "InvalidRestrictedAction",
                &format!("Software config with id {id} can not be deleted as it is referenced."),
            );
        }
        configs.remove(at);
        StatusCode::NO_CONTENT.into_response()
    }

    /// `POST /v1/{project}/software_deployments`.
    pub(crate) fn create_deployment(&self, project: &str, body: &[u8]) -> Response {
        let body = match object(body) {
            Ok(body) => body,
            Err(refused) => return refused.into_response(),
        };
        let Some(server_id) = body.get("server_id").and_then(Value::as_str) else {
            return invalid("server_id is required and must be a string").into_response();
        };
        let config_id = match self.existing_config(project, body.get("config_id")) {
            Ok(Some(id)) => id,
            Ok(None) => return invalid("config_id is required").into_response(),
            Err(refused) => return refused.into_response(),
        };
        if body
            .get("stack_user_project_id")
            .and_then(Value::as_str)
            .is_some_and(|s| s.len() > 64)
        {
            return invalid("\"stack_user_project_id\" should be no more than 64 characters")
                .into_response();
        }
        let mut fields = Map::new();
        if let Err(refused) = checked_fields(&body, &mut fields) {
            return refused.into_response();
        }
        let created = now();
        let deployment = json!({
            "id": self.uuid(),
            "server_id": server_id,
            "config_id": config_id,
            "input_values": fields.remove("input_values").unwrap_or(json!({})),
            "output_values": json!({}),
            "action": fields.remove("action").unwrap_or(json!("CREATE")),
            "status": fields.remove("status").unwrap_or(json!("IN_PROGRESS")),
            "status_reason": fields.remove("status_reason").unwrap_or(json!("")),
            "creation_time": created,
            "updated_time": created,
        });
        lock(&self.deployments).push(Stored {
            project: project.to_owned(),
            value: deployment.clone(),
        });
        json_response(
            StatusCode::OK,
            &json!({ "software_deployment": deployment }),
        )
    }

    /// `GET /v1/{project}/software_deployments/{id}`; `fixture` are the reference's own.
    pub(crate) fn show_deployment(&self, project: &str, id: &str, fixture: &[Value]) -> Response {
        let found = find(&lock(&self.deployments), project, id)
            .or_else(|| fixture.iter().find(|d| d["id"] == json!(id)).cloned());
        match found {
            Some(d) => json_response(StatusCode::OK, &json!({ "software_deployment": d })),
            None => deployment_not_found(id),
        }
    }

    /// `PUT /v1/{project}/software_deployments/{id}`.
    pub(crate) fn update_deployment(
        &self,
        project: &str,
        id: &str,
        body: &[u8],
        fixture: &[Value],
    ) -> Response {
        let body = match object(body) {
            Ok(body) => body,
            Err(refused) => return refused.into_response(),
        };
        let config_id = match self.existing_config(project, body.get("config_id")) {
            Ok(id) => id,
            Err(refused) => return refused.into_response(),
        };
        let mut fields = Map::new();
        if let Err(refused) = checked_fields(&body, &mut fields) {
            return refused.into_response();
        }
        let mut deployments = lock(&self.deployments);
        let Some(at) = position(&deployments, project, id) else {
            drop(deployments);
            return self.not_ours(id, fixture);
        };
        let Some(stored) = deployments
            .get_mut(at)
            .and_then(|d| d.value.as_object_mut())
        else {
            return deployment_not_found(id);
        };
        if let Some(config_id) = config_id {
            stored.insert("config_id".into(), json!(config_id));
        }
        for (key, value) in fields {
            stored.insert(key, value);
        }
        stored.insert("updated_time".into(), json!(now()));
        let updated = Value::Object(stored.clone());
        json_response(StatusCode::OK, &json!({ "software_deployment": updated }))
    }

    /// `DELETE /v1/{project}/software_deployments/{id}`.
    pub(crate) fn delete_deployment(&self, project: &str, id: &str, fixture: &[Value]) -> Response {
        let mut deployments = lock(&self.deployments);
        match position(&deployments, project, id) {
            Some(at) => {
                deployments.remove(at);
                StatusCode::NO_CONTENT.into_response()
            }
            None => {
                drop(deployments);
                self.not_ours(id, fixture)
            }
        }
    }

    /// 403 for one of the reference's own deployments, else 404.
    fn not_ours(&self, id: &str, fixture: &[Value]) -> Response {
        if fixture.iter().any(|d| d["id"] == json!(id)) {
            heat_error(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "the reference target's own deployments are read-only",
            )
        } else {
            deployment_not_found(id)
        }
    }

    /// The `config_id` given, if any, when it is a config of `project`.
    fn existing_config(
        &self,
        project: &str,
        given: Option<&Value>,
    ) -> Result<Option<String>, HeatError> {
        match given {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(id)) if find(&lock(&self.configs), project, id).is_some() => {
                Ok(Some(id.clone()))
            }
            Some(Value::String(id)) => Err(invalid(&format!("Config with id {id} not found"))),
            Some(_) => Err(invalid("config_id must be a string")),
        }
    }

    /// A random (version 4) UUID.
    fn uuid(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let mut words = [0u64; 2];
        for (i, word) in words.iter_mut().enumerate() {
            let mut hasher = self.random.build_hasher();
            hasher.write_u64(n);
            hasher.write_usize(i);
            *word = hasher.finish();
        }
        crate::contract::uuid::v4_from_bits(words[0], words[1])
    }
}

/// The optional fields of a deployment create or update, checked: `action`,
/// `status` (the contract's enum), `status_reason` strings, `input_values` and
/// `output_values` objects. Absent and `null` fields are left out.
fn checked_fields(
    body: &Map<String, Value>,
    out: &mut Map<String, Value>,
) -> Result<(), HeatError> {
    for key in ["action", "status", "status_reason"] {
        match body.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if key != "status" || STATUSES.contains(&s.as_str()) => {
                out.insert(key.to_owned(), json!(s));
            }
            Some(Value::String(_)) => {
                return Err(invalid(
                    "status must be one of COMPLETE, IN_PROGRESS, FAILED",
                ));
            }
            Some(_) => return Err(invalid(&format!("{key} must be a string"))),
        }
    }
    for key in ["input_values", "output_values"] {
        match body.get(key) {
            None | Some(Value::Null) => {}
            Some(value @ Value::Object(_)) => {
                out.insert(key.to_owned(), value.clone());
            }
            Some(_) => return Err(invalid(&format!("{key} must be an object"))),
        }
    }
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn position(items: &[Stored], project: &str, id: &str) -> Option<usize> {
    items
        .iter()
        .position(|s| s.project == project && s.value["id"] == json!(id))
}

fn find(items: &[Stored], project: &str, id: &str) -> Option<Value> {
    position(items, project, id)
        .and_then(|at| items.get(at))
        .map(|s| s.value.clone())
}

/// The request body as a JSON object, or Heat's 400.
fn object(body: &[u8]) -> Result<Map<String, Value>, HeatError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(HeatError {
            status: StatusCode::BAD_REQUEST,
            kind: "HTTPBadRequest",
            message: "The request body must be a JSON object.".to_owned(),
        }),
    }
}

/// A refusal, answered with Heat's fault body.
#[derive(Debug)]
struct HeatError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

impl IntoResponse for HeatError {
    fn into_response(self) -> Response {
        heat_error(self.status, self.kind, &self.message)
    }
}

/// Now, as Heat writes times: `2015-01-31T15:12:36Z`.
fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

fn invalid(message: &str) -> HeatError {
    HeatError {
        status: StatusCode::BAD_REQUEST,
        kind: "Invalid",
        message: message.to_owned(),
    }
}

fn config_not_found(id: &str) -> Response {
    heat_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("Software config with id {id} not found"),
    )
}

fn deployment_not_found(id: &str) -> Response {
    heat_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("Deployment with id {id} not found"),
    )
}

/// Heat's fault body (`heat/api/middleware/fault.py`).
pub(crate) fn heat_error(status: StatusCode, kind: &str, message: &str) -> Response {
    let explanation = match status {
        StatusCode::NOT_FOUND => "The resource could not be found.",
        StatusCode::FORBIDDEN => "Access was denied to this resource.",
        StatusCode::CONFLICT => "There was a conflict when trying to complete your request.",
        _ => {
            "The server could not comply with the request since it is either malformed or otherwise incorrect."
        }
    };
    json_response(
        status,
        &json!({
            "explanation": explanation,
            "code": status.as_u16(),
            "error": { "message": message, "traceback": null, "type": kind },
            "title": status.canonical_reason().unwrap_or("Error"),
        }),
    )
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_version_4_uuids() {
        let writes = Writes::default();
        let ids: Vec<String> = (0..50).map(|_| writes.uuid()).collect();
        for id in &ids {
            assert!(crate::contract::uuid::is_valid(id), "{id}");
            assert_eq!(id.as_bytes()[14], b'4', "{id}");
            assert!(
                matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
                "{id}"
            );
        }
        let unique: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn times_are_heat_s_whole_seconds_in_utc() {
        let text = now();
        assert!(crate::contract::timestamp::is_valid(&text), "{text}");
        assert!(text.ends_with('Z') && text.len() == 20, "{text}");
    }
}
