//! The fuzz phase end to end: fetch the unfiltered list, replay the regressions file,
//! generate and send inputs concurrently, shrink the failures afterwards (sequentially), and
//! turn it all into the `fuzz-server-id` case result.
//!
//! Sits beside the runner: `run` adds it as one more libtest-mimic trial ([`trial`]),
//! `fuzz` calls [`run`] alone. Requests go through the one `http::Client`; the properties
//! are pure ([`super::property`]); only `app` prints (through [`Progress`]) or writes the
//! regressions file.
//!
//! Determinism: inputs come from proptest strategies driven by a ChaCha RNG seeded from
//! `--seed`, in case order, whatever order the answers come back in; the failures that get
//! shrunk are chosen by case number. So the same seed against a target that answers the
//! same sends the same multiset of requests.
//!
//! ```text
//! fuzz-server-id: seed 42, 2000 cases, 4000 requests in 2.1 s (1905 requests/s), 16 strategies
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use proptest::prelude::Rng;
use proptest::strategy::{SBoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::input::Input;
use super::property::{self, Baseline, BodyCache, Context, Evaluation, Property, Reply, Violation};
use super::regression::Regression;
use super::repro;
use super::shrink::{self, Budget, Reducible, ReducibleTree};
use super::strategy::{self, Named};
use crate::check::{self, CheckOutcome, CheckRecord, Finding};
use crate::contract::{Contract, Profile};
use crate::http::{self, Auth, Exchange, HttpError};
use crate::model::{CaseResult, Outcome, RequestRecord, ResponseRecord};
use crate::model::{FuzzEvidence, FuzzRun, PropertyUse, RegressionUse, StrategyUse};
use crate::runner::{self, ExtraTrial, Target};

/// The id of the fuzz trial and its case result.
pub const CASE_ID: &str = "fuzz-server-id";

/// Cases of `sdconform fuzz` unless `--cases` says otherwise.
pub const DEFAULT_CASES: u64 = 2_000;

/// Cases of `run`'s fuzz phase unless `--fuzz-cases` says otherwise.
pub const DEFAULT_RUN_CASES: u64 = 256;

/// Requests in flight at once unless `--concurrency` says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How much shrinking may cost.
#[derive(Debug, Clone, Copy)]
pub struct ShrinkLimits {
    /// Most inputs tried per failure.
    pub steps_per_failure: u32,
    /// Failures shrunk per property (the first of each strategy, by case number).
    pub failures_per_property: usize,
    /// Wall time for all shrinking.
    pub total_time: Duration,
}

impl Default for ShrinkLimits {
    fn default() -> Self {
        ShrinkLimits {
            steps_per_failure: 2_000,
            failures_per_property: 3,
            total_time: Duration::from_secs(120),
        }
    }
}

/// What one fuzz phase does.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Cases to generate.
    pub cases: u64,
    /// The seed of the RNG.
    pub seed: u64,
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
    /// Stop generating after this long.
    pub time_limit: Option<Duration>,
    /// The profile 200 bodies are validated under.
    pub profile: Profile,
    /// `--clock-skew`: how much earlier than `creation_time` an `updated_time` may be
    /// before it is a MUST finding.
    pub clock_skew: Duration,
    /// Entries of the regressions file, replayed first.
    pub regressions: Vec<Regression>,
    /// Where those came from, for the report.
    pub regressions_file: Option<String>,
    /// Keep every URL sent (tests and the benchmark).
    pub record_requests: bool,
    /// Shrinking's budget.
    pub shrink: ShrinkLimits,
}

impl Settings {
    /// `cases` cases with `seed`, and defaults for the rest.
    pub fn new(cases: u64, seed: u64) -> Settings {
        Settings {
            cases,
            seed,
            concurrency: DEFAULT_CONCURRENCY,
            time_limit: None,
            profile: Profile::Documented,
            clock_skew: check::order::DEFAULT_CLOCK_SKEW,
            regressions: Vec::new(),
            regressions_file: None,
            record_requests: false,
            shrink: ShrinkLimits::default(),
        }
    }
}

