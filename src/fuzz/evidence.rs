//! What the fuzz phase keeps of a failure: the exchange that shows it
//! ([`Evidence`]), and the reported finding with its `fuzz` object ([`Found`]).
//!
//! Replay and shrinking make findings here; assembly turns them into the case
//! result's findings and check records.

use super::input::Input;
use super::probe::Probed;
use super::property::{self, Property, Violation};
use super::regression::Regression;
use super::repro;
use crate::check::{self, Finding};
use crate::model::{FuzzEvidence, RequestRecord, ResponseRecord};
use crate::secret::TokenSource;

/// A failure as first seen, or as shrunk.
#[derive(Clone)]
pub(super) struct Evidence {
    /// The property broken, with its findings.
    pub violation: Violation,
    /// The request that broke it (token redacted).
    pub request: RequestRecord,
    /// The response that shows it.
    pub response: ResponseRecord,
    /// The URL sent.
    pub url: String,
}

impl Evidence {
    /// The evidence of `violation` in `probed`: the second answer for the stability
    /// property, the first otherwise.
    pub(super) fn of(probed: &Probed, violation: Violation) -> Evidence {
        let received = match (&probed.second, violation.property) {
            (Some(second), Property::StableStatus) => second,
            _ => &probed.first,
        };
        Evidence {
            violation,
            request: received.request().clone(),
            response: received.response(),
            url: probed.url.clone(),
        }
    }
}

/// A finding ready for the report.
pub(super) struct Found {
    /// The property broken.
    pub property: Property,
    /// The reported finding, with its `fuzz` object.
    pub finding: Finding,
    /// What showed it.
    pub evidence: Evidence,
    /// Its entry for the regressions file, when this run found it.
    pub regression: Option<Regression>,
}

/// Where a fuzz finding came from, for its `fuzz` object.
pub(super) struct Origin<'a> {
    /// The input before shrinking.
    pub original: &'a Input,
    /// The strategy that generated it.
    pub strategy: &'a str,
    /// The seed of the run that generated it.
    pub seed: u64,
    /// `generated` or `regression`.
    pub origin: &'a str,
    /// Inputs tried while shrinking.
    pub steps: u32,
    /// Where the run's token came from, when it sends one (the repro then names it).
    pub token: Option<&'a TokenSource>,
}

/// The reported finding: the violation's first finding, with the fuzz evidence of the
/// `minimal` input.
pub(super) fn finding(evidence: &Evidence, minimal: &Input, from: &Origin<'_>) -> Finding {
    let property = evidence.violation.property;
    let mut finding = evidence
        .violation
        .findings
        .first()
        .cloned()
        .unwrap_or_else(|| {
            Finding::new(
                property.clause(),
                property.check(),
                "",
                "",
                "",
                property.description(),
            )
        });
    finding.fuzz = Some(Box::new(FuzzEvidence {
        property: property.name().to_owned(),
        strategy: from.strategy.to_owned(),
        seed: from.seed,
        origin: from.origin.to_owned(),
        minimal_input: minimal.minimal_display(),
        shape: minimal.shape().to_owned(),
        utf8: minimal.is_utf8(),
        wire_query: minimal.wire_query(),
        original_input: check::truncate(&property::describe(from.original), 300),
        shrink_steps: from.steps,
        repro: repro::curl(&evidence.url, from.token),
    }));
    finding
}
