//! The fuzz case re-judged from a recording (`recheck`, `verify`): the same pure
//! properties on the answers the run recorded, under the profile asked for,
//! one input at a time as the lines stream past (memory stays flat).
//!
//! ```text
//! {"fuzz": ""}                      the unfiltered list → Baseline
//! {"fuzz": "server_id=%27"} ×2      an input and its answers (sent twice: two lines side by side)
//! {"fuzz_shrink": "server_id=a"}    tried while shrinking
//!   → per property, clause and severity: the smallest recorded input that breaks it
//!   → the `fuzz-server-id` CaseResult
//! ```
//!
//! A property fails when an input of generation or replay breaks it, as in the
//! run; the inputs tried while shrinking only offer smaller failing inputs. The
//! run shrank each failure along its own path and reported one finding per
//! shrunk failure; a recheck reports one per property, clause and severity, so
//! its minimal inputs, counts and (rarely) severities can differ from the run's.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use super::assembly::{self, SOURCE, TITLE};
use super::engine::CASE_ID;
use super::evidence::{self, Evidence, Found, Origin};
use super::input::{Input, Value};
use super::observed::Observed;
use super::probe::exchange_reply as reply;
use super::property::{self, Baseline, BodyCache, Context, Evaluation, Property, Violation};
use crate::check::Severity;
use crate::contract::{Contract, Profile};
use crate::http::Exchange;
use crate::model::{CaseResult, ExchangeLine, FuzzRun, Outcome, RegressionUse, Source};
use crate::runner::{self, Reply};
use crate::secret::TokenSource;

/// What the run's header says of its fuzz phase, and how to judge it now.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The profile to judge under.
    pub profile: Profile,
    /// `--clock-skew`.
    pub clock_skew: std::time::Duration,
    /// Whether the run sent a token.
    pub authenticated: bool,
    /// The run's seed.
    pub seed: u64,
    /// Cases it asked for.
    pub cases: u64,
    /// Its concurrency.
    pub concurrency: usize,
    /// Its regressions file.
    pub regressions_file: Option<String>,
    /// Entries replayed first (the first inputs after the unfiltered list).
    pub regressions: usize,
}

/// The fuzz case being re-judged, line by line.
pub struct Rejudge<'a> {
    contract: &'a Contract,
    settings: Recorded,
    /// The unfiltered list, once its line is read (`Err`: it got no answer).
    baseline: Option<Result<Baseline, String>>,
    cache: BodyCache,
    /// A line waiting for the next: an input sent twice is two lines.
    pending: Option<ExchangeLine>,
    tally: Tally,
}

/// What the inputs showed so far.
#[derive(Default)]
struct Tally {
    /// Inputs of generation and replay (groups of one or two lines).
    inputs: u64,
    /// Their requests.
    requests: u64,
    /// Requests tried while shrinking.
    shrink_requests: u64,
    checked: BTreeMap<Property, u64>,
    violations: BTreeMap<Property, u64>,
    /// Per (property, clause, severity): the smallest failing input and its evidence.
    smallest: BTreeMap<(Property, String, Severity), Smallest>,
    /// Inputs that got no answer: the first's message, and how many.
    errors: (Option<String>, u64),
    /// Inputs whose 200 body was not recorded.
    unread: u64,
    observed: Observed,
    /// Lines whose query is not one of `server_id`.
    foreign: u64,
    /// When the first input of generation and replay was sent, and the last answered.
    span: Option<(SystemTime, SystemTime)>,
}

/// A failing input and what showed it.
struct Smallest {
    key: (usize, usize, String),
    input: Input,
    evidence: Evidence,
    replayed: bool,
}

/// The properties that read a 200 body.
const BODY_PROPERTIES: [Property; 3] = [
    Property::ValidBody,
    Property::FilterExact,
    Property::FilterSubset,
];

