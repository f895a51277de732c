//! The reference target's identity service: Keystone v3's token API, behaving
//! as Keystone does rather than as a stub, so that the identity client is tested
//! against a real protocol (and, in `crate::identity`'s tests, against Keystone's
//! own API reference samples):
//!
//! - `GET /` answers `300 Multiple Choices` with the versions document, `GET /v3`
//!   the version document;
//! - `POST /v3/auth/tokens` takes `password` (user by id, or name and domain),
//!   `application_credential` (by id, or name and user) and `token` (re-scoping),
//!   with a project scope by id or by name and domain, no scope (the user's
//!   default project) or `"unscoped"`; it answers `201 Created`, the token in
//!   `X-Subject-Token`, `expires_at` with microseconds and a catalog whose
//!   orchestration endpoint is stored as `{base}/v1/%(tenant_id)s` and substituted,
//!   as Keystone does;
//! - refusals carry Keystone's bodies and statuses: `401` with the one generic
//!   message for a wrong password, user, domain or scope (Keystone never says
//!   which), `404 Could not find token: <id>.` for an expired or unknown token to
//!   re-scope (Keystone echoes it), `400` for a malformed request.
//!
//! A re-scoped token keeps the expiry of the token it came from (Keystone does the
//! same). Tokens live for the configured lifetime ([`super::IdentityConfig`]).
//!
//! ```json
//! {"error": {"code": 401, "message": "The request you have made requires authentication.",
//!            "title": "Unauthorized"}}
//! ```

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::tenants::{APP_CREDENTIAL, FIRST, REGION, SECOND, Tenant};

/// Keystone's message for every refused credential and scope.
const UNAUTHORIZED: &str = "The request you have made requires authentication.";

/// The catalog's orchestration URL before substitution, as an operator registers it.
const ORCHESTRATION_TEMPLATE: &str = "/v1/%(tenant_id)s";

/// What a token says about its bearer, for the endpoints that take one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    /// Issued and not expired: scoped to this project (or unscoped).
    Valid(Option<String>),
    /// Issued, but past its `expires_at`.
    Expired(Option<String>),
    /// Never issued here.
    Unknown,
}

/// One issued token.
#[derive(Debug, Clone)]
struct Issued {
    /// Index of the user's tenant.
    user: usize,
    /// Index of the project's tenant, `None` when unscoped.
    project: Option<usize>,
    methods: Vec<String>,
    issued_at: SystemTime,
    expires_at: SystemTime,
    /// The local-clock instant it stops being valid.
    valid_until: Instant,
}

/// The identity service's state.
#[derive(Debug)]
pub(crate) struct Keystone {
    base_url: String,
    /// The first tenant's project id: the reference's configured project.
    first_project: String,
    tenants: [Tenant; 2],
    lifetime: Duration,
    tokens: Mutex<HashMap<String, Issued>>,
    issued: AtomicU64,
    /// Never the same twice: with the random keys, what makes every token id unique.
    nonce: AtomicU64,
    random: std::collections::hash_map::RandomState,
}

impl Keystone {
    /// The service at `base_url`, whose first project is `first_project`.
    pub(crate) fn new(base_url: String, first_project: String, lifetime: Duration) -> Self {
        Keystone {
            base_url,
            first_project,
            tenants: [FIRST, SECOND],
            lifetime,
            tokens: Mutex::new(HashMap::new()),
            issued: AtomicU64::new(0),
            nonce: AtomicU64::new(0),
            random: std::collections::hash_map::RandomState::new(),
        }
    }

    /// The project id of tenant `index`.
    fn project_id(&self, index: usize) -> Option<&str> {
        match index {
            0 => Some(&self.first_project),
            i => self.tenants.get(i).map(|t| t.project_id),
        }
    }

    /// How many tokens were issued.
    pub(crate) fn issued_count(&self) -> u64 {
        self.issued.load(Ordering::SeqCst)
    }

