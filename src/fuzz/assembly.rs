//! The fuzz phase's last step: everything the earlier steps returned, turned into
//! the `fuzz-server-id` case result (findings, a check record per property and
//! clause, notes, the `fuzz` object) and the new entries for the regressions file.
//!
//! Pure: no request is sent here.
//!
//! ```text
//! fuzz-server-id: seed 42, 2000 cases, 4000 requests in 2.1 s (1905 requests/s), 16 strategies
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use super::baseline::Fetched;
use super::engine::{CASE_ID, Settings};
use super::evidence::Found;
use super::generation::Generated;
use super::property::{Baseline, Property};
use super::regression::{self, Regression};
use super::replay::Replayed;
use super::shrinking::Reduced;
use super::strategy::Named;
use crate::check::{CheckOutcome, CheckRecord, Finding};
use crate::model::{CaseResult, FuzzRun, Outcome, PropertyUse, RegressionUse, StrategyUse};
use crate::runner;

pub(super) const TITLE: &str = "Property-based fuzzing of server_id: no 5xx, documented statuses, valid bodies, exact filtering";
pub(super) const SOURCE: &str = "built-in (src/fuzz)";

/// What each step of the phase returned.
pub(super) struct Phases {
    /// The unfiltered list.
    pub fetched: Fetched,
    /// The regressions file, replayed.
    pub replayed: Replayed,
    /// The generated cases.
    pub generated: Generated,
    /// Their failures, shrunk.
    pub reduced: Reduced,
}

/// The result when the unfiltered list could not be fetched: nothing was fuzzed.
pub(super) fn unanswered(why: String) -> CaseResult {
    CaseResult::new(CASE_ID, TITLE, SOURCE.to_owned(), Outcome::Error(why))
}

/// The case result of a phase that began at `started`, and the regression entries it
/// found.
pub(super) fn assemble(
    settings: &Settings,
    named: &[Named],
    phases: Phases,
    started: Instant,
) -> (CaseResult, Vec<Regression>) {
    let Phases {
        fetched,
        mut replayed,
        mut generated,
        reduced,
    } = phases;
    let Fetched {
        baseline,
        notes,
        findings: listed,
        evidence: listed_evidence,
        items: listed_items,
        item_clauses,
    } = fetched;
    let replayed_observed = std::mem::take(&mut replayed.observed);
    let generated_observed = std::mem::take(&mut generated.observed);
    let mut result = CaseResult::new(CASE_ID, TITLE, SOURCE.to_owned(), Outcome::Pass);
    result.notes = notes;
    result.notes.extend(replayed.notes);
    let mut found = replayed.found;
    found.extend(reduced.found);
    let new_regressions: Vec<Regression> =
        found.iter().filter_map(|f| f.regression.clone()).collect();
    let mut records = records(&found, &generated.checked);
    // The unfiltered list's own findings: its case's, or (with none) this one's, once.
    let own = unfiltered_findings(settings, &baseline, listed, &mut result.notes, &mut records);
    records.extend(
        own.iter()
            .map(|f| CheckRecord::new(&f.check, &f.clause, CheckOutcome::Fail)),
    );
    // Some item was validated: the unfiltered list's, or one of a 200 answer.
    let validated = listed_items > 0
        || generated
            .checked
            .get(&Property::FilterExact)
            .is_some_and(|n| *n > 0);
    records.extend(item_records(&item_clauses, &records, validated));
    let findings: Vec<Finding> = own
        .iter()
        .cloned()
        .chain(found.iter().map(|f| f.finding.clone()))
        .collect();
    result.outcome = runner::case_outcome(&findings, &records, &[]);
    if let Some(first) = found.first() {
        result.request = Some(first.evidence.request.clone());
        result.response = Some(first.evidence.response.clone());
    } else if let (false, Some((request, response))) = (own.is_empty(), listed_evidence) {
        result.request = Some(request);
        result.response = Some(response);
    }
    result.notes.extend(found.iter().filter_map(omitted));
    note_lost_requests(&mut result, &generated);
    let rate = rate(generated.requests, generated.time);
    result
        .notes
        .insert(0, summary(settings, named.len(), &generated, rate));
    result.findings = findings;
    keep_observations(&mut result, replayed_observed.merge(generated_observed));
    result.checks = records;
    result.duration_ms = millis(started.elapsed());
    let known_server_ids = baseline.server_ids.len();
    let regressions = regression_use(settings, replayed.still_failing, &new_regressions);
    result.fuzz = Some(Box::new(fuzz_run(
        settings,
        named,
        &generated,
        rate,
        reduced.requests,
        known_server_ids,
        regressions,
    )));
    (result, new_regressions)
}

