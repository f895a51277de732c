//! The reference target's HTTP server: a conformant, in-memory
//! `GET /v1/{project_id}/software_deployments`, optionally broken by one [`Fault`].
//!
//! Sits under [`crate::reference`]. [`start`] binds a socket and serves the
//! [`fixture`](super::fixture) in a spawned tokio task until [`RunningReference::shutdown`].
//! It is the default target of a run, the `sdconform serve` command, and the target of the
//! end-to-end tests.
//!
//! Beside the endpoint under test it serves an identity service
//! ([`super::keystone`]: `GET /`, `GET /v3`, `POST /v3/auth/tokens`) and the orchestration
//! API's writes that fixtures use ([`super::writes`]), for two projects
//! ([`super::tenants`]); [`RunningReference::clouds_yaml`] renders a `clouds.yaml` for it.
//!
//! What the conformant server does, in the order it decides:
//! 1. `X-Auth-Token` must be the configured token (valid for the configured project) or a
//!    token its identity service issued and that has not expired (valid for the project it
//!    is scoped to), else 401 (before anything else).
//! 2. `project_id` must be the token's project, else 404. The configured project lists the
//!    fixture, the second project its own deployments; each also lists what was created in it.
//! 3. The raw query is decoded with form-urlencoded rules (`+` is a space, `%XX` a byte; a
//!    malformed escape is kept literally). The first `server_id` wins; if its value does not
//!    decode to UTF-8, 400. `server_id=` (empty) is a filter by the empty string, which no
//!    server id equals: an empty list, not the unfiltered one, because the parameter was given.
//! 4. 200 with the items whose `server_id` equals the filter exactly (case-sensitive), in
//!    fixture order; an unknown server id gives an empty list.
//!
//! Any other path gives 404. Error bodies are JSON:
//!
//! ```json
//! {"error": {"code": 401, "title": "Unauthorized", "message": "missing X-Auth-Token header"}}
//! ```
//!
//! Example:
//!
//! ```no_run
//! use sdconform::reference::{self, ReferenceConfig};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let addr = "127.0.0.1:0".parse().expect("a valid socket address");
//! let running = reference::start(ReferenceConfig::default(), addr).await?;
//! // GET {url}/v1/95d02433133a4c0a87ba6967474a2ad3/software_deployments
//! //     with X-Auth-Token: sdconform-reference-token
//! println!("serving on {}", running.url());
//! running.shutdown().await;
//! # Ok(())
//! # }
//! ```

use std::io;
use std::net::SocketAddr;
use std::string::FromUtf8Error;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::fault::{Fault, LONG_SERVER_ID_CHARS, OtherProject};
use super::fixture;
use super::keystone::{Keystone, TokenCheck};
use super::tenants;
use super::writes::{Writes, heat_error};

mod endpoints;

use endpoints::{
    create_config, create_deployment, delete_config, delete_deployment, list_configs, show_config,
    show_deployment, update_deployment,
};

/// The project id the reference serves by default (the document's example).
pub const DEFAULT_PROJECT_ID: &str = "95d02433133a4c0a87ba6967474a2ad3";

/// The `X-Auth-Token` the reference accepts by default.
pub const DEFAULT_TOKEN: &str = "sdconform-reference-token";

/// The endpoint's route, in axum's path syntax.
const ROUTE: &str = "/v1/{project_id}/software_deployments";

/// The authentication header the endpoint requires.
const AUTH_HEADER: &str = "x-auth-token";

/// How to run the reference target.
#[derive(Debug, Clone)]
pub struct ReferenceConfig {
    /// The only project id the endpoint serves; others get 404.
    pub project_id: String,
    /// The only `X-Auth-Token` the endpoint accepts.
    pub token: String,
    /// The contract violation to inject, if any.
    pub fault: Option<Fault>,
    /// Serve this many generated deployments ([`super::generated`]) instead of
    /// the hand-made fixture: large bodies for benchmarks and scale tests.
    pub fixture_size: Option<usize>,
}

impl Default for ReferenceConfig {
    /// [`DEFAULT_PROJECT_ID`], [`DEFAULT_TOKEN`], no fault.
    fn default() -> Self {
        ReferenceConfig {
            project_id: DEFAULT_PROJECT_ID.to_owned(),
            token: DEFAULT_TOKEN.to_owned(),
            fault: None,
            fixture_size: None,
        }
    }
}

/// How the reference's identity service issues tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityConfig {
    /// How long an issued token is valid (tests use a second or two).
    pub token_lifetime: Duration,
}

