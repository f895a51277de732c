//! The commands, end to end: the only place (with `main`) that prints or
//! chooses the exit code.
//!
//! The last step of the flow: `cli → config → app`. Each command validates its
//! configuration and reads its own inputs; `run` and `fuzz` then hand over to the
//! one chain they share (`session`): target, client, trials, report, exit code.
//! Everything printed goes through `console`, so a closed or full stdout never
//! stops a command before its reports are written; SIGINT and SIGTERM stop a run
//! cleanly (`interrupt`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use crate::case::load::{Loader, check_suite};
use crate::cli::{Cli, Color, Command, CompareArgs, FuzzArgs, RunArgs, ServeArgs};
use crate::config::{FuzzConfig, RunConfig, TargetChoice};
use crate::console;
use crate::contract::Contract;
use crate::error::Error;
use crate::exit::Exit;
use crate::fuzz;
use crate::http::Secret;
use crate::reference::{self, Fault, ReferenceConfig, RunningReference};
use crate::report::model::{RunReport, TargetInfo};
use crate::report::{self, summary};
use crate::runner::Target;
use crate::secret::{Secrets, TokenSource};

mod bundling;
mod cloud;
mod deliver;
mod fixtures;
mod interrupt;
mod passive;
mod recheck;
mod recording;
mod session;

use session::{Fuzzing, ReportPlan, Session, Work};

/// What the report says of the target (never the token, nor the URL's `user:password@`).
fn target_info(target: &Target, insecure: bool) -> TargetInfo {
    TargetInfo {
        url: crate::http::without_userinfo(&target.base)
            .trim_end_matches('/')
            .to_owned(),
        project_id: target.project_id.clone(),
        embedded: target.embedded,
        insecure,
        identity: None,
    }
}

/// Printed on stderr whenever `--insecure` is in force against an https target.
const INSECURE_WARNING: &str = "warning: --insecure: TLS certificates are not verified; anyone between here and the target can read the token and forge its answers (marked in report.json)";

/// How the console looks (`--color`, `-q`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Printing {
    /// `--color`.
    color: Color,
    /// `-q`: one character per trial, and of the summary only the verdict.
    quiet: bool,
}

impl Printing {
    /// Whether what goes to stdout is coloured: `auto` colours a terminal, unless `NO_COLOR`.
    fn stdout_color(self) -> bool {
        use std::io::IsTerminal;
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::io::stdout().is_terminal() && !no_color(),
        }
    }

    /// Whether the progress bar (drawn only on a terminal) is coloured.
    fn bar_color(self) -> bool {
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => !no_color(),
        }
    }

    /// Prints `text` on stdout unless `-q`.
    fn say(self, text: &str) {
        if !self.quiet {
            console::out(text);
        }
    }
}

