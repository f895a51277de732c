//! Judging one case on one exchange, pure: what the trial of a live run does
//! once its answer is in, and what `recheck` and `check --har/--ndjson` do
//! with a recorded one.
//!
//! ```text
//! Judging {contract, profile, clock skew} + case + exchange (+ captured vars, other cases' lists)
//!   → check::evaluate → findings, observations, records, notes → CaseResult
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::case::Case;
use crate::check::{self, filter::ListIndex};
use crate::contract::{Contract, Profile};
use crate::http::Exchange;
use crate::model::CaseResult;

use super::{case_outcome, millis, response_record};

/// What judging needs besides the case and its exchange: the run's settings.
#[derive(Debug, Clone, Copy)]
pub struct Judging<'a> {
    /// The contract.
    pub contract: &'a Contract,
    /// The profile.
    pub profile: Profile,
    /// `--clock-skew`.
    pub clock_skew: Duration,
}

/// The lists of other cases (for `filter_subset`), by case id; `None`: not available.
pub type Others = BTreeMap<String, Option<Arc<ListIndex>>>;

/// Evaluates `case` on its `exchange` into `result` (outcome, findings,
/// observations, check records, notes, request and response): `vars` are the
/// variables its request was rendered with, `others` the lists of the cases
/// its checks compare with.
pub fn judge(
    with: &Judging<'_>,
    result: &mut CaseResult,
    case: &Case,
    exchange: &Exchange,
    vars: &BTreeMap<String, String>,
    others: &Others,
) {
    let input = input(with, case, exchange, vars, others);
    let eval = match exchange.body_cut {
        None => check::evaluate(&input),
        Some(limit) => check::evaluate_cut(&input, limit),
    };
    note_vars(result, vars);
    if let Some(limit) = exchange.body_cut {
        result.notes.push(format!(
            "the body exceeds the {limit}-byte limit (--max-body-bytes, counted after decompression): only its first {limit} bytes were read"
        ));
    }
    conclude(result, case, exchange, eval);
}

/// [`judge`] for an exchange whose body was not recorded (`why`): the status is
/// judged, every check that needs the body is not exercised.
pub fn judge_without_body(
    with: &Judging<'_>,
    result: &mut CaseResult,
    case: &Case,
    exchange: &Exchange,
    why: &str,
    vars: &BTreeMap<String, String>,
) {
    let others = Others::new();
    let input = input(with, case, exchange, vars, &others);
    let eval = check::evaluate_without_body(&input, why);
    note_vars(result, vars);
    conclude(result, case, exchange, eval);
}

fn input<'a>(
    with: &Judging<'a>,
    case: &'a Case,
    exchange: &'a Exchange,
    vars: &'a BTreeMap<String, String>,
    others: &'a Others,
) -> check::Input<'a> {
    check::Input {
        case,
        status: exchange.status,
        content_type: exchange.content_type.as_deref(),
        body: &exchange.body,
        vars,
        others,
        contract: with.contract,
        profile: with.profile,
        clock_skew: with.clock_skew,
    }
}

/// A note per captured variable.
fn note_vars(result: &mut CaseResult, vars: &BTreeMap<String, String>) {
    for (name, value) in vars
        .iter()
        .filter(|(k, _)| !crate::case::suite::BUILTIN_VARIABLES.contains(&k.as_str()))
    {
        result.notes.push(format!("captured {name} = {value:?}"));
    }
}

/// The evaluation into the result.
fn conclude(result: &mut CaseResult, case: &Case, exchange: &Exchange, eval: check::Evaluation) {
    result.notes.extend(eval.notes);
    result.outcome = case_outcome(&eval.findings, &eval.records, &case.clauses);
    result.findings = eval.findings;
    result.observations = eval.observations;
    result.checks = eval.records;
    result.request = Some(exchange.request.clone());
    result.response = Some(response_record(exchange));
    result.duration_ms = millis(exchange.elapsed);
}