impl Default for IdentityConfig {
    /// Tokens valid for an hour, Keystone's default.
    fn default() -> Self {
        IdentityConfig {
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

/// A reference target serving in the background.
///
/// Dropping it without [`RunningReference::shutdown`] also stops the server, without waiting.
#[derive(Debug)]
pub struct RunningReference {
    url: String,
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
    state: Arc<Reference>,
}

impl RunningReference {
    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the server is bound to (the real port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A `clouds.yaml` that reaches this reference's identity service, one cloud per way
    /// in (see [`super::tenants::clouds_yaml`]); its credentials are test credentials.
    pub fn clouds_yaml(&self) -> String {
        tenants::clouds_yaml(&self.url, &self.state.config.project_id)
    }

    /// How many tokens the identity service has issued.
    pub fn tokens_issued(&self) -> u64 {
        self.state.keystone.issued_count()
    }

    /// Stops accepting connections, lets open requests finish and waits for the server task.
    pub async fn shutdown(self) {
        // The receiver is gone only if the task already ended; nothing left to stop then.
        let _ = self.stop.send(());
        // After start, axum's serve loop only ends on shutdown; nothing to report.
        let _ = self.task.await;
    }
}

/// Binds `addr` (tests use `127.0.0.1:0`) and serves in a spawned tokio task.
///
/// Must be called inside a tokio runtime. Fails only if the address cannot be bound.
pub async fn start(config: ReferenceConfig, addr: SocketAddr) -> io::Result<RunningReference> {
    start_with(config, IdentityConfig::default(), addr).await
}

/// [`start`], with the identity service's settings (a short token lifetime, for tests).
pub async fn start_with(
    config: ReferenceConfig,
    identity: IdentityConfig,
    addr: SocketAddr,
) -> io::Result<RunningReference> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let mut deployments = match config.fixture_size {
        Some(n) => fixture::generated(n),
        None => fixture::deployments(),
    };
    if let Some(fault) = config.fault {
        fault.apply_to_deployments(&mut deployments);
    }
    let url = format!("http://{addr}");
    let state = Arc::new(Reference {
        keystone: Keystone::new(
            url.clone(),
            config.project_id.clone(),
            identity.token_lifetime,
        ),
        writes: Writes::default(),
        second_deployments: tenants::second_project_deployments(),
        config,
        deployments,
    });
    let router = Router::new()
        .route("/", get(versions))
        .route("/v3", get(version))
        .route("/v3/", get(version))
        .route("/v3/auth/tokens", post(issue_token))
        .route(ROUTE, get(list).post(create_deployment))
        .route(
            "/v1/{project_id}/software_deployments/{id}",
            get(show_deployment)
                .put(update_deployment)
                .delete(delete_deployment),
        )
        .route(
            "/v1/{project_id}/software_configs",
            get(list_configs).post(create_config),
        )
        .route(
            "/v1/{project_id}/software_configs/{id}",
            get(show_config).delete(delete_config),
        )
        .fallback(unknown_path)
        .with_state(Arc::clone(&state));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningReference {
        url,
        addr,
        stop,
        task,
        state,
    })
}

/// What the handlers share: the configuration and the (possibly corrupted) data.
#[derive(Debug)]
struct Reference {
    config: ReferenceConfig,
    deployments: Vec<Value>,
    /// The second project's own deployments.
    second_deployments: Vec<Value>,
    keystone: Keystone,
    writes: Writes,
}

impl Reference {
    /// Every deployment `project` lists (the fixture or the second project's own, then
    /// what was created there; with [`Fault::ListingLeaksOtherProject`], the other
    /// project's too), or `None` for a project the reference does not have.
    fn listing<'a>(
        &'a self,
        project: &str,
        created: &'a [Value],
        leaked: &'a [Value],
    ) -> Option<Vec<&'a Value>> {
        let own = self.own_deployments(project)?;
        Some(own.iter().chain(created).chain(leaked).collect())
    }

    /// The reference's own deployments of `project`.
    fn own_deployments(&self, project: &str) -> Option<&[Value]> {
        if project == self.config.project_id {
            Some(&self.deployments)
        } else if project == tenants::SECOND.project_id {
            Some(&self.second_deployments)
        } else {
            None
        }
    }

    /// With [`Fault::ListingLeaksOtherProject`], what leaks into `project`'s listing.
    fn leaked_into(&self, project: &str) -> Vec<Value> {
        if self.config.fault != Some(Fault::ListingLeaksOtherProject) {
            return Vec::new();
        }
        let other = if project == self.config.project_id {
            tenants::SECOND.project_id
        } else {
            self.config.project_id.as_str()
        };
        let mut leaked = self
            .own_deployments(other)
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        leaked.extend(self.writes.deployments_of(other));
        leaked
    }
}

