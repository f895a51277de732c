//! The commands, end to end: the only place (with `main`) that prints or
//! chooses the exit code.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::case::load::{Loader, check_suite};
use crate::cli::{Cli, Command, CompareArgs, RunArgs, ServeArgs};
use crate::config::{RunConfig, TargetChoice};
use crate::contract::Contract;
use crate::error::Error;
use crate::exit::Exit;
use crate::http::{self, Secret};
use crate::reference::{self, Fault, ReferenceConfig};
use crate::report::model::{TargetInfo, Verdict};
use crate::report::{self, build, redact, summary};
use crate::runner::{self, RunOutcome, Target};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit, Error> {
    match cli.command {
        Command::Run(args) => run_suite(&args),
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
            let case_ids = cases.iter().map(|c| c.id.clone()).collect();
            Some(crate::waiver::load(
                path,
                &contract.clause_ids(),
                &case_ids,
            )?)
        }
        None => None,
    };
    let tls = http::tls::Tls::load(&config.tls)?;
    if tls.insecure() && !config.selection.list {
        eprintln!(
            "warning: --insecure: TLS certificates are not verified; anyone between here and the target can read the token and forge its answers (marked in report.json)"
        );
    }

    let runtime = runtime()?;
    let (target, reference) = match &config.target {
        TargetChoice::Embedded { project_id, token } => {
            let running = runtime
                .block_on(reference::start(
                    ReferenceConfig {
                        project_id: project_id.clone(),
                        token: token.expose().to_owned(),
                        fault: None,
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
            if token.is_none() && !config.selection.list {
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
    };
    let secrets: Vec<String> = target.token.iter().flat_map(Secret::spellings).collect();
    let target_info = TargetInfo {
        url: target.base.as_str().trim_end_matches('/').to_owned(),
        project_id: target.project_id.clone(),
        embedded: target.embedded,
        insecure: tls.insecure(),
    };
    let client = http::Client::new(config.limits, tls)?;
    let started_at = SystemTime::now();
    let clock = Instant::now();
    let outcome = runner::run(
        Arc::clone(&contract),
        cases,
        client,
        target,
        config.profile,
        &config.selection,
        runtime.handle(),
    );
    if let Some(running) = reference {
        runtime.block_on(running.shutdown());
    }
    let results = match outcome {
        RunOutcome::Listed => return Ok(Exit::Conformant),
        RunOutcome::NoneSelected => {
            eprintln!("error: no case matches the filter (see --list)");
            return Ok(Exit::NoCaseSelected);
        }
        RunOutcome::Ran(results) => results,
    };
    let report = build::build(
        build::Context {
            contract: &contract,
            profile: config.profile,
            target: target_info,
            cases_source,
            started_at: rfc3339(started_at),
            finished_at: rfc3339(SystemTime::now()),
            duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            gate: config.gate,
            waivers: waivers.as_ref(),
        },
        results,
    );
    let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let report = redact::redact(report, &secret_refs);
    println!();
    println!("{}", summary::render(&report));
    for path in report::write::write_all(&config.report_dir, &report, &config.formats)? {
        println!("report: {}", path.display());
    }
    Ok(match report.verdict {
        Verdict::Conformant => Exit::Conformant,
        Verdict::NonConformant => Exit::NonConformant,
        Verdict::Error => Exit::Incomplete,
    })
}

fn compare(args: &CompareArgs) -> Result<Exit, Error> {
    use crate::report::compare::{self, CompareFormat};
    let contract = Contract::embedded()?;
    let validator = crate::contract::compile("report.schema.json", contract.report_schema())?;
    let mut inputs = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        let report = report::read::read(path, &validator)?;
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