impl<'a> Rejudge<'a> {
    /// Starts re-judging under `settings`.
    pub fn new(contract: &'a Contract, settings: Recorded) -> Rejudge<'a> {
        Rejudge {
            contract,
            settings,
            baseline: None,
            cache: BodyCache::default(),
            pending: None,
            tally: Tally::default(),
        }
    }

    /// Takes the next fuzz line of the recording (`fuzz` and `fuzz_shrink`
    /// sources, in file order; other lines are ignored).
    pub fn feed(&mut self, line: ExchangeLine) {
        match &line.source {
            Source::Fuzz(query) if query.is_empty() && self.baseline.is_none() => {
                self.baseline = Some(baseline(&line, self.contract, &self.settings));
                return;
            }
            Source::Fuzz(_) | Source::FuzzShrink(_) => {}
            Source::Case(_) | Source::HarEntry(_) => return,
        }
        match self.pending.take() {
            Some(first) if first.source == line.source => self.judge(&first, Some(&line)),
            Some(first) => {
                self.judge(&first, None);
                self.pending = Some(line);
            }
            None => self.pending = Some(line),
        }
    }

    /// The `fuzz-server-id` case result; `interrupted` when the run was (a phase
    /// it did not record never ran).
    pub fn finish(mut self, interrupted: bool) -> CaseResult {
        if let Some(last) = self.pending.take() {
            self.judge(&last, None);
        }
        match self.baseline.take() {
            None => unrecorded(interrupted),
            Some(Err(why)) => assembly::unanswered(why),
            Some(Ok(_)) => self.assemble(),
        }
    }

    /// Judges one input from its line(s).
    fn judge(&mut self, first: &ExchangeLine, second: Option<&ExchangeLine>) {
        let (query, shrinking) = match &first.source {
            Source::Fuzz(query) => (query.as_str(), false),
            Source::FuzzShrink(query) => (query.as_str(), true),
            _ => return,
        };
        let lines = 1 + u64::from(second.is_some());
        if shrinking {
            self.tally.shrink_requests += lines;
        } else {
            self.tally.inputs += 1;
            self.tally.requests += lines;
        }
        let Some(input) = input_of(query) else {
            self.tally.foreign += 1;
            return;
        };
        let Reply::Answered { exchange, omitted } = runner::recorded_reply(first) else {
            if !shrinking {
                self.unanswered(&input, first);
            }
            return;
        };
        let again = second.and_then(|line| match runner::recorded_reply(line) {
            Reply::Answered { exchange, .. } => Some(exchange),
            Reply::Unanswered(_) => None,
        });
        let mut eval = self.evaluate(&input, &exchange, again.as_deref(), &first.request.url);
        if omitted.is_some() && exchange.status == 200 {
            self.tally.unread += u64::from(!shrinking);
            eval.violations
                .retain(|v| !BODY_PROPERTIES.contains(&v.property));
            eval.exercised.retain(|p| !BODY_PROPERTIES.contains(p));
        }
        if !shrinking {
            let last = again.as_deref().unwrap_or(&exchange);
            let end = last.started + last.elapsed;
            let (from, to) = self.tally.span.get_or_insert((exchange.started, end));
            *from = (*from).min(exchange.started);
            *to = (*to).max(end);
        }
        let url = first.request.url.clone();
        self.count(&input, shrinking, eval, &exchange, again.as_deref(), &url);
    }

    /// The properties on one input's answers.
    fn evaluate(
        &self,
        input: &Input,
        first: &Exchange,
        second: Option<&Exchange>,
        url: &str,
    ) -> Evaluation {
        let empty = Baseline::default();
        let baseline = match &self.baseline {
            Some(Ok(baseline)) => baseline,
            _ => &empty,
        };
        let context = Context {
            contract: self.contract,
            profile: self.settings.profile,
            baseline,
            authenticated: self.settings.authenticated,
            cache: &self.cache,
            clock_skew: self.settings.clock_skew,
        };
        let target_len = reqwest::Url::parse(url)
            .map_or(0, |u| u.path().len() + 1 + u.query().map_or(0, str::len));
        let again = second.map(reply);
        property::evaluate(input, &reply(first), again.as_ref(), target_len, &context)
    }

    /// Counts one judged input in, keeping each failure when it is the smallest so far.
    fn count(
        &mut self,
        input: &Input,
        shrinking: bool,
        mut eval: Evaluation,
        first: &Exchange,
        second: Option<&Exchange>,
        url: &str,
    ) {
        let tally = &mut self.tally;
        if !shrinking {
            tally.observed.add(tally.inputs, &mut eval);
            for property in &eval.exercised {
                *tally.checked.entry(*property).or_default() += 1;
            }
            for violation in &eval.violations {
                *tally.violations.entry(violation.property).or_default() += 1;
            }
        }
        let replayed = !shrinking && tally.inputs <= self.settings.regressions as u64;
        for violation in eval.violations {
            let Some(finding) = violation.findings.first() else {
                continue;
            };
            let slot = (violation.property, finding.clause.clone(), finding.severity);
            let key = minimality(input);
            if tally.smallest.get(&slot).is_some_and(|s| s.key <= key) {
                continue;
            }
            let exchange = match (second, violation.property) {
                (Some(second), Property::StableStatus) => second,
                _ => first,
            };
            let evidence = Evidence {
                request: exchange.request.clone(),
                response: runner::response_record(exchange),
                url: url.to_owned(),
                violation: Violation {
                    property: violation.property,
                    findings: violation.findings,
                },
            };
            tally.smallest.insert(
                slot,
                Smallest {
                    key,
                    input: input.clone(),
                    evidence,
                    replayed,
                },
            );
        }
    }

    /// An input of generation or replay that got no answer.
    fn unanswered(&mut self, input: &Input, line: &ExchangeLine) {
        let why = line
            .not_exercisable
            .clone()
            .unwrap_or_else(|| "no response was recorded".to_owned());
        let (first, count) = &mut self.tally.errors;
        *count += 1;
        first.get_or_insert_with(|| format!("{}: {why}", property::describe(input)));
    }

    /// The case result from everything counted.
    fn assemble(self) -> CaseResult {
        let Rejudge {
            settings,
            mut tally,
            ..
        } = self;
        // A property fails as it did in the run: broken by an input of
        // generation or replay; shrinking only offers smaller inputs.
        let failed: BTreeSet<Property> = tally.violations.keys().copied().collect();
        let found: Vec<Found> = std::mem::take(&mut tally.smallest)
            .into_iter()
            .filter(|((property, _, _), _)| failed.contains(property))
            .map(|(_, smallest)| found(&settings, smallest))
            .collect();
        let records = assembly::records(&found, &tally.checked);
        let findings: Vec<_> = found.iter().map(|f| f.finding.clone()).collect();
        let mut result = CaseResult::new(CASE_ID, TITLE, SOURCE.to_owned(), Outcome::Pass);
        result.outcome = runner::case_outcome(&findings, &records, &[]);
        result.notes.push(format!(
            "re-judged from the recording: {} input(s) of generation and replay ({} request(s)), {} request(s) tried while shrinking; seed {}",
            tally.inputs, tally.requests, tally.shrink_requests, settings.seed
        ));
        if tally.unread > 0 {
            result.notes.push(format!(
                "{} input(s) answered 200 with a body the recording left out: their body properties are not exercised",
                tally.unread
            ));
        }
        if tally.foreign > 0 {
            result.notes.push(format!(
                "{} recorded fuzz request(s) have a query that is not a server_id input; not judged",
                tally.foreign
            ));
        }
        if let Some(first) = found.first() {
            result.request = Some(first.evidence.request.clone());
            result.response = Some(first.evidence.response.clone());
        }
        if let (Some(first), count) = &tally.errors {
            let message = format!(
                "{count} of {} fuzz case(s) got no answer; the first: {first}",
                tally.inputs
            );
            match result.outcome {
                Outcome::Fail => result.notes.push(message),
                _ => result.outcome = Outcome::Error(message),
            }
        }
        result.findings = findings;
        result.fuzz = Some(Box::new(fuzz_run(&settings, &tally)));
        result.observations = tally.observed.into_kept();
        result.checks = records;
        result
    }
}

/// The result when the phase's requests are not in the recording.
fn unrecorded(interrupted: bool) -> CaseResult {
    let mut result = CaseResult::new(CASE_ID, TITLE, SOURCE.to_owned(), Outcome::NotExercised);
    if interrupted {
        result.outcome = Outcome::Skipped;
        result.notes.push(runner::NOT_RUN.to_owned());
    } else {
        result
            .notes
            .push("the fuzz phase's requests are not in the recording".to_owned());
    }
    result
}

/// The finding of a kept failure.
fn found(settings: &Recorded, smallest: Smallest) -> Found {
    let token = TokenSource::Flag;
    let origin = Origin {
        original: &smallest.input,
        strategy: "recorded",
        seed: settings.seed,
        origin: if smallest.replayed {
            "regression"
        } else {
            "generated"
        },
        steps: 0,
        token: settings.authenticated.then_some(&token),
    };
    let finding = evidence::finding(&smallest.evidence, &smallest.input, &origin);
    Found {
        property: smallest.evidence.violation.property,
        finding,
        evidence: smallest.evidence,
        regression: None,
    }
}

/// The `fuzz` object of the re-judged case: the rate is the recorded one (the
/// inputs of generation and replay, from the first sent to the last answered).
fn fuzz_run(settings: &Recorded, tally: &Tally) -> FuzzRun {
    let (checked, violations) = (&tally.checked, &tally.violations);
    let time = tally
        .span
        .and_then(|(from, to)| to.duration_since(from).ok())
        .unwrap_or_default();
    let seconds = time.as_secs_f64();
    let rate = if seconds > 0.0 {
        (tally.requests as f64 / seconds * 10.0).round() / 10.0
    } else {
        0.0
    };
    FuzzRun {
        seed: settings.seed,
        cases_requested: settings.cases,
        cases: tally.inputs.saturating_sub(settings.regressions as u64),
        requests: tally.requests,
        shrink_requests: tally.shrink_requests,
        concurrency: settings.concurrency.max(1),
        duration_ms: u64::try_from(time.as_millis()).unwrap_or(u64::MAX),
        requests_per_second: rate,
        stopped_by_time_limit: false,
        known_server_ids: 0,
        strategies: Vec::new(),
        properties: assembly::properties(checked, violations),
        regressions: RegressionUse {
            file: settings.regressions_file.clone(),
            replayed: settings.regressions,
            still_failing: 0,
            added: 0,
        },
    }
}

/// The unfiltered list from its line, or why there is none.
fn baseline(
    line: &ExchangeLine,
    contract: &Contract,
    settings: &Recorded,
) -> Result<Baseline, String> {
    match runner::recorded_reply(line) {
        Reply::Answered { exchange, omitted } => Ok(match omitted {
            Some(_) => Baseline::default(),
            None => {
                let replied = reply(&exchange);
                let mut baseline = Baseline::from_reply(&replied);
                if exchange.status == 200 {
                    // What the unfiltered list itself breaks is its own, not the inputs'.
                    let verdict =
                        property::judge(contract, settings.profile, settings.clock_skew, &replied);
                    baseline.known = super::baseline::Known::of(&verdict);
                }
                baseline
            }
        }),
        Reply::Unanswered(why) => Err(format!("failed to fetch the unfiltered list: {why}")),
    }
}

/// Smaller first: fewer characters (or bytes), then a shorter wire query, then its text.
fn minimality(input: &Input) -> (usize, usize, String) {
    let wire = input.wire_query();
    let units = input.values().iter().map(|v| v.units()).sum();
    (units, wire.len(), wire)
}

/// The input whose wire query is `query`, if it is one the fuzz phase sends.
pub fn input_of(query: &str) -> Option<Input> {
    let value = |part: &str| -> Option<Option<Value>> {
        if part == super::input::PARAM {
            return Some(None);
        }
        let raw = part.strip_prefix(super::input::PARAM)?.strip_prefix('=')?;
        Some(Some(Value::from_bytes(percent_decode(raw)?)))
    };
    let parts: Vec<&str> = query.split('&').collect();
    let input = match parts.as_slice() {
        [one] => match value(one)? {
            None => Input::NoValue,
            Some(v) => Input::One(v),
        },
        [a, b] => Input::Repeated(value(a)??, value(b)??),
        _ => return None,
    };
    (input.wire_query() == query).then_some(input)
}

/// `%XX` escapes decoded; `None` when one is malformed.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_queries_read_back_as_the_inputs_that_sent_them() {
        for input in [
            Input::text("a b'"),
            Input::One(Value::from_bytes(vec![b'%', b'4', b'1', 0xFF])),
            Input::Repeated(Value::Text("a".into()), Value::Text(String::new())),
            Input::NoValue,
            Input::text(""),
        ] {
            assert_eq!(
                input_of(&input.wire_query()),
                Some(input.clone()),
                "{input:?}"
            );
        }
        for foreign in [
            "",
            "limit=1",
            "server_id=%zz",
            "server_id=a&server_id=b&server_id=c",
            "server_id=a b",
        ] {
            assert_eq!(input_of(foreign), None, "{foreign:?}");
        }
    }
}