/// What the request's `X-Auth-Token` says about the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Auth {
    /// A token valid for this project.
    Valid(String),
    Missing,
    Invalid,
}

/// The project a listing is asked for, or the answer when it is not the token's: an
/// undecodable project id cannot be the token's, so not found, like any other; some
/// faults answer another project's path otherwise.
fn project_of(
    reference: &Reference,
    project_id: Result<Path<String>, PathRejection>,
    token_project: &str,
    fault: Option<Fault>,
) -> Result<String, Box<Response>> {
    match project_id {
        Ok(Path(project_id)) if project_id == token_project => Ok(project_id),
        Ok(Path(project_id))
            if fault == Some(Fault::OtherProjectForbidden)
                && reference.own_deployments(&project_id).is_some() =>
        {
            Err(Box::new(error(
                StatusCode::FORBIDDEN,
                "the token is not scoped to this project",
            )))
        }
        _ => Err(Box::new(match fault.and_then(Fault::other_project) {
            Some(OtherProject::OwnDeployments) => {
                list_response(reference.deployments.iter(), fault)
            }
            Some(OtherProject::Forbidden) => error(
                StatusCode::FORBIDDEN,
                "the token is not scoped to this project",
            ),
            None => error(StatusCode::NOT_FOUND, "project not found"),
        })),
    }
}

/// `GET /v1/{project_id}/software_deployments[?server_id=...]`.
async fn list(
    State(reference): State<Arc<Reference>>,
    project_id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = reference.config.fault;
    let token_project = match (authenticate(&headers, &reference), fault) {
        (Auth::Valid(project), _) => project,
        (Auth::Missing, Some(Fault::AcceptMissingToken))
        | (Auth::Invalid, Some(Fault::AcceptInvalidToken)) => reference.config.project_id.clone(),
        (Auth::Invalid, Some(Fault::ForbiddenInvalidToken)) => {
            return error(StatusCode::FORBIDDEN, "X-Auth-Token is not allowed here");
        }
        (Auth::Missing, _) => {
            return error(StatusCode::UNAUTHORIZED, "missing X-Auth-Token header");
        }
        (Auth::Invalid, _) => return error(StatusCode::UNAUTHORIZED, "X-Auth-Token is not valid"),
    };

    let project = match project_of(&reference, project_id, &token_project, fault) {
        Ok(project) => project,
        Err(response) => return *response,
    };
    let created = reference.writes.deployments_of(&project);
    let leaked = reference.leaked_into(&project);
    let Some(all) = reference.listing(&project, &created, &leaked) else {
        return error(StatusCode::NOT_FOUND, "project not found");
    };

    let filter = match server_id_filter(query.as_deref()) {
        Ok(filter) => filter,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "server_id is not valid percent-encoded UTF-8",
            );
        }
    };
    let Some(filter) = filter else {
        return list_response(all.into_iter(), fault);
    };
    if let Some((status, message)) = input_fault(&filter, fault) {
        return error(status, message);
    }

    if fault == Some(Fault::ServerErrorOnKnownFilter)
        && all
            .iter()
            .any(|item| server_id(item) == Some(filter.as_str()))
    {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "failed to query software deployments",
        );
    }
    let mut selected: Vec<&Value> = all
        .into_iter()
        .filter(|item| selects(&filter, server_id(item), fault))
        .collect();
    if fault == Some(Fault::FilterDropsItems) {
        selected.truncate(1);
    }
    if fault == Some(Fault::UndocumentedStatusUnknownServer) && selected.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no deployment on that server",
        );
    }
    list_response(selected.into_iter(), fault)
}

/// Every path but the endpoint's.
async fn unknown_path(State(reference): State<Arc<Reference>>) -> Response {
    if reference.config.fault == Some(Fault::UnknownPathOk) {
        return json_response(StatusCode::OK, &json!({ "software_deployments": [] }));
    }
    error(StatusCode::NOT_FOUND, "no resource at this path")
}

/// The answer of the faults that react to inputs only fuzzing sends, if `filter` is one.
fn input_fault(filter: &str, fault: Option<Fault>) -> Option<(StatusCode, &'static str)> {
    match fault? {
        Fault::ServerErrorOnSpecialCharacters if filter.contains(['\'', ';']) => Some((
            StatusCode::INTERNAL_SERVER_ERROR,
            "failed to query software deployments",
        )),
        Fault::ServerErrorOnLongServerId if filter.chars().count() > LONG_SERVER_ID_CHARS => {
            Some((
                StatusCode::INTERNAL_SERVER_ERROR,
                "failed to query software deployments",
            ))
        }
        Fault::TeapotOnWhitespace if filter.contains(char::is_whitespace) => {
            Some((StatusCode::IM_A_TEAPOT, "server_id has whitespace"))
        }
        _ => None,
    }
}

