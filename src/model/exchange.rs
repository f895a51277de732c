//! An exchange as the reports keep it: the request as it went on the wire
//! (secrets redacted) and what came back.
//!
//! ```json
//! { "method": "GET", "url": "http://127.0.0.1:8004/v1/95d0.../software_deployments",
//!   "headers": [["x-auth-token", "<redacted>"]] }
//! ```

use serde::{Deserialize, Serialize};

/// A request as it went on the wire.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RequestRecord {
    /// Always `GET`.
    pub method: String,
    /// The full URL, query percent-encoded as sent.
    pub url: String,
    /// Headers sent, `X-Auth-Token` redacted.
    pub headers: Vec<(String, String)>,
}

/// A response as received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseRecord {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Body size in bytes.
    pub body_bytes: usize,
    /// The start of the body (lossy UTF-8, truncated).
    pub body_excerpt: String,
    /// Time to the full body, in milliseconds.
    pub elapsed_ms: u64,
}