    /// What `token` is.
    pub(crate) fn check(&self, token: &str) -> TokenCheck {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        match tokens.get(token) {
            None => TokenCheck::Unknown,
            Some(issued) => {
                let project = issued
                    .project
                    .and_then(|p| self.project_id(p))
                    .map(str::to_owned);
                if Instant::now() < issued.valid_until {
                    TokenCheck::Valid(project)
                } else {
                    TokenCheck::Expired(project)
                }
            }
        }
    }

    /// `GET /`: every version, `300 Multiple Choices`.
    pub(crate) fn versions(&self) -> Response {
        json_response(
            StatusCode::MULTIPLE_CHOICES,
            &json!({ "versions": { "values": [self.version_body()] } }),
        )
    }

    /// `GET /v3`: the v3 version document.
    pub(crate) fn version(&self) -> Response {
        json_response(StatusCode::OK, &json!({ "version": self.version_body() }))
    }

    fn version_body(&self) -> Value {
        json!({
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{ "rel": "self", "href": format!("{}/v3/", self.base_url) }],
            "media-types": [{
                "base": "application/json",
                "type": "application/vnd.openstack.identity-v3+json"
            }]
        })
    }

    /// `POST /v3/auth/tokens`.
    pub(crate) fn issue(&self, body: &[u8]) -> Response {
        self.try_issue(body).unwrap_or_else(Refused::into_response)
    }

    fn try_issue(&self, body: &[u8]) -> Result<Response, Refused> {
        let request: Value =
            serde_json::from_slice(body).map_err(|_| bad_request("auth", "the request body"))?;
        let auth = request
            .get("auth")
            .filter(|a| a.is_object())
            .ok_or_else(|| bad_request("auth", "the request body"))?;
        let identity = auth
            .get("identity")
            .filter(|i| i.is_object())
            .ok_or_else(|| bad_request("identity", "auth"))?;
        let methods: Vec<&str> = identity
            .get("methods")
            .and_then(Value::as_array)
            .ok_or_else(|| bad_request("methods", "identity"))?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let [method] = methods.as_slice() else {
            return Err(keystone_error(StatusCode::UNAUTHORIZED, UNAUTHORIZED));
        };
        let scope = auth.get("scope");
        let payload = identity
            .get(*method)
            .ok_or_else(|| bad_request(method, "identity"))?;
        let (user, default_project, inherited) = match *method {
            "password" => (self.password(payload)?, None, None),
            "application_credential" => {
                if scope.is_some() {
                    return Err(unauthorized());
                }
                (self.application_credential(payload)?, Some(0), None)
            }
            "token" => {
                let original = self.token(payload)?;
                (original.user, original.project, Some(original))
            }
            _ => {
                return Err(keystone_error(
                    StatusCode::UNAUTHORIZED,
                    "Attempted to authenticate with an unsupported method.",
                ));
            }
        };
        let project = match scope {
            None => default_project.or(Some(user)),
            Some(Value::String(s)) if s == "unscoped" => None,
            Some(scope) => Some(self.project_scope(scope, user)?),
        };
        Ok(self.respond_with_token(user, project, method, inherited))
    }

    /// The tenant of the user a `password` payload proves.
    fn password(&self, payload: &Value) -> Result<usize, Refused> {
        let user = payload
            .get("user")
            .filter(|u| u.is_object())
            .ok_or_else(|| bad_request("user", "password"))?;
        let index = self.user(user)?;
        let password = user.get("password").and_then(Value::as_str);
        match self.tenants.get(index) {
            Some(tenant) if password == Some(tenant.password) => Ok(index),
            _ => Err(unauthorized()),
        }
    }

    /// The tenant of the user named by `{"id"}` or `{"name", "domain"}`.
    fn user(&self, user: &Value) -> Result<usize, Refused> {
        if let Some(id) = user.get("id").and_then(Value::as_str) {
            return self
                .tenants
                .iter()
                .position(|t| t.user_id == id)
                .ok_or_else(unauthorized);
        }
        let name = user
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_request("id or name", "user"))?;
        let domain = user
            .get("domain")
            .ok_or_else(|| bad_request("domain", "user"))?;
        self.tenants
            .iter()
            .position(|t| t.user_name == name && in_domain(t, domain))
            .ok_or_else(unauthorized)
    }

    /// The tenant whose user owns the application credential an `application_credential` payload proves.
    fn application_credential(&self, payload: &Value) -> Result<usize, Refused> {
        let known = if let Some(id) = payload.get("id").and_then(Value::as_str) {
            id == APP_CREDENTIAL.id
        } else {
            let name = payload
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| bad_request("name or ID", "application credential"))?;
            let user = payload
                .get("user")
                .ok_or_else(|| bad_request("user", "application credential"))?;
            name == APP_CREDENTIAL.name && self.user(user)? == 0
        };
        let secret = payload.get("secret").and_then(Value::as_str);
        if known && secret == Some(APP_CREDENTIAL.secret) {
            Ok(0)
        } else {
            Err(unauthorized())
        }
    }

    /// The valid token a `token` payload names.
    fn token(&self, payload: &Value) -> Result<Issued, Refused> {
        let id = payload
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_request("id", "token"))?;
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        match tokens.get(id) {
            Some(issued) if Instant::now() < issued.valid_until => Ok(issued.clone()),
            // Keystone's TokenNotFound: a 404 that names the token.
            _ => Err(keystone_error(
                StatusCode::NOT_FOUND,
                &format!("Could not find token: {id}."),
            )),
        }
    }

    /// The tenant of the project a scope names, if `user` has a role on it.
    fn project_scope(&self, scope: &Value, user: usize) -> Result<usize, Refused> {
        let project = scope
            .get("project")
            .filter(|p| p.is_object())
            // Domain and system scopes: no user here has a role on one.
            .ok_or_else(unauthorized)?;
        let index = if let Some(id) = project.get("id").and_then(Value::as_str) {
            (0..self.tenants.len()).find(|&i| self.project_id(i) == Some(id))
        } else {
            let name = project
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| bad_request("id or name", "project"))?;
            let domain = project
                .get("domain")
                .ok_or_else(|| bad_request("domain", "project"))?;
            self.tenants
                .iter()
                .position(|t| t.project_name == name && in_domain(t, domain))
        };
        // Each user has a role on its own project only.
        index.filter(|&i| i == user).ok_or_else(unauthorized)
    }

    fn respond_with_token(
        &self,
        user: usize,
        project: Option<usize>,
        method: &str,
        inherited: Option<Issued>,
    ) -> Response {
        let now = SystemTime::now();
        let (expires_at, valid_until, mut methods) = match inherited {
            Some(original) => (original.expires_at, original.valid_until, original.methods),
            None => (
                now.checked_add(self.lifetime).unwrap_or(now),
                Instant::now()
                    .checked_add(self.lifetime)
                    .unwrap_or_else(Instant::now),
                Vec::new(),
            ),
        };
        methods.insert(0, method.to_owned());
        methods.dedup();
        let id = self.random_hex(32);
        let issued = Issued {
            user,
            project,
            methods: methods.clone(),
            issued_at: now,
            expires_at,
            valid_until,
        };
        let body = self.token_body(&issued);
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), issued);
        self.issued.fetch_add(1, Ordering::SeqCst);
        let mut response = json_response(StatusCode::CREATED, &body);
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-subject-token", value);
        }
        response
    }

    fn token_body(&self, issued: &Issued) -> Value {
        let user = self.tenants.get(issued.user).copied().unwrap_or(FIRST);
        let mut token = json!({
            "methods": issued.methods,
            "user": {
                "domain": { "id": user.domain_id, "name": user.domain_name },
                "id": user.user_id,
                "name": user.user_name,
                "password_expires_at": null
            },
            "audit_ids": [self.random_hex(22)],
            "expires_at": humantime::format_rfc3339_micros(issued.expires_at).to_string(),
            "issued_at": humantime::format_rfc3339_micros(issued.issued_at).to_string(),
        });
        let scoped = issued
            .project
            .and_then(|p| Some((self.tenants.get(p)?, self.project_id(p)?)));
        if let Some((project, project_id)) = scoped {
            token["project"] = json!({
                "domain": { "id": project.domain_id, "name": project.domain_name },
                "id": project_id,
                "name": project.project_name
            });
            token["is_domain"] = json!(false);
            token["roles"] =
                json!([{ "id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "member" }]);
            token["catalog"] = self.catalog(project_id);
        }
        json!({ "token": token })
    }

    /// The catalog of a token scoped to `project_id`, substituted as Keystone does.
    fn catalog(&self, project_id: &str) -> Value {
        let base = &self.base_url;
        let orchestration =
            format!("{base}{ORCHESTRATION_TEMPLATE}").replace("%(tenant_id)s", project_id);
        let endpoint = |id: &str, interface: &str, url: &str| json!({ "id": id, "interface": interface, "region": REGION, "region_id": REGION, "url": url });
        json!([
            {
                "type": "identity", "name": "keystone", "id": "4363ae44bdf34a3981fde3b823cb9aa2",
                "endpoints": [
                    endpoint("39dc322ce86c4111b4f06c2eeae0841b", "public", base),
                    endpoint("ec642f27474842e78bf059f6c48f4e99", "internal", base)
                ]
            },
            {
                "type": "orchestration", "name": "heat", "id": "a5f7070bda40443fa3819fbdf1689af1",
                "endpoints": [
                    endpoint("c76cf9930b0f4ccea6b1157f80119cfc", "public", &orchestration),
                    endpoint("bf2fe80c2a614e438d3e55b00e85b9ff", "internal", &orchestration)
                ]
            },
            {
                "type": "cloudformation", "name": "heat-cfn", "id": "0d2d9b1ff2b24bb3a8d8e5a5a5f2ee1c",
                "endpoints": [endpoint("9d0c1c1a4b9e4d3f8e7a6b5c4d3e2f1a", "public", &format!("{base}/v1"))]
            }
        ])
    }

    /// `n` random lowercase hex digits.
    fn random_hex(&self, n: usize) -> String {
        let mut out = String::with_capacity(n + 16);
        while out.len() < n {
            let mut hasher = self.random.build_hasher();
            hasher.write_u64(self.nonce.fetch_add(1, Ordering::SeqCst));
            out.push_str(&format!("{:016x}", hasher.finish()));
        }
        out.truncate(n);
        out
    }
}

/// Whether `tenant`'s domain is the `{"id"}` or `{"name"}` given.
fn in_domain(tenant: &Tenant, domain: &Value) -> bool {
    match (
        domain.get("id").and_then(Value::as_str),
        domain.get("name").and_then(Value::as_str),
    ) {
        (Some(id), _) => id == tenant.domain_id,
        (None, Some(name)) => name == tenant.domain_name,
        (None, None) => false,
    }
}

fn unauthorized() -> Refused {
    keystone_error(StatusCode::UNAUTHORIZED, UNAUTHORIZED)
}

/// Keystone's `ValidationError`.
fn bad_request(attribute: &str, target: &str) -> Refused {
    keystone_error(
        StatusCode::BAD_REQUEST,
        &format!(
            "Expecting to find {attribute} in {target}. The server could not comply with the \
             request since it is either malformed or otherwise incorrect. The client is assumed \
             to be in error."
        ),
    )
}

/// A refusal, answered with Keystone's error body.
#[derive(Debug)]
struct Refused {
    status: StatusCode,
    message: String,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        json_response(
            self.status,
            &json!({ "error": { "code": self.status.as_u16(), "message": self.message, "title": title } }),
        )
    }
}

fn keystone_error(status: StatusCode, message: &str) -> Refused {
    Refused {
        status,
        message: message.to_owned(),
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body.to_string(),
    )
        .into_response()
}
