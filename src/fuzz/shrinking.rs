//! The fuzz phase's fourth step: shrink the failures generation kept, afterwards and
//! one request at a time, to minimal inputs, and turn each into a finding and an entry
//! for the regressions file.
//!
//! Per property, the first failure (by case number) of each strategy is shrunk, up to
//! `ShrinkLimits::failures_per_property`; all shrinking shares one wall-time budget,
//! which ends at the campaign's `--time-limit` if that comes first. An interruption
//! or the time limit cuts shrinking short: each failure keeps the smallest input found
//! so far (those not reached yet, their generated one), and its finding says so.
//! The algorithm is [`super::shrink::minimize`]; this module spends it.

use std::time::{Instant, SystemTime};

use proptest::strategy::ValueTree;

use super::engine::{Progress, Settings};
use super::evidence::{self, Evidence, Found, Origin};
use super::generation::{Failed, Kept};
use super::input::Input;
use super::probe::Probe;
use super::property::{Context, Property};
use super::regression::Regression;
use super::shrink::{self, Budget, Cut};
use super::strategy::Named;

/// What shrinking found.
pub(super) struct Reduced {
    /// A finding per distinct minimal failure, with its regression entry.
    pub found: Vec<Found>,
    /// Requests sent while shrinking.
    pub requests: u64,
}

/// What shrinking needs besides the failures.
pub(super) struct Shrinking<'a> {
    /// Sends the candidates.
    pub probe: &'a Probe<'a>,
    /// Judges them.
    pub context: &'a Context<'a>,
    /// The strategies, for the names of the findings.
    pub named: &'a [Named],
    /// Budget, seed.
    pub settings: &'a Settings,
    /// The target's base URL, for the regression entries.
    pub target: &'a str,
    /// Hears how many failures are shrunk.
    pub progress: &'a dyn Progress,
    /// The campaign's hard end (`--time-limit`), if it has one.
    pub deadline: Option<Instant>,
}

/// Shrinks the chosen failures of `kept`; a minimal failure already in `known` (or
/// found twice) is reported once.
pub(super) async fn shrink(with: &Shrinking<'_>, kept: Kept, known: &[Found]) -> Reduced {
    let chosen = choose(kept, with.settings.shrink.failures_per_property);
    with.progress.shrinking(chosen.len());
    let own = Instant::now() + with.settings.shrink.total_time;
    let deadline = with.deadline.map_or(own, |campaign| campaign.min(own));
    let mut shrunk = Reduced {
        found: Vec::new(),
        requests: 0,
    };
    for failed in chosen {
        let property = failed.evidence.violation.property;
        let strategy = with.named.get(failed.strategy).map_or("?", |n| n.name);
        let original = failed.tree.current();
        let minimal = minimize(with, failed, deadline).await;
        // Each try sends the candidate once, twice for the stability property.
        let per_try = if property == Property::StableStatus {
            2
        } else {
            1
        };
        shrunk.requests += u64::from(minimal.steps) * per_try;
        let seen = |f: &Found| f.property == property && f.evidence.url == minimal.evidence.url;
        if shrunk.found.iter().any(seen) || known.iter().any(seen) {
            continue;
        }
        shrunk
            .found
            .push(found(with, property, strategy, &original, minimal));
    }
    shrunk
}

/// Per property, the first `per_property` failures by case number (one per strategy).
fn choose(mut kept: Kept, per_property: usize) -> Vec<Failed> {
    let mut chosen: Vec<Failed> = Vec::new();
    for property in Property::ALL {
        let keys: Vec<(Property, usize)> =
            kept.keys().filter(|k| k.0 == property).copied().collect();
        let mut of_property: Vec<Failed> = keys.iter().filter_map(|key| kept.remove(key)).collect();
        of_property.sort_by_key(|f| f.index);
        chosen.extend(of_property.into_iter().take(per_property));
    }
    chosen
}

/// Shrinks one failure: each candidate is sent and must break the same property.
async fn minimize(
    with: &Shrinking<'_>,
    failed: Failed,
    deadline: Instant,
) -> shrink::Shrunk<Evidence> {
    let property = failed.evidence.violation.property;
    let budget = Budget {
        max_steps: with.settings.shrink.steps_per_failure,
        deadline,
        cancel: Some(with.probe.cancel()),
    };
    shrink::minimize(
        failed.tree,
        failed.evidence,
        budget,
        |input: Input| async move {
            let again = property == Property::StableStatus;
            let probed = with.probe.probe(&input, again).await.ok()?;
            let eval = probed.evaluate(&input, with.context);
            let violation = eval
                .violations
                .into_iter()
                .find(|v| v.property == property)?;
            Some(Evidence::of(&probed, violation))
        },
    )
    .await
}

/// The finding and regression entry of a shrunk failure.
fn found(
    with: &Shrinking<'_>,
    property: Property,
    strategy: &str,
    original: &Input,
    minimal: shrink::Shrunk<Evidence>,
) -> Found {
    let seed = with.settings.seed;
    let origin = Origin {
        original,
        strategy,
        seed,
        origin: "generated",
        steps: minimal.steps,
        token: with
            .context
            .authenticated
            .then_some(&with.settings.token_source),
    };
    let mut finding = evidence::finding(&minimal.evidence, &minimal.input, &origin);
    let time_limit = with.deadline.is_some_and(|d| Instant::now() >= d);
    let cut = match minimal.cut {
        None => None,
        Some(Cut::Interrupted) => Some("shrinking was interrupted"),
        Some(Cut::Deadline) if time_limit => Some("shrinking was cut short by --time-limit"),
        Some(Cut::Deadline | Cut::Steps) => Some("shrinking stopped at its budget"),
    };
    if let Some(cut) = cut {
        finding.message.push_str(&format!(
            " ({cut} after {} step(s): this is the smallest failing input found so far; smaller inputs may fail too)",
            minimal.steps
        ));
    }
    Found {
        property,
        regression: Some(Regression {
            input: minimal.input.stored(),
            wire_query: minimal.input.wire_query(),
            property: property.name().to_owned(),
            clause: finding.clause.clone(),
            strategy: strategy.to_owned(),
            seed,
            found_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            target: with.target.to_owned(),
        }),
        finding,
        evidence: minimal.evidence,
    }
}
