//! The runner: one libtest-mimic trial per case, run against one target.
//!
//! A case that captures from another case (or compares with its list) needs
//! that case's exchange; exchanges are memoized per case, so each request is
//! sent once however many trials need it and whatever order or filter the
//! trials run in. Each trial evaluates its own case (pure) and hands a
//! `CaseResult` to the collector.
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

use crate::case::{AuthMode, Case, Transform};
use crate::check::filter::ListIndex;
use crate::check::{self, CheckOutcome, CheckRecord, Severity, list};
use crate::contract::{Contract, Profile};
use crate::http::{self, Auth, Exchange, Secret};
use crate::model::text::inert;
use crate::model::{CaseResult, Outcome, ResponseRecord};
use crate::secret;
use crate::template;

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
}

/// What the runner did.
#[derive(Debug)]
pub enum RunOutcome {
    /// `--list`: cases were listed, nothing ran.
    Listed,
    /// The filter selected no case.
    NoneSelected,
    /// Cases ran; results sorted by case id.
    Ran(Vec<CaseResult>),
}

/// Everything the trials share.
struct Shared {
    contract: Arc<Contract>,
    cases: BTreeMap<String, Case>,
    client: http::Client,
    target: Target,
    profile: Profile,
    clock_skew: std::time::Duration,
    attempts: BTreeMap<String, OnceCell<Arc<Attempt>>>,
    results: Mutex<Vec<CaseResult>>,
}

/// A case's request, sent once.
enum Attempt {
    Sent {
        exchange: Box<Exchange>,
        vars: BTreeMap<String, String>,
        /// The list of a 200 JSON list body, indexed on first use (by `filter_subset`).
        index: std::sync::OnceLock<Option<Arc<ListIndex>>>,
        /// Values read at JSON pointers (captures), each read once: several
        /// cases capture the same pointer, and each read walks the body.
        pointers: Mutex<BTreeMap<String, Option<Value>>>,
    },
    /// Not sent: the data it needed was not there.
    NotExercised(String),
    /// Not sent or not answered: a harness problem.
    Error(String),
}

/// A trial that is not a case file's case (the fuzz phase): selected, listed and reported
/// like one, its result sorted in among the cases' by id.
pub struct ExtraTrial {
    /// The trial's name and the result's id, e.g. `fuzz-server-id`.
    pub id: String,
    /// Does the work; called at most once, on a libtest-mimic thread.
    pub run: Box<dyn FnOnce() -> CaseResult + Send>,
}

