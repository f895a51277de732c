//! The one chain `run` and `fuzz` share, from validated inputs to the exit code:
//!
//! ```text
//! Session + Work → TLS → runtime → target (the embedded reference, or the one given)
//!   → client → preflight (a setup mistake stops here, one run-wide error)
//!   → Work: the cases as trials (+ the fuzz trial) | the fuzz phase alone
//!   → report::build → redact → summary on stdout → report files → regressions file
//!   → verdict → Exit
//! ```
//!
//! Each command reads and checks its own inputs (cases, waivers, the regressions
//! file) first and says what to run ([`Work`]); everything after that is here, once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use super::{
    INSECURE_WARNING, fuzz_settings, print_fuzz, progress_bar, rfc3339, runtime, save_regressions,
    start_target, target_info,
};
use crate::case::Case;
use crate::config::{FuzzPlan, TargetChoice};
use crate::contract::{Contract, Profile};
use crate::error::Error;
use crate::exit::Exit;
use crate::fuzz::{self, Regression};
use crate::http::tls::TlsOptions;
use crate::http::{self, Limits, Secret};
use crate::report::model::{Gate, Verdict};
use crate::report::write::Format;
use crate::report::{self, build, summary};
use crate::runner::{self, Collected, RunOutcome, Selection, Target};
use crate::secret;
use crate::waiver::Waivers;

/// Where a command sends, and how its report is made.
pub(super) struct Session {
    /// The contract (and the report's clause table).
    pub contract: Arc<Contract>,
    /// The target.
    pub target: TargetChoice,
    /// TLS files and `--insecure`.
    pub tls: TlsOptions,
    /// Client limits.
    pub limits: Limits,
    /// The profile.
    pub profile: Profile,
    /// `--clock-skew`.
    pub clock_skew: std::time::Duration,
    /// The report.
    pub report: ReportPlan,
}

/// What the report says besides the results, and where it goes.
pub(super) struct ReportPlan {
    /// The report directory.
    pub dir: PathBuf,
    /// Formats besides `report.json`.
    pub formats: Vec<Format>,
    /// `--fail-on` and `--strict-waivers`.
    pub gate: Gate,
    /// The `--waivers` file, read.
    pub waivers: Option<Waivers>,
    /// Where the cases came from.
    pub cases_source: String,
}

/// What a command runs.
pub(super) enum Work {
    /// `run`: the cases as trials, and the fuzz phase as one more when asked for.
    Suite {
        /// The cases.
        cases: Vec<Case>,
        /// Which trials run.
        selection: Selection,
        /// The fuzz phase, unless `--fuzz-cases 0`.
        fuzzing: Option<Fuzzing>,
    },
    /// `fuzz`: the fuzz phase alone.
    Fuzz(Fuzzing),
}

/// A fuzz phase to run, and its regressions file, read.
pub(super) struct Fuzzing {
    plan: FuzzPlan,
    regressions: Vec<Regression>,
}

impl Work {
    /// `run --list`: the trials are listed, nothing is sent, no warning is printed.
    fn listing(&self) -> bool {
        matches!(self, Work::Suite { selection, .. } if selection.list)
    }

    /// Whether the filters select some trial (else nothing is sent, not even the
    /// preflight: exit 4 says so).
    fn selects_any(&self) -> bool {
        match self {
            Work::Suite {
                cases,
                selection,
                fuzzing,
            } => {
                cases.iter().any(|case| selects(selection, &case.id))
                    || (fuzzing.is_some() && selects(selection, fuzz::CASE_ID))
            }
            Work::Fuzz(_) => true,
        }
    }
}

impl Fuzzing {
    /// Reads `plan`'s regressions file.
    pub(super) fn load(plan: FuzzPlan) -> Result<Fuzzing, Error> {
        let regressions = fuzz::regression::load(&plan.regressions).map_err(Error::Regressions)?;
        Ok(Fuzzing { plan, regressions })
    }

    /// The phase's settings, with `--seed` or a fresh one.
    fn settings(&self, profile: Profile, clock_skew: std::time::Duration) -> fuzz::Settings {
        let seed = self.plan.seed.unwrap_or_else(fuzz::random_seed);
        fuzz::Settings {
            clock_skew,
            ..fuzz_settings(&self.plan, seed, profile, &self.regressions)
        }
    }
}

