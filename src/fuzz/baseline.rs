//! The fuzz phase's first step: fetch the unfiltered list once, for the server ids
//! that strategies mutate, the list that `filter-subset` compares with, and what
//! the list itself breaks.
//!
//! ```text
//! GET /v1/{project_id}/software_deployments → Baseline { server_ids: [...], index, known }
//! ```
//!
//! The list is validated as every fuzz answer is; its own findings, by clause
//! and item ([`Known`]), are the unfiltered list's case's (`list-all`), not any
//! input's (issue 10 item 9). A fuzz answer that shows the same clause broken
//! on the same deployment (a filtered list holding the broken item, or
//! `server_id=` read as no filter) is explained by it, and is no fuzz
//! finding: fuzz findings are what the `server_id` value caused. Without a case
//! that reports the list (`sdconform fuzz`), the fuzz case reports its
//! findings itself, once.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::engine::Settings;
use super::probe::{Probe, Received, reply};
use super::property::{self, Baseline, BodyVerdict};
use super::strategy;
use crate::check::Finding;
use crate::contract::Contract;
use crate::http::Secret;
use crate::model::{RequestRecord, ResponseRecord};

/// The unfiltered list, and what the report should say about it.
pub(super) struct Fetched {
    /// What the properties compare with.
    pub baseline: Baseline,
    /// Notes for the case result (a list that is not 200, ids that hold the token, no id).
    pub notes: Vec<String>,
    /// The list's own findings, as a fuzz answer's body would get them.
    pub findings: Vec<Finding>,
    /// The request and response that show them.
    pub evidence: Option<(RequestRecord, ResponseRecord)>,
    /// Items of the list validated (0 unless it was a 200 list).
    pub items: usize,
    /// The contract's item clauses (SD-RESP-2 … 11).
    pub item_clauses: Vec<String>,
}

/// Where a finding is, in a way that survives filtering: the deployment (its `id`
/// and `server_id`, as JSON) for an item's finding, the pointer for the body's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// A deployment of the list.
    Item { id: String, server_id: String },
    /// The body outside the items (envelope, media type, the whole body).
    Body(String),
}

/// The (clause, place) of every finding of the unfiltered list.
#[derive(Debug, Clone, Default)]
pub struct Known {
    broken: BTreeSet<(String, Place)>,
}

impl Known {
    /// What `verdict` (the unfiltered list's) shows.
    pub(super) fn of(verdict: &BodyVerdict) -> Known {
        Known {
            broken: verdict
                .findings
                .iter()
                .filter_map(|f| place(f, verdict.items.as_deref()).map(|p| (f.clause.clone(), p)))
                .collect(),
        }
    }

    /// How many (clause, place) pairs the list breaks.
    pub fn len(&self) -> usize {
        self.broken.len()
    }
}

impl Baseline {
    /// The findings of a fuzz answer's body (`verdict`) that the unfiltered list does
    /// not explain: those whose clause it does not break on the same deployment.
    pub(crate) fn unexplained(&self, verdict: &BodyVerdict) -> Vec<Finding> {
        verdict
            .findings
            .iter()
            .filter(|f| {
                place(f, verdict.items.as_deref())
                    .is_none_or(|p| !self.known.broken.contains(&(f.clause.clone(), p)))
            })
            .cloned()
            .collect()
    }
}

/// Where `finding` is in a body whose (slim) list is `items`; `None` when its pointer
/// names an item the list does not have.
fn place(finding: &Finding, items: Option<&[Json]>) -> Option<Place> {
    let Some(rest) = finding.pointer.strip_prefix("/software_deployments/") else {
        return Some(Place::Body(finding.pointer.clone()));
    };
    let index: usize = rest.split('/').next()?.parse().ok()?;
    let item = items?.get(index)?;
    let text = |field: &str| {
        item.get(field)
            .map_or_else(|| "absent".to_owned(), Json::to_string)
    };
    Some(Place::Item {
        id: text("id"),
        server_id: text("server_id"),
    })
}

