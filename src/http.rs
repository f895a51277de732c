//! The only module that touches the network: builds a case's request, sends it
//! with the one shared client, and records exactly what went on the wire.
//!
//! The client is built for targets nobody here wrote, broken, slow or hostile,
//! and bounds everything it waits for or keeps:
//!
//! - time: a connect timeout, a per-request deadline (body included) and the
//!   whole run's deadline, whichever comes first ([`Limits`]);
//! - memory: at most `max_body_bytes` of body are kept, counted after
//!   decompression (`gzip`, `deflate`, `br`), so a compression bomb or an
//!   endless body is cut, never buffered; response heads are capped by hyper
//!   (at most [`MAX_RESPONSE_HEADERS`] headers, about 400 KiB in all);
//! - reach: no redirect is followed, so the token never goes to another
//!   origin; a 3xx is simply the answer. Proxies come from `HTTP_PROXY`,
//!   `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`, as usual.
//!
//! A recorded request:
//!
//! ```json
//! { "method": "GET",
//!   "url": "http://127.0.0.1:8004/v1/95d0.../software_deployments?server_id=ec14c864-...",
//!   "headers": [["accept", "application/json"], ["accept-encoding", "gzip, deflate, br"],
//!               ["user-agent", "sdconform/0.1.0"], ["x-auth-token", "<redacted>"]] }
//! ```

pub mod proxy;
mod record;
pub mod tls;

pub use record::{Recorded, Recorder};

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use crate::cancel::{Cancel, Level, Stopped};
use crate::model::RequestRecord;
pub use crate::model::text::{encode, encode_bytes};
pub use crate::secret::{REDACTED, Secret};

/// The token sent by `auth: invalid` cases: well-formed, never issued.
pub const INVALID_TOKEN: &str = "sdconform-invalid-token-00000000000000000000000000000000";

/// Most response headers accepted; more is a harness error (hyper's default, made explicit).
pub const MAX_RESPONSE_HEADERS: usize = 100;

/// The encodings we accept and decode (the body cap counts decoded bytes).
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br";

/// The `User-Agent` we send.
pub const USER_AGENT: &str = concat!("sdconform/", env!("CARGO_PKG_VERSION"));

/// Limits of the shared client.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to establish a connection (TLS handshake included).
    pub connect_timeout: Duration,
    /// Deadline for one whole request, body included.
    pub timeout: Duration,
    /// Deadline for the whole run, counted from when the client is built.
    pub run_timeout: Duration,
    /// Largest body kept, in bytes after decompression; the rest is never read.
    pub max_body_bytes: usize,
}

/// Which token a request carries.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No `X-Auth-Token` header.
    None,
    /// This token.
    Token(Secret),
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The full URL.
    pub url: reqwest::Url,
    /// The token.
    pub auth: Auth,
}

/// A request and its response.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// What was sent.
    pub request: RequestRecord,
    /// Status code.
    pub status: u16,
    /// `Content-Type`, if present (lossy UTF-8).
    pub content_type: Option<String>,
    /// The body, decoded (at most `max_body_bytes`).
    pub body: Vec<u8>,
    /// `Some(limit)` when the body was larger than `max_body_bytes`: `body`
    /// holds only its first `limit` bytes and the rest was never read.
    pub body_cut: Option<usize>,
    /// Time to the end of the body.
    pub elapsed: Duration,
    /// When the request started (the recording's `started`).
    pub started: SystemTime,
    /// Every response header in order, duplicates kept (values lossy UTF-8);
    /// credential headers are still in them: the recording redacts them.
    pub headers: Vec<(String, String)>,
    /// Lowercase hex SHA-256 of the target's TLS certificate (DER), over https.
    pub peer_certificate_sha256: Option<String>,
}

/// How far an exchange got before it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// The status, once the response head arrived.
    pub status: Option<u16>,
    /// Body bytes received (decoded) so far.
    pub received: usize,
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            None => f.write_str("no response yet"),
            Some(status) => write!(
                f,
                "status {status} received, then {} body byte(s)",
                self.received
            ),
        }
    }
}

