//! The one chain `run` and `fuzz` share, from validated inputs to the exit code:
//!
//! ```text
//! Session + Work → TLS → runtime → target (the embedded reference, or the one given)
//!   → client → (--fixtures create: create them) → Work: the cases as trials (+ the fuzz
//!   trial) | the fuzz phase alone → (delete the fixtures, whatever happened)
//!   → report::build → redact → summary on stdout → report files → regressions file
//!   → verdict → Exit
//! ```
//!
//! Each command reads and checks its own inputs (cases, waivers, the regressions
//! file) first and says what to run ([`Work`]); everything after that is here, once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use super::fixtures;
use super::{
    INSECURE_WARNING, fuzz_settings, print_fuzz, progress_bar, rfc3339, runtime, save_regressions,
    start_target, target_info,
};
use crate::case::Case;
use crate::config::{FixtureChoice, FuzzPlan, TargetChoice};
use crate::contract::{Contract, Profile};
use crate::error::Error;
use crate::exit::Exit;
use crate::fuzz::{self, Regression};
use crate::http::tls::TlsOptions;
use crate::http::{self, Limits, Secret};
use crate::report::model::{Gate, RunReport, Verdict};
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
        /// `--fixtures` and `--other-cloud`.
        fixtures: FixtureChoice,
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

    /// The fixtures to create before the work (none for `--list` and `fuzz`).
    fn fixtures(&self) -> FixtureChoice {
        match self {
            Work::Suite { fixtures, .. } if !self.listing() => fixtures.clone(),
            _ => FixtureChoice::default(),
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
    let (mut target, reference) = start_target(&runtime, &session.target, listing)?;
    let mut secrets: Vec<String> = target.token.iter().flat_map(Secret::spellings).collect();
    let target_info = target_info(&target, tls.insecure());
    let client = http::Client::new(session.limits, tls)?;
    let started_at = SystemTime::now();
    let clock = Instant::now();
    let fixtures = fixtures::set_up(
        &runtime,
        &client,
        &mut target,
        &work.fixtures(),
        session.limits,
        &session.tls,
    )?;
    let (outcome, fuzzing) = execute(&session, work, client, target, &runtime);
    // After the suite whatever its result (an interruption tears down on its own path).
    let torn = fixtures.map(|fixtures| fixtures.tear_down(&runtime));
    secrets.extend(
        torn.iter()
            .flat_map(|t| t.secrets.iter().flat_map(Secret::spellings)),
    );
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
    let report = RunReport {
        fixtures: torn.as_ref().map(|t| t.report.clone()),
        ..report
    };
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
    if let Some(fixtures) = &report.fixtures {
        fixtures::print_teardown(fixtures);
    }
    let verdict = match report.verdict {
        Verdict::Conformant => Exit::Conformant,
        Verdict::NonConformant => Exit::NonConformant,
        Verdict::Error => Exit::Incomplete,
        Verdict::Inconclusive => Exit::Inconclusive,
        Verdict::Interrupted => Exit::Interrupted,
    };
    Ok(Exit::worst(
        [verdict]
            .into_iter()
            .chain(torn.iter().flat_map(fixtures::TornDown::exits)),
    ))
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
            fixtures: _,
        } => {
            let extra: Vec<_> = fuzzing
                .iter()
                .map(|fuzzing| {
                    let settings = fuzzing.settings(session.profile, session.clock_skew);
                    if selects_fuzzing(&selection) && !selection.list {
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

/// Whether `selection`'s filters let the fuzz trial run.
fn selects_fuzzing(selection: &Selection) -> bool {
    let filters = libtest_mimic::Arguments {
        filter: selection.filter.clone(),
        skip: selection.skip.clone(),
        exact: selection.exact,
        ..libtest_mimic::Arguments::default()
    };
    !filters.is_filtered_out(&libtest_mimic::Trial::test(fuzz::CASE_ID, || Ok(())))
}
