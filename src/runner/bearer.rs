//! The run's own token, per request (issue 11): every request that carries it
//! (an `auth: default` case, every fuzz request) asks for it at send time, so a
//! run or a fuzz campaign that outlives one token keeps working, and a `401` to
//! it is not taken at its word before anyone is blamed:
//!
//! - a token from the identity service (`--os-cloud`) comes from the run's
//!   [`TokenSource`], renewed before it expires; after a `401` it is renewed once
//!   ([`TokenSource::renew_after_rejection`]) and the request sent again: what that
//!   answers is the target's answer (a fresh token refused is the target's fault);
//! - a raw token (`--token`, `SDCONFORM_TOKEN`, `OS_AUTH_TOKEN`) has no known
//!   expiry: after a `401` the unfiltered list is asked once with it; refused there
//!   too, the token is dead (expired or revoked) and the request is a harness error,
//!   never a finding; accepted there, the `401` stands as the target's answer.
//!
//! ```text
//! GET .../software_deployments?server_id=…  (token 1) → 401
//! POST /v3/auth/tokens                                 → 201 (token 2)
//! GET .../software_deployments?server_id=…  (token 2) → 200   ← judged
//! ```

use super::Target;
use crate::http::{self, Auth, Exchange, HttpError, Prepared};

/// A request sent with the run's token, and what happened on the way.
#[derive(Debug)]
pub struct Sent {
    /// The exchange to judge.
    pub exchange: Exchange,
    /// What was done after a `401`, for the case's notes.
    pub note: Option<String>,
}

/// `target` as it is now: with the token the run's requests carry at this moment
/// (renewed first if it is about to expire).
pub async fn at_send(target: &Target) -> Result<Target, HttpError> {
    let mut now = target.clone();
    if let Some(tokens) = &target.tokens {
        let token = tokens
            .token()
            .await
            .map_err(|e| HttpError::Token(format!("renew the run's token: {e}")))?;
        now.token = Some(token);
    }
    Ok(now)
}

/// Sends `request`; when it carries the run's token (`own`), a `401` is checked as the
/// module documentation says before it is kept.
pub async fn send(
    client: &http::Client,
    target: &Target,
    request: &Prepared,
    own: bool,
) -> Result<Sent, HttpError> {
    let first = client.send(request).await?;
    let sent = match &request.auth {
        Auth::Token(sent) if own && first.status == 401 => sent,
        _ => {
            return Ok(Sent {
                exchange: first,
                note: None,
            });
        }
    };
    if let Some(tokens) = &target.tokens {
        let renewed = tokens.renew_after_rejection(sent).await.map_err(|e| {
            HttpError::Token(format!(
                "renew the run's token after the target refused it (401): {e}"
            ))
        })?;
        let again = client
            .send(&Prepared {
                url: request.url.clone(),
                auth: Auth::Token(renewed),
            })
            .await?;
        let note = format!(
            "the target answered 401 to the run's token; a new one was issued by the identity service and the request sent again, which answered {}",
            again.status
        );
        return Ok(Sent {
            exchange: again,
            note: Some(note),
        });
    }
    let list = http::build_url(&target.base, &list_path(&target.project_id), &[])?;
    let check = client
        .send(&Prepared {
            url: list,
            auth: request.auth.clone(),
        })
        .await?;
    if check.status == 401 {
        return Err(HttpError::Token(
            "use the run's token: the target refused it (401) on this request and again on the unfiltered list, so it has expired or was revoked (a raw token has no known expiry); get a new one, or let sdconform authenticate and renew it (--os-cloud)".to_owned(),
        ));
    }
    let note = format!(
        "the target answered 401 to the run's token here but {} to it on the unfiltered list: the 401 is its answer to this request",
        check.status
    );
    Ok(Sent {
        exchange: first,
        note: Some(note),
    })
}

/// `/v1/{project_id}/software_deployments`, the project id encoded.
fn list_path(project_id: &str) -> String {
    format!("/v1/{}/software_deployments", http::encode(project_id))
}