/// Why no exchange could be completed: a harness error, not a finding.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL could not be built.
    #[error("build the request URL: {0}")]
    Url(String),
    /// Connection refused, DNS failure, TLS failure, reset, malformed or oversized head...
    #[error("reach the target: {0}")]
    Transport(String),
    /// The response head arrived, then reading the body failed (closed early, reset, bad encoding).
    #[error("read the body ({progress}): {message}")]
    Body {
        /// How far it got.
        progress: Progress,
        /// The cause.
        message: String,
    },
    /// The per-request deadline passed.
    #[error("get the whole response within {} (--timeout): {progress}", seconds(*.limit))]
    Timeout {
        /// The deadline.
        limit: Duration,
        /// How far it got.
        progress: Progress,
    },
    /// The run's deadline passed.
    #[error("finish the request: run deadline exceeded (--run-timeout {}; {progress})", seconds(*.limit))]
    RunDeadline {
        /// The run's deadline.
        limit: Duration,
        /// How far it got.
        progress: Progress,
    },
    /// A body the contract does not describe (not a 200's) is larger than the
    /// limit; a 200 body that is too large is a finding instead.
    #[error(
        "read the body of the {status} response: it exceeds the {limit}-byte limit (--max-body-bytes)"
    )]
    BodyTooLarge {
        /// The status of the response.
        status: u16,
        /// The limit in bytes.
        limit: usize,
    },
    /// The client could not be built (TLS configuration, ...).
    #[error("configure the HTTP client: {0}")]
    Build(String),
    /// The target kept answering 429 Too Many Requests.
    #[error(
        "get an answer: the target throttled the harness (429 Too Many Requests, {attempts} attempts); lower --test-threads, --fuzz-cases or fuzz's --concurrency"
    )]
    Throttled {
        /// Requests sent, all answered 429.
        attempts: u32,
    },
    /// The run was told to stop (a signal, a phase's time limit): the request was
    /// not sent, or its answer not awaited.
    #[error("{0}")]
    Stopped(Stopped),
    /// The run's own token could not be used: it could not be renewed, or the target
    /// refused it on the request and again on a second look (issue 11). Never a finding:
    /// an expired token is not the target's fault.
    #[error("{0}")]
    Token(String),
}

/// Retries of a request answered 429 (Too Many Requests).
pub const THROTTLE_RETRIES: u32 = 3;

/// `2s`, `0.5s`: a duration as the flags take it.
fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// The one HTTP client of a run.
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::Client,
    limits: Limits,
    /// When the run's time is up.
    run_deadline: Instant,
    /// Stops new requests at the first signal, and the waiting at the second.
    cancel: Cancel,
    /// Where the exchanges are recorded, if they are (`record`).
    recorder: Option<std::sync::Arc<dyn Recorder>>,
}

impl Client {
    /// When a request started at `started` must be done: its own `--timeout` or the
    /// run's deadline, whichever comes first (`true`: the run's).
    fn deadline(&self, started: Instant) -> (Instant, bool) {
        let own = started
            .checked_add(self.limits.timeout)
            .unwrap_or(self.run_deadline);
        if self.run_deadline < own {
            (self.run_deadline, true)
        } else {
            (own, false)
        }
    }

    /// The error of a request that ran past its deadline, saying how far it got.
    fn late(&self, run_bound: bool, progress: Progress) -> HttpError {
        if run_bound {
            HttpError::RunDeadline {
                limit: self.limits.run_timeout,
                progress,
            }
        } else {
            HttpError::Timeout {
                limit: self.limits.timeout,
                progress,
            }
        }
    }

