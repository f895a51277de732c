//! The runner: one libtest-mimic trial per case, run against one target.
//!
//! In the flow it comes after the cases are loaded and before the report is
//! built: `case → runner (prepare → http::send → check::evaluate) → collector
//! → report`. A case that captures from another case (or compares with its
//! list) needs that case's exchange; exchanges are memoized per case, so each
//! request is sent once however many trials need it and whatever order or
//! filter the trials run in. What a case sends is decided by a pure function
//! ([`prepare`]); each trial evaluates its own case (pure) and hands a
//! `CaseResult` to the collector, and so does every extra trial (the fuzz
//! phase), with whatever else it produced beside.
//!
//! ```text
//! running 8 tests
//! test auth-invalid-token ... ok
//! test list-all ... FAILED
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::cancel;
use crate::case::{AuthMode, Capture, Case};
use crate::check::filter::ListIndex;
use crate::check::{self, CheckOutcome, CheckRecord, Severity, list};
use crate::contract::{Contract, Profile};
use crate::http::{self, Exchange, Secret};
use crate::model::text::inert;
use crate::model::{CaseResult, Outcome, ResponseRecord};
use crate::secret::Secrets;

pub mod bearer;
pub mod expiry;
mod judge;
pub mod preflight;
mod prepare;
mod replay;

pub use judge::{Judging, Others, judge, judge_without_body};
pub use preflight::preflight;
pub use prepare::{Captured, PreparedRequest, WhyNot, fresh_project_id, prepare};
pub use replay::{Replay, ReplaySetup, Reply, interruption, recorded_reply, replay};

/// Longest body excerpt kept in a report, in characters.
pub const BODY_EXCERPT_CHARS: usize = 2_000;

/// What the run is pointed at.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL (path prefix allowed).
    pub base: reqwest::Url,
    /// Project id for `{project_id}`.
    pub project_id: String,
    /// Token for `auth: default` cases.
    pub token: Option<Secret>,
    /// True for the embedded reference target.
    pub embedded: bool,
    /// Every secret of the run (the token, the URL's `user:password@`): what
    /// libtest's lines are scrubbed of.
    pub secrets: Secrets,
    /// Where the token comes from at send time when the identity service issued it
    /// (`--os-cloud`): renewed before it expires, `token` being the first (see [`bearer`]).
    pub tokens: Option<crate::identity::TokenSource>,
    /// What the harness created there (`--fixtures create`) and the second
    /// credential's token (`--other-cloud`); `None`: the project as it is.
    pub setup: Option<Arc<crate::fixture::Setup>>,
}

/// Which cases run, libtest-style.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Substring (or, with `exact`, the whole id) a case id must match.
    pub filter: Option<String>,
    /// Substrings (or ids) to skip.
    pub skip: Vec<String>,
    /// Match ids exactly.
    pub exact: bool,
    /// List the cases instead of running them.
    pub list: bool,
    /// Trials run at once.
    pub test_threads: Option<usize>,
    /// How libtest-mimic prints the trials (set by `app`).
    pub output: TrialOutput,
}

/// Where and how libtest-mimic prints the trials: `app` decides, as only it knows the
/// terminal and the console's pipe.
#[derive(Debug, Clone, Default)]
pub struct TrialOutput {
    /// The file libtest-mimic writes to instead of stdout (`console::Forwarder`'s pipe).
    pub logfile: Option<std::path::PathBuf>,
    /// Colour the trial lines.
    pub color: bool,
    /// One character per trial (libtest's terse format, `-q`).
    pub terse: bool,
}

/// The note of a case that the run's interruption kept from sending its request.
pub const NOT_RUN: &str = "interrupted before it ran";

/// The note of a case whose answer a second interruption stopped waiting for.
pub const ABANDONED: &str =
    "interrupted while its request was in flight; its answer was not awaited";

/// What the runner did; `X` is what extra trials produce beside their result.
#[derive(Debug)]
pub enum RunOutcome<X> {
    /// `--list`: cases were listed, nothing ran.
    Listed,
    /// The filter selected no case.
    NoneSelected,
    /// Trials ran.
    Ran(Collected<X>),
}

