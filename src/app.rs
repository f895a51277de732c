//! The commands, end to end: the only place (with `main`) that prints or
//! chooses the exit code.
//!
//! The last step of the flow: `cli → config → app`. Each command validates its
//! configuration and reads its own inputs; `run` and `fuzz` then hand over to the
//! one chain they share (`session`): target, client, trials, report, exit code.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use crate::case::load::{Loader, check_suite};
use crate::cli::{Cli, Command, CompareArgs, FuzzArgs, RunArgs, ServeArgs};
use crate::config::{FuzzConfig, RunConfig, TargetChoice};
use crate::contract::Contract;
use crate::error::Error;
use crate::exit::Exit;
use crate::fuzz;
use crate::http::Secret;
use crate::reference::{self, Fault, ReferenceConfig, RunningReference};
use crate::report::model::{RunReport, TargetInfo};
use crate::report::{self, summary};
use crate::runner::Target;

mod session;

use session::{Fuzzing, ReportPlan, Session, Work};

/// What the report says of the target (never the token).
fn target_info(target: &Target, insecure: bool) -> TargetInfo {
    TargetInfo {
        url: target.base.as_str().trim_end_matches('/').to_owned(),
        project_id: target.project_id.clone(),
        embedded: target.embedded,
        insecure,
    }
}

/// Printed on stderr whenever `--insecure` is in force.
const INSECURE_WARNING: &str = "warning: --insecure: TLS certificates are not verified; anyone between here and the target can read the token and forge its answers (marked in report.json)";

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit, Error> {
    match cli.command {
        Command::Run(args) => run_suite(&args),
        Command::Fuzz(args) => fuzz_only(&args),
        Command::Serve(args) => serve(&args),
        Command::Compare(args) => compare(&args),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

fn run_suite(args: &RunArgs) -> Result<Exit, Error> {
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
            report: ReportPlan {
                dir: config.report_dir,
                formats: config.formats,
                gate: config.gate,
                waivers,
                cases_source,
            },
        },
        Work::Suite {
            cases,
            selection: config.selection,
            fuzzing,
        },
    )
}

/// The target a command sends to: the embedded reference (started here, on 127.0.0.1:0) or
/// the one given; `quiet` leaves out the no-token warning (`--list`).
fn start_target(
    runtime: &tokio::runtime::Runtime,
    choice: &TargetChoice,
    quiet: bool,
) -> Result<(Target, Option<RunningReference>), Error> {
    Ok(match choice {
        TargetChoice::Embedded { project_id, token } => {
            let running = runtime
                .block_on(reference::start(
                    ReferenceConfig {
                        project_id: project_id.clone(),
                        token: token.expose().to_owned(),
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
                token: Some(token.clone()),
                embedded: true,
            };
            (target, Some(running))
        }
        TargetChoice::Remote {
            url,
            project_id,
            token,
        } => {
            if token.is_none() && !quiet {
                eprintln!(
                    "warning: no token (--token, SDCONFORM_TOKEN or OS_AUTH_TOKEN): requests are sent without X-Auth-Token"
                );
            }
            let target = Target {
                base: url.clone(),
                project_id: project_id.clone(),
                token: token.clone(),
                embedded: false,
            };
            (target, None)
        }
    })
}

/// `sdconform fuzz`: the fuzz phase alone, into `report.json`.
fn fuzz_only(args: &FuzzArgs) -> Result<Exit, Error> {
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
        },
        Work::Fuzz(fuzzing),
    )
}

fn fuzz_settings(
    plan: &crate::config::FuzzPlan,
    seed: u64,
    profile: crate::contract::Profile,
    regressions: &[fuzz::Regression],
) -> fuzz::Settings {
    fuzz::Settings {
        concurrency: plan.concurrency,
        time_limit: plan.time_limit,
        profile,
        regressions: regressions.to_vec(),
        regressions_file: Some(plan.regressions.display().to_string()),
        ..fuzz::Settings::new(plan.cases, seed)
    }
}

/// Adds `new` to the regressions file at `path` (which held `existing`), if it has any entry
/// the file lacks; prints what it did.
fn save_regressions(
    path: &std::path::Path,
    existing: Vec<fuzz::Regression>,
    new: &[fuzz::Regression],
) -> Result<(), Error> {
    let (all, added) = fuzz::regression::merge(existing, new);
    if added == 0 {
        return Ok(());
    }
    let text = fuzz::regression::render(all).map_err(report::json::WriteError::Serialize)?;
    report::write::write_file(path, &text)?;
    println!(
        "regressions: {added} new minimal failure(s) added to {} (replayed first by every fuzz run)",
        path.display()
    );
    Ok(())
}

/// The fuzz phase in a few lines after the summary: the seed, the rate, and for each fuzz
/// finding its minimal input and the command that reproduces it.
fn print_fuzz(report: &RunReport) {
    let Some(case) = report.cases.iter().find(|c| c.id == fuzz::CASE_ID) else {
        return;
    };
    let Some(run) = &case.fuzz else {
        return;
    };
    println!(
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
        println!(
            "fuzz: {} regression(s) replayed, {} still failing",
            run.regressions.replayed, run.regressions.still_failing
        );
    }
    for finding in &case.findings {
        let Some(evidence) = &finding.fuzz else {
            continue;
        };
        println!(
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
        println!("    repro: {}", summary::inert(&evidence.repro));
    }
}

/// A progress bar on stderr when it is a terminal and not CI; colourless under `NO_COLOR`.
fn progress_bar() -> Arc<dyn fuzz::Progress> {
    use std::io::IsTerminal;
    let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if !interactive {
        return Arc::new(fuzz::Silent);
    }
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
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
            println!("compare: {}", written.display());
        }
        None => print!("{text}"),
    }
    Ok(Exit::Conformant)
}

fn serve(args: &ServeArgs) -> Result<Exit, Error> {
    if args.list_faults {
        println!(
            "{:<40} {:<12} {:<8} description",
            "fault", "clause", "severity"
        );
        for fault in Fault::ALL {
            let (clause, severity) = fault
                .breaks()
                .map_or(("-", "-"), |b| (b.clause, b.severity.as_str()));
            println!(
                "{:<40} {clause:<12} {severity:<8} {}",
                fault.name(),
                fault.description()
            );
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
    let runtime = runtime()?;
    runtime.block_on(async move {
        let running = reference::start(config, SocketAddr::new(args.host, args.port))
            .await
            .map_err(Error::Reference)?;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "sdconform reference target listening");
        let _ = writeln!(out, "url: {}", running.url());
        let _ = writeln!(out, "project_id: {project_id}");
        // The reference target's own token, printed so a user can point a client at it.
        let _ = writeln!(out, "token: {}", token.expose());
        let _ = writeln!(out, "fault: {}", fault.map_or("none", Fault::name));
        let _ = writeln!(
            out,
            "try: sdconform run --target {} --project-id {project_id} --token {}",
            running.url(),
            token.expose()
        );
        let _ = out.flush();
        drop(out);
        let _ = tokio::signal::ctrl_c().await;
        running.shutdown().await;
        Ok(Exit::Conformant)
    })
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}