    /// Builds the client: no redirects, explicit timeouts and limits, `tls`
    /// material; the run's deadline starts now.
    pub fn new(limits: Limits, tls: tls::Tls) -> Result<Client, HttpError> {
        let builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .http1_max_headers(MAX_RESPONSE_HEADERS)
            .user_agent(USER_AGENT)
            .gzip(true)
            .deflate(true)
            .brotli(true)
            // The certificate's fingerprint goes into a bundle's manifest.
            .tls_info(true);
        let builder = proxy::ProxyEnv::read(|name| std::env::var(name).ok())
            .apply(builder)
            .map_err(|e| HttpError::Build(format!("a proxy variable: {}", error_chain(&e))))?;
        let inner = tls
            .apply(builder)
            .build()
            .map_err(|e| HttpError::Build(error_chain(&e)))?;
        let run_deadline = Instant::now()
            .checked_add(limits.run_timeout)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400));
        Ok(Client {
            inner,
            limits,
            run_deadline,
            cancel: Cancel::new(),
            recorder: None,
        })
    }

    /// The client, sending nothing once `cancel` is stopping and waiting for no
    /// answer once it is abandoning.
    pub fn with_cancel(self, cancel: Cancel) -> Client {
        Client { cancel, ..self }
    }

    /// The run's cancellation, for those who send through this client.
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// Sends `prepared` and reads the body, within the request's and the run's
    /// deadlines, keeping at most `max_body_bytes` of it.
    /// Sends `prepared`, reading at most `max_body_bytes` of body. A 429 (Too
    /// Many Requests) is the target throttling the harness, not an answer to the
    /// query: it is retried after its `Retry-After` (at most 10 s; else 1, 2, 4 s),
    /// up to 3 times within the deadlines, then reported as a harness error,
    /// never as a contract finding. Once the run is interrupted nothing is sent;
    /// interrupted again, the answer in flight is no longer awaited.
    pub async fn send(&self, prepared: &Prepared) -> Result<Exchange, HttpError> {
        for attempt in 0..=THROTTLE_RETRIES {
            if self.cancel.stopping() {
                return Err(HttpError::Stopped(Stopped::BeforeSending));
            }
            let (exchange, retry_after) = tokio::select! {
                sent = self.send_once(prepared) => sent?,
                () = self.cancel.reached(Level::Abandoning) => {
                    return Err(HttpError::Stopped(Stopped::InFlight));
                }
            };
            if exchange.status != 429 {
                return Ok(exchange);
            }
            let wait = Duration::from_secs(retry_after.unwrap_or(1 << attempt).min(10));
            let resume = Instant::now().checked_add(wait);
            if attempt == THROTTLE_RETRIES || resume.is_none_or(|at| at >= self.run_deadline) {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.cancel.reached(Level::Stopping) => {}
            }
        }
        Err(HttpError::Throttled {
            attempts: THROTTLE_RETRIES + 1,
        })
    }

    async fn send_once(&self, prepared: &Prepared) -> Result<(Exchange, Option<u64>), HttpError> {
        let mut builder = self
            .inner
            .get(prepared.url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::ACCEPT_ENCODING, ACCEPT_ENCODING)
            .header(reqwest::header::USER_AGENT, USER_AGENT);
        if let Auth::Token(token) = &prepared.auth {
            builder = builder.header("X-Auth-Token", token.expose());
        }
        let request = builder
            .build()
            .map_err(|e| HttpError::Url(error_chain(&e)))?;
        let record = record(&request);
        let started_at = SystemTime::now();
        let started = Instant::now();
        let (deadline, run_bound) = self.deadline(started);
        let late = |progress: Progress| self.late(run_bound, progress);
        if started >= deadline {
            return Err(late(Progress::default()));
        }
        let mut progress = Progress::default();
        let outcome = tokio::time::timeout_at(
            tokio::time::Instant::from_std(deadline),
            self.exchange(request, &mut progress),
        )
        .await;
        match outcome {
            Ok(Ok(received)) => Ok((
                Exchange {
                    request: record,
                    status: received.status,
                    content_type: received.content_type,
                    body: received.body,
                    body_cut: received.body_cut,
                    elapsed: started.elapsed(),
                    started: started_at,
                    headers: received.headers,
                    peer_certificate_sha256: received.peer_certificate_sha256,
                },
                received.retry_after,
            )),
            Ok(Err(Failure::Timeout)) | Err(_) => Err(late(progress)),
            Ok(Err(Failure::Other(e))) => Err(e),
        }
    }

    /// The exchange proper, reporting how far it got in `progress`.
    async fn exchange(
        &self,
        request: reqwest::Request,
        progress: &mut Progress,
    ) -> Result<Received, Failure> {
        self.exchange_with(request, progress, None).await
    }

    /// [`Client::exchange`], copying the response headers into `headers` when given.
    async fn exchange_with(
        &self,
        request: reqwest::Request,
        progress: &mut Progress,
        headers: Option<&mut reqwest::header::HeaderMap>,
    ) -> Result<Received, Failure> {
        let mut response = self.inner.execute(request).await.map_err(|e| {
            if e.is_connect() && e.is_timeout() {
                Failure::Other(HttpError::Transport(format!(
                    "{} (no connection within {}: --connect-timeout)",
                    error_chain(&e),
                    seconds(self.limits.connect_timeout)
                )))
            } else if e.is_timeout() {
                Failure::Timeout
            } else {
                Failure::Other(HttpError::Transport(with_hint(error_chain(&e))))
            }
        })?;
        let status = response.status().as_u16();
        progress.status = Some(status);
        if let Some(headers) = headers {
            *headers = response.headers().clone();
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let (all_headers, peer_certificate_sha256) = recorded_head(&response);
        let received = |body, body_cut| Received {
            status,
            content_type,
            body,
            body_cut,
            retry_after,
            headers: all_headers,
            peer_certificate_sha256,
        };
        let limit = self.limits.max_body_bytes;
        // Never trust a Content-Length for an allocation.
        let hint = response.content_length().unwrap_or(0).min(64 * 1024);
        let mut body = Vec::with_capacity(usize::try_from(hint).unwrap_or(0).min(limit));
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => return Ok(received(body, None)),
                Err(e) if e.is_timeout() => return Err(Failure::Timeout),
                Err(e) => {
                    return Err(Failure::Other(HttpError::Body {
                        progress: *progress,
                        message: error_chain(&e),
                    }));
                }
            };
            let room = limit.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend_from_slice(chunk.get(..room).unwrap_or_default());
                progress.received = body.len();
                // Dropping the response closes the connection: the rest is never read.
                return Ok(received(body, Some(limit)));
            }
            body.extend_from_slice(&chunk);
            progress.received = body.len();
        }
    }
}

