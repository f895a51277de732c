//! The fuzz phase end to end, as five steps that hand plain values on:
//!
//! ```text
//! baseline::fetch   the unfiltered list             → Fetched
//! replay::replay    the regressions file, first     → Replayed
//! generation        inputs, sent concurrently        → Generated (failures kept by case number)
//! shrinking         the kept failures, sequentially  → Reduced (findings, regression entries)
//! assembly          all of it                        → the `fuzz-server-id` CaseResult
//! ```
//!
//! Sits right of the runner: `run` adds it as one more libtest-mimic trial ([`trial`]),
//! whose result and new regression entries go to the runner's collector like a case's;
//! `fuzz` calls [`run`] alone. Requests go through the one `http::Client` (`probe`);
//! the properties are pure ([`super::property`]); only `app` prints (through [`Progress`])
//! or writes the regressions file.
//!
//! Determinism: see `generation`; the same seed against a target that answers
//! the same sends the same multiset of requests.
//!
//! Bounds: `--time-limit` ends the whole phase, every step included (the probe sends
//! nothing after it and awaits nothing past it); an interruption (the client's
//! `cancel`) stops generation and shrinking, and the result says how far it got.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::assembly::{self, Phases};
use super::probe::Probe;
use super::property::{BodyCache, Context};
use super::regression::Regression;
use super::shrinking::Shrinking;
use super::{baseline, generation, replay, shrinking, strategy};
use crate::contract::{Contract, Profile};
use crate::http;
use crate::model::CaseResult;
use crate::runner::{ExtraTrial, Target};
use crate::secret::TokenSource;

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
    /// The whole phase's hard limit, shrinking included.
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
    /// Where the token came from, named by the repro commands (never its value).
    pub token_source: TokenSource,
    /// The case of the run that reports the unfiltered list's own findings (`list-all`
    /// in `run`): the fuzz case leaves them to it. `None` (`sdconform fuzz`): the fuzz
    /// case reports them itself, once.
    pub baseline_case: Option<String>,
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
            clock_skew: crate::check::order::DEFAULT_CLOCK_SKEW,
            regressions: Vec::new(),
            regressions_file: None,
            record_requests: false,
            shrink: ShrinkLimits::default(),
            token_source: TokenSource::Flag,
            baseline_case: None,
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

/// The fuzz phase as one more trial of `run`: its result goes to libtest-mimic and the
/// report like a case's, and the new regression entries beside it, to the same collector.
pub fn trial(
    contract: Arc<Contract>,
    client: http::Client,
    target: Target,
    settings: Settings,
    progress: Arc<dyn Progress>,
    handle: tokio::runtime::Handle,
    id: &str,
) -> ExtraTrial<Vec<Regression>> {
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
            (outcome.result, outcome.new_regressions)
        }),
    }
}

/// The outcome when the unfiltered list could not be fetched: nothing was fuzzed
/// (an interruption says so instead of an error).
fn unanswered(
    why: String,
    client: &http::Client,
    probe: Probe<'_>,
    progress: &dyn Progress,
) -> FuzzOutcome {
    progress.finish();
    let mut result = assembly::unanswered(why);
    if client.cancel().stopping() {
        result.outcome = crate::model::Outcome::Skipped;
        result.notes = vec![crate::runner::NOT_RUN.to_owned()];
    }
    FuzzOutcome {
        result,
        new_regressions: Vec::new(),
        sent: probe.into_sent(),
    }
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
    let deadline = settings
        .time_limit
        .and_then(|limit| started.checked_add(limit));
    let probe = Probe::new(client, target, settings.record_requests).until(deadline);
    let fetched = match baseline::fetch(&probe, target.token.as_ref(), contract, settings).await {
        Ok(fetched) => fetched,
        Err(why) => return unanswered(why, client, probe, progress),
    };
    let cache = BodyCache::default();
    let context = Context {
        contract,
        profile: settings.profile,
        baseline: &fetched.baseline,
        authenticated: target.token.is_some(),
        cache: &cache,
        clock_skew: settings.clock_skew,
    };
    let named = strategy::catalogue(
        &fetched.baseline.server_ids,
        strategy::max_wire_for(probe.url(None).map_or(0, |u| u.as_str().len())),
    );
    let replayed = replay::replay(
        &probe,
        &context,
        &settings.regressions,
        &settings.token_source,
    )
    .await;
    let (generated, kept) =
        generation::generate(&probe, &context, &named, settings, progress, deadline).await;
    // The regressions file names the target, never its `user:password@`.
    let target_shown = http::without_userinfo(&target.base)
        .trim_end_matches('/')
        .to_owned();
    let shrinking = Shrinking {
        probe: &probe,
        context: &context,
        named: &named,
        settings,
        target: &target_shown,
        progress,
        deadline,
    };
    probe.shrinking();
    let reduced = shrinking::shrink(&shrinking, kept, &replayed.found).await;
    progress.finish();
    let interrupted = client.cancel().stopping().then(|| {
        format!(
            "interrupted after {} of {} case(s): nothing more was generated, and the failures found were shrunk only as far as the interruption allowed",
            generated.cases, settings.cases
        )
    });
    let (result, new_regressions) = assembly::assemble(
        settings,
        &named,
        Phases {
            fetched,
            replayed,
            generated,
            reduced,
        },
        started,
    );
    let mut result = result;
    result.notes.extend(interrupted);
    FuzzOutcome {
        result,
        new_regressions,
        sent: probe.into_sent(),
    }
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
}
