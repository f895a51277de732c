//! One authentication: `POST {v3}/auth/tokens` with the credentials' body, the
//! token from `201 Created` + `X-Subject-Token`, and every refusal turned into a
//! typed [`IdentityError`]. Only the exchange's method, URL, status and timing are
//! kept ([`ExchangeSummary`]): the request body holds the secret.
//!
//! A `401` to a scoped request with a password or a token is ambiguous (Keystone
//! says the same for a wrong password and for a project the user has no role on),
//! so the same credentials are sent once more, explicitly unscoped: if that works,
//! the scope was refused, not the credentials.

use super::credentials::Credentials;
use super::error::{IdentityError, keystone_message};
use super::token::{self, Token};
use crate::http::{Auth, Client, ExchangeSummary, JsonResponse};

/// A token, and the exchanges it took.
#[derive(Debug)]
pub struct Authenticated {
    /// The token.
    pub token: Token,
    /// `POST .../auth/tokens`, once or (after a refusal) twice.
    pub exchanges: Vec<ExchangeSummary>,
}

/// `{v3}/auth/tokens`.
pub fn tokens_url(v3: &reqwest::Url) -> reqwest::Url {
    let mut url = v3.clone();
    let path = format!("{}/auth/tokens", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_query(None);
    url
}

/// Authenticates with `credentials` against the v3 API at `v3`.
///
/// The error carries the exchanges too, for the report, through [`Refusal`].
pub async fn authenticate(
    client: &Client,
    v3: &reqwest::Url,
    credentials: &Credentials,
) -> Result<Authenticated, Refusal> {
    let url = tokens_url(v3);
    let mut exchanges = Vec::new();
    let response = post(client, &url, &credentials.body())
        .await
        .map_err(|e| Refusal::new(e, exchanges.clone()))?;
    exchanges.push(response.summary.clone());
    let status = response.summary.status;
    if matches!(status, 200 | 201) {
        let subject = response
            .headers
            .get("x-subject-token")
            .map(|v| v.as_bytes());
        return match token::parse(subject, &response.body) {
            Ok(token) => Ok(Authenticated { token, exchanges }),
            Err(e) => Err(Refusal::new(e.into(), exchanges)),
        };
    }
    let secrets: Vec<_> = credentials.secrets().into_iter().map(|(_, s)| s).collect();
    let message = keystone_message(&response.body, &secrets);
    let error = match (credentials, status) {
        (Credentials::Token { .. }, 401 | 404) => IdentityError::TokenRefused { status, message },
        (_, 401) => {
            let scope_refused = match (credentials.scope(), credentials.unscoped_body()) {
                (Some(scope), Some(unscoped)) => {
                    let probe = post(client, &url, &unscoped).await;
                    match probe {
                        Ok(probe) => {
                            exchanges.push(probe.summary.clone());
                            matches!(probe.summary.status, 200 | 201).then(|| scope.to_string())
                        }
                        Err(_) => None,
                    }
                }
                _ => None,
            };
            match scope_refused {
                Some(scope) => IdentityError::ScopeRefused {
                    scope,
                    status,
                    message,
                },
                None => match credentials {
                    Credentials::ApplicationCredential { .. } => {
                        IdentityError::CredentialsRefused {
                            method: credentials.method(),
                            what: "application credential id, name and secret (expired? revoked?)",
                            status,
                            message,
                        }
                    }
                    _ => IdentityError::CredentialsRefused {
                        method: credentials.method(),
                        what: "password",
                        status,
                        message,
                    },
                },
            }
        }
        _ => IdentityError::Refused { status, message },
    };
    Err(Refusal::new(error, exchanges))
}

async fn post(
    client: &Client,
    url: &reqwest::Url,
    body: &serde_json::Value,
) -> Result<JsonResponse, IdentityError> {
    Ok(client
        .send_json(reqwest::Method::POST, url, &Auth::None, Some(body))
        .await?)
}

/// A failed authentication: why, and the exchanges it took (for the report).
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Refusal {
    /// Why.
    pub error: IdentityError,
    /// What was exchanged.
    pub exchanges: Vec<ExchangeSummary>,
}

impl Refusal {
    fn new(error: IdentityError, exchanges: Vec<ExchangeSummary>) -> Refusal {
        Refusal { error, exchanges }
    }
}

impl From<Refusal> for IdentityError {
    fn from(refusal: Refusal) -> IdentityError {
        refusal.error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tokens_url_is_under_v3() {
        for (v3, want) in [
            ("http://h/identity/v3/", "http://h/identity/v3/auth/tokens"),
            ("http://h:5000/v3", "http://h:5000/v3/auth/tokens"),
        ] {
            let v3 = reqwest::Url::parse(v3).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(tokens_url(&v3).as_str(), want);
        }
    }
}