/// The regressions file's part in the run: replayed, still failing, added.
fn regression_use(
    settings: &Settings,
    still_failing: usize,
    new_regressions: &[Regression],
) -> RegressionUse {
    let added = settings.regressions_file.as_ref().map_or(0, |_| {
        regression::merge(settings.regressions.clone(), new_regressions).1
    });
    RegressionUse {
        file: settings.regressions_file.clone(),
        replayed: settings.regressions.len(),
        still_failing,
        added,
    }
}

/// Fuzz cases that got no answer: a failure stands, and the lost requests are said
/// beside it; otherwise they make the case an error.
fn note_lost_requests(result: &mut CaseResult, generated: &Generated) {
    if let Some((_, first)) = generated.errors.iter().next() {
        let message = format!(
            "{} of {} fuzz case(s) got no answer; the first: {first}",
            generated.errors.len(),
            generated.cases
        );
        match result.outcome {
            Outcome::Fail => result.notes.push(message),
            _ => result.outcome = Outcome::Error(message),
        }
    }
}

/// The inputs' observations, the first of each clause and check, the rest counted.
fn keep_observations(result: &mut CaseResult, observed: super::observed::Observed) {
    if observed.seen > observed.kept_len() {
        result.notes.push(format!(
            "{} observation(s) over the inputs; the first of each clause and check is kept",
            observed.seen
        ));
    }
    result.observations = observed.into_kept();
}

/// The unfiltered list's own findings this case reports: none when another case of
/// the run reports them (`settings.baseline_case`, then a note says so), else each
/// once, its message saying where it comes from.
fn unfiltered_findings(
    settings: &Settings,
    baseline: &Baseline,
    listed: Vec<Finding>,
    notes: &mut Vec<String>,
    records: &mut Vec<CheckRecord>,
) -> Vec<Finding> {
    if listed.is_empty() {
        return listed;
    }
    match &settings.baseline_case {
        Some(case) => {
            let clauses: BTreeSet<&str> = listed.iter().map(|f| f.clause.as_str()).collect();
            notes.push(format!(
                "the unfiltered list breaks {} itself ({} clause(s) on a deployment or its body): {case} reports it; fuzz answers it explains are not fuzz findings",
                clauses.into_iter().collect::<Vec<_>>().join(", "),
                baseline.known.len()
            ));
            // Its records say so, rather than pass what the list breaks.
            records.extend(listed.iter().map(|f| {
                CheckRecord::new(&f.check, &f.clause, CheckOutcome::NotApplicable)
                    .with_note(format!("the unfiltered list breaks it: {case} reports it"))
            }));
            Vec::new()
        }
        None => listed
            .into_iter()
            .map(|mut f| {
                f.message = format!("the unfiltered list (fuzzing's baseline): {}", f.message);
                f
            })
            .collect(),
    }
}

/// `valid-body`'s record for each item clause (SD-RESP-2 … 11) that no record speaks
/// for yet: pass when some item was `validated`, else not exercised (an empty list
/// proves nothing about its items).
fn item_records(
    item_clauses: &[String],
    records: &[CheckRecord],
    validated: bool,
) -> Vec<CheckRecord> {
    let check = Property::ValidBody.check();
    item_clauses
        .iter()
        .filter(|clause| !records.iter().any(|r| &r.clause == *clause))
        .map(|clause| {
            if validated {
                CheckRecord::new(check, clause, CheckOutcome::Pass)
            } else {
                CheckRecord::new(check, clause, CheckOutcome::NotExercised)
                    .with_note("no list had an item to validate")
            }
        })
        .collect()
}