/// Everything the trials handed to the collector.
#[derive(Debug)]
pub struct Collected<X> {
    /// Every trial's result, sorted by id.
    pub results: Vec<CaseResult>,
    /// What the extra trials that ran produced beside their results.
    pub extras: Vec<X>,
}

/// Everything the case trials share.
struct Shared {
    contract: Arc<Contract>,
    cases: BTreeMap<String, Case>,
    sender: Sender,
    target: Target,
    profile: Profile,
    clock_skew: std::time::Duration,
    attempts: BTreeMap<String, OnceCell<Arc<Attempt>>>,
    /// `{other_project_id}`: a fresh random project id, one per run.
    other_project_id: String,
}

/// Where the cases' requests go.
enum Sender {
    /// The target, through the run's client (which records them, when it records).
    Live(http::Client),
    /// A recording of an earlier run (`recheck`): nothing is sent.
    Replay(Replay),
}

/// Where every trial's result goes, and libtest's view of it.
struct Collector<X> {
    collected: Mutex<Collected<X>>,
    /// The run's secrets, scrubbed from what libtest prints.
    secrets: Secrets,
    /// The tokens issued during the run, scrubbed too.
    tokens: Option<crate::identity::TokenSource>,
}

/// A case's request, sent once.
enum Attempt {
    Sent {
        exchange: Box<Exchange>,
        vars: BTreeMap<String, String>,
        /// What was done after a 401 to the run's token ([`bearer`]).
        note: Option<String>,
        /// Why the body is not at hand, when a recording left it out (recheck).
        omitted: Option<String>,
        /// The list of a 200 JSON list body, indexed on first use (by `filter_subset`).
        index: std::sync::OnceLock<Option<Arc<ListIndex>>>,
        /// Values read at JSON pointers (captures), each read once: several
        /// cases capture the same pointer, and each read walks the body.
        pointers: Mutex<BTreeMap<String, Option<Value>>>,
    },
    /// Not sent: the data it needed was not there.
    NotExercised(String),
    /// Not sent: it needs fixtures or a second credential the run does not have.
    Skipped(String),
    /// Not sent or not answered: a harness problem.
    Error(String),
    /// Not sent, or its answer not awaited: the run was interrupted.
    NotRun(&'static str),
}

/// A trial that is not a case file's case (the fuzz phase): selected, listed and reported
/// like one, its result sorted in among the cases' by id; what it produces beside the
/// result (`X`) goes to the same collector.
pub struct ExtraTrial<X> {
    /// The trial's name and the result's id, e.g. `fuzz-server-id`.
    pub id: String,
    /// Does the work; called at most once, on a libtest-mimic thread.
    pub run: Box<dyn FnOnce() -> (CaseResult, X) + Send>,
}

/// Runs `cases` as trials against `target`, then the `extra` trials (the fuzz phase).
#[expect(
    clippy::too_many_arguments,
    reason = "each is one independent input of the run; a struct would only rename them"
)]
pub fn run_with<X: Send + 'static>(
    contract: Arc<Contract>,
    cases: Vec<Case>,
    client: http::Client,
    target: Target,
    profile: Profile,
    clock_skew: std::time::Duration,
    selection: &Selection,
    handle: &tokio::runtime::Handle,
    extra: Vec<ExtraTrial<X>>,
) -> RunOutcome<X> {
    let args = arguments(selection);
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let collector = Arc::new(Collector {
        collected: Mutex::new(Collected {
            results: Vec::new(),
            extras: Vec::new(),
        }),
        secrets: target.secrets.clone(),
        tokens: target.tokens.clone(),
    });
    let shared = Arc::new(Shared::new(
        contract,
        cases,
        Sender::Live(client),
        target,
        (profile, clock_skew),
    ));
    let mut trials: Vec<Trial> = ids
        .iter()
        .map(|id| {
            let shared = Arc::clone(&shared);
            let collector = Arc::clone(&collector);
            let handle = handle.clone();
            let id = id.clone();
            Trial::ignorable_test(id.clone(), move || {
                collector.collect(handle.block_on(shared.run_case(&id)), None)
            })
        })
        .collect();
    for ExtraTrial { id, run } in extra {
        let collector = Arc::clone(&collector);
        trials.push(Trial::ignorable_test(id, move || {
            let (result, extra) = run();
            collector.collect(result, Some(extra))
        }));
    }
    if selection.list {
        let _ = libtest_mimic::run(&args, trials);
        return RunOutcome::Listed;
    }
    if trials.iter().all(|t| args.is_filtered_out(t)) {
        return RunOutcome::NoneSelected;
    }
    let _conclusion = libtest_mimic::run(&args, trials);
    let mut collected = std::mem::replace(
        &mut *collector
            .collected
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
        Collected {
            results: Vec::new(),
            extras: Vec::new(),
        },
    );
    collected.results.sort_by(|a, b| a.id.cmp(&b.id));
    RunOutcome::Ran(collected)
}