/// A request other than the contract's `GET`: identity exchanges (Keystone's
/// `POST /v3/auth/tokens`, version discovery) and the orchestration API's
/// writes. Only [`ExchangeSummary`] of it is ever recorded: the body may hold a
/// password, and the response headers a token (`X-Subject-Token`).
#[derive(Debug)]
pub struct JsonResponse {
    /// What may be recorded: method, URL, status and timing.
    pub summary: ExchangeSummary,
    /// The response headers (they may carry a credential: never record them).
    pub headers: reqwest::header::HeaderMap,
    /// `Content-Type`, if present (lossy UTF-8).
    pub content_type: Option<String>,
    /// The body, decoded (at most `max_body_bytes`).
    pub body: Vec<u8>,
    /// `Some(limit)` when the body was cut at the limit.
    pub body_cut: Option<usize>,
}

/// An exchange as it may appear in a report: no header, no body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeSummary {
    /// `POST`, `GET`, ...
    pub method: String,
    /// The URL, without any `user:password@`.
    pub url: String,
    /// The status.
    pub status: u16,
    /// Time to the end of the body.
    pub elapsed: Duration,
}

impl Client {
    /// Sends `method url` with a JSON `body` (if any) and `auth` as
    /// `X-Auth-Token`, within the same deadlines and body cap as [`Client::send`];
    /// no redirect is followed and a 429 is returned as it is (not retried: a
    /// `POST` is not ours to repeat).
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        url: &reqwest::Url,
        auth: &Auth,
        body: Option<&serde_json::Value>,
    ) -> Result<JsonResponse, HttpError> {
        let mut builder = self
            .inner
            .request(method.clone(), url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::ACCEPT_ENCODING, ACCEPT_ENCODING)
            .header(reqwest::header::USER_AGENT, USER_AGENT);
        if let Auth::Token(token) = auth {
            builder = builder.header("X-Auth-Token", token.expose());
        }
        if let Some(body) = body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let request = builder
            .build()
            .map_err(|e| HttpError::Url(error_chain(&e)))?;
        let shown_url = without_userinfo(request.url());
        let started = Instant::now();
        let (deadline, run_bound) = self.deadline(started);
        let late = |progress: Progress| self.late(run_bound, progress);
        if started >= deadline {
            return Err(late(Progress::default()));
        }
        let mut progress = Progress::default();
        let mut headers = reqwest::header::HeaderMap::new();
        let outcome = tokio::time::timeout_at(
            tokio::time::Instant::from_std(deadline),
            self.exchange_keeping_headers(request, &mut progress, &mut headers),
        )
        .await;
        match outcome {
            Ok(Ok(received)) => Ok(JsonResponse {
                summary: ExchangeSummary {
                    method: method.to_string(),
                    url: shown_url,
                    status: received.status,
                    elapsed: started.elapsed(),
                },
                headers,
                content_type: received.content_type,
                body: received.body,
                body_cut: received.body_cut,
            }),
            Ok(Err(Failure::Timeout)) | Err(_) => Err(late(progress)),
            Ok(Err(Failure::Other(e))) => Err(e),
        }
    }

    /// [`Client::exchange`], keeping a copy of the response headers.
    async fn exchange_keeping_headers(
        &self,
        request: reqwest::Request,
        progress: &mut Progress,
        headers: &mut reqwest::header::HeaderMap,
    ) -> Result<Received, Failure> {
        self.exchange_with(request, progress, Some(headers)).await
    }
}

