//! The one chain `run` and `fuzz` share, from validated inputs to the exit code:
//!
//! ```text
//! Session + Work → secrets (refused: exit 2) → TLS → report directory locked (exit 3)
//!   → runtime (+ SIGINT/SIGTERM) → target (the embedded reference, or the one given)
//!   → client → Work: the cases as trials (+ the fuzz trial) | the fuzz phase alone
//!   → report::build (interrupted?) → redact → summary on stdout → report files
//!   → regressions file → stale report files removed → verdict → Exit
//! ```
//!
//! Every output passes through the run's one [`Secrets`] and fails closed: what would
//! still hold a secret is not printed or written (exit 3), an error message included.
//!
//! Each command reads and checks its own inputs (cases, waivers, the regressions
//! file) first and says what to run ([`Work`]); everything after that is here, once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use super::{
    INSECURE_WARNING, Printing, deliver, fuzz_settings, interrupt, progress_bar, recording,
    rfc3339, runtime, save_regressions, start_target, target_info,
};
use crate::cancel::Cancel;
use crate::case::Case;
use crate::config::{FuzzPlan, TargetChoice};
use crate::console;
use crate::contract::{Contract, Profile};
use crate::error::Error;
use crate::exit::Exit;
use crate::fuzz::{self, Regression};
use crate::http::tls::TlsOptions;
use crate::http::{self, Limits};
use crate::report::build;
use crate::report::lock::DirLock;
use crate::report::model::Gate;
use crate::report::write::Format;
use crate::runner::{self, Collected, RunOutcome, Selection, Target, TrialOutput};
use crate::secret::{Secrets, TokenSource};
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
    /// `--color` and `-q`.
    pub printing: Printing,
    /// The report.
    pub report: ReportPlan,
    /// `exchanges.ndjson`'s settings; `None` with `--no-record`.
    pub record: Option<crate::report::exchanges::RecordSettings>,
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
}

impl Fuzzing {
    /// Reads `plan`'s regressions file; the seed is drawn here when not given,
    /// so the recording's header names the one the phase uses.
    pub(super) fn load(mut plan: FuzzPlan) -> Result<Fuzzing, Error> {
        let regressions = fuzz::regression::load(&plan.regressions).map_err(Error::Regressions)?;
        plan.seed = Some(plan.seed.unwrap_or_else(fuzz::random_seed));
        Ok(Fuzzing { plan, regressions })
    }

    /// What the recording's header says of the phase.
    pub(super) fn recorded(&self) -> crate::model::RecordedFuzz {
        crate::model::RecordedFuzz {
            seed: self.plan.seed.unwrap_or_default(),
            cases: self.plan.cases,
            concurrency: self.plan.concurrency,
            time_limit_ms: self
                .plan
                .time_limit
                .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
            regressions_file: Some(self.plan.regressions.display().to_string()),
            regressions: self.regressions.len(),
        }
    }

    /// The phase's settings, with `--seed` or a fresh one; `token_source` is what its
    /// repro commands name.
    fn settings(
        &self,
        profile: Profile,
        clock_skew: std::time::Duration,
        token_source: TokenSource,
    ) -> fuzz::Settings {
        let seed = self.plan.seed.unwrap_or_else(fuzz::random_seed);
        fuzz::Settings {
            clock_skew,
            ..fuzz_settings(&self.plan, seed, profile, &self.regressions, token_source)
        }
    }
}

/// Every secret of the run, before anything is sent: the token and the target URL's
/// `user:password@`. One that cannot be redacted is refused (exit 2).
fn secrets_of(choice: &TargetChoice) -> Result<Secrets, Error> {
    let mut secrets = Secrets::new();
    if let Some(token) = choice.token() {
        let what = match &token.source {
            TokenSource::Flag => "the token given with --token".to_owned(),
            TokenSource::Env(name) => format!("the token in ${name}"),
            TokenSource::Embedded => "the embedded target's token".to_owned(),
        };
        secrets.add(&what, &token.secret).map_err(Error::Secret)?;
    }
    if let TargetChoice::Remote { url, .. } = choice {
        secrets.add_userinfo(url).map_err(Error::Secret)?;
    }
    Ok(secrets)
}

