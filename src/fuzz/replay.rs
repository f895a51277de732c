//! The fuzz phase's second step: replay the regressions file, before anything is
//! generated, so a failure once found is looked for first in every run.
//!
//! Each entry's exact wire query is sent twice and judged by the same properties;
//! what still fails is reported with origin `regression`.

use super::evidence::{self, Evidence, Found, Origin};
use super::observed::Observed;
use super::probe::Probe;
use super::property::Context;
use super::regression::Regression;
use crate::secret::TokenSource;

/// What replaying found.
pub(super) struct Replayed {
    /// A finding per property each entry still breaks.
    pub found: Vec<Found>,
    /// Entries that still break some property.
    pub still_failing: usize,
    /// Entries that could not be sent, one note each.
    pub notes: Vec<String>,
    /// What the profile accepted of their answers.
    pub observed: Observed,
}

/// Replays `entries` in order.
pub(super) async fn replay(
    probe: &Probe<'_>,
    context: &Context<'_>,
    entries: &[Regression],
    token_source: &TokenSource,
) -> Replayed {
    let mut replayed = Replayed {
        found: Vec::new(),
        still_failing: 0,
        notes: Vec::new(),
        observed: Observed::default(),
    };
    for entry in entries {
        let Ok(input) = entry.replay_input() else {
            continue;
        };
        let probed = match probe.probe(&input, true).await {
            Ok(probed) => probed,
            Err(e) => {
                replayed.notes.push(format!(
                    "regression {} could not be replayed: failed to {e}",
                    entry.wire_query
                ));
                continue;
            }
        };
        let mut eval = probed.evaluate(&input, context);
        replayed.observed.add(0, &mut eval);
        if !eval.violations.is_empty() {
            replayed.still_failing += 1;
        }
        let origin = Origin {
            original: &input,
            strategy: &entry.strategy,
            seed: entry.seed,
            origin: "regression",
            steps: 0,
            token: context.authenticated.then_some(token_source),
        };
        for violation in eval.violations {
            let evidence = Evidence::of(&probed, violation);
            replayed.found.push(Found {
                property: evidence.violation.property,
                finding: evidence::finding(&evidence, &input, &origin),
                evidence,
                regression: None,
            });
        }
    }
    replayed
}