/// An item's `server_id`, if it is a string.
fn server_id(item: &Value) -> Option<&str> {
    item.get("server_id").and_then(Value::as_str)
}

/// The first `X-Auth-Token` header: the configured token (valid for the configured
/// project), or a project-scoped token the identity service issued that has not expired
/// (valid for its project; after expiry too with [`Fault::TokenAcceptedAfterExpiry`]).
fn authenticate(headers: &HeaderMap, reference: &Reference) -> Auth {
    let Some(value) = headers.get(AUTH_HEADER) else {
        return Auth::Missing;
    };
    if value.as_bytes() == reference.config.token.as_bytes() {
        return Auth::Valid(reference.config.project_id.clone());
    }
    let Ok(token) = value.to_str() else {
        return Auth::Invalid;
    };
    match reference.keystone.check(token) {
        TokenCheck::Valid(Some(project)) => Auth::Valid(project),
        TokenCheck::Expired(Some(project))
            if reference.config.fault == Some(Fault::TokenAcceptedAfterExpiry) =>
        {
            Auth::Valid(project)
        }
        _ => Auth::Invalid,
    }
}

/// For the writes: `Ok` when the token is valid for `project`; else Heat's 401, or 404
/// for a project that is not the token's (as the listing answers).
fn authorize(
    reference: &Reference,
    headers: &HeaderMap,
    project: &str,
) -> Result<(), Box<Response>> {
    match authenticate(headers, reference) {
        Auth::Valid(scoped) if scoped == project => Ok(()),
        Auth::Valid(_) => Err(Box::new(heat_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("The project {project} could not be found."),
        ))),
        Auth::Missing | Auth::Invalid => Err(Box::new(heat_error(
            StatusCode::UNAUTHORIZED,
            "HTTPUnauthorized",
            "Authentication required",
        ))),
    }
}

/// With [`Fault::WritesRefused`] or [`Fault::DeletesRefused`], Heat's policy refusal of
/// `action` (e.g. `software_configs:create`).
fn refused_write(reference: &Reference, action: &str) -> Option<Response> {
    let refused = match reference.config.fault {
        Some(Fault::WritesRefused) => action == "software_deployments:create",
        Some(Fault::DeletesRefused) => action.ends_with(":delete"),
        _ => false,
    };
    refused.then(|| {
        heat_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!("You are not authorized to use {action}."),
        )
    })
}

/// `GET /`: the identity service's versions.
async fn versions(State(reference): State<Arc<Reference>>) -> Response {
    reference.keystone.versions()
}

/// `GET /v3`.
async fn version(State(reference): State<Arc<Reference>>) -> Response {
    reference.keystone.version()
}

/// `POST /v3/auth/tokens`.
async fn issue_token(State(reference): State<Arc<Reference>>, body: Bytes) -> Response {
    reference.keystone.issue(&body)
}

/// Whether the filter selects an item with this `server_id`: exact, case-sensitive equality,
/// unless a filter fault loosens it. A non-string `server_id` is never selected by a filter.
fn selects(filter: &str, server_id: Option<&str>, fault: Option<Fault>) -> bool {
    match (fault, server_id) {
        (Some(Fault::FilterIgnored), _) => true,
        (_, None) => false,
        (Some(fault), Some(server_id)) => fault
            .filter_selects(filter, server_id)
            .unwrap_or(server_id == filter),
        (None, Some(server_id)) => server_id == filter,
    }
}

/// The first `server_id` of a raw query string, decoded with form-urlencoded rules.
///
/// `Ok(None)` when there is no query or no `server_id`; an error when the first value does
/// not decode to UTF-8. Later `server_id`s and other parameters are ignored, even malformed.
fn server_id_filter(query: Option<&str>) -> Result<Option<String>, FromUtf8Error> {
    let Some(query) = query else {
        return Ok(None);
    };
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if form_decode(name) == b"server_id" {
            return String::from_utf8(form_decode(value)).map(Some);
        }
    }
    Ok(None)
}