/// The note that a finding's response showed more than the one reported, if it did.
fn omitted(f: &Found) -> Option<String> {
    let more = f.evidence.violation.findings.len().saturating_sub(1);
    (more > 0).then(|| {
        format!(
            "{} on {}: {more} more finding(s) of the same response omitted",
            f.property.name(),
            f.evidence.url
        )
    })
}

/// Per property: a failing record per clause its findings cite, and a passing (or
/// not exercised) one for its own clause when no finding cites it.
pub(super) fn records(found: &[Found], checked: &BTreeMap<Property, u64>) -> Vec<CheckRecord> {
    let mut records = Vec::new();
    for property in Property::ALL {
        let cited: BTreeSet<&str> = found
            .iter()
            .filter(|f| f.property == property)
            .map(|f| f.finding.clause.as_str())
            .collect();
        for clause in &cited {
            records.push(CheckRecord::new(
                property.check(),
                clause,
                CheckOutcome::Fail,
            ));
        }
        if !cited.contains(property.clause()) {
            let outcome = if checked.get(&property).copied().unwrap_or(0) > 0 {
                CheckRecord::new(property.check(), property.clause(), CheckOutcome::Pass)
            } else {
                CheckRecord::new(
                    property.check(),
                    property.clause(),
                    CheckOutcome::NotExercised,
                )
                .with_note("no generated input had anything to check for this property")
            };
            records.push(outcome);
        }
    }
    records
}

/// Validated requests per second, to a tenth.
fn rate(requests: u64, time: Duration) -> f64 {
    let seconds = time.as_secs_f64();
    if seconds > 0.0 {
        (requests as f64 / seconds * 10.0).round() / 10.0
    } else {
        0.0
    }
}

/// The first note: the seed, and how much was sent how fast.
fn summary(settings: &Settings, strategies: usize, generated: &Generated, rate: f64) -> String {
    format!(
        "seed {} (--seed {} replays this run): {} case(s), {} request(s) in {:.1} s ({rate} requests/s), {strategies} strategies, concurrency {}{}",
        settings.seed,
        settings.seed,
        generated.cases,
        generated.requests,
        generated.time.as_secs_f64(),
        settings.concurrency.max(1),
        if generated.stopped_by_time_limit {
            ", stopped by --time-limit"
        } else {
            ""
        }
    )
}

/// The `fuzz` object of the case.
fn fuzz_run(
    settings: &Settings,
    named: &[Named],
    generated: &Generated,
    rate: f64,
    shrink_requests: u64,
    known_server_ids: usize,
    regressions: RegressionUse,
) -> FuzzRun {
    FuzzRun {
        seed: settings.seed,
        cases_requested: settings.cases,
        cases: generated.cases,
        requests: generated.requests,
        shrink_requests,
        concurrency: settings.concurrency.max(1),
        duration_ms: millis(generated.time),
        requests_per_second: rate,
        stopped_by_time_limit: generated.stopped_by_time_limit,
        known_server_ids,
        strategies: named
            .iter()
            .zip(&generated.per_strategy)
            .map(|(n, &cases)| StrategyUse {
                name: n.name.to_owned(),
                description: n.description.to_owned(),
                cases,
            })
            .collect(),
        properties: properties(&generated.checked, &generated.violations),
        regressions,
    }
}

