//! The only module that touches the network: builds a case's request, sends it
//! with the one shared client, and records exactly what went on the wire.
//!
//! The client follows no redirect, has a connect timeout and a per-request
//! deadline, and stops reading a body at `max_body_bytes`. A recorded request:
//!
//! ```json
//! { "method": "GET",
//!   "url": "http://127.0.0.1:8004/v1/95d0.../software_deployments?server_id=ec14c864-...",
//!   "headers": [["accept", "application/json"], ["x-auth-token", "<redacted>"]] }
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use crate::report::model::RequestRecord;

/// What stands in for the token everywhere we write.
pub const REDACTED: &str = "<redacted>";

/// The token sent by `auth: invalid` cases: well-formed, never issued.
pub const INVALID_TOKEN: &str = "sdconform-invalid-token-00000000000000000000000000000000";

/// A secret that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Limits of the shared client.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Deadline for one whole request, body included.
    pub timeout: Duration,
    /// Largest body read; a larger one is an error, never an allocation.
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
    /// `Content-Type`, if present and readable.
    pub content_type: Option<String>,
    /// The body (at most `max_body_bytes`).
    pub body: Vec<u8>,
    /// Time to the end of the body.
    pub elapsed: Duration,
}

/// Why no exchange could be completed: a harness error, not a finding.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL could not be built.
    #[error("build the request URL: {0}")]
    Url(String),
    /// Connection refused, DNS failure, TLS failure, reset...
    #[error("reach the target: {0}")]
    Transport(String),
    /// The deadline passed.
    #[error("get a response within {0:?}")]
    Timeout(Duration),
    /// The body is larger than the limit.
    #[error("read the body: it exceeds the {limit}-byte limit (--max-body-bytes)")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

/// The one HTTP client of a run.
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::Client,
    limits: Limits,
}

impl Client {
    /// Builds the client: no redirects, explicit timeouts.
    pub fn new(limits: Limits) -> Result<Client, HttpError> {
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .user_agent(concat!("sdconform/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HttpError::Transport(error_chain(&e)))?;
        Ok(Client { inner, limits })
    }

    /// Sends `prepared`, reading at most `max_body_bytes` of body.
    pub async fn send(&self, prepared: &Prepared) -> Result<Exchange, HttpError> {
        let mut builder = self
            .inner
            .get(prepared.url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Auth::Token(token) = &prepared.auth {
            builder = builder.header("X-Auth-Token", token.expose());
        }
        let request = builder
            .build()
            .map_err(|e| HttpError::Url(error_chain(&e)))?;
        let record = RequestRecord {
            method: request.method().to_string(),
            url: request.url().to_string(),
            headers: request
                .headers()
                .iter()
                .map(|(name, value)| {
                    let shown = if name.as_str().eq_ignore_ascii_case("x-auth-token") {
                        REDACTED.to_owned()
                    } else {
                        String::from_utf8_lossy(value.as_bytes()).into_owned()
                    };
                    (name.as_str().to_owned(), shown)
                })
                .collect(),
        };
        let started = Instant::now();
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                HttpError::Timeout(self.limits.timeout)
            } else {
                HttpError::Transport(error_chain(&e))
            }
        };
        let mut response = self.inner.execute(request).await.map_err(classify)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let limit = self.limits.max_body_bytes;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(HttpError::BodyTooLarge { limit });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > limit {
                return Err(HttpError::BodyTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Exchange {
            request: record,
            status,
            content_type,
            body,
            elapsed: started.elapsed(),
        })
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

/// Percent-encodes one path segment or query component.
pub fn encode(text: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, KEEP).to_string()
}

/// A reqwest error with its causes, on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
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
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), REDACTED);
        assert!(!format!("{:?}", Auth::Token(s)).contains("hunter2"));
    }
}
