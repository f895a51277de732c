//! The one chain `run` and `fuzz` share, from validated inputs to the exit code:
//!
//! ```text
//! Session + Work → cloud resolved (clouds.yaml: no network) → secrets (refused: exit 2)
//!   → TLS → report directory locked (exit 3) → runtime (+ SIGINT/SIGTERM)
//!   → target (the embedded reference, the one given, or the cloud, connected)
//!   → client → preflight (a setup mistake stops here, one run-wide error)
//!   → (--fixtures create: create them) → Work: the cases as trials (+ the fuzz
//!   trial) | the fuzz phase alone → (delete the fixtures, whatever happened)
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

use super::cloud::CloudRun;
use super::fixtures;
use super::{
    Printing, deliver, fuzz_settings, insecure_warning, interrupt, progress_bar, recording,
    rfc3339, runtime, save_regressions, start_target, target_info,
};
use crate::cancel::Cancel;
use crate::case::Case;
use crate::config::{FixtureChoice, FuzzPlan, TargetChoice};
use crate::console;
use crate::contract::{Contract, Profile};
use crate::error::Error;
use crate::exit::Exit;
use crate::fuzz::{self, Regression};
use crate::http::tls::TlsOptions;
use crate::http::{self, Limits};
use crate::report::build;
use crate::report::exchanges::{RecordSummary, Recording};
use crate::report::lock::DirLock;
use crate::report::model::{Gate, RunReport, Verdict};
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

    /// Whether the filters select some trial (else nothing is sent, not even the
    /// preflight: exit 4 says so).
    fn selects_any(&self) -> bool {
        match self {
            Work::Suite {
                cases,
                selection,
                fuzzing,
                ..
            } => {
                cases.iter().any(|case| selects(selection, &case.id))
                    || (fuzzing.is_some() && selects(selection, fuzz::CASE_ID))
            }
            Work::Fuzz(_) => true,
        }
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

/// Every secret of the run, before anything is sent: the token, the target URL's
/// `user:password@` and the cloud's credentials. One that cannot be redacted is
/// refused (exit 2).
fn secrets_of(choice: &TargetChoice, cloud: Option<&CloudRun>) -> Result<Secrets, Error> {
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
    for (what, secret) in cloud.iter().flat_map(|c| c.secrets()) {
        secrets
            .add(&format!("the cloud's {what}"), &secret)
            .map_err(Error::Secret)?;
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
    let listing = work.listing();
    let cloud = CloudRun::resolve(&session.target, listing)?;
    let mut secrets = secrets_of(&session.target, cloud.as_ref())?;
    let tls_options = cloud
        .as_ref()
        .map_or_else(|| session.tls.clone(), |c| c.tls(&session.tls));
    let tls = http::tls::Tls::load(&tls_options).map_err(|e| scrubbed(e.into(), &secrets))?;
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
    let setup = Setup { tls, cloud };
    let outcome = conduct(session, work, setup, &mut secrets, &mut written);
    if let Some(lock) = &lock {
        // The directory holds only this run's reports, whatever this run could write.
        let written: Vec<&str> = written.iter().map(String::as_str).collect();
        lock.remove_stale(&Format::ALL.map(Format::file_name), &written);
    }
    outcome.map_err(|error| scrubbed(error, &secrets))
}

/// What [`orchestrate`] prepared without the network: the TLS material and the cloud.
struct Setup {
    tls: http::tls::Tls,
    cloud: Option<CloudRun>,
}

/// The target and client of a run, once connected.
struct Connected {
    target: Target,
    reference: Option<crate::reference::RunningReference>,
    client: http::Client,
    cancel: Cancel,
    insecure: bool,
}

/// [`orchestrate`] once the secrets are known and the report directory is held; the
/// names of the report files it writes go to `written`.
fn conduct(
    session: Session,
    work: Work,
    mut setup: Setup,
    secrets: &mut Secrets,
    written: &mut Vec<String>,
) -> Result<Exit, Error> {
    let listing = work.listing();
    let runtime = runtime()?;
    let mut connected = connect(&session, &mut setup, &runtime, listing, secrets)?;
    let mut target_info = target_info(&connected.target, connected.insecure);
    let started_at = SystemTime::now();
    let clock = Instant::now();
    let authenticated = connected.target.token.is_some();
    let recording = start_recording(
        &session,
        &work,
        &target_info,
        authenticated,
        started_at,
        secrets,
    )?;
    connected.client = with_recording(connected.client, recording.as_ref());
    let reference = connected.reference.take();
    let cancel = connected.cancel.clone();
    let (torn, outcome, fuzzing) = perform(&session, work, connected, &runtime, listing, secrets)?;
    if let Some(cloud) = &setup.cloud {
        // Every token issued during the run.
        for token in cloud.issued() {
            secrets.include(&token);
        }
        target_info.identity = cloud.identity();
    }
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
    let report = assemble(
        &session,
        Timing {
            info: target_info,
            started_at,
            clock,
        },
        collected.results,
        torn.as_ref().map(|t| t.report.clone()),
        cancel.cause(),
    );
    let recorded = recording::finish(recording, &report, cancel.cause());
    if let Some(torn) = &torn {
        fixtures::print_teardown(&torn.report);
    }
    let verdict = publish(&session, report, secrets, written)?;
    if let Some(fuzzing) = fuzzing {
        save_regressions(
            &fuzzing.plan.regressions,
            &collected.extras.concat(),
            secrets,
            session.printing,
        )?;
    }
    say_recorded(recorded?, secrets, session.printing);
    Ok(Exit::worst(
        [super::exit_of(verdict)]
            .into_iter()
            .chain(torn.iter().flat_map(fixtures::TornDown::exits)),
    ))
}

/// What the work handed back, with what the fixtures left when there were some.
type Performed = (
    Option<fixtures::TornDown>,
    RunOutcome<Vec<Regression>>,
    Option<Fuzzing>,
);

/// The preflight (a setup mistake, or an unreachable target, stops the run here as one
/// run-wide error, never a finding: issue 10 item 10), then the fixtures around the
/// work, deleted after it whatever happened (an interruption included).
fn perform(
    session: &Session,
    work: Work,
    mut connected: Connected,
    runtime: &tokio::runtime::Runtime,
    listing: bool,
    secrets: &mut Secrets,
) -> Result<Performed, Error> {
    let stopped = if listing || !work.selects_any() {
        None
    } else {
        runtime
            .block_on(runner::preflight(&connected.client, &connected.target))
            .err()
    };
    if let Some(stopped) = stopped {
        let collected = Collected {
            results: vec![*stopped],
            extras: Vec::new(),
        };
        return Ok((None, RunOutcome::Ran(collected), None));
    }
    let fixtures = fixtures::set_up(
        runtime,
        &connected.client,
        &mut connected.target,
        &work.fixtures(),
        session.limits,
        &session.tls,
    )?;
    include_other_token(&mut connected.target, secrets);
    let (outcome, fuzzing) = execute(session, work, connected.client, connected.target, runtime);
    let torn = fixtures.map(|fixtures| fixtures.tear_down(runtime));
    for secret in torn.iter().flat_map(|t| t.secrets.iter()) {
        secrets.include(secret);
    }
    Ok((torn, outcome, fuzzing))
}

/// The other cloud's token (`--other-cloud`) is sent too: scrubbed like the run's.
fn include_other_token(target: &mut Target, secrets: &mut Secrets) {
    if let Some(other) = target.setup.as_ref().and_then(|s| s.other_token.clone()) {
        secrets.include(&other);
        target.secrets = secrets.clone();
    }
}

/// What the report says of the target and when the run ran.
struct Timing {
    info: crate::report::model::TargetInfo,
    started_at: SystemTime,
    clock: Instant,
}

/// The run's report from its case results, with what the fixtures left and, after a
/// signal, the verdict `interrupted` first.
fn assemble(
    session: &Session,
    timing: Timing,
    results: Vec<crate::model::CaseResult>,
    fixtures: Option<crate::report::model::FixturesReport>,
    interrupted_by: Option<&str>,
) -> RunReport {
    let report = build::build(
        build::Context {
            contract: &session.contract,
            profile: session.profile,
            target: timing.info,
            cases_source: session.report.cases_source.clone(),
            started_at: rfc3339(timing.started_at),
            finished_at: rfc3339(SystemTime::now()),
            duration_ms: u64::try_from(timing.clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            gate: session.report.gate,
            waivers: session.report.waivers.as_ref(),
        },
        results,
    );
    let report = RunReport { fixtures, ..report };
    match interrupted_by {
        Some(cause) => {
            let why = runner::interruption(cause, &report.cases);
            build::interrupted(report, why)
        }
        None => report,
    }
}

/// Starts the embedded target, or connects to the cloud (issued tokens join `secrets`),
/// and builds the client; warns when certificates are not verified.
fn connect(
    session: &Session,
    setup: &mut Setup,
    runtime: &tokio::runtime::Runtime,
    listing: bool,
    secrets: &mut Secrets,
) -> Result<Connected, Error> {
    let cancel = Cancel::new();
    if !listing {
        interrupt::listen(runtime, cancel.clone());
    }
    let tls = std::mem::take(&mut setup.tls);
    let tls_insecure = tls.insecure();
    let client = http::Client::new(session.limits, tls)?.with_cancel(cancel.clone());
    let (mut target, reference) = match setup.cloud.as_mut() {
        Some(cloud) => (cloud.connect(runtime, &client)?, None),
        None => start_target(runtime, &session.target, listing, secrets)?,
    };
    for token in setup.cloud.iter().flat_map(CloudRun::issued) {
        secrets.include(&token);
    }
    target.secrets = secrets.clone();
    // Certificates are only verified, or not, over https.
    let insecure = tls_insecure && target.base.scheme() == "https";
    if tls_insecure && !listing {
        let source = setup
            .cloud
            .as_ref()
            .and_then(|c| c.insecure_source(&session.tls));
        if insecure {
            console::err(&insecure_warning(source.as_deref()));
        } else {
            console::err(&format!(
                "note: {} has no effect: {} is plain http, there is no certificate to verify",
                source.as_deref().unwrap_or("--insecure"),
                http::without_userinfo(&target.base).trim_end_matches('/')
            ));
        }
    }
    Ok(Connected {
        target,
        reference,
        client,
        cancel,
        insecure,
    })
}

/// Prints the summary and writes the reports, all scrubbed and checked first (fails
/// closed: a report that scrubbing breaks, or text that still holds a secret, is
/// neither printed nor written); the names written go to `written`. The verdict.
fn publish(
    session: &Session,
    report: crate::report::RunReport,
    secrets: &Secrets,
    written: &mut Vec<String>,
) -> Result<Verdict, Error> {
    let report = secrets.redact(report, "report").map_err(Error::Secret)?;
    let printing = session.printing;
    deliver::show(&report, secrets, printing)?;
    deliver::write(
        &session.report.dir,
        &report,
        &session.report.formats,
        secrets,
        printing,
        written,
    )?;
    Ok(report.verdict)
}

/// Starts `exchanges.ndjson` with the run's header line, unless listing or `--no-record`.
fn start_recording(
    session: &Session,
    work: &Work,
    target_info: &crate::report::model::TargetInfo,
    authenticated: bool,
    started_at: SystemTime,
    secrets: &Secrets,
) -> Result<Option<Arc<Recording>>, Error> {
    if work.listing() {
        return Ok(None);
    }
    recording::start(
        session,
        work,
        target_info,
        authenticated,
        &rfc3339(started_at),
        secrets,
    )
}

/// `client`, recording what it is handed when there is a recording.
fn with_recording(client: http::Client, recording: Option<&Arc<Recording>>) -> http::Client {
    match recording {
        Some(recording) => client.with_recorder(Arc::clone(recording) as Arc<dyn http::Recorder>),
        None => client,
    }
}

/// Says where the exchanges were recorded, once the reports are written.
fn say_recorded(recorded: Option<RecordSummary>, secrets: &Secrets, printing: Printing) {
    if let Some(summary) = recorded {
        printing.say(&format!(
            "exchanges: {} ({} exchange(s); replay with sdconform recheck)",
            secrets.scrub_str(&summary.path.display().to_string()),
            summary.lines
        ));
    }
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
            fixtures: _,
        } => {
            let printing = session.printing;
            let reporter = baseline_case(&cases, &selection);
            let extra = extra_trials(
                session,
                fuzzing.as_ref(),
                &selection,
                reporter,
                (&client, &target),
                runtime,
            );
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

/// The trials besides the cases: the fuzz phase (unless `--fuzz-cases 0`) and, against a
/// cloud, the check that an expired token is refused (issue 11).
fn extra_trials(
    session: &Session,
    fuzzing: Option<&Fuzzing>,
    selection: &Selection,
    baseline: Option<String>,
    (client, target): (&http::Client, &Target),
    runtime: &tokio::runtime::Runtime,
) -> Vec<runner::ExtraTrial<Vec<Regression>>> {
    let printing = session.printing;
    let mut extra: Vec<_> = fuzzing
        .iter()
        .map(|fuzzing| {
            let settings = fuzz::Settings {
                baseline_case: baseline.clone(),
                ..fuzzing.settings(
                    session.profile,
                    session.clock_skew,
                    token_source(&session.target),
                )
            };
            if selects(selection, fuzz::CASE_ID) && !selection.list {
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
    if matches!(session.target, TargetChoice::Cloud { .. }) {
        // Issue 11: a token the identity service issued is refused once expired.
        extra.push(runner::expiry::trial(
            client.clone(),
            target.clone(),
            runtime.handle().clone(),
        ));
    }
    extra
}

/// Where the run's token came from (what the fuzz repro commands name).
fn token_source(choice: &TargetChoice) -> TokenSource {
    choice
        .token()
        .map_or(TokenSource::Flag, |token| token.source.clone())
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
                // A case over data the harness creates runs only with fixtures.
                && case.captures.is_empty()
                && selects(selection, &case.id)
        })
        .map(|case| case.id.clone())
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
        let secrets = secrets_of(&remote("http://admin:hunter22@h/", "tok-5ecret"), None)
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
            let Err(error) = secrets_of(&choice, None) else {
                panic!("{named}: accepted");
            };
            assert_eq!(error.exit(), Exit::Usage);
            assert!(crate::error::chain(&error).contains(named), "{error:?}");
        }
    }
}