/// `error` as printed: unchanged when its message holds no secret, else scrubbed
/// (or held back, when scrubbing is not enough), with the same exit code.
fn scrubbed(error: Error, secrets: &Secrets) -> Error {
    let chain = crate::error::chain(&error);
    if secrets.ensure_absent(&chain, "error message").is_ok() {
        return error;
    }
    let exit = error.exit();
    let text = secrets.scrub_str(&chain);
    let message = match secrets.ensure_absent(&text, "error message") {
        Ok(()) => text.strip_prefix("failed to ").unwrap_or(&text).to_owned(),
        Err(_) => "finish (the error's message is held back: it would show a secret)".to_owned(),
    };
    Error::Scrubbed { message, exit }
}

/// Runs `work` as `session` says; the exit code.
pub(super) fn orchestrate(session: Session, work: Work) -> Result<Exit, Error> {
    let secrets = secrets_of(&session.target)?;
    let tls = http::tls::Tls::load(&session.tls).map_err(|e| scrubbed(e.into(), &secrets))?;
    let listing = work.listing();
    // The report directory is this run's before the first request: another run's, or one
    // that cannot be written, ends the run at once (exit 3). `--list` writes nothing.
    let lock = if listing {
        None
    } else {
        Some(
            DirLock::acquire(&session.report.dir)
                .map_err(|e| scrubbed(Error::ReportDir(e), &secrets))?,
        )
    };
    let mut written = Vec::new();
    let outcome = conduct(session, work, tls, &secrets, &mut written);
    if let Some(lock) = &lock {
        // The directory holds only this run's reports, whatever this run could write.
        let written: Vec<&str> = written.iter().map(String::as_str).collect();
        lock.remove_stale(&Format::ALL.map(Format::file_name), &written);
    }
    outcome.map_err(|error| scrubbed(error, &secrets))
}