/// Hears how the phase is going (`app` draws a progress bar with it).
pub trait Progress: Send + Sync {
    /// Generation starts: `cases` to go.
    fn start(&self, _cases: u64) {}
    /// `done` cases answered so far, `failing` of them broke some property.
    fn advance(&self, _done: u64, _failing: u64) {}
    /// Shrinking starts: `failures` to shrink.
    fn shrinking(&self, _failures: usize) {}
    /// The phase is over.
    fn finish(&self) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

/// What one fuzz phase produced.
#[derive(Debug)]
pub struct FuzzOutcome {
    /// The `fuzz-server-id` case result.
    pub result: CaseResult,
    /// Shrunk failures this run found that the regressions file does not have yet.
    pub new_regressions: Vec<Regression>,
    /// Every URL sent, in the order sent (only with `record_requests`).
    pub sent: Vec<String>,
}

/// The 32-byte ChaCha seed for `seed` (SplitMix64, so nearby seeds share nothing).
pub fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut state = seed;
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    out
}

/// A fresh seed below 2^32 (short enough to type back), from the clock and the process.
pub fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    hasher.finish() & 0xFFFF_FFFF
}

/// The fuzz phase as one more trial of `run`: the result goes to libtest-mimic and the
/// report like a case's, and the whole outcome (for the regressions file) into `slot`.
#[expect(clippy::too_many_arguments, reason = "everything the trial owns")]
pub fn trial(
    contract: Arc<Contract>,
    client: http::Client,
    target: Target,
    settings: Settings,
    progress: Arc<dyn Progress>,
    handle: tokio::runtime::Handle,
    slot: Arc<Mutex<Option<FuzzOutcome>>>,
    id: &str,
) -> ExtraTrial {
    ExtraTrial {
        id: id.to_owned(),
        run: Box::new(move || {
            let outcome = handle.block_on(run(
                &contract,
                &client,
                &target,
                &settings,
                progress.as_ref(),
            ));
            let result = outcome.result.clone();
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
            result
        }),
    }
}

/// How requests are sent and, optionally, recorded.
struct Probe<'a> {
    client: &'a http::Client,
    target: &'a Target,
    path: String,
    auth: Auth,
    sent: Option<Mutex<Vec<String>>>,
}

/// One exchange, or why there was none.
type Sent = Result<Exchange, HttpError>;

impl Probe<'_> {
    fn url(&self, query: Option<&str>) -> Result<reqwest::Url, HttpError> {
        match query {
            None => http::build_url(&self.target.base, &self.path, &[]),
            Some(query) => http::build_url_raw(&self.target.base, &self.path, query),
        }
    }

    async fn send(&self, url: &reqwest::Url) -> Sent {
        if let Some(sent) = &self.sent {
            sent.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(url.to_string());
        }
        self.client
            .send(&http::Prepared {
                url: url.clone(),
                auth: self.auth.clone(),
            })
            .await
    }

    /// Sends `input` (twice when `again`), returning the exchanges and the request-target's length.
    async fn probe(&self, input: &Input, again: bool) -> Result<Probed, HttpError> {
        let url = self.url(Some(&input.wire_query()))?;
        let target_len = url.path().len() + 1 + url.query().map_or(0, str::len);
        let first = self.send(&url).await?;
        let second = if again {
            Some(self.send(&url).await?)
        } else {
            None
        };
        Ok(Probed {
            url: url.to_string(),
            first,
            second,
            target_len,
        })
    }
}

/// An input's exchanges.
struct Probed {
    url: String,
    first: Exchange,
    second: Option<Exchange>,
    target_len: usize,
}

impl Probed {
    fn evaluate(&self, input: &Input, context: &Context<'_>) -> Evaluation {
        let second = self.second.as_ref().map(reply);
        property::evaluate(
            input,
            &reply(&self.first),
            second.as_ref(),
            self.target_len,
            context,
        )
    }
}

