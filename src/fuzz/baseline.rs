//! The fuzz phase's first step: fetch the unfiltered list once, for the server ids
//! that strategies mutate and the list that `filter-subset` compares with.
//!
//! ```text
//! GET /v1/{project_id}/software_deployments → Baseline { server_ids: [...], index }
//! ```

use super::probe::{Probe, reply};
use super::property::Baseline;
use super::strategy;
use crate::http::Secret;

/// The unfiltered list, and what the report should say about it.
pub(super) struct Fetched {
    /// What the properties compare with.
    pub baseline: Baseline,
    /// Notes for the case result (a list that is not 200, ids that hold the token, no id).
    pub notes: Vec<String>,
}

/// Fetches the unfiltered list; the error (a message) when there was no answer.
pub(super) async fn fetch(probe: &Probe<'_>, token: Option<&Secret>) -> Result<Fetched, String> {
    let sent = match probe.url(None) {
        Ok(url) => probe.send(&url).await,
        Err(e) => Err(e),
    };
    let exchange =
        sent.map_err(|e| format!("failed to fetch the unfiltered list: failed to {e}"))?;
    let mut notes = Vec::new();
    if exchange.status != 200 {
        notes.push(format!(
            "the unfiltered list answered {}: no server id to mutate, and filter-subset is not exercised",
            exchange.status
        ));
    }
    let mut baseline = Baseline::from_reply(&reply(&exchange));
    // A target that echoes the token into a server id would have us send it back in
    // thousands of queries, mutated past any scrubber: such ids are never used.
    if let Some(token) = token {
        let before = baseline.server_ids.len();
        baseline.server_ids.retain(|id| !holds_token(id, token));
        let dropped = before - baseline.server_ids.len();
        if dropped > 0 {
            notes.push(format!(
                "{dropped} server id(s) of the unfiltered list hold the run's token: they are neither mutated nor sent back"
            ));
        }
    }
    if baseline.server_ids.is_empty() {
        notes.push(format!(
            "the unfiltered list has no server id: existing-id is left out and mutations start from {}",
            strategy::FALLBACK_SERVER_ID
        ));
    }
    Ok(Fetched { baseline, notes })
}

/// Whether `text` holds `token` (any case, as typed or percent-encoded), like the runner's
/// rule for captured values.
fn holds_token(text: &str, token: &Secret) -> bool {
    let text = text.to_ascii_lowercase();
    token.expose().len() >= crate::secret::MIN_SECRET_LEN
        && token
            .spellings()
            .iter()
            .any(|spelling| text.contains(&spelling.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_holding_the_token_are_recognised() {
        let token = Secret::new("tok+en/5ecret");
        assert!(holds_token("x-TOK+EN/5ECRET-y", &token));
        assert!(holds_token("tok%2Ben%2F5ecret", &token));
        assert!(!holds_token("ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5", &token));
        assert!(!holds_token("abc", &Secret::new("ab")));
    }
}