/// libtest-mimic's arguments for `selection`: the filter, and where and how it prints.
fn arguments(selection: &Selection) -> Arguments {
    Arguments {
        filter: selection.filter.clone(),
        skip: selection.skip.clone(),
        exact: selection.exact,
        list: selection.list,
        test_threads: selection.test_threads,
        logfile: selection
            .output
            .logfile
            .as_ref()
            .map(|path| path.display().to_string()),
        // With a logfile, libtest-mimic colours only when told `Always`.
        color: Some(if selection.output.color {
            libtest_mimic::ColorSetting::Always
        } else {
            libtest_mimic::ColorSetting::Never
        }),
        quiet: selection.output.terse,
        ..Arguments::default()
    }
}

/// libtest's view: MUST findings and harness errors fail the trial. libtest
/// prints these messages as they are, so target-provided text in them is
/// scrubbed of `secrets` and made inert first.
fn trial_verdict(result: &CaseResult, secrets: &Secrets) -> Result<Completion, Failed> {
    let shown = |text: &str| printable(text, secrets);
    match &result.outcome {
        // Waivers apply after the run (report::build); no trial ends waived.
        Outcome::Pass | Outcome::Waived => Ok(Completion::Completed),
        Outcome::NotExercised | Outcome::Skipped => Ok(Completion::ignored_with(
            result
                .checks
                .iter()
                .find(|r| r.outcome == CheckOutcome::NotExercised)
                .and_then(|r| r.note.clone())
                .or_else(|| result.notes.first().cloned())
                .map_or_else(|| "not exercised".to_owned(), |note| shown(&note)),
        )),
        Outcome::Error(why) => Err(Failed::from(shown(&format!("harness error: {why}")))),
        Outcome::Fail => Err(Failed::from(
            result
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Must)
                .map(|f| {
                    shown(&format!(
                        "{} {} [{}] {}",
                        f.clause,
                        f.severity.as_str(),
                        f.check,
                        f.located()
                    ))
                })
                .collect::<Vec<_>>()
                .join("\n"),
        )),
    }
}

/// `text` safe for the terminal: every spelling of each secret replaced by
/// `<redacted>`, control characters (terminal escapes) escaped; held back
/// whole if a secret is still there (fails closed).
fn printable(text: &str, secrets: &Secrets) -> String {
    let shown = inert(&secrets.scrub_str(text));
    match secrets.ensure_absent(&shown, "libtest line") {
        Ok(()) => shown,
        Err(_) => HELD_BACK.to_owned(),
    }
}

/// What libtest prints instead of a line that would still show a secret.
const HELD_BACK: &str = "(message held back: it would show a secret; see report.json)";

impl<X> Collector<X> {
    /// Takes a trial's `result` (and what else it produced); returns libtest's view of it.
    fn collect(&self, result: CaseResult, extra: Option<X>) -> Result<Completion, Failed> {
        let mut secrets = self.secrets.clone();
        for token in self.tokens.iter().flat_map(|t| t.issued()) {
            secrets.include(&token);
        }
        let verdict = trial_verdict(&result, &secrets);
        let mut collected = self
            .collected
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        collected.results.push(result);
        collected.extras.extend(extra);
        verdict
    }
}