/// Fetches the unfiltered list and validates it; the error (a message) when there
/// was no answer.
pub(super) async fn fetch(
    probe: &Probe<'_>,
    token: Option<&Secret>,
    contract: &Contract,
    settings: &Settings,
) -> Result<Fetched, String> {
    let sent = match probe.url(None) {
        Ok(url) => probe.send(&url).await,
        Err(e) => Err(e),
    };
    let exchange =
        sent.map_err(|e| format!("failed to fetch the unfiltered list: failed to {e}"))?;
    let status = exchange.status;
    let mut notes = Vec::new();
    if status != 200 {
        notes.push(format!(
            "the unfiltered list answered {status}: no server id to mutate, and filter-subset is not exercised"
        ));
    }
    let received = Received::keeping_what_is_read(exchange);
    let replied = reply(&received);
    let mut baseline = Baseline::from_reply(&replied);
    let mut findings = Vec::new();
    let mut items = 0;
    if status == 200 {
        let verdict = property::judge(contract, settings.profile, settings.clock_skew, &replied);
        baseline.known = Known::of(&verdict);
        items = verdict.items.as_ref().map_or(0, Vec::len);
        findings.clone_from(&verdict.findings);
    }
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
    Ok(Fetched {
        baseline,
        notes,
        findings,
        evidence: Some((received.request().clone(), received.response())),
        items,
        item_clauses: contract.item_clauses().into_iter().collect(),
    })
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
    use crate::check::order::DEFAULT_CLOCK_SKEW;
    use crate::contract::Profile;
    use crate::fuzz::property::Reply;
    use serde_json::json;

    #[test]
    fn ids_holding_the_token_are_recognised() {
        let token = Secret::new("tok+en/5ecret");
        assert!(holds_token("x-TOK+EN/5ECRET-y", &token));
        assert!(holds_token("tok%2Ben%2F5ecret", &token));
        assert!(!holds_token("ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5", &token));
        assert!(!holds_token("abc", &Secret::new("ab")));
    }

    /// The verdict on a 200 list of `items` under `documented`.
    fn verdict_of(items: &[Json]) -> BodyVerdict {
        let contract = Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
        let body =
            serde_json::to_vec(&json!({ "software_deployments": items })).unwrap_or_default();
        let reply = Reply {
            status: 200,
            content_type: Some("application/json"),
            body: &body,
            body_cut: None,
        };
        property::judge(&contract, Profile::Documented, DEFAULT_CLOCK_SKEW, &reply)
    }

    /// Issue 10 item 9: a filtered answer that shows the unfiltered list's own
    /// finding on the same deployment (at another index) is explained; the same
    /// clause on another deployment, or another clause, is not.
    #[test]
    fn findings_the_unfiltered_list_shows_are_explained_by_clause_and_deployment() {
        let mut all = crate::reference::deployments();
        all[1]["updated_time"] = json!("2015-01-31T10:00:00Z");
        all[1]["creation_time"] = json!("2015-01-31T15:12:36Z");
        let baseline = Baseline {
            known: Known::of(&verdict_of(&all)),
            ..Baseline::default()
        };
        assert_eq!(baseline.known.len(), 1, "{:?}", baseline.known);

        // The broken deployment alone, at index 0 of a filtered list.
        let filtered = verdict_of(&all[1..2]);
        assert_eq!(filtered.findings.len(), 1);
        assert_eq!(baseline.unexplained(&filtered), vec![]);

        // The same defect on another deployment is the input's.
        let mut other = all[2].clone();
        other["updated_time"] = json!("2015-01-31T10:00:00Z");
        other["creation_time"] = json!("2015-01-31T15:12:36Z");
        let unexplained = baseline.unexplained(&verdict_of(&[other]));
        assert_eq!(unexplained.len(), 1, "{unexplained:?}");

        // Another clause on the broken deployment is the input's too.
        let mut worse = all[1].clone();
        worse["status"] = json!("DONE");
        let unexplained = baseline.unexplained(&verdict_of(&[worse]));
        let clauses: Vec<&str> = unexplained.iter().map(|f| f.clause.as_str()).collect();
        assert_eq!(clauses, ["SD-RESP-9"]);
    }
}