fn reply(exchange: &Exchange) -> Reply<'_> {
    Reply {
        status: exchange.status,
        content_type: exchange.content_type.as_deref(),
        body: &exchange.body,
        body_cut: exchange.body_cut,
    }
}

/// A failure as first seen, or as shrunk.
#[derive(Clone)]
struct Evidence {
    violation: Violation,
    request: RequestRecord,
    response: ResponseRecord,
    url: String,
}

/// A generated case that broke some property: kept to be shrunk.
struct Failed {
    index: u64,
    strategy: usize,
    tree: ReducibleTree<<SBoxedStrategy<Input> as Strategy>::Tree>,
    evidence: Evidence,
}

/// A finding ready for the report.
struct Found {
    property: Property,
    finding: Finding,
    evidence: Evidence,
    regression: Option<Regression>,
}

/// Runs the fuzz phase against `target`.
pub async fn run(
    contract: &Contract,
    client: &http::Client,
    target: &Target,
    settings: &Settings,
    progress: &dyn Progress,
) -> FuzzOutcome {
    let started = Instant::now();
    let probe = Probe {
        client,
        target,
        path: format!(
            "/v1/{}/software_deployments",
            http::encode(&target.project_id)
        ),
        auth: target.token.clone().map_or(Auth::None, Auth::Token),
        sent: settings.record_requests.then(|| Mutex::new(Vec::new())),
    };
    let mut result = CaseResult::new(
        CASE_ID,
        "Property-based fuzzing of server_id: no 5xx, documented statuses, valid bodies, exact filtering",
        "built-in (src/fuzz)".to_owned(),
        Outcome::Pass,
    );
    let baseline = match probe.url(None) {
        Ok(url) => probe.send(&url).await,
        Err(e) => Err(e),
    };
    let baseline = match baseline {
        Ok(exchange) => {
            if exchange.status != 200 {
                result.notes.push(format!(
                    "the unfiltered list answered {}: no server id to mutate, and filter-subset is not exercised",
                    exchange.status
                ));
            }
            let mut baseline = Baseline::from_reply(&reply(&exchange));
            // A target that echoes the token into a server id would have us send it back in
            // thousands of queries, mutated past any scrubber: such ids are never used.
            if let Some(token) = target.token.as_ref() {
                let before = baseline.server_ids.len();
                baseline.server_ids.retain(|id| !holds_token(id, token));
                let dropped = before - baseline.server_ids.len();
                if dropped > 0 {
                    result.notes.push(format!(
                        "{dropped} server id(s) of the unfiltered list hold the run's token: they are neither mutated nor sent back"
                    ));
                }
            }
            baseline
        }
        Err(e) => {
            result.outcome = Outcome::Error;
            result.error = Some(format!(
                "failed to fetch the unfiltered list: failed to {e}"
            ));
            progress.finish();
            return FuzzOutcome {
                result,
                new_regressions: Vec::new(),
                sent: probe.sent.map(take).unwrap_or_default(),
            };
        }
    };
    if baseline.server_ids.is_empty() {
        result.notes.push(format!(
            "the unfiltered list has no server id: existing-id is left out and mutations start from {}",
            strategy::FALLBACK_SERVER_ID
        ));
    }
    let cache = BodyCache::default();
    let context = Context {
        contract,
        profile: settings.profile,
        baseline: &baseline,
        authenticated: target.token.is_some(),
        cache: &cache,
        clock_skew: settings.clock_skew,
    };
    let named = strategy::catalogue(
        &baseline.server_ids,
        strategy::max_wire_for(probe.url(None).map_or(0, |u| u.as_str().len())),
    );
    let mut found: Vec<Found> = Vec::new();
    let mut observed = Observed::default();

    // 1. The regressions file, first.
    let mut still_failing = 0;
    for entry in &settings.regressions {
        let Ok(input) = entry.replay_input() else {
            continue;
        };
        match probe.probe(&input, true).await {
            Ok(probed) => {
                let mut eval = probed.evaluate(&input, &context);
                observed.add(0, &mut eval);
                if !eval.violations.is_empty() {
                    still_failing += 1;
                }
                for violation in eval.violations {
                    let evidence = evidence_of(&probed, violation);
                    found.push(Found {
                        property: evidence.violation.property,
                        finding: finding(
                            &evidence,
                            &input,
                            &input,
                            &entry.strategy,
                            entry.seed,
                            "regression",
                            0,
                            context.authenticated,
                        ),
                        evidence,
                        regression: None,
                    });
                }
            }
            Err(e) => result.notes.push(format!(
                "regression {} could not be replayed: failed to {e}",
                entry.wire_query
            )),
        }
    }

    // 2. Generate and send, concurrently.
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: u32::try_from(settings.cases).unwrap_or(u32::MAX),
            max_shrink_iters: settings.shrink.steps_per_failure,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(settings.seed)),
    );
    let total_weight: u64 = named
        .iter()
        .map(|n| u64::from(n.weight))
        .sum::<u64>()
        .max(1);
    let deadline = settings.time_limit.map(|limit| Instant::now() + limit);
    let generation = Instant::now();
    progress.start(settings.cases);
    let mut per_strategy = vec![0u64; named.len()];
    let mut checked: BTreeMap<Property, u64> = BTreeMap::new();
    let mut violations: BTreeMap<Property, u64> = BTreeMap::new();
    let mut kept: BTreeMap<(Property, usize), Failed> = BTreeMap::new();
    let mut errors: BTreeMap<u64, String> = BTreeMap::new();
    let (mut done, mut failing, mut requests) = (0u64, 0u64, 0u64);
    let mut stopped_by_time_limit = false;
    // Trees of inputs that break a second property: `Just` draws nothing from an RNG.
    let mut spare = TestRunner::deterministic();
    {
        let probe = &probe;
        let context = &context;
        let stream = futures_util::stream::iter(0..settings.cases)
            .take_while(|_| {
                let go = deadline.is_none_or(|d| Instant::now() < d);
                futures_util::future::ready(go)
            })
            .filter_map(|index| {
                let pick = pick(&named, runner.rng().next_u64() % total_weight);
                let tree = named
                    .get(pick)
                    .and_then(|n| Reducible(n.strategy.clone()).new_tree(&mut runner).ok());
                futures_util::future::ready(tree.map(|tree| (index, pick, tree)))
            })
            .map(|(index, pick, tree)| async move {
                let input = tree.current();
                let outcome = probe.probe(&input, true).await.map(|probed| {
                    let eval = probed.evaluate(&input, context);
                    (probed, eval)
                });
                (index, pick, tree, input, outcome)
            })
            .buffer_unordered(settings.concurrency.max(1));
        let mut stream = std::pin::pin!(stream);
        while let Some((index, pick, tree, input, outcome)) = stream.next().await {
            done += 1;
            if let Some(count) = per_strategy.get_mut(pick) {
                *count += 1;
            }
            match outcome {
                Err(e) => {
                    requests += 1;
                    errors.insert(
                        index,
                        format!("{}: failed to {e}", property::describe(&input)),
                    );
                }
                Ok((probed, mut eval)) => {
                    observed.add(index.saturating_add(1), &mut eval);
                    requests += 2;
                    for p in &eval.exercised {
                        *checked.entry(*p).or_default() += 1;
                    }
                    if !eval.violations.is_empty() {
                        failing += 1;
                    }
                    let mut tree = Some(tree);
                    for violation in eval.violations {
                        let property = violation.property;
                        *violations.entry(property).or_default() += 1;
                        let slot = (property, pick);
                        if kept.get(&slot).is_some_and(|f| f.index < index) {
                            continue;
                        }
                        // One tree per case: it goes to the first property that keeps it; the
                        // others regenerate nothing and shrink from a copy of the input.
                        let tree = match tree.take() {
                            Some(t) => t,
                            None => {
                                match Reducible(proptest::strategy::Just(input.clone()).sboxed())
                                    .new_tree(&mut spare)
                                {
                                    Ok(t) => t,
                                    Err(_) => continue,
                                }
                            }
                        };
                        kept.insert(
                            slot,
                            Failed {
                                index,
                                strategy: pick,
                                tree,
                                evidence: evidence_of(&probed, violation),
                            },
                        );
                    }
                }
            }
            progress.advance(done, failing);
        }
        if done < settings.cases {
            stopped_by_time_limit = true;
        }
    }
    let generation_time = generation.elapsed();

    // 3. Shrink, sequentially: per property, the first failure of each strategy.
    let mut chosen: Vec<Failed> = Vec::new();
    for property in Property::ALL {
        let mut of_property: Vec<Failed> = Vec::new();
        let keys: Vec<(Property, usize)> =
            kept.keys().filter(|k| k.0 == property).copied().collect();
        for key in keys {
            if let Some(failed) = kept.remove(&key) {
                of_property.push(failed);
            }
        }
        of_property.sort_by_key(|f| f.index);
        chosen.extend(
            of_property
                .into_iter()
                .take(settings.shrink.failures_per_property),
        );
    }
    progress.shrinking(chosen.len());
    let shrink_deadline = Instant::now() + settings.shrink.total_time;
    let shrink_requests = Arc::new(Mutex::new(0u64));
    let mut generated: Vec<Found> = Vec::new();
    for failed in chosen {
        let property = failed.evidence.violation.property;
        let original = failed.tree.current();
        let probe = &probe;
        let context = &context;
        let counter = Arc::clone(&shrink_requests);
        let shrunk = shrink::minimize(
            failed.tree,
            failed.evidence,
            Budget {
                max_steps: settings.shrink.steps_per_failure,
                deadline: shrink_deadline,
            },
            move |input: Input| {
                let counter = Arc::clone(&counter);
                async move {
                    let again = property == Property::StableStatus;
                    *counter.lock().unwrap_or_else(PoisonError::into_inner) +=
                        if again { 2 } else { 1 };
                    let probed = probe.probe(&input, again).await.ok()?;
                    let eval = probed.evaluate(&input, context);
                    let violation = eval
                        .violations
                        .into_iter()
                        .find(|v| v.property == property)?;
                    Some(evidence_of(&probed, violation))
                }
            },
        )
        .await;
        if generated
            .iter()
            .any(|f| f.property == property && f.evidence.url == shrunk.evidence.url)
            || found
                .iter()
                .any(|f| f.property == property && f.evidence.url == shrunk.evidence.url)
        {
            continue;
        }
        let strategy_name = named.get(failed.strategy).map_or("?", |n| n.name);
        let mut finding = finding(
            &shrunk.evidence,
            &shrunk.input,
            &original,
            strategy_name,
            settings.seed,
            "generated",
            shrunk.steps,
            context.authenticated,
        );
        if shrunk.cut_short {
            finding
                .message
                .push_str(" (shrinking stopped at its budget; smaller inputs may fail too)");
        }
        generated.push(Found {
            property,
            regression: Some(Regression {
                input: shrunk.input.stored(),
                wire_query: shrunk.input.wire_query(),
                property: property.name().to_owned(),
                clause: finding.clause.clone(),
                strategy: strategy_name.to_owned(),
                seed: settings.seed,
                found_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
                target: target.base.as_str().trim_end_matches('/').to_owned(),
            }),
            finding,
            evidence: shrunk.evidence,
        });
    }
    progress.finish();
    found.extend(generated);

    // 4. The case result.
    let new_regressions: Vec<Regression> =
        found.iter().filter_map(|f| f.regression.clone()).collect();
    let shrink_requests = *shrink_requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
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
    let findings: Vec<Finding> = found.iter().map(|f| f.finding.clone()).collect();
    result.outcome = runner::case_outcome(&findings, &records, &[]);
    if let Some(first) = found.first() {
        result.request = Some(first.evidence.request.clone());
        result.response = Some(first.evidence.response.clone());
    }
    for f in &found {
        let more = f.evidence.violation.findings.len().saturating_sub(1);
        if more > 0 {
            result.notes.push(format!(
                "{} on {}: {more} more finding(s) of the same response omitted",
                f.property.name(),
                f.evidence.url
            ));
        }
    }
    if let Some((_, first)) = errors.iter().next() {
        let message = format!(
            "{} of {done} fuzz case(s) got no answer; the first: {first}",
            errors.len()
        );
        result.error = Some(message);
        if result.outcome != Outcome::Fail {
            result.outcome = Outcome::Error;
        }
    }
    let seconds = generation_time.as_secs_f64();
    let rate = if seconds > 0.0 {
        (requests as f64 / seconds * 10.0).round() / 10.0
    } else {
        0.0
    };
    result.notes.insert(
        0,
        format!(
            "seed {} (--seed {} replays this run): {done} case(s), {requests} request(s) in {:.1} s ({rate} requests/s), {} strategies, concurrency {}{}",
            settings.seed,
            settings.seed,
            seconds,
            named.len(),
            settings.concurrency.max(1),
            if stopped_by_time_limit { ", stopped by --time-limit" } else { "" }
        ),
    );
    result.findings = findings;
    if observed.seen > observed.kept.len() {
        result.notes.push(format!(
            "{} observation(s) over the inputs; the first of each clause and check is kept",
            observed.seen
        ));
    }
    result.observations = observed.into_kept();
    result.checks = records;
    result.duration_ms = millis(started.elapsed());
    let added = settings.regressions_file.as_ref().map_or(0, |_| {
        super::regression::merge(settings.regressions.clone(), &new_regressions).1
    });
    result.fuzz = Some(Box::new(FuzzRun {
        seed: settings.seed,
        cases_requested: settings.cases,
        cases: done,
        requests,
        shrink_requests,
        concurrency: settings.concurrency.max(1),
        duration_ms: millis(generation_time),
        requests_per_second: rate,
        stopped_by_time_limit,
        known_server_ids: baseline.server_ids.len(),
        strategies: named
            .iter()
            .zip(&per_strategy)
            .map(|(n, &cases)| StrategyUse {
                name: n.name.to_owned(),
                description: n.description.to_owned(),
                cases,
            })
            .collect(),
        properties: Property::ALL
            .iter()
            .map(|p| PropertyUse {
                name: p.name().to_owned(),
                clause: p.clause().to_owned(),
                severity: p.severity().as_str().to_owned(),
                description: p.description().to_owned(),
                checked: checked.get(p).copied().unwrap_or(0),
                violations: violations.get(p).copied().unwrap_or(0),
            })
            .collect(),
        regressions: RegressionUse {
            file: settings.regressions_file.clone(),
            replayed: settings.regressions.len(),
            still_failing,
            added,
        },
    }));
    FuzzOutcome {
        result,
        new_regressions,
        sent: probe.sent.map(take).unwrap_or_default(),
    }
}