/// Decodes one form-urlencoded component to bytes: `+` is a space, `%XX` is the byte XX,
/// and a `%` not followed by two hex digits stays literal (as `application/x-www-form-urlencoded`
/// parsers do).
fn form_decode(component: &str) -> Vec<u8> {
    let mut bytes = component.as_bytes().iter();
    let mut decoded = Vec::with_capacity(component.len());
    while let Some(&byte) = bytes.next() {
        match byte {
            b'+' => decoded.push(b' '),
            b'%' => {
                let rest = bytes.as_slice();
                match (
                    rest.first().and_then(hex_value),
                    rest.get(1).and_then(hex_value),
                ) {
                    (Some(high), Some(low)) => {
                        decoded.push(high << 4 | low);
                        bytes.nth(1);
                    }
                    _ => decoded.push(b'%'),
                }
            }
            other => decoded.push(other),
        }
    }
    decoded
}

/// The value of one hexadecimal digit.
fn hex_value(digit: &u8) -> Option<u8> {
    char::from(*digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// A 200 list response, with the envelope, body and content type that the fault dictates.
fn list_response<'a>(items: impl Iterator<Item = &'a Value>, fault: Option<Fault>) -> Response {
    let items: Vec<&Value> = items.collect();
    match fault {
        Some(Fault::WrongEnvelope) => json_response(StatusCode::OK, &json!(items)),
        Some(Fault::EnvelopeRenamed) => {
            json_response(StatusCode::OK, &json!({ "deployments": items }))
        }
        Some(Fault::NonJsonBody) => {
            let mut body = format!("software_deployments: {} items\n", items.len());
            for item in &items {
                let field = |name: &str| match item.get(name) {
                    Some(Value::String(text)) => text.clone(),
                    Some(other) => other.to_string(),
                    None => "-".to_owned(),
                };
                body.push_str(&format!(
                    "{} server={} {} {}\n",
                    field("id"),
                    field("server_id"),
                    field("action"),
                    field("status")
                ));
            }
            respond(StatusCode::OK, "text/plain; charset=utf-8", body)
        }
        Some(Fault::WrongContentType) => respond(
            StatusCode::OK,
            "text/html",
            json!({ "software_deployments": items }).to_string(),
        ),
        _ => {
            // Written item by item: no second tree of a large list.
            let mut body = String::from(r#"{"software_deployments": ["#);
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    body.push_str(", ");
                }
                body.push_str(&item.to_string());
            }
            body.push_str("]}");
            respond(StatusCode::OK, "application/json", body)
        }
    }
}

/// A JSON error body: `{"error": {"code", "title", "message"}}`.
fn error(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    json_response(
        status,
        &json!({ "error": { "code": status.as_u16(), "title": title, "message": message } }),
    )
}

/// A response with a JSON body and `Content-Type: application/json`.
fn json_response(status: StatusCode, body: &Value) -> Response {
    respond(status, "application/json", body.to_string())
}