/// `NO_COLOR` set to anything but the empty string.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// [`INSECURE_WARNING`], naming what turned verification off when it is not `--insecure`
/// (`verify: false` in clouds.yaml is as loud as the flag).
fn insecure_warning(source: Option<&str>) -> String {
    match source {
        None => INSECURE_WARNING.to_owned(),
        Some(source) => INSECURE_WARNING.replacen("--insecure", source, 1),
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit, Error> {
    let printing = Printing {
        color: cli.console.color,
        quiet: cli.console.quiet,
    };
    match cli.command {
        Command::Run(args) => run_suite(&args, printing),
        Command::Fuzz(args) => fuzz_only(&args, printing),
        Command::Serve(args) => serve(&args),
        Command::Compare(args) => compare(&args),
        Command::Doctor(args) => cloud::doctor(&args),
        Command::Cleanup(args) => fixtures::cleanup(&args),
        Command::Check(args) => passive::check(&args, printing),
        Command::Recheck(args) => recheck::recheck(&args, printing),
        Command::Bundle(args) => bundling::bundle(&args, printing),
        Command::Keygen(args) => bundling::keygen(&args),
        Command::Verify(args) => bundling::verify(&args, printing),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

fn run_suite(args: &RunArgs, printing: Printing) -> Result<Exit, Error> {
    let config = RunConfig::from_args(args, args.token_with_fallback())?;
    let contract = Arc::new(match &config.schemas_dir {
        Some(dir) => Contract::from_dir(dir)?,
        None => Contract::embedded()?,
    });
    let loader = Loader::new(contract.case_schema())?;
    let (cases, cases_source) = match &config.cases_dir {
        Some(dir) => (loader.load_dir(dir)?, dir.display().to_string()),
        None => (loader.load_embedded()?, "embedded".to_owned()),
    };
    check_suite(&cases, &contract.clause_ids(), &contract.schema_names())?;
    let waivers = match &config.waivers {
        Some(path) => {
            let case_ids = cases
                .iter()
                .map(|c| c.id.clone())
                .chain([fuzz::CASE_ID.to_owned()])
                .chain(
                    matches!(config.target, TargetChoice::Cloud { .. })
                        .then(|| crate::runner::expiry::CASE_ID.to_owned()),
                )
                .collect();
            Some(crate::waiver::load(
                path,
                &contract.clause_ids(),
                &case_ids,
            )?)
        }
        None => None,
    };
    let fuzzing = match config.fuzz.cases {
        0 => None,
        _ => Some(Fuzzing::load(config.fuzz)?),
    };
    session::orchestrate(
        Session {
            contract,
            target: config.target,
            tls: config.tls,
            limits: config.limits,
            profile: config.profile,
            clock_skew: config.clock_skew,
            printing,
            report: ReportPlan {
                dir: config.report_dir,
                formats: config.formats,
                gate: config.gate,
                waivers,
                cases_source,
            },
            record: config.record,
        },
        Work::Suite {
            cases,
            selection: config.selection,
            fuzzing,
            fixtures: config.fixtures,
        },
    )
}

/// The target a command sends to: the embedded reference (started here, on 127.0.0.1:0) or
/// the one given, with the run's `secrets`; `quiet` leaves out the no-token warning (`--list`).
fn start_target(
    runtime: &tokio::runtime::Runtime,
    choice: &TargetChoice,
    quiet: bool,
    secrets: &Secrets,
) -> Result<(Target, Option<RunningReference>), Error> {
    Ok(match choice {
        TargetChoice::Embedded { project_id, token } => {
            let running = runtime
                .block_on(reference::start(
                    ReferenceConfig {
                        project_id: project_id.clone(),
                        token: token.secret.expose().to_owned(),
                        fault: None,
                        fixture_size: None,
                    },
                    SocketAddr::from(([127, 0, 0, 1], 0)),
                ))
                .map_err(Error::Reference)?;
            let base =
                reqwest::Url::parse(running.url()).map_err(|e| Error::Usage(e.to_string()))?;
            let target = Target {
                base,
                project_id: project_id.clone(),
                token: Some(token.secret.clone()),
                embedded: true,
                secrets: secrets.clone(),
                tokens: None,
                setup: None,
            };
            (target, Some(running))
        }
        TargetChoice::Remote {
            url,
            project_id,
            token,
        } => {
            if token.is_none() && !quiet {
                console::err(
                    "warning: no token (--token, SDCONFORM_TOKEN or OS_AUTH_TOKEN): requests are sent without X-Auth-Token",
                );
            }
            let target = Target {
                base: url.clone(),
                project_id: project_id.clone(),
                token: token.as_ref().map(|t| t.secret.clone()),
                embedded: false,
                secrets: secrets.clone(),
                tokens: None,
                setup: None,
            };
            (target, None)
        }
        TargetChoice::Cloud { .. } => {
            return Err(Error::Usage(
                "a cloud is connected by app::cloud, not started".to_owned(),
            ));
        }
    })
}

/// `sdconform fuzz`: the fuzz phase alone, into `report.json`.
fn fuzz_only(args: &FuzzArgs, printing: Printing) -> Result<Exit, Error> {
    let config = FuzzConfig::from_args(args, args.common.token_with_fallback())?;
    let contract = Arc::new(Contract::embedded()?);
    let fuzzing = Fuzzing::load(config.plan)?;
    session::orchestrate(
        Session {
            contract,
            target: config.target,
            tls: config.tls,
            limits: config.limits,
            profile: config.profile,
            clock_skew: config.clock_skew,
            printing,
            report: ReportPlan {
                dir: config.report_dir,
                formats: report::write::Format::ALL.to_vec(),
                gate: crate::report::model::Gate {
                    allow_empty: config.allow_empty,
                    ..crate::report::model::Gate::default()
                },
                waivers: None,
                cases_source: "none (sdconform fuzz)".to_owned(),
            },
            record: config.record,
        },
        Work::Fuzz(fuzzing),
    )
}

fn fuzz_settings(
    plan: &crate::config::FuzzPlan,
    seed: u64,
    profile: crate::contract::Profile,
    regressions: &[fuzz::Regression],
    token_source: TokenSource,
) -> fuzz::Settings {
    fuzz::Settings {
        concurrency: plan.concurrency,
        time_limit: plan.time_limit,
        profile,
        regressions: regressions.to_vec(),
        regressions_file: Some(plan.regressions.display().to_string()),
        token_source,
        ..fuzz::Settings::new(plan.cases, seed)
    }
}

/// Adds `new` to the regressions file at `path` by locked, atomic merge (another run may
/// be adding to it too), scrubbed of `secrets`; prints what it did.
fn save_regressions(
    path: &std::path::Path,
    new: &[fuzz::Regression],
    secrets: &Secrets,
    printing: Printing,
) -> Result<(), Error> {
    let added = report::regressions::save(path, new, secrets).map_err(Error::SaveRegressions)?;
    if added > 0 {
        printing.say(&format!(
            "regressions: {added} new minimal failure(s) added to {} (replayed first by every fuzz run)",
            secrets.scrub_str(&path.display().to_string())
        ));
    }
    Ok(())
}

/// The fuzz phase in a few lines after the summary: the seed, the rate, and for each fuzz
/// finding its minimal input and the command that reproduces it (empty without a fuzz phase).
fn fuzz_lines(report: &RunReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let Some(case) = report.cases.iter().find(|c| c.id == fuzz::CASE_ID) else {
        return out;
    };
    let Some(run) = &case.fuzz else {
        return out;
    };
    let _ = writeln!(
        out,
        "fuzz: seed {}, {} case(s), {} request(s) in {:.1} s ({} requests/s){}, {} finding(s)",
        run.seed,
        run.cases,
        run.requests,
        run.duration_ms as f64 / 1000.0,
        run.requests_per_second,
        if run.stopped_by_time_limit {
            ", stopped by --time-limit"
        } else {
            ""
        },
        case.findings.len()
    );
    if run.regressions.replayed > 0 {
        let _ = writeln!(
            out,
            "fuzz: {} regression(s) replayed, {} still failing",
            run.regressions.replayed, run.regressions.still_failing
        );
    }
    for finding in &case.findings {
        let Some(evidence) = &finding.fuzz else {
            continue;
        };
        let _ = writeln!(
            out,
            "  {} {} {}: server_id={:?} ({} char(s), {}, {} shrink step(s), {})",
            finding.clause,
            finding.severity.as_str(),
            evidence.property,
            summary::inert(&crate::check::truncate(&evidence.minimal_input, 60)),
            evidence.minimal_input.chars().count(),
            evidence.strategy,
            evidence.shrink_steps,
            evidence.origin
        );
        let _ = writeln!(out, "    repro: {}", summary::inert(&evidence.repro));
    }
    out
}

/// A progress bar on stderr when it is a terminal and not CI (nor `-q`); colourless under
/// `NO_COLOR` or `--color never`.
fn progress_bar(printing: Printing) -> Arc<dyn fuzz::Progress> {
    use std::io::IsTerminal;
    // An empty variable is unset (issue 10 item 8), `CI` as much as `NO_COLOR`.
    let interactive =
        std::io::stderr().is_terminal() && std::env::var_os("CI").is_none_or(|v| v.is_empty());
    if !interactive || printing.quiet {
        return Arc::new(fuzz::Silent);
    }
    let colour = printing.bar_color();
    let template = if colour {
        "fuzz {bar:30.cyan/blue} {pos}/{len} cases  {msg}  {elapsed}"
    } else {
        "fuzz {bar:30} {pos}/{len} cases  {msg}  {elapsed}"
    };
    let style = indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr())
            .with_style(style);
    Arc::new(Bar(bar))
}

/// [`fuzz::Progress`] as an indicatif bar.
struct Bar(indicatif::ProgressBar);

impl fuzz::Progress for Bar {
    fn start(&self, cases: u64) {
        self.0.set_length(cases);
        self.0.reset_elapsed();
    }

    fn advance(&self, done: u64, failing: u64) {
        self.0.set_position(done);
        let seconds = self.0.elapsed().as_secs_f64().max(0.001);
        self.0.set_message(format!(
            "{:.0} cases/s  {failing} failing",
            done as f64 / seconds
        ));
    }

    fn shrinking(&self, failures: usize) {
        if failures > 0 {
            self.0
                .set_message(format!("shrinking {failures} failure(s)"));
        }
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn compare(args: &CompareArgs) -> Result<Exit, Error> {
    use crate::report::compare::{self, CompareFormat};
    let contract = Contract::embedded()?;
    let validator = crate::contract::compile("report.schema.json", contract.report_schema())?;
    let mut inputs = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        let report = report::read::read(path, &validator).map_err(Error::ReadReport)?;
        inputs.push((path.display().to_string(), report));
    }
    let matrix = compare::matrix(&inputs);
    let text = match args.format {
        CompareFormat::Md => compare::render_md(&matrix),
        CompareFormat::Html => compare::render_html(&matrix),
    };
    match &args.output {
        Some(path) => {
            let written = report::write::write_file(path, &text)?;
            console::out(&format!("compare: {}", written.display()));
        }
        None => console::print(&text),
    }
    Ok(Exit::Conformant)
}

fn serve(args: &ServeArgs) -> Result<Exit, Error> {
    if args.list_faults {
        console::out(&format!(
            "{:<40} {:<12} {:<8} description",
            "fault", "clause", "severity"
        ));
        for fault in Fault::ALL {
            let (clause, severity) = fault
                .breaks()
                .map_or(("-", "-"), |b| (b.clause, b.severity.as_str()));
            console::out(&format!(
                "{:<40} {clause:<12} {severity:<8} {}",
                fault.name(),
                fault.description()
            ));
        }
        return Ok(Exit::Conformant);
    }
    let fault = match &args.fault {
        None => None,
        Some(name) => Some(Fault::from_name(name).ok_or_else(|| {
            Error::Usage(format!(
                "unknown fault {name:?} (see sdconform serve --list-faults)"
            ))
        })?),
    };
    let config = ReferenceConfig {
        project_id: args
            .project_id
            .clone()
            .unwrap_or_else(|| reference::DEFAULT_PROJECT_ID.to_owned()),
        token: args
            .token
            .clone()
            .unwrap_or_else(|| reference::DEFAULT_TOKEN.to_owned()),
        fault,
        fixture_size: args.fixture_size.and_then(|n| usize::try_from(n).ok()),
    };
    let token = Secret::new(config.token.clone());
    let project_id = config.project_id.clone();
    let identity = reference::IdentityConfig {
        token_lifetime: args.token_lifetime,
    };
    let runtime = runtime()?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(args.host, args.port);
        let running = reference::start_with(config, identity, addr)
            .await
            .map_err(|e| Error::Reference(bind_error(addr, e)))?;
        console::out("sdconform reference target listening");
        console::out(&format!("url: {}", running.url()));
        console::out(&format!("project_id: {project_id}"));
        // The reference target's own token, printed so a user can point a client at it.
        console::out(&format!("token: {}", token.expose()));
        console::out(&format!("fault: {}", fault.map_or("none", Fault::name)));
        console::out(&format!(
            "try: sdconform run --target {} --project-id {project_id} --token {}",
            running.url(),
            token.expose()
        ));
        if args.clouds_yaml {
            // Its identity service's test credentials, published on purpose: a clouds.yaml
            // that reaches it as a real cloud would be reached.
            console::out(
                "try: save the clouds.yaml below as ./clouds.yaml, then: sdconform run --os-cloud sdconform-reference",
            );
            console::out("---");
            console::out(running.clouds_yaml().trim_end());
        } else {
            console::out(
                "try: sdconform serve --clouds-yaml prints a clouds.yaml for this target's identity service (sdconform run --os-cloud)",
            );
        }
        let _ = tokio::signal::ctrl_c().await;
        running.shutdown().await;
        Ok(Exit::Conformant)
    })
}

/// The error of binding `addr`, naming it (and, when it is taken, what to do).
fn bind_error(addr: SocketAddr, error: std::io::Error) -> std::io::Error {
    let hint = match error.kind() {
        std::io::ErrorKind::AddrInUse => {
            "; another process listens there: choose another --port (0 picks a free one)"
        }
        _ => "",
    };
    std::io::Error::new(error.kind(), format!("listen on {addr}: {error}{hint}"))
}

/// The exit code of a report's verdict (the same for every command that makes a report).
fn exit_of(verdict: crate::report::model::Verdict) -> Exit {
    use crate::report::model::Verdict;
    match verdict {
        Verdict::Conformant => Exit::Conformant,
        Verdict::NonConformant => Exit::NonConformant,
        Verdict::Error => Exit::Incomplete,
        Verdict::Inconclusive => Exit::Inconclusive,
        Verdict::Interrupted => Exit::Interrupted,
    }
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}