impl Shared {
    /// The trials' shared state for `cases`, sending through `sender`.
    fn new(
        contract: Arc<Contract>,
        cases: Vec<Case>,
        sender: Sender,
        target: Target,
        (profile, clock_skew): (Profile, std::time::Duration),
    ) -> Shared {
        Shared {
            contract,
            attempts: cases
                .iter()
                .map(|c| (c.id.clone(), OnceCell::new()))
                .collect(),
            cases: cases.into_iter().map(|c| (c.id.clone(), c)).collect(),
            sender,
            other_project_id: fresh_project_id(&target.project_id),
            target,
            profile,
            clock_skew,
        }
    }

    /// The settings every case is judged with.
    fn judging(&self) -> Judging<'_> {
        Judging {
            contract: &self.contract,
            profile: self.profile,
            clock_skew: self.clock_skew,
        }
    }

    /// Whether the run is stopping before case `id` sends (on a recording: the run
    /// was interrupted, and the case's request is not in it).
    fn stopping(&self, id: &str) -> bool {
        match &self.sender {
            Sender::Live(client) => client.cancel().stopping(),
            Sender::Replay(replay) => replay.never_ran(id),
        }
    }

    /// Sends case `id`'s `prepared` request to `target` as it is now (recording what
    /// came of it), or looks it up in the recording; `own`: it carries the run's token.
    async fn send(
        &self,
        id: &str,
        target: &Target,
        prepared: PreparedRequest,
        own: bool,
    ) -> Attempt {
        match &self.sender {
            Sender::Live(client) => {
                let (sent, note) = match bearer::send(client, target, &prepared.request, own).await
                {
                    Ok(bearer::Sent { exchange, note }) => (Ok(exchange), note),
                    Err(error) => (Err(error), None),
                };
                let source = || crate::model::Source::Case(id.to_owned());
                client.record(source, &prepared.request, &[&sent]);
                received(
                    sent.map(|exchange| bearer::Sent { exchange, note }),
                    prepared.vars,
                )
            }
            Sender::Replay(replay) => replay.attempt(id, prepared),
        }
    }

    /// The memoized request of case `id`.
    fn attempt<'a>(
        self: &'a Arc<Self>,
        id: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Arc<Attempt>> + Send + 'a>> {
        Box::pin(async move {
            let Some(cell) = self.attempts.get(id) else {
                return Arc::new(Attempt::Error(format!("no case named {id:?}")));
            };
            Arc::clone(
                cell.get_or_init(|| async { Arc::new(self.perform(id).await) })
                    .await,
            )
        })
    }

    /// Reads the captures of case `id`, prepares its request (pure) and sends it.
    async fn perform(self: &Arc<Self>, id: &str) -> Attempt {
        let Some(case) = self.cases.get(id) else {
            return Attempt::Error(format!("no case named {id:?}"));
        };
        if let Some(why) = crate::fixture::unmet(case, self.target.setup.as_deref()) {
            return Attempt::Skipped(why);
        }
        let captured = self.captures(case).await;
        if self.stopping(id) {
            return Attempt::NotRun(NOT_RUN);
        }
        let own = case.request.auth == AuthMode::Default;
        let target = match bearer::at_send(&self.target).await {
            Ok(target) => target,
            Err(e) => return Attempt::Error(format!("failed to {e}")),
        };
        match prepare(case, &captured, &target, &self.other_project_id) {
            Ok(prepared) => self.send(id, &target, prepared, own).await,
            Err(WhyNot::NotExercised(why)) => Attempt::NotExercised(why),
            Err(WhyNot::Error(why)) => Attempt::Error(why),
        }
    }

    /// What each capture of `case` reads, in order, up to the first that reads nothing.
    async fn captures(self: &Arc<Self>, case: &Case) -> Vec<Result<String, WhyNot>> {
        let mut captured = Vec::with_capacity(case.captures.len());
        for capture in &case.captures {
            let took = self.capture(capture).await;
            let stop = took.is_err();
            captured.push(took);
            if stop {
                break;
            }
        }
        captured
    }

    /// The string `capture` reads from its source case's response, or why there is none.
    async fn capture(self: &Arc<Self>, capture: &Capture) -> Result<String, WhyNot> {
        if capture.from == crate::case::FIXTURES_SOURCE {
            return fixture_capture(self.target.setup.as_deref(), capture);
        }
        let source = self.attempt(&capture.from).await;
        let captured = match source.as_ref() {
            Attempt::Sent {
                exchange,
                pointers,
                omitted: None,
                ..
            } if exchange.status == 200 && exchange.body_cut.is_none() => pointers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(capture.pointer.clone())
                .or_insert_with(|| list::pointer(&exchange.body, &capture.pointer))
                .clone(),
            Attempt::Sent {
                omitted: Some(why), ..
            } => {
                return Err(WhyNot::NotExercised(format!(
                    "capture {}: case {}: {why}",
                    capture.name, capture.from
                )));
            }
            Attempt::Sent { exchange, .. } => {
                return Err(WhyNot::NotExercised(format!(
                    "capture {}: case {} answered {} without a JSON body",
                    capture.name, capture.from, exchange.status
                )));
            }
            Attempt::NotExercised(why) | Attempt::Skipped(why) => {
                return Err(WhyNot::NotExercised(format!(
                    "capture {}: case {}: {why}",
                    capture.name, capture.from
                )));
            }
            Attempt::Error(why) => {
                return Err(WhyNot::Error(format!(
                    "capture {}: case {} failed: {why}",
                    capture.name, capture.from
                )));
            }
            Attempt::NotRun(why) => {
                return Err(WhyNot::NotExercised(format!(
                    "capture {}: case {}: {why}",
                    capture.name, capture.from
                )));
            }
        };
        match captured {
            Some(Value::String(value)) => Ok(value),
            _ => Err(WhyNot::NotExercised(format!(
                "capture {}: case {} has no string at {} (an empty list?)",
                capture.name, capture.from, capture.pointer
            ))),
        }
    }

    async fn run_case(self: &Arc<Self>, id: &str) -> CaseResult {
        let started = Instant::now();
        let attempt = self.attempt(id).await;
        let Some(case) = self.cases.get(id) else {
            return error_result(id, "unknown case");
        };
        let source = format!(
            "{}:{}:{}",
            case.source.file, case.source.line, case.source.column
        );
        let mut result = CaseResult::new(&case.id, &case.title, source, Outcome::Pass);
        match attempt.as_ref() {
            Attempt::NotExercised(why) => {
                result.outcome = Outcome::NotExercised;
                result.notes.push(why.clone());
                result.checks = case
                    .clauses
                    .iter()
                    .map(|c| {
                        CheckRecord::new("case", c, CheckOutcome::NotExercised)
                            .with_note(why.clone())
                    })
                    .collect();
            }
            Attempt::Error(why) => {
                result.outcome = Outcome::Error(why.clone());
            }
            Attempt::NotRun(why) => {
                result.outcome = Outcome::Skipped;
                result.notes.push((*why).to_owned());
            }
            Attempt::Skipped(why) => {
                result.outcome = Outcome::Skipped;
                result.notes.push(why.clone());
            }
            Attempt::Sent {
                exchange,
                vars,
                omitted: Some(why),
                ..
            } => judge_without_body(&self.judging(), &mut result, case, exchange, why, vars),
            Attempt::Sent {
                exchange,
                vars,
                note,
                ..
            } => {
                let mut others = BTreeMap::new();
                for spec in &case.checks {
                    if let Some(source) = spec.check.other_case() {
                        let other = self.attempt(source).await;
                        let index = match other.as_ref() {
                            Attempt::Sent {
                                exchange,
                                index,
                                omitted: None,
                                ..
                            } if exchange.status == 200 && exchange.body_cut.is_none() => index
                                .get_or_init(|| list::index(&exchange.body).map(Arc::new))
                                .clone(),
                            _ => None,
                        };
                        others.insert(source.to_owned(), index);
                    }
                }
                judge(&self.judging(), &mut result, case, exchange, vars, &others);
                result.notes.extend(note.clone());
            }
        }
        result.duration_ms = result.duration_ms.max(millis(started.elapsed()));
        result
    }
}