/// A response with exactly this status, content type and body.
fn respond(status: StatusCode, content_type: &'static str, body: String) -> Response {
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request of the shipped cases: path (after the base URL) and token, if any.
    struct Shipped {
        case: &'static str,
        path: String,
        token: Option<&'static str>,
    }

    /// What a response is made of, for comparisons.
    #[derive(Debug, PartialEq)]
    struct Seen {
        status: u16,
        content_type: Option<String>,
        body: String,
    }

    impl Seen {
        fn json(&self) -> Value {
            serde_json::from_str(&self.body).unwrap_or(Value::Null)
        }
    }

    const UNKNOWN_SERVER: &str = "5dc0f0a0-0000-4000-8000-00000000dead";

    fn endpoint() -> String {
        format!("/v1/{DEFAULT_PROJECT_ID}/software_deployments")
    }

    fn first_server() -> String {
        fixture::deployments()[0]["server_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The requests the shipped cases send, with captures taken from the clean fixture.
    fn shipped() -> Vec<Shipped> {
        let server = first_server();
        let flipped: String = server
            .chars()
            .map(|c| {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        let prefix = server[..server.len() / 2].to_owned();
        let filtered = |value: &str| format!("{}?server_id={value}", endpoint());
        let token = Some(DEFAULT_TOKEN);
        vec![
            Shipped {
                case: "list-all",
                path: endpoint(),
                token,
            },
            Shipped {
                case: "filter-existing-server",
                path: filtered(&server),
                token,
            },
            Shipped {
                case: "filter-unknown-server",
                path: filtered(UNKNOWN_SERVER),
                token,
            },
            Shipped {
                case: "filter-case-flipped-server",
                path: filtered(&flipped),
                token,
            },
            Shipped {
                case: "filter-prefix-server",
                path: filtered(&prefix),
                token,
            },
            Shipped {
                case: "auth-missing-token",
                path: endpoint(),
                token: None,
            },
            Shipped {
                case: "auth-invalid-token",
                path: endpoint(),
                token: Some("not-the-token"),
            },
            Shipped {
                case: "unknown-path",
                path: format!("/v1/{DEFAULT_PROJECT_ID}/software_deployments_sdconform_unknown"),
                token,
            },
            Shipped {
                case: "other-project",
                path: "/v1/0123456789abcdef0123456789abcdef/software_deployments".to_owned(),
                token,
            },
        ]
    }

    async fn serve(fault: Option<Fault>) -> RunningReference {
        let config = ReferenceConfig {
            fault,
            fixture_size: None,
            ..ReferenceConfig::default()
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        start(config, addr).await.expect("bind 127.0.0.1:0")
    }

    async fn fetch(client: &reqwest::Client, base: &str, path: &str, token: Option<&str>) -> Seen {
        let mut request = client.get(format!("{base}{path}"));
        if let Some(token) = token {
            request = request.header("X-Auth-Token", token);
        }
        let response = request.send().await.expect("request reaches the reference");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let body = response.text().await.expect("body is readable");
        Seen {
            status,
            content_type,
            body,
        }
    }

    async fn get(running: &RunningReference, path: &str, token: Option<&str>) -> Seen {
        fetch(&reqwest::Client::new(), running.url(), path, token).await
    }

    fn items(seen: &Seen) -> Vec<Value> {
        seen.json()["software_deployments"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn assert_json_error(seen: &Seen, status: u16) {
        assert_eq!(seen.status, status, "{seen:?}");
        assert_eq!(seen.content_type.as_deref(), Some("application/json"));
        assert_eq!(seen.json()["error"]["code"], json!(status), "{seen:?}");
    }

    #[test]
    fn form_decoding_follows_form_urlencoded_rules() {
        // The decoded filter, or `Err(())` for a 400.
        type Decoded = Result<Option<&'static str>, ()>;
        let cases: [(Option<&str>, Decoded); 12] = [
            (None, Ok(None)),
            (Some(""), Ok(None)),
            (Some("other=1"), Ok(None)),
            (Some("server_id=abc"), Ok(Some("abc"))),
            (Some("server_id="), Ok(Some(""))),
            (Some("server_id"), Ok(Some(""))),
            (Some("a=1&&server_id=x+y%2Bz"), Ok(Some("x y+z"))),
            (Some("server%5Fid=%41%62"), Ok(Some("Ab"))),
            (Some("server_id=first&server_id=second"), Ok(Some("first"))),
            (Some("server_id=100%&x=%zz"), Ok(Some("100%"))),
            (Some("server_id=%C3%A9"), Ok(Some("é"))),
            (Some("server_id=%FF"), Err(())),
        ];
        for (query, expected) in cases {
            let actual = server_id_filter(query).map_err(|_| ());
            assert_eq!(actual, expected.map(|v| v.map(str::to_owned)), "{query:?}");
        }
        // Only the first server_id is decoded; a broken later one does not matter.
        assert_eq!(
            server_id_filter(Some("server_id=a&server_id=%FF")),
            Ok(Some("a".to_owned()))
        );
    }

    #[tokio::test]
    async fn lists_every_item_as_json() {
        let running = serve(None).await;
        let seen = get(&running, &endpoint(), Some(DEFAULT_TOKEN)).await;
        assert_eq!(seen.status, 200);
        assert_eq!(seen.content_type.as_deref(), Some("application/json"));
        assert_eq!(
            seen.json(),
            json!({ "software_deployments": fixture::deployments() })
        );
        assert!(running.url().starts_with("http://127.0.0.1:") && !running.url().ends_with('/'));
        assert_eq!(running.url(), format!("http://{}", running.addr()));
        running.shutdown().await;
    }

    #[tokio::test]
    async fn filters_by_exact_server_id() {
        let running = serve(None).await;
        let server = first_server();
        let path = format!("{}?server_id={server}", endpoint());
        let seen = get(&running, &path, Some(DEFAULT_TOKEN)).await;
        assert_eq!(seen.status, 200);
        let expected: Vec<Value> = fixture::deployments()
            .into_iter()
            .filter(|item| item["server_id"] == json!(server))
            .collect();
        assert!(expected.len() >= 3);
        assert_eq!(items(&seen), expected);

        for case in shipped()
            .iter()
            .filter(|s| s.case.starts_with("filter-") && s.case != "filter-existing-server")
        {
            let seen = get(&running, &case.path, case.token).await;
            assert_eq!(
                (seen.status, seen.json()),
                (200, json!({ "software_deployments": [] })),
                "{}",
                case.case
            );
        }
        let empty = get(
            &running,
            &format!("{}?server_id=", endpoint()),
            Some(DEFAULT_TOKEN),
        )
        .await;
        assert_eq!(empty.json(), json!({ "software_deployments": [] }));
        running.shutdown().await;
    }

    #[tokio::test]
    async fn refuses_missing_and_invalid_tokens_before_anything_else() {
        let running = serve(None).await;
        assert_json_error(&get(&running, &endpoint(), None).await, 401);
        assert_json_error(
            &get(&running, &endpoint(), Some("not-the-token")).await,
            401,
        );
        assert_json_error(&get(&running, &endpoint(), Some("")).await, 401);
        // Auth before project and query checks.
        assert_json_error(
            &get(&running, "/v1/other/software_deployments", None).await,
            401,
        );
        let bad_query = format!("{}?server_id=%FF", endpoint());
        assert_json_error(&get(&running, &bad_query, None).await, 401);
        let seen = get(&running, &endpoint(), None).await;
        assert_eq!(seen.json()["error"]["title"], json!("Unauthorized"));
        running.shutdown().await;
    }

    #[tokio::test]
    async fn unknown_project_and_path_are_not_found() {
        let running = serve(None).await;
        let other_project = "/v1/00000000000000000000000000000000/software_deployments";
        assert_json_error(
            &get(&running, other_project, Some(DEFAULT_TOKEN)).await,
            404,
        );
        let invalid_utf8_project = "/v1/%FF/software_deployments";
        assert_json_error(
            &get(&running, invalid_utf8_project, Some(DEFAULT_TOKEN)).await,
            404,
        );
        for path in [
            format!("/v1/{DEFAULT_PROJECT_ID}/software_deployments_sdconform_unknown"),
            format!("/v1/{DEFAULT_PROJECT_ID}/software_deployments/"),
            "/v2.0".to_owned(),
        ] {
            assert_json_error(&get(&running, &path, Some(DEFAULT_TOKEN)).await, 404);
        }
        running.shutdown().await;
    }

    #[tokio::test]
    async fn invalid_utf8_in_server_id_is_a_bad_request() {
        let running = serve(None).await;
        let path = format!("{}?server_id=%FF%FE", endpoint());
        assert_json_error(&get(&running, &path, Some(DEFAULT_TOKEN)).await, 400);
        running.shutdown().await;
    }

    #[tokio::test]
    async fn every_fault_changes_some_shipped_response() {
        let client = reqwest::Client::new();
        let clean = serve(None).await;
        let mut baseline = Vec::new();
        for request in shipped() {
            baseline.push(fetch(&client, clean.url(), &request.path, request.token).await);
        }
        clean.shutdown().await;

        for &fault in Fault::ALL {
            let detected_by = fault.breaks().map(|b| b.detected_by);
            if detected_by == Some(super::super::Detection::Cloud) || fault.affects_only_writes() {
                // Issued tokens and the second project: tests/it/keystone.rs; the writes
                // fixtures use: tests/it/fixtures.rs.
                continue;
            }
            let fuzz_only = detected_by == Some(super::super::Detection::Fuzz);
            let running = serve(Some(fault)).await;
            let mut changed = Vec::new();
            for (request, clean) in shipped().iter().zip(&baseline) {
                let seen = fetch(&client, running.url(), &request.path, request.token).await;
                if seen != *clean {
                    changed.push(request.case);
                }
            }
            running.shutdown().await;
            if fuzz_only {
                // Only fuzzing sends what these faults react to.
                assert_eq!(changed, Vec::<&str>::new(), "{}", fault.name());
                continue;
            }
            assert!(
                !changed.is_empty(),
                "{} changes no shipped response",
                fault.name()
            );
            // Response-shape faults touch only 200 responses.
            if matches!(
                fault,
                Fault::WrongEnvelope
                    | Fault::EnvelopeRenamed
                    | Fault::NonJsonBody
                    | Fault::WrongContentType
            ) {
                assert!(
                    !changed
                        .iter()
                        .any(|case| case.starts_with("auth-") || *case == "unknown-path"),
                    "{}: {changed:?}",
                    fault.name()
                );
            }
        }
    }

    #[tokio::test]
    async fn item_faults_keep_the_filtered_list_an_exact_subset() {
        let client = reqwest::Client::new();
        let server = first_server();
        let item_faults = Fault::ALL.iter().copied().filter(|fault| {
            fault
                .breaks()
                .is_some_and(|b| b.clause.starts_with("SD-RESP-") && b.clause != "SD-RESP-1")
        });
        for fault in item_faults {
            let running = serve(Some(fault)).await;
            let all = fetch(&client, running.url(), &endpoint(), Some(DEFAULT_TOKEN)).await;
            let path = format!("{}?server_id={server}", endpoint());
            let filtered = fetch(&client, running.url(), &path, Some(DEFAULT_TOKEN)).await;
            running.shutdown().await;
            let all = items(&all);
            assert_eq!(all[0]["server_id"], json!(server), "{}", fault.name());
            let subset: Vec<Value> = all
                .into_iter()
                .filter(|item| item["server_id"] == json!(server))
                .collect();
            assert!(subset.len() >= 3, "{}", fault.name());
            assert_eq!(items(&filtered), subset, "{}", fault.name());
        }
    }

    #[tokio::test]
    async fn exchange_faults_do_what_they_say() {
        let client = reqwest::Client::new();
        let server = first_server();
        let table: [(Fault, &str, Option<&str>, u16); 8] = [
            (
                Fault::ServerErrorOnKnownFilter,
                "existing",
                Some(DEFAULT_TOKEN),
                500,
            ),
            (
                Fault::ServerErrorOnKnownFilter,
                "unknown",
                Some(DEFAULT_TOKEN),
                200,
            ),
            (
                Fault::UndocumentedStatusUnknownServer,
                "unknown",
                Some(DEFAULT_TOKEN),
                422,
            ),
            (
                Fault::UndocumentedStatusUnknownServer,
                "existing",
                Some(DEFAULT_TOKEN),
                200,
            ),
            (Fault::AcceptMissingToken, "none", None, 200),
            (
                Fault::AcceptInvalidToken,
                "none",
                Some("not-the-token"),
                200,
            ),
            (
                Fault::ForbiddenInvalidToken,
                "none",
                Some("not-the-token"),
                403,
            ),
            (Fault::ForbiddenInvalidToken, "none", None, 401),
        ];
        for (fault, filter, token, status) in table {
            let running = serve(Some(fault)).await;
            let path = match filter {
                "existing" => format!("{}?server_id={server}", endpoint()),
                "unknown" => format!("{}?server_id={UNKNOWN_SERVER}", endpoint()),
                _ => endpoint(),
            };
            let seen = fetch(&client, running.url(), &path, token).await;
            running.shutdown().await;
            assert_eq!(seen.status, status, "{} {filter}: {seen:?}", fault.name());
        }

        let running = serve(Some(Fault::UnknownPathOk)).await;
        let path = format!("/v1/{DEFAULT_PROJECT_ID}/software_deployments_sdconform_unknown");
        let seen = fetch(&client, running.url(), &path, Some(DEFAULT_TOKEN)).await;
        running.shutdown().await;
        assert_eq!(
            (seen.status, seen.json()),
            (200, json!({ "software_deployments": [] }))
        );
    }

    #[tokio::test]
    async fn fuzz_only_faults_answer_only_the_inputs_they_name() {
        let client = reqwest::Client::new();
        let server = first_server();
        let long = |n: usize| "a".repeat(n);
        let table: [(Fault, String, u16); 9] = [
            (Fault::ServerErrorOnSpecialCharacters, "%27".to_owned(), 500),
            (
                Fault::ServerErrorOnSpecialCharacters,
                "a%3Bb".to_owned(),
                500,
            ),
            (
                Fault::ServerErrorOnSpecialCharacters,
                "a%22b".to_owned(),
                200,
            ),
            (Fault::ServerErrorOnSpecialCharacters, server.clone(), 200),
            (Fault::ServerErrorOnLongServerId, long(100), 200),
            (Fault::ServerErrorOnLongServerId, long(101), 500),
            (Fault::TeapotOnWhitespace, "%20".to_owned(), 418),
            (Fault::TeapotOnWhitespace, format!("{server}%E2%80%83"), 418),
            (Fault::TeapotOnWhitespace, server.clone(), 200),
        ];
        for (fault, value, status) in table {
            let running = serve(Some(fault)).await;
            let path = format!("{}?server_id={value}", endpoint());
            let seen = fetch(&client, running.url(), &path, Some(DEFAULT_TOKEN)).await;
            running.shutdown().await;
            assert_eq!(seen.status, status, "{} {value}: {seen:?}", fault.name());
        }
    }

    #[tokio::test]
    async fn dropping_the_handle_stops_the_server() {
        let running = serve(None).await;
        let url = format!("{}{}", running.url(), endpoint());
        drop(running);
        let client = reqwest::Client::new();
        let mut refused = false;
        for _ in 0..50 {
            if client.get(&url).send().await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(refused, "server still answers after its handle was dropped");
    }
}