/// Every header of `response`, in order (values lossy UTF-8), and the SHA-256 of
/// the peer's TLS certificate when there is one: what the recording keeps.
fn recorded_head(response: &reqwest::Response) -> (Vec<(String, String)>, Option<String>) {
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let certificate = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(reqwest::tls::TlsInfo::peer_certificate)
        .map(crate::model::sha256_hex);
    (headers, certificate)
}

/// What [`Client::exchange`] read.
struct Received {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
    body_cut: Option<usize>,
    /// A 429's `Retry-After`, in whole seconds.
    retry_after: Option<u64>,
    /// Every header, in order.
    headers: Vec<(String, String)>,
    /// SHA-256 of the peer's certificate, over TLS.
    peer_certificate_sha256: Option<String>,
}

/// Why [`Client::exchange`] stopped early.
enum Failure {
    /// reqwest's own deadline (the same as ours) passed.
    Timeout,
    /// Anything else.
    Other(HttpError),
}

/// Headers that carry a credential: recorded as [`REDACTED`], whatever they hold
/// (`Authorization: Basic` is what reqwest derives from a URL's `user:password@`).
pub const CREDENTIAL_HEADERS: [&str; 6] = [
    "x-auth-token",
    "x-subject-token",
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Whether `name` is one of [`CREDENTIAL_HEADERS`] (any case).
pub fn is_credential_header(name: &str) -> bool {
    CREDENTIAL_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
}

/// `url` without its `user:password@`, which is a credential.
pub fn without_userinfo(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    if !shown.username().is_empty() || shown.password().is_some() {
        // Only a URL that cannot have a userinfo refuses these; ours are http(s).
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
    }
    shown.to_string()
}

/// The request as it goes on the wire, credentials redacted.
fn record(request: &reqwest::Request) -> RequestRecord {
    RequestRecord {
        method: request.method().to_string(),
        url: without_userinfo(request.url()),
        headers: request
            .headers()
            .iter()
            .map(|(name, value)| {
                let shown = if is_credential_header(name.as_str()) {
                    REDACTED.to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_owned(), shown)
            })
            .collect(),
    }
}

/// Joins `base` and a rendered path, and appends the query, percent-encoding
/// every byte outside RFC 3986's unreserved set (so a space is `%20`, `+` is `%2B`).
pub fn build_url(
    base: &reqwest::Url,
    path: &str,
    query: &[(String, String)],
) -> Result<reqwest::Url, HttpError> {
    let mut text = base.as_str().trim_end_matches('/').to_owned();
    text.push_str(path);
    let mut url = reqwest::Url::parse(&text).map_err(|e| HttpError::Url(format!("{text}: {e}")))?;
    if !query.is_empty() {
        let encoded = query
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        url.set_query(Some(&encoded));
    }
    Ok(url)
}

/// Joins `base` and a rendered path like [`build_url`], with a query the caller
/// has already encoded (e.g. from [`encode_bytes`]); it goes on the wire as given,
/// so percent escapes of bytes that are not UTF-8 and a `name` without `=` survive.
pub fn build_url_raw(
    base: &reqwest::Url,
    path: &str,
    encoded_query: &str,
) -> Result<reqwest::Url, HttpError> {
    let mut url = build_url(base, path, &[])?;
    url.set_query(Some(encoded_query));
    Ok(url)
}

/// `message` with what to do about it, for the failures a user can act on.
fn with_hint(message: String) -> String {
    const HINTS: &[(&str, &str)] = &[
        (
            "CaUsedAsEndEntity",
            "the target's certificate is itself a CA certificate (basicConstraints CA:TRUE, as `openssl req -x509` makes by default) presented as the server's own; rustls/webpki refuse a CA as an end entity even when --cacert trusts it (RFC 5280 keeps the two roles apart; curl with OpenSSL accepts it): serve a leaf certificate issued by that CA, or, for a test target only, use --insecure",
        ),
        (
            "invalid peer certificate",
            "the target's TLS certificate is not trusted: pass its CA with --cacert FILE (or, for a test target only, --insecure)",
        ),
        (
            "message head is too large",
            "the response head exceeds the client's limits (100 headers, about 400 KiB)",
        ),
        (
            "CertificateRequired",
            "the target asks for a client certificate: pass --client-cert FILE --client-key FILE",
        ),
    ];
    match HINTS.iter().find(|(needle, _)| message.contains(needle)) {
        Some((_, hint)) => format!("{message} ({hint})"),
        None => message,
    }
}

/// An error with its causes, on one line.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_joined_and_encoded_strictly() {
        let base = reqwest::Url::parse("http://127.0.0.1:8004/").unwrap_or_else(|e| panic!("{e}"));
        let url = build_url(
            &base,
            "/v1/p/software_deployments",
            &[("server_id".to_owned(), "a b+c/é&=?#%".to_owned())],
        )
        .map(|u| u.to_string());
        assert_eq!(
            url.ok().as_deref(),
            Some(
                "http://127.0.0.1:8004/v1/p/software_deployments?server_id=a%20b%2Bc%2F%C3%A9%26%3D%3F%23%25"
            )
        );
        let prefixed = reqwest::Url::parse("https://cloud.example/orchestration")
            .unwrap_or_else(|e| panic!("{e}"));
        let url = build_url(&prefixed, "/v1/p/software_deployments", &[]).map(|u| u.to_string());
        assert_eq!(
            url.ok().as_deref(),
            Some("https://cloud.example/orchestration/v1/p/software_deployments")
        );
    }

    #[test]
    fn progress_says_how_far_an_exchange_got() {
        assert_eq!(Progress::default().to_string(), "no response yet");
        let progress = Progress {
            status: Some(200),
            received: 10,
        };
        assert_eq!(
            progress.to_string(),
            "status 200 received, then 10 body byte(s)"
        );
        let error = HttpError::RunDeadline {
            limit: Duration::from_secs(2),
            progress,
        };
        assert!(
            error
                .to_string()
                .contains("run deadline exceeded (--run-timeout 2s")
        );
    }

    #[test]
    fn actionable_failures_say_what_to_do() {
        let hinted =
            with_hint("client error (Connect): invalid peer certificate: UnknownIssuer".into());
        assert!(hinted.contains("--cacert FILE"), "{hinted}");
        let hinted = with_hint("client error (SendRequest): message head is too large".into());
        assert!(
            hinted.contains(&format!("{MAX_RESPONSE_HEADERS} headers")),
            "{hinted}"
        );
        assert_eq!(with_hint("connection refused".into()), "connection refused");
    }

    /// The cap is exact: a body of `limit` bytes is whole, one more byte is cut.
    #[test]
    fn the_body_cap_is_exact() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        on_loopback(|listener, addr| async move {
            let server = tokio::spawn(async move {
                for len in [8usize, 9] {
                    let Ok((mut stream, _)) = listener.accept().await else {
                        return;
                    };
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65_536 {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n{}",
                        "x".repeat(len)
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                }
            });
            let limits = Limits {
                connect_timeout: Duration::from_secs(5),
                timeout: Duration::from_secs(5),
                run_timeout: Duration::from_secs(10),
                max_body_bytes: 8,
            };
            let client = Client::new(limits, tls::Tls::default()).unwrap_or_else(|e| panic!("{e}"));
            let prepared = Prepared {
                url: reqwest::Url::parse(&format!("http://{addr}/"))
                    .unwrap_or_else(|e| panic!("{e}")),
                auth: Auth::None,
            };
            let whole = client
                .send(&prepared)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((whole.body.len(), whole.body_cut), (8, None));
            let cut = client
                .send(&prepared)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((cut.body.len(), cut.body_cut), (8, Some(8)));
            assert!(
                cut.request
                    .headers
                    .iter()
                    .any(|(n, v)| n == "accept-encoding" && v == ACCEPT_ENCODING),
                "the record shows what was sent: {:?}",
                cut.request.headers
            );
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        });
    }

    /// Runs `test` on a fresh runtime with a listener on 127.0.0.1:0 and its address.
    fn on_loopback<F, Fut>(test: F)
    where
        F: FnOnce(tokio::net::TcpListener, std::net::SocketAddr) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
            test(listener, addr).await;
        });
    }

    /// Issue 10 item 2: after one signal nothing is sent but the request in flight is
    /// still awaited; after the second it is not.
    #[test]
    fn an_interrupt_stops_sending_and_a_second_stops_waiting() {
        use tokio::io::AsyncReadExt;
        on_loopback(|listener, addr| async move {
            // Reads requests and never answers; bounded by the test's own timeouts.
            let server = tokio::spawn(async move {
                let mut held = Vec::new();
                for _ in 0..4 {
                    let Ok((mut stream, _)) = listener.accept().await else {
                        return;
                    };
                    let mut buf = [0u8; 1024];
                    let _ = stream.read(&mut buf).await;
                    held.push(stream);
                }
            });
            let limits = Limits {
                connect_timeout: Duration::from_secs(5),
                timeout: Duration::from_secs(20),
                run_timeout: Duration::from_secs(30),
                max_body_bytes: 8,
            };
            let cancel = Cancel::new();
            let client = Client::new(limits, tls::Tls::default())
                .unwrap_or_else(|e| panic!("{e}"))
                .with_cancel(cancel.clone());
            let prepared = Prepared {
                url: reqwest::Url::parse(&format!("http://{addr}/"))
                    .unwrap_or_else(|e| panic!("{e}")),
                auth: Auth::None,
            };
            let in_flight = client.send(&prepared);
            tokio::pin!(in_flight);
            // Give the request time to reach the server, then interrupt once.
            assert!(
                tokio::time::timeout(Duration::from_millis(300), &mut in_flight)
                    .await
                    .is_err()
            );
            cancel.interrupt("SIGINT");
            assert!(
                tokio::time::timeout(Duration::from_millis(300), &mut in_flight)
                    .await
                    .is_err(),
                "one signal stopped the wait"
            );
            assert!(matches!(
                client.send(&prepared).await,
                Err(HttpError::Stopped(Stopped::BeforeSending))
            ));
            cancel.interrupt("SIGTERM");
            let answer = tokio::time::timeout(Duration::from_secs(5), &mut in_flight)
                .await
                .unwrap_or_else(|_| panic!("the second signal did not stop the wait"));
            assert!(
                matches!(answer, Err(HttpError::Stopped(Stopped::InFlight))),
                "{answer:?}"
            );
            server.abort();
        });
    }

    #[test]
    fn raw_queries_go_on_the_wire_as_given() {
        let base = reqwest::Url::parse("http://127.0.0.1:8004").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(encode_bytes(&[0xFF, b'a', b' ', 0xC3]), "%FFa%20%C3");
        assert_eq!(encode_bytes("é'".as_bytes()), encode("é'"));
        for query in [
            "server_id=%FF%FE",
            "server_id",
            "server_id=a&server_id=b",
            "server_id=%2541",
        ] {
            let url = build_url_raw(&base, "/v1/p/software_deployments", query);
            assert_eq!(
                url.ok().as_ref().and_then(|u| u.query()),
                Some(query),
                "{query}"
            );
        }
    }

    /// Issue 10 item 6: the Basic header reqwest derives from `user:password@` is a credential.
    #[test]
    fn credentials_in_the_url_are_not_recorded() {
        let client = reqwest::Client::new();
        let request = client
            .get("http://admin:hunter2@127.0.0.1:1/v1/p/software_deployments")
            .header("Cookie", "session=abc")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let recorded = record(&request);
        let text = format!("{recorded:?}");
        assert!(
            !text.contains("hunter2") && !text.contains("admin"),
            "{text}"
        );
        assert!(!text.contains("YWRtaW46aHVudGVyMg"), "{text}");
        assert!(!text.contains("session=abc"), "{text}");
        assert_eq!(recorded.url, "http://127.0.0.1:1/v1/p/software_deployments");
        let shown: Vec<_> = recorded
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert!(shown.contains(&("authorization", REDACTED)), "{shown:?}");
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), REDACTED);
        assert!(!format!("{:?}", Auth::Token(s)).contains("hunter2"));
    }
}