/// The observations of the inputs: of each clause and check, the one of the earliest
/// input (they say the same thing of every input; by case number, so the same seed keeps
/// the same one), the rest counted.
#[derive(Default)]
struct Observed {
    /// (order of the input, observation).
    kept: Vec<(u64, check::Observation)>,
    /// How many there were.
    seen: usize,
}

impl Observed {
    /// Takes the observations of the input `order` (regressions first, then by case number).
    fn add(&mut self, order: u64, eval: &mut Evaluation) {
        self.seen += eval.observations.len();
        for observation in eval.observations.drain(..) {
            let same = self
                .kept
                .iter_mut()
                .find(|(_, o)| o.clause == observation.clause && o.check == observation.check);
            match same {
                Some(slot) if order < slot.0 => *slot = (order, observation),
                Some(_) => {}
                None => self.kept.push((order, observation)),
            }
        }
    }

    /// The kept observations.
    fn into_kept(self) -> Vec<check::Observation> {
        self.kept.into_iter().map(|(_, o)| o).collect()
    }
}

/// Whether `text` holds `token` (any case, as typed or percent-encoded), like the runner's
/// rule for captured values.
fn holds_token(text: &str, token: &http::Secret) -> bool {
    let text = text.to_ascii_lowercase();
    token.expose().len() >= crate::secret::MIN_SECRET_LEN
        && token
            .spellings()
            .iter()
            .any(|spelling| text.contains(&spelling.to_ascii_lowercase()))
}

