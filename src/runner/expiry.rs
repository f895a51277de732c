//! `auth-expired-token` (SD-CODE-401): once a token the identity service issued has
//! expired, the target refuses it. A trial of its own, run beside the cases when the
//! run's tokens come from an identity service (`--os-cloud`): the run's first token,
//! renewed long before, is sent once more after its expiry.
//!
//! It waits for that expiry when it is near ([`MAX_WAIT`]); a run that ends long before
//! its first token expires (an hour is Keystone's default) leaves it not exercised. The
//! expiry is judged without the local wall clock: the token has expired, by the identity
//! service's own clock, at the latest its lifetime (`expires_at - issued_at`) after it was
//! received here; a grace of a tenth of the lifetime (2 s to 60 s) covers the target's
//! clock being a little behind the identity service's.
//!
//! ```text
//! POST /v3/auth/tokens                  → 201 token 1 (lives 2 s), renewed at 1.8 s
//! … 2 s + grace later …
//! GET /v1/{project}/software_deployments  X-Auth-Token: token 1 → 401   (200: SD-CODE-401 MUST)
//! ```

use std::time::{Duration, Instant};

use super::{ExtraTrial, Target, case_outcome, millis, response_record};
use crate::check::{CheckOutcome, CheckRecord, Severity, status};
use crate::http::{self, Auth, Prepared};
use crate::model::{CaseResult, Outcome};

/// The trial's id (and its result's).
pub const CASE_ID: &str = "auth-expired-token";

/// Its title.
const TITLE: &str = "A token the identity service issued is refused with 401 once it has expired";

/// Where it is defined, for the report's `source`.
const SOURCE: &str = "sdconform (built in, with --os-cloud)";

/// The clause it checks.
const CLAUSE: &str = "SD-CODE-401";

/// Longest wait for the first token to expire.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// The trial, sending through `client` to `target`; `X` is what it produces beside its
/// result (nothing).
pub fn trial<X: Default + Send + 'static>(
    client: http::Client,
    target: Target,
    handle: tokio::runtime::Handle,
) -> ExtraTrial<X> {
    ExtraTrial {
        id: CASE_ID.to_owned(),
        run: Box::new(move || (handle.block_on(check(&client, &target)), X::default())),
    }
}

/// Waits for the run's first token to expire (when that is near) and sends it.
pub async fn check(client: &http::Client, target: &Target) -> CaseResult {
    let started = Instant::now();
    let result = CaseResult::new(CASE_ID, TITLE, SOURCE.to_owned(), Outcome::Pass);
    let Some(first) = target.tokens.as_ref().and_then(|t| t.first_issued()) else {
        return not_exercised(
            result,
            "the run's token does not come from an identity service (--os-cloud)".to_owned(),
        );
    };
    let grace = (first.lifetime / 10).clamp(Duration::from_secs(2), Duration::from_secs(60));
    let due = first
        .expired_by
        .checked_add(grace)
        .unwrap_or(first.expired_by);
    let wait = due.saturating_duration_since(Instant::now());
    let expires = humantime::format_rfc3339_seconds(first.expires_at);
    if wait > MAX_WAIT {
        return not_exercised(
            result,
            format!(
                "the run's first token expires at {expires}, more than {} after this check: a run that outlives it checks that the target then refuses it",
                humantime::format_duration(MAX_WAIT)
            ),
        );
    }
    tokio::time::sleep(wait).await;
    let path = format!(
        "/v1/{}/software_deployments",
        http::encode(&target.project_id)
    );
    let sent = match http::build_url(&target.base, &path, &[]) {
        Ok(url) => {
            client
                .send(&Prepared {
                    url,
                    auth: Auth::Token(first.token.clone()),
                })
                .await
        }
        Err(e) => Err(e),
    };
    let mut result = result;
    match sent {
        Err(e) => result.outcome = Outcome::Error(format!("failed to {e}")),
        Ok(exchange) => {
            let (findings, records) =
                status::check(exchange.status, &[401], CLAUSE, Severity::Must);
            result.outcome = case_outcome(&findings, &records, &[CLAUSE.to_owned()]);
            result.findings = findings;
            result.checks = records;
            result.notes.push(format!(
                "sent the run's first token (expires_at {expires}, lifetime {}) {} after it had expired by the identity service's clock",
                humantime::format_duration(Duration::from_secs(first.lifetime.as_secs())),
                humantime::format_duration(Duration::from_secs(grace.as_secs()))
            ));
            result.request = Some(exchange.request.clone());
            result.response = Some(response_record(&exchange));
        }
    }
    result.duration_ms = millis(started.elapsed());
    result
}

/// `result`, not exercised for `why`.
fn not_exercised(mut result: CaseResult, why: String) -> CaseResult {
    result.outcome = Outcome::NotExercised;
    result.checks = vec![
        CheckRecord::new("expired_token", CLAUSE, CheckOutcome::NotExercised)
            .with_note(why.clone()),
    ];
    result.notes.push(why);
    result
}
