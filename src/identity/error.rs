//! Why authentication did not give a usable token: typed, each with what to try,
//! and never holding a secret (Keystone echoes a rejected token in its message:
//! `Could not find token: <token>.`, so every message from it is scrubbed of the
//! secrets that were sent before it is kept).
//!
//! Keystone answers every credential problem with the same body, on purpose:
//!
//! ```json
//! {"error": {"code": 401, "message": "The request you have made requires authentication.",
//!            "title": "Unauthorized"}}
//! ```
//!
//! so a refused scope is told from refused credentials by asking once more,
//! explicitly unscoped (see [`super::authenticate`]).

use serde::Deserialize;

use super::catalog::CatalogError;
use super::token::TokenError;
use crate::exit::Exit;
use crate::http::HttpError;
use crate::model::text::inert;
use crate::secret::Secret;

/// Longest message of an identity service kept in an error, in characters.
const MESSAGE_MAX_CHARS: usize = 300;

/// Why a token could not be had or used.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The auth URL could not be used.
    #[error("use the auth_url {url}: {message}")]
    AuthUrl {
        /// The URL as given.
        url: String,
        /// Why.
        message: String,
    },
    /// Version discovery found no v3 identity API.
    #[error(
        "find the identity v3 API at {url}: {detail} (give an auth_url that ends in /v3 to skip discovery)"
    )]
    Discovery {
        /// The URL asked.
        url: String,
        /// What came back.
        detail: String,
    },
    /// The identity service could not be reached.
    #[error("reach the identity service: {0}")]
    Http(#[from] HttpError),
    /// The credentials were refused (wrong user, domain, password, secret; disabled or locked user).
    #[error(
        "authenticate with the {method} method: the identity service refused the credentials ({status}{}); check the user, its domain and the {what}",
        message_text(.message)
    )]
    CredentialsRefused {
        /// `password` or `application_credential`.
        method: &'static str,
        /// What the secret is called (`password`, `application credential secret`).
        what: &'static str,
        /// The status.
        status: u16,
        /// The service's message, scrubbed.
        message: Option<String>,
    },
    /// The credentials are good, the scope is not (no role on the project, wrong project or domain).
    #[error(
        "scope the token to {scope}: the credentials are valid but the identity service refused that scope ({status}{}); check the project, its domain and the user's role on it",
        message_text(.message)
    )]
    ScopeRefused {
        /// The scope asked for.
        scope: String,
        /// The status.
        status: u16,
        /// The service's message, scrubbed.
        message: Option<String>,
    },
    /// The token to re-scope is expired, revoked or unknown.
    #[error(
        "re-scope the token: the identity service does not accept it ({status}{}); it has expired or was revoked: get a new one (openstack token issue)",
        message_text(.message)
    )]
    TokenRefused {
        /// The status (Keystone answers 404 `Could not find token`, others 401).
        status: u16,
        /// The service's message, scrubbed.
        message: Option<String>,
    },
    /// Any other refusal.
    #[error("authenticate: the identity service answered {status}{}", message_text(.message))]
    Refused {
        /// The status.
        status: u16,
        /// The service's message, scrubbed.
        message: Option<String>,
    },
    /// A success that is not a token.
    #[error("read the token: {0}")]
    Token(#[from] TokenError),
    /// The token is not scoped to a project.
    #[error(
        "get a project-scoped token: the identity service issued a token without a project; set project_id or project_name (OS_PROJECT_ID, OS_PROJECT_NAME)"
    )]
    Unscoped,
    /// The catalog has no single orchestration endpoint.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

impl IdentityError {
    /// The exit code in the shared table (`crate::exit`): a setting decided locally is
    /// wrong (2: the auth URL, no project, no single catalog entry), or the identity
    /// service could not be reached or refused the credentials (3).
    pub fn exit(&self) -> Exit {
        match self {
            IdentityError::AuthUrl { .. } | IdentityError::Unscoped | IdentityError::Catalog(_) => {
                Exit::Usage
            }
            IdentityError::Discovery { .. }
            | IdentityError::Http(_)
            | IdentityError::CredentialsRefused { .. }
            | IdentityError::ScopeRefused { .. }
            | IdentityError::TokenRefused { .. }
            | IdentityError::Refused { .. }
            | IdentityError::Token(_) => Exit::Incomplete,
        }
    }
}

fn message_text(message: &Option<String>) -> String {
    message
        .as_deref()
        .map_or_else(String::new, |m| format!(": {m}"))
}

/// Keystone's error body.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

/// The `message` of a Keystone error body (or its `title`), without any spelling
/// of `secrets`, without control characters, and cut to a readable length.
pub(crate) fn keystone_message(body: &[u8], secrets: &[&Secret]) -> Option<String> {
    let parsed: ErrorBody = serde_json::from_slice(body).ok()?;
    let text = parsed.error.message.or(parsed.error.title)?;
    let scrubbed = crate::secret::Secrets::scrubbing(secrets.iter().copied()).scrub_str(&text);
    let shown: String = inert(&scrubbed).chars().take(MESSAGE_MAX_CHARS).collect();
    Some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystone_messages_are_scrubbed_of_what_was_sent() {
        let token = Secret::new("gAAAAABexpiredtoken123");
        let body = br#"{"error": {"code": 404, "message": "Could not find token: gAAAAABexpiredtoken123.", "title": "Not Found"}}"#;
        assert_eq!(
            keystone_message(body, &[&token]).as_deref(),
            Some("Could not find token: <redacted>.")
        );
        let bare = br#"{"error": {"code": 401, "title": "Unauthorized"}}"#;
        assert_eq!(keystone_message(bare, &[]).as_deref(), Some("Unauthorized"));
        assert_eq!(keystone_message(b"<html>", &[]), None);
        let hostile = br#"{"error": {"message": "\u001b[31mred"}}"#;
        assert_eq!(
            keystone_message(hostile, &[]).as_deref(),
            Some("\\u{1b}[31mred")
        );
        let error = IdentityError::TokenRefused {
            status: 404,
            message: keystone_message(body, &[&token]),
        };
        assert!(!error.to_string().contains("expiredtoken"), "{error}");
        // Issue 11: credentials refused by the identity service end the run with 3,
        // as the shared exit table says; a local setting with 2.
        assert_eq!(error.exit(), Exit::Incomplete);
        assert_eq!(IdentityError::Unscoped.exit(), Exit::Usage);
    }
}