/// Runs `work` as `session` says; the exit code.
pub(super) fn orchestrate(session: Session, work: Work) -> Result<Exit, Error> {
    let tls = http::tls::Tls::load(&session.tls)?;
    let listing = work.listing();
    if tls.insecure() && !listing {
        eprintln!("{INSECURE_WARNING}");
    }
    let runtime = runtime()?;
    let (target, reference) = start_target(&runtime, &session.target, listing)?;
    let secrets: Vec<String> = target.token.iter().flat_map(Secret::spellings).collect();
    let target_info = target_info(&target, tls.insecure());
    let client = http::Client::new(session.limits, tls)?;
    let started_at = SystemTime::now();
    let clock = Instant::now();
    // Before any case: a setup mistake (token, project, base URL) or an unreachable
    // target is one run-wide error, never a finding (issue 10 item 10).
    let stopped = if listing || !work.selects_any() {
        None
    } else {
        runtime.block_on(runner::preflight(&client, &target)).err()
    };
    let (outcome, fuzzing) = match stopped {
        Some(stopped) => {
            let collected = Collected {
                results: vec![*stopped],
                extras: Vec::new(),
            };
            (RunOutcome::Ran(collected), None)
        }
        None => execute(&session, work, client, target, &runtime),
    };
    if let Some(running) = reference {
        runtime.block_on(running.shutdown());
    }
    let collected = match outcome {
        RunOutcome::Listed => return Ok(Exit::Conformant),
        RunOutcome::NoneSelected => {
            eprintln!("error: no case matches the filter (see --list)");
            return Ok(Exit::NoCaseSelected);
        }
        RunOutcome::Ran(collected) => collected,
    };
    let report = build::build(
        build::Context {
            contract: &session.contract,
            profile: session.profile,
            target: target_info,
            cases_source: session.report.cases_source,
            started_at: rfc3339(started_at),
            finished_at: rfc3339(SystemTime::now()),
            duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            gate: session.report.gate,
            waivers: session.report.waivers.as_ref(),
        },
        collected.results,
    );
    let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let report = secret::redact(report, &secret_refs);
    println!();
    println!("{}", summary::render(&report));
    print_fuzz(&report);
    for path in report::write::write_all(&session.report.dir, &report, &session.report.formats)? {
        println!("report: {}", path.display());
    }
    if let Some(Fuzzing { plan, regressions }) = fuzzing {
        save_regressions(&plan.regressions, regressions, &collected.extras.concat())?;
    }
    Ok(match report.verdict {
        Verdict::Conformant => Exit::Conformant,
        Verdict::NonConformant => Exit::NonConformant,
        Verdict::Error => Exit::Incomplete,
        Verdict::Inconclusive => Exit::Inconclusive,
        Verdict::Interrupted => Exit::Interrupted,
    })
}

/// Runs the trials (or the fuzz phase alone); what they handed back, and the fuzz
/// phase's regressions file when there is one.
fn execute(
    session: &Session,
    work: Work,
    client: http::Client,
    target: Target,
    runtime: &tokio::runtime::Runtime,
) -> (RunOutcome<Vec<Regression>>, Option<Fuzzing>) {
    match work {
        Work::Suite {
            cases,
            selection,
            fuzzing,
        } => {
            let reporter = baseline_case(&cases, &selection);
            let extra: Vec<_> = fuzzing
                .iter()
                .map(|fuzzing| {
                    let settings = fuzz::Settings {
                        baseline_case: reporter.clone(),
                        ..fuzzing.settings(session.profile, session.clock_skew)
                    };
                    if selects(&selection, fuzz::CASE_ID) && !selection.list {
                        println!(
                            "fuzz: seed {0} (--seed {0} sends the same inputs again), {1} case(s)",
                            settings.seed, settings.cases
                        );
                    }
                    fuzz::trial(
                        Arc::clone(&session.contract),
                        client.clone(),
                        target.clone(),
                        settings,
                        progress_bar(),
                        runtime.handle().clone(),
                        fuzz::CASE_ID,
                    )
                })
                .collect();
            let outcome = runner::run_with(
                Arc::clone(&session.contract),
                cases,
                client,
                target,
                session.profile,
                session.clock_skew,
                &selection,
                runtime.handle(),
                extra,
            );
            (outcome, fuzzing)
        }
        Work::Fuzz(fuzzing) => {
            let settings = fuzzing.settings(session.profile, session.clock_skew);
            println!(
                "fuzz: seed {0} (--seed {0} sends the same inputs again), {1} case(s), concurrency {2}",
                settings.seed, settings.cases, settings.concurrency
            );
            let progress = progress_bar();
            let outcome = runtime.block_on(fuzz::run(
                &session.contract,
                &client,
                &target,
                &settings,
                progress.as_ref(),
            ));
            let collected = Collected {
                results: vec![outcome.result],
                extras: vec![outcome.new_regressions],
            };
            (RunOutcome::Ran(collected), Some(fuzzing))
        }
    }
}

/// Whether `selection`'s filters let the trial `id` run.
fn selects(selection: &Selection, id: &str) -> bool {
    let filters = libtest_mimic::Arguments {
        filter: selection.filter.clone(),
        skip: selection.skip.clone(),
        exact: selection.exact,
        ..libtest_mimic::Arguments::default()
    };
    !filters.is_filtered_out(&libtest_mimic::Trial::test(id, || Ok(())))
}

/// The selected case that validates the unfiltered list (`list-all`: the endpoint's
/// path, no query, the run's token, a schema), which reports the list's own
/// findings; the fuzz phase then does not count them again (issue 10 item 9).
fn baseline_case(cases: &[Case], selection: &Selection) -> Option<String> {
    cases
        .iter()
        .find(|case| {
            case.request.path == crate::check::status::ENDPOINT_PATH
                && case.request.query.is_empty()
                && case.request.auth == crate::case::AuthMode::Default
                && case.expect.schema.is_some()
                && selects(selection, &case.id)
        })
        .map(|case| case.id.clone())
}