/// [`orchestrate`] once the secrets are known and the report directory is held; the
/// names of the report files it writes go to `written`.
fn conduct(
    session: Session,
    work: Work,
    tls: http::tls::Tls,
    secrets: &Secrets,
    written: &mut Vec<String>,
) -> Result<Exit, Error> {
    let listing = work.listing();
    let runtime = runtime()?;
    let cancel = Cancel::new();
    if !listing {
        interrupt::listen(&runtime, cancel.clone());
    }
    let (target, reference) = start_target(&runtime, &session.target, listing, secrets)?;
    // Certificates are only verified, or not, over https.
    let insecure = tls.insecure() && target.base.scheme() == "https";
    if tls.insecure() && !listing {
        if insecure {
            console::err(INSECURE_WARNING);
        } else {
            console::err(&format!(
                "note: --insecure has no effect: {} is plain http, there is no certificate to verify",
                http::without_userinfo(&target.base).trim_end_matches('/')
            ));
        }
    }
    let target_info = target_info(&target, insecure);
    let client = http::Client::new(session.limits, tls)?.with_cancel(cancel.clone());
    let started_at = SystemTime::now();
    let clock = Instant::now();
    let recording = match listing {
        true => None,
        false => recording::start(
            &session,
            &work,
            &target_info,
            target.token.is_some(),
            &rfc3339(started_at),
            secrets,
        )?,
    };
    let client = match &recording {
        Some(recording) => client.with_recorder(Arc::clone(recording) as Arc<dyn http::Recorder>),
        None => client,
    };
    let (outcome, fuzzing) = execute(&session, work, client, target, &runtime);
    if let Some(running) = reference {
        runtime.block_on(running.shutdown());
    }
    let collected = match outcome {
        RunOutcome::Listed => return Ok(Exit::Conformant),
        RunOutcome::NoneSelected => {
            console::err("error: no case matches the filter (see --list)");
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
    let report = match cancel.cause() {
        Some(cause) => {
            let why = runner::interruption(cause, &report.cases);
            build::interrupted(report, why)
        }
        None => report,
    };
    let recorded = recording::finish(recording, &report, cancel.cause());
    // Fails closed: a report that scrubbing breaks, or text that still holds a secret,
    // is neither printed nor written.
    let report = secrets.redact(report, "report").map_err(Error::Secret)?;
    let printing = session.printing;
    deliver::show(&report, secrets, printing)?;
    let formats = &session.report.formats;
    deliver::write(
        &session.report.dir,
        &report,
        formats,
        secrets,
        printing,
        written,
    )?;
    if let Some(fuzzing) = fuzzing {
        save_regressions(
            &fuzzing.plan.regressions,
            &collected.extras.concat(),
            secrets,
            printing,
        )?;
    }
    if let Some(summary) = recorded? {
        printing.say(&format!(
            "exchanges: {} ({} exchange(s); replay with sdconform recheck)",
            secrets.scrub_str(&summary.path.display().to_string()),
            summary.lines
        ));
    }
    Ok(deliver::exit_of(report.verdict))
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
            mut selection,
            fuzzing,
        } => {
            let printing = session.printing;
            let extra: Vec<_> = fuzzing
                .iter()
                .map(|fuzzing| {
                    let settings = fuzzing.settings(
                        session.profile,
                        session.clock_skew,
                        token_source(&session.target),
                    );
                    if selects_fuzzing(&selection) && !selection.list {
                        printing.say(&format!(
                            "fuzz: seed {0} (--seed {0} sends the same inputs again), {1} case(s)",
                            settings.seed, settings.cases
                        ));
                    }
                    fuzz::trial(
                        Arc::clone(&session.contract),
                        client.clone(),
                        target.clone(),
                        settings,
                        progress_bar(printing),
                        runtime.handle().clone(),
                        fuzz::CASE_ID,
                    )
                })
                .collect();
            // libtest-mimic prints through the console's pipe, never to stdout itself.
            let forwarder = console::Forwarder::start();
            selection.output = TrialOutput {
                logfile: forwarder.as_ref().map(|f| f.logfile().to_owned()),
                color: printing.stdout_color(),
                terse: printing.quiet,
            };
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
            if let Some(forwarder) = forwarder {
                forwarder.finish();
            }
            (outcome, fuzzing)
        }
        Work::Fuzz(fuzzing) => {
            let settings = fuzzing.settings(
                session.profile,
                session.clock_skew,
                token_source(&session.target),
            );
            session.printing.say(&format!(
                "fuzz: seed {0} (--seed {0} sends the same inputs again), {1} case(s), concurrency {2}",
                settings.seed, settings.cases, settings.concurrency
            ));
            let progress = progress_bar(session.printing);
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

/// Where the run's token came from (what the fuzz repro commands name).
fn token_source(choice: &TargetChoice) -> TokenSource {
    choice
        .token()
        .map_or(TokenSource::Flag, |token| token.source.clone())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Token;
    use crate::http::Secret;

    fn remote(url: &str, token: &str) -> TargetChoice {
        TargetChoice::Remote {
            url: reqwest::Url::parse(url).unwrap_or_else(|e| panic!("{e}")),
            project_id: "p".to_owned(),
            token: Some(Token {
                secret: Secret::new(token),
                source: TokenSource::Env("OS_AUTH_TOKEN".to_owned()),
            }),
        }
    }

    /// Issue 10 item 7: an error message is scrubbed like every output, and keeps its exit code.
    #[test]
    fn error_messages_are_scrubbed_and_keep_their_exit_code() {
        let secrets = secrets_of(&remote("http://admin:hunter22@h/", "tok-5ecret"))
            .unwrap_or_else(|e| panic!("{e}"));
        let error = scrubbed(
            Error::Usage("sent tok-5ecret to http://admin:hunter22@h/".to_owned()),
            &secrets,
        );
        let shown = crate::error::chain(&error);
        assert_eq!(error.exit(), Exit::Usage);
        assert!(
            shown.starts_with("failed to use the command line as documented: sent <redacted>"),
            "{shown}"
        );
        assert!(
            !shown.contains("tok-5ecret")
                && !shown.contains("hunter22")
                && !shown.contains("admin"),
            "{shown}"
        );
        // Nothing to scrub: the error as it was.
        let plain = scrubbed(Error::Usage("no secret".to_owned()), &secrets);
        assert!(matches!(plain, Error::Usage(_)));
    }

    /// Issue 10 item 7: a secret that cannot be redacted is refused by name, with exit 2.
    #[test]
    fn unredactable_secrets_are_usage_errors_named_by_their_source() {
        for (choice, named) in [
            (remote("http://h/", "MUST"), "the token in $OS_AUTH_TOKEN"),
            (
                remote("http://user1:abc@h/", "tok-5ecret"),
                "the password in --target",
            ),
        ] {
            let Err(error) = secrets_of(&choice) else {
                panic!("{named}: accepted");
            };
            assert_eq!(error.exit(), Exit::Usage);
            assert!(crate::error::chain(&error).contains(named), "{error:?}");
        }
    }
}