/// The string `capture` reads from the fixtures document, or why there is none.
fn fixture_capture(
    setup: Option<&crate::fixture::Setup>,
    capture: &Capture,
) -> Result<String, WhyNot> {
    match setup.and_then(|s| s.document.pointer(&capture.pointer)) {
        Some(Value::String(value)) => Ok(value.clone()),
        _ => Err(WhyNot::NotExercised(format!(
            "capture {}: the fixtures document has no string at {}",
            capture.name, capture.pointer
        ))),
    }
}

/// The attempt a sent request makes: a 200 body over the limit is an SD-RESP-1
/// finding (`judge`); any other is a harness error, as no check reads it.
fn received(
    sent: Result<bearer::Sent, http::HttpError>,
    vars: BTreeMap<String, String>,
) -> Attempt {
    match sent {
        Ok(bearer::Sent { exchange, note }) => {
            if let Some(limit) = exchange.body_cut
                && exchange.status != 200
            {
                let status = exchange.status;
                return Attempt::Error(format!(
                    "failed to {}",
                    http::HttpError::BodyTooLarge { status, limit }
                ));
            }
            Attempt::Sent {
                exchange: Box::new(exchange),
                vars,
                note,
                omitted: None,
                index: std::sync::OnceLock::new(),
                pointers: Mutex::new(BTreeMap::new()),
            }
        }
        Err(http::HttpError::Stopped(cancel::Stopped::BeforeSending)) => Attempt::NotRun(NOT_RUN),
        Err(http::HttpError::Stopped(_)) => Attempt::NotRun(ABANDONED),
        Err(e) => Attempt::Error(format!("failed to {e}")),
    }
}