fn take(sent: Mutex<Vec<String>>) -> Vec<String> {
    sent.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// The strategy whose weight range holds `ticket` (in `0..total weight`).
fn pick(named: &[Named], mut ticket: u64) -> usize {
    for (index, n) in named.iter().enumerate() {
        let weight = u64::from(n.weight);
        if ticket < weight {
            return index;
        }
        ticket -= weight;
    }
    named.len().saturating_sub(1)
}

fn evidence_of(probed: &Probed, violation: Violation) -> Evidence {
    let exchange = match (&probed.second, violation.property) {
        (Some(second), Property::StableStatus) => second,
        _ => &probed.first,
    };
    Evidence {
        violation,
        request: exchange.request.clone(),
        response: ResponseRecord {
            status: exchange.status,
            content_type: exchange.content_type.clone(),
            body_bytes: exchange.body.len(),
            body_excerpt: check::truncate(
                &String::from_utf8_lossy(&exchange.body),
                runner::BODY_EXCERPT_CHARS,
            ),
            elapsed_ms: millis(exchange.elapsed),
        },
        url: probed.url.clone(),
    }
}

/// The reported finding: the violation's first finding, with the fuzz evidence.
#[expect(clippy::too_many_arguments, reason = "the evidence's parts")]
fn finding(
    evidence: &Evidence,
    minimal: &Input,
    original: &Input,
    strategy: &str,
    seed: u64,
    origin: &str,
    steps: u32,
    authenticated: bool,
) -> Finding {
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
        strategy: strategy.to_owned(),
        seed,
        origin: origin.to_owned(),
        minimal_input: minimal.minimal_display(),
        shape: minimal.shape().to_owned(),
        utf8: minimal.is_utf8(),
        wire_query: minimal.wire_query(),
        original_input: check::truncate(&property::describe(original), 300),
        shrink_steps: steps,
        repro: repro::curl(&evidence.url, authenticated),
    }));
    finding
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_expand_deterministically_and_differently() {
        assert_eq!(seed_bytes(42), seed_bytes(42));
        assert_ne!(seed_bytes(42), seed_bytes(43));
        assert!(random_seed() <= u64::from(u32::MAX));
    }

    #[test]
    fn ids_holding_the_token_are_recognised() {
        let token = http::Secret::new("tok+en/5ecret");
        assert!(holds_token("x-TOK+EN/5ECRET-y", &token));
        assert!(holds_token("tok%2Ben%2F5ecret", &token));
        assert!(!holds_token("ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5", &token));
        assert!(!holds_token("abc", &http::Secret::new("ab")));
    }

    #[test]
    fn picks_follow_the_weights() {
        let named = strategy::catalogue(&["a".to_owned()], strategy::MAX_WIRE_QUERY);
        let total: u64 = named.iter().map(|n| u64::from(n.weight)).sum();
        let mut counts = vec![0u64; named.len()];
        for ticket in 0..total {
            counts[pick(&named, ticket)] += 1;
        }
        for (n, count) in named.iter().zip(counts) {
            assert_eq!(count, u64::from(n.weight), "{}", n.name);
        }
        assert_eq!(pick(&named, total + 5), named.len() - 1);
    }
}