/// Every property, with the inputs it `checked` and the `violations` of it.
pub(super) fn properties(
    checked: &BTreeMap<Property, u64>,
    violations: &BTreeMap<Property, u64>,
) -> Vec<PropertyUse> {
    Property::ALL
        .iter()
        .map(|p| PropertyUse {
            name: p.name().to_owned(),
            clause: p.clause().to_owned(),
            severity: p.severity().as_str().to_owned(),
            description: p.description().to_owned(),
            checked: checked.get(p).copied().unwrap_or(0),
            violations: violations.get(p).copied().unwrap_or(0),
        })
        .collect()
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::evidence::Evidence;
    use crate::fuzz::property::{Baseline, Violation};
    use crate::fuzz::strategy;
    use crate::model::{RequestRecord, ResponseRecord};

    /// The phases of a run that sent 4 cases, `lost` of which got no answer, and
    /// whose replay found a `no-server-error` failure when `failing`.
    fn phases(lost: u64, failing: bool) -> Phases {
        let url = "http://h/v1/p/software_deployments?server_id=%27".to_owned();
        let property = Property::NoServerError;
        let found = failing.then(|| Found {
            property,
            finding: Finding::new(property.clause(), property.check(), "", "", "500", "boom"),
            evidence: Evidence {
                violation: Violation {
                    property,
                    findings: vec![Finding::new(
                        property.clause(),
                        property.check(),
                        "",
                        "",
                        "500",
                        "boom",
                    )],
                },
                request: RequestRecord {
                    method: "GET".to_owned(),
                    url: url.clone(),
                    headers: Vec::new(),
                },
                response: ResponseRecord {
                    status: 500,
                    content_type: None,
                    body_bytes: 0,
                    body_excerpt: String::new(),
                    elapsed_ms: 1,
                },
                url,
            },
            regression: None,
        });
        let errors = (0..lost)
            .map(|i| (i, format!("server_id=\"{i}\": failed to reach the target")))
            .collect();
        Phases {
            fetched: Fetched {
                baseline: Baseline::default(),
                notes: vec!["the unfiltered list has no server id".to_owned()],
                findings: Vec::new(),
                evidence: None,
                items: 0,
                item_clauses: Vec::new(),
            },
            replayed: Replayed {
                found: found.into_iter().collect(),
                still_failing: usize::from(failing),
                notes: Vec::new(),
                observed: Default::default(),
            },
            generated: Generated {
                cases: 4,
                failing: 0,
                requests: 8 - lost,
                per_strategy: Vec::new(),
                checked: BTreeMap::new(),
                violations: BTreeMap::new(),
                errors,
                stopped_by_time_limit: false,
                time: Duration::from_secs(2),
                observed: Default::default(),
            },
            reduced: Reduced {
                found: Vec::new(),
                requests: 0,
            },
        }
    }

    fn assembled(lost: u64, failing: bool) -> CaseResult {
        let named = strategy::catalogue(&[], strategy::MAX_WIRE_QUERY);
        assemble(
            &Settings::new(4, 7),
            &named,
            phases(lost, failing),
            Instant::now(),
        )
        .0
    }

    /// Issue 9: requests that got no answer make the case an error, unless it
    /// failed: then the failure stands and they are a note beside it (an error
    /// cannot ride on a failure any more).
    #[test]
    fn lost_requests_are_an_error_or_a_note_beside_a_failure() {
        let lost = "2 of 4 fuzz case(s) got no answer; the first: server_id=\"0\": failed to reach the target";
        let errored = assembled(2, false);
        assert_eq!(errored.outcome, Outcome::Error(lost.to_owned()));
        assert!(
            !errored.notes.iter().any(|n| n == lost),
            "{:?}",
            errored.notes
        );

        let failed = assembled(2, true);
        assert_eq!(failed.outcome, Outcome::Fail);
        assert_eq!(failed.notes.last().map(String::as_str), Some(lost));
        assert_eq!(failed.findings.len(), 1);

        let clean = assembled(0, false);
        assert_eq!(clean.outcome, Outcome::NotExercised);
        assert_eq!(assembled(0, true).outcome, Outcome::Fail);
    }

    /// The seed note comes first, then the steps' notes in the order the steps ran.
    #[test]
    fn notes_follow_the_steps() {
        let result = assembled(0, false);
        assert!(
            result.notes[0].starts_with("seed 7 (--seed 7 replays this run): 4 case(s), 8 request(s) in 2.0 s (4 requests/s)"),
            "{:?}",
            result.notes
        );
        assert_eq!(result.notes[1], "the unfiltered list has no server id");
        let run = result
            .fuzz
            .as_deref()
            .map(|f| (f.cases, f.requests, f.regressions.still_failing));
        assert_eq!(run, Some((4, 8, 0)));
    }
}