/// What a report keeps of a response: its status, type, size, an excerpt of its
/// body and how long it took.
pub fn response_record(exchange: &Exchange) -> ResponseRecord {
    ResponseRecord {
        status: exchange.status,
        content_type: exchange.content_type.clone(),
        body_bytes: exchange.body.len(),
        body_excerpt: check::truncate(&String::from_utf8_lossy(&exchange.body), BODY_EXCERPT_CHARS),
        elapsed_ms: millis(exchange.elapsed),
    }
}

/// Fail on a MUST finding; not exercised when some clause the case is about
/// (its `clauses`, or every clause when it names none) had only not-exercised
/// records; else pass. An empty list is the right answer for an unknown
/// server, so the item clauses it leaves unexercised do not count there.
pub fn case_outcome(
    findings: &[check::Finding],
    records: &[CheckRecord],
    about: &[String],
) -> Outcome {
    if findings.iter().any(|f| f.severity == Severity::Must) {
        return Outcome::Fail;
    }
    let mut by_clause: BTreeMap<&str, bool> = BTreeMap::new();
    for record in records
        .iter()
        .filter(|r| about.is_empty() || about.contains(&r.clause))
    {
        let exercised = matches!(record.outcome, CheckOutcome::Pass | CheckOutcome::Fail);
        let entry = by_clause.entry(record.clause.as_str()).or_insert(false);
        *entry |= exercised || record.outcome == CheckOutcome::NotApplicable;
    }
    if by_clause.values().any(|exercised| !exercised) {
        Outcome::NotExercised
    } else {
        Outcome::Pass
    }
}

fn error_result(id: &str, why: &str) -> CaseResult {
    CaseResult::new(id, "", String::new(), Outcome::Error(why.to_owned()))
}