/// Runs `cases` as trials against `target`, then the `extra` trials (the fuzz phase).
#[expect(
    clippy::too_many_arguments,
    reason = "each is one independent input of the run; a struct would only rename them"
)]
pub fn run_with(
    contract: Arc<Contract>,
    cases: Vec<Case>,
    client: http::Client,
    target: Target,
    profile: Profile,
    clock_skew: std::time::Duration,
    selection: &Selection,
    handle: &tokio::runtime::Handle,
    extra: Vec<ExtraTrial>,
) -> RunOutcome {
    let args = Arguments {
        filter: selection.filter.clone(),
        skip: selection.skip.clone(),
        exact: selection.exact,
        list: selection.list,
        test_threads: selection.test_threads,
        ..Arguments::default()
    };
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let secrets: Arc<Vec<String>> =
        Arc::new(target.token.iter().flat_map(Secret::spellings).collect());
    let shared = Arc::new(Shared {
        contract,
        attempts: ids.iter().map(|id| (id.clone(), OnceCell::new())).collect(),
        cases: cases.into_iter().map(|c| (c.id.clone(), c)).collect(),
        client,
        target,
        profile,
        clock_skew,
        results: Mutex::new(Vec::new()),
    });
    let mut trials: Vec<Trial> = ids
        .iter()
        .map(|id| {
            let shared = Arc::clone(&shared);
            let secrets = Arc::clone(&secrets);
            let handle = handle.clone();
            let id = id.clone();
            Trial::ignorable_test(id.clone(), move || {
                let result = handle.block_on(shared.run_case(&id));
                shared.collect(result, &secrets)
            })
        })
        .collect();
    for ExtraTrial { id, run } in extra {
        let shared = Arc::clone(&shared);
        let secrets = Arc::clone(&secrets);
        trials.push(Trial::ignorable_test(id, move || {
            shared.collect(run(), &secrets)
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
    let mut results = std::mem::take(
        &mut *shared
            .results
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    results.sort_by(|a, b| a.id.cmp(&b.id));
    RunOutcome::Ran(results)
}

/// libtest's view: MUST findings and harness errors fail the trial. libtest
/// prints these messages as they are, so target-provided text in them is
/// scrubbed of `secrets` and made inert first.
fn trial_verdict(result: &CaseResult, secrets: &[String]) -> Result<Completion, Failed> {
    let shown = |text: &str| printable(text, secrets);
    match result.outcome {
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
        Outcome::Error => Err(Failed::from(shown(&format!(
            "harness error: {}",
            result.error.as_deref().unwrap_or("unknown")
        )))),
        Outcome::Fail => Err(Failed::from(
            result
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Must)
                .map(|f| {
                    shown(&format!(
                        "{} {} [{}] at {:?}: {}",
                        f.clause,
                        f.severity.as_str(),
                        f.check,
                        f.pointer,
                        f.message
                    ))
                })
                .collect::<Vec<_>>()
                .join("\n"),
        )),
    }
}

/// `text` safe for the terminal: every spelling of each secret replaced by
/// `<redacted>`, control characters (terminal escapes) escaped.
fn printable(text: &str, secrets: &[String]) -> String {
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    inert(&secret::scrub_str(text, &secrets))
}

impl Shared {
    /// Hands `result` to the collector; returns libtest's view of it.
    fn collect(&self, result: CaseResult, secrets: &[String]) -> Result<Completion, Failed> {
        let verdict = trial_verdict(&result, secrets);
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(result);
        verdict
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

    async fn perform(self: &Arc<Self>, id: &str) -> Attempt {
        let Some(case) = self.cases.get(id) else {
            return Attempt::Error(format!("no case named {id:?}"));
        };
        let mut vars = BTreeMap::from([("project_id".to_owned(), self.target.project_id.clone())]);
        for capture in &case.captures {
            let source = self.attempt(&capture.from).await;
            let captured = match source.as_ref() {
                Attempt::Sent {
                    exchange, pointers, ..
                } if exchange.status == 200 && exchange.body_cut.is_none() => pointers
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(capture.pointer.clone())
                    .or_insert_with(|| list::pointer(&exchange.body, &capture.pointer))
                    .clone(),
                Attempt::Sent { exchange, .. } => {
                    return Attempt::NotExercised(format!(
                        "capture {}: case {} answered {} without a JSON body",
                        capture.name, capture.from, exchange.status
                    ));
                }
                Attempt::NotExercised(why) => {
                    return Attempt::NotExercised(format!(
                        "capture {}: case {}: {why}",
                        capture.name, capture.from
                    ));
                }
                Attempt::Error(why) => {
                    return Attempt::Error(format!(
                        "capture {}: case {} failed: {why}",
                        capture.name, capture.from
                    ));
                }
            };
            let Some(value) = captured.as_ref().and_then(Value::as_str) else {
                return Attempt::NotExercised(format!(
                    "capture {}: case {} has no string at {} (an empty list?)",
                    capture.name, capture.from, capture.pointer
                ));
            };
            // A target that echoes the token into a captured value would have us
            // send it, record it and transform it (a flipped or halved token is
            // still a leak, and no scrubber finds it): refuse the value.
            if self.target.token.as_ref().is_some_and(|token| {
                token.expose().len() >= secret::MIN_SECRET_LEN
                    && value
                        .to_ascii_lowercase()
                        .contains(&token.expose().to_ascii_lowercase())
            }) {
                return Attempt::NotExercised(format!(
                    "capture {}: case {} has the run's token at {}; it is neither sent back nor recorded",
                    capture.name, capture.from, capture.pointer
                ));
            }
            let value = match transform(value, capture.transform) {
                Ok(v) => v,
                Err(why) => {
                    return Attempt::NotExercised(format!("capture {}: {why}", capture.name));
                }
            };
            vars.insert(capture.name.clone(), value);
        }
        let path_vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.clone(), http::encode(v)))
            .collect();
        let path = match template::render(&case.request.path, &path_vars) {
            Ok(p) => p,
            Err(var) => return Attempt::Error(format!("variable {{{var}}} is not defined")),
        };
        let mut query = Vec::new();
        for param in &case.request.query {
            match template::render(&param.value, &vars) {
                Ok(value) => query.push((param.name.clone(), value)),
                Err(var) => return Attempt::Error(format!("variable {{{var}}} is not defined")),
            }
        }
        let url = match http::build_url(&self.target.base, &path, &query) {
            Ok(url) => url,
            Err(e) => return Attempt::Error(format!("failed to {e}")),
        };
        let auth = match case.request.auth {
            AuthMode::Default => self.target.token.clone().map_or(Auth::None, Auth::Token),
            AuthMode::None => Auth::None,
            AuthMode::Invalid => Auth::Token(Secret::new(http::INVALID_TOKEN)),
        };
        match self.client.send(&http::Prepared { url, auth }).await {
            Ok(exchange) => {
                // A 200 body over the limit is an SD-RESP-1 finding (run_case);
                // any other is a harness error: no check reads it.
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
                    index: std::sync::OnceLock::new(),
                    pointers: Mutex::new(BTreeMap::new()),
                }
            }
            Err(e) => Attempt::Error(format!("failed to {e}")),
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
                result.outcome = Outcome::Error;
                result.error = Some(why.clone());
            }
            Attempt::Sent { exchange, vars, .. } => {
                let mut others = BTreeMap::new();
                for spec in &case.checks {
                    if let Some(source) = spec.check.other_case() {
                        let other = self.attempt(source).await;
                        let index = match other.as_ref() {
                            Attempt::Sent {
                                exchange, index, ..
                            } if exchange.status == 200 && exchange.body_cut.is_none() => index
                                .get_or_init(|| list::index(&exchange.body).map(Arc::new))
                                .clone(),
                            _ => None,
                        };
                        others.insert(source.to_owned(), index);
                    }
                }
                let input = check::Input {
                    case,
                    status: exchange.status,
                    content_type: exchange.content_type.as_deref(),
                    body: &exchange.body,
                    vars,
                    others: &others,
                    contract: &self.contract,
                    profile: self.profile,
                    clock_skew: self.clock_skew,
                };
                let eval = match exchange.body_cut {
                    None => check::evaluate(&input),
                    Some(limit) => check::evaluate_cut(&input, limit),
                };
                for (name, value) in vars.iter().filter(|(k, _)| k.as_str() != "project_id") {
                    result.notes.push(format!("captured {name} = {value:?}"));
                }
                if let Some(limit) = exchange.body_cut {
                    result.notes.push(format!(
                        "the body exceeds the {limit}-byte limit (--max-body-bytes, counted after decompression): only its first {limit} bytes were read"
                    ));
                }
                result.notes.extend(eval.notes);
                result.outcome = case_outcome(&eval.findings, &eval.records, &case.clauses);
                result.findings = eval.findings;
                result.observations = eval.observations;
                result.checks = eval.records;
                result.request = Some(exchange.request.clone());
                result.response = Some(ResponseRecord {
                    status: exchange.status,
                    content_type: exchange.content_type.clone(),
                    body_bytes: exchange.body.len(),
                    body_excerpt: check::truncate(
                        &String::from_utf8_lossy(&exchange.body),
                        BODY_EXCERPT_CHARS,
                    ),
                    elapsed_ms: millis(exchange.elapsed),
                });
                result.duration_ms = millis(exchange.elapsed);
            }
        }
        result.duration_ms = result.duration_ms.max(millis(started.elapsed()));
        result
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

fn transform(value: &str, how: Transform) -> Result<String, String> {
    match how {
        Transform::Identity => Ok(value.to_owned()),
        Transform::FlipCase => {
            if !value.chars().any(|c| c.is_ascii_alphabetic()) {
                return Err(format!(
                    "{value:?} has no ASCII letter whose case could be flipped"
                ));
            }
            Ok(value
                .chars()
                .map(|c| {
                    if c.is_ascii_lowercase() {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect())
        }
        Transform::Prefix => {
            let count = value.chars().count();
            if count < 2 {
                return Err(format!("{value:?} is too short to have a proper prefix"));
            }
            Ok(value.chars().take(count / 2).collect())
        }
    }
}

fn error_result(id: &str, why: &str) -> CaseResult {
    let mut result = CaseResult::new(id, "", String::new(), Outcome::Error);
    result.error = Some(why.to_owned());
    result
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 5: what libtest prints is scrubbed and inert, even when a target
    /// error quotes a URL holding the (percent-encoded) token.
    #[test]
    fn printable_scrubs_every_spelling_and_escapes_controls() {
        let secrets = Secret::new("tok+en/5ecret").spellings();
        let text = "error sending request for url (http://h/?server_id=tok%2Ben%2F5ecret): \u{1b}]0;pwned\u{7} tok+en/5ecret \u{9b}31m";
        let shown = printable(text, &secrets);
        assert!(
            !shown.contains("tok+en/5ecret") && !shown.contains("tok%2Ben%2F5ecret"),
            "{shown}"
        );
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn transforms() {
        assert_eq!(
            transform("ec14c864-ABC", Transform::FlipCase),
            Ok("EC14C864-abc".to_owned())
        );
        assert!(transform("1234-5678", Transform::FlipCase).is_err());
        assert_eq!(transform("abcdef", Transform::Prefix), Ok("abc".to_owned()));
        assert_eq!(transform("ab", Transform::Prefix), Ok("a".to_owned()));
        assert!(transform("a", Transform::Prefix).is_err());
        assert_eq!(transform("éèêë", Transform::Prefix), Ok("éè".to_owned()));
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