pub(crate) fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 5: what libtest prints is scrubbed and inert, even when a target
    /// error quotes a URL holding the (percent-encoded) token.
    #[test]
    fn printable_scrubs_every_spelling_and_escapes_controls() {
        let mut secrets = Secrets::new();
        secrets
            .add("the token", &Secret::new("tok+en/5ecret"))
            .unwrap_or_else(|e| panic!("{e}"));
        let text = "error sending request for url (http://h/?server_id=tok%2Ben%2F5ecret): \u{1b}]0;pwned\u{7} tok+en/5ecret \u{9b}31m";
        let shown = printable(text, &secrets);
        assert!(
            !shown.contains("tok+en/5ecret") && !shown.contains("tok%2Ben%2F5ecret"),
            "{shown}"
        );
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    /// Issue 10 item 7: a line that would still show a secret after scrubbing
    /// (here, one the escaping of a control character spells out) is held back whole.
    #[test]
    fn a_line_that_still_shows_a_secret_is_held_back() {
        let mut secrets = Secrets::new();
        secrets
            .add("the token", &Secret::new("\\u{1b}x"))
            .unwrap_or_else(|e| panic!("{e}"));
        let shown = printable("answer: \u{1b}x", &secrets);
        assert_eq!(shown, HELD_BACK);
    }

    /// Issue 9: an extra trial's result, and what it produced beside it, reach
    /// the collector every case's result goes to; a trial filtered out produces
    /// nothing.
    #[test]
    fn extra_trials_hand_back_through_the_collector() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let contract = Arc::new(Contract::embedded().unwrap_or_else(|e| panic!("{e}")));
        let limits = http::Limits {
            connect_timeout: std::time::Duration::from_secs(1),
            timeout: std::time::Duration::from_secs(1),
            run_timeout: std::time::Duration::from_secs(1),
            max_body_bytes: 1024,
        };
        let client =
            http::Client::new(limits, http::tls::Tls::default()).unwrap_or_else(|e| panic!("{e}"));
        let target = Target {
            base: reqwest::Url::parse("http://127.0.0.1:9").unwrap_or_else(|e| panic!("{e}")),
            project_id: "p".to_owned(),
            token: None,
            embedded: false,
            secrets: Secrets::new(),
            tokens: None,
            setup: None,
        };
        let run = |filter: &str| {
            let extra = ExtraTrial {
                id: "fuzz-server-id".to_owned(),
                run: Box::new(|| {
                    let result =
                        CaseResult::new("fuzz-server-id", "t", String::new(), Outcome::Pass);
                    (result, vec!["found"])
                }),
            };
            let selection = Selection {
                filter: Some(filter.to_owned()),
                ..Selection::default()
            };
            run_with(
                Arc::clone(&contract),
                Vec::new(),
                client.clone(),
                target.clone(),
                Profile::Documented,
                check::order::DEFAULT_CLOCK_SKEW,
                &selection,
                runtime.handle(),
                vec![extra],
            )
        };
        match run("fuzz") {
            RunOutcome::Ran(collected) => {
                let ids: Vec<&str> = collected.results.iter().map(|r| r.id.as_str()).collect();
                assert_eq!(ids, ["fuzz-server-id"]);
                assert_eq!(collected.extras, [vec!["found"]]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(run("list-all"), RunOutcome::NoneSelected));
    }

    #[test]
    fn outcome_rules() {
        let pass = CheckRecord::new("a", "X", CheckOutcome::Pass);
        let nx = CheckRecord::new("b", "X", CheckOutcome::NotExercised);
        let nx_y = CheckRecord::new("b", "Y", CheckOutcome::NotExercised);
        assert_eq!(
            case_outcome(&[], &[pass.clone(), nx.clone()], &[]),
            Outcome::Pass
        );
        assert_eq!(
            case_outcome(&[], &[pass.clone(), nx_y.clone()], &[]),
            Outcome::NotExercised
        );
        // Only the clauses the case is about count.
        assert_eq!(
            case_outcome(&[], &[pass.clone(), nx_y], &["X".to_owned()]),
            Outcome::Pass
        );
        let should = check::Finding::new("X", "c", "", "", "", "").with_severity(Severity::Should);
        assert_eq!(
            case_outcome(
                std::slice::from_ref(&should),
                std::slice::from_ref(&pass),
                &[]
            ),
            Outcome::Pass
        );
        let must = check::Finding::new("X", "c", "", "", "", "");
        assert_eq!(case_outcome(&[should, must], &[pass], &[]), Outcome::Fail);
    }
}
