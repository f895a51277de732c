//! `run --fixtures create` around the suite, and `sdconform cleanup`:
//!
//! ```text
//! set_up:    (--other-cloud: resolve, authenticate) → create in each project → Setup
//!            (on a failure: delete what was made, then exit 6)
//! the suite  (cases capture from the fixtures document; isolation cases send the other token)
//! tear_down: delete everything, whatever the suite's result, within its own deadline
//!            → report.json "fixtures", leftovers on stderr (exit 6)
//! ```
//!
//! Deletion uses a client of its own (a fresh run deadline, no cancellation), so a run
//! that timed out or was interrupted still cleans up. [`ActiveFixtures::tear_down_now`] is
//! what an interruption calls: [`ActiveFixtures::guard_signals`] calls it on the first
//! SIGINT or SIGTERM, at once, because CI kills a cancelled job seconds later (see its
//! doc for how it fits with the signal handling of issue 10).

use std::sync::Arc;

use crate::cli::CleanupArgs;
use crate::cloud::{self, Request, Sources};
use crate::config::{CleanupConfig, FixtureChoice};
use crate::error::Error;
use crate::exit::Exit;
use crate::fixture::{
    self, Kind, Ledger, Leftover, Mode, Plan, Project, Setup, TEARDOWN_DEADLINE, Teardown, Tokens,
};
use crate::http::tls::{Tls, TlsOptions};
use crate::http::{self, Client, Limits, Secret};
use crate::report::model::{FixturesReport, LeftoverEntry};
use crate::runner::Target;

/// Fixtures that exist on the target: what deletion needs.
pub(super) struct ActiveFixtures {
    run_id: String,
    /// The target's project first, then the other cloud's.
    ledgers: Vec<Ledger>,
    /// For deletion's own client.
    limits: Limits,
    tls: TlsOptions,
    /// The run's client, if deletion's own cannot be built.
    fallback: Client,
    /// The signal and what its deletion did, once one came; held by whichever deletion
    /// runs, so that the other waits for it and then sees its result.
    interrupted: Arc<tokio::sync::Mutex<Option<(&'static str, TornDown)>>>,
}

/// What deletion left: for the report, the console and the exit code.
#[derive(Debug, Clone)]
pub(super) struct TornDown {
    /// `report.json`'s `fixtures`.
    pub report: FixturesReport,
    /// Every token sent while creating and deleting (for the redaction set).
    pub secrets: Vec<Secret>,
    /// The signal that interrupted the run, if one did.
    pub interrupted: Option<&'static str>,
}

impl TornDown {
    /// The exit codes it adds: [`Exit::Fixtures`] when something could not be deleted,
    /// [`Exit::Interrupted`] after a signal.
    pub fn exits(&self) -> Vec<Exit> {
        let leftovers = (!self.report.leftovers.is_empty()).then_some(Exit::Fixtures);
        let interrupted = self.interrupted.map(|_| Exit::Interrupted);
        leftovers.into_iter().chain(interrupted).collect()
    }
}

/// Creates the fixtures `choice` asks for (nothing for `--fixtures existing`) and sets
/// them on `target`. On a failure, what was created is deleted before the error returns.
pub(super) fn set_up(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    target: &mut Target,
    choice: &FixtureChoice,
    limits: Limits,
    tls: &TlsOptions,
) -> Result<Option<ActiveFixtures>, Error> {
    if choice.mode != Mode::Create {
        return Ok(None);
    }
    let run_id = fixture::new_run_id();
    let first = Project {
        base: target.base.clone(),
        project_id: target.project_id.clone(),
        tokens: match &target.tokens {
            Some(source) => Tokens::Renewing(source.clone()),
            None => Tokens::Fixed(target.token.clone()),
        },
    };
    let mut projects = vec![first];
    if let Some(name) = &choice.other_cloud {
        projects.push(other_project(runtime, client, target, name)?);
    }
    let active = ActiveFixtures {
        run_id: run_id.clone(),
        ledgers: projects.into_iter().map(Ledger::new).collect(),
        limits,
        tls: tls.clone(),
        fallback: client.clone(),
        interrupted: Arc::default(),
    };
    let mut created = Vec::new();
    for ledger in &active.ledgers {
        let plan = Plan::new(&run_id);
        let result = runtime.block_on(fixture::create(client, ledger, &plan));
        if let Err(source) = result {
            let torn = active.tear_down(runtime);
            print_teardown(&torn.report);
            return Err(Error::Fixtures {
                what: format!(
                    "create the fixtures of run {run_id} in project {}",
                    ledger.project().project_id
                ),
                source: Box::new(source),
            });
        }
        created.push(runtime.block_on(ledger.created()));
    }
    let other = match (created.get(1), active.ledgers.get(1)) {
        (Some(other), Some(ledger)) => {
            let token = runtime
                .block_on(ledger.project().tokens.auth())
                .ok()
                .and_then(|auth| match auth {
                    http::Auth::Token(token) => Some(token),
                    http::Auth::None => None,
                });
            token.map(|token| (other, token))
        }
        _ => None,
    };
    let Some(first) = created.first() else {
        return Ok(Some(active));
    };
    let setup = Setup::new(&run_id, first, other);
    crate::console::out(&format!(
        "fixtures: run {run_id}: created {} object(s) (1 software config, {} deployments over {} fresh server ids) in {} project(s); they are deleted after the run",
        created.iter().map(fixture::Created::count).sum::<usize>(),
        first.deployments.len(),
        first.servers.len(),
        created.len()
    ));
    target.setup = Some(Arc::new(setup));
    Ok(Some(active))
}

/// The other cloud's project: `name` resolved from clouds.yaml alone (the `OS_*`
/// variables describe the target's cloud, not this one), authenticated, and aimed at
/// the target's base URL (isolation is a property of one service).
fn other_project(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    target: &Target,
    name: &str,
) -> Result<Project, Error> {
    let sources = files_only(Sources::from_process());
    let request = Request {
        cloud: Some(name.to_owned()),
        ..Request::default()
    };
    let config = cloud::resolve(&request, &sources).map_err(|source| Error::OtherCloud {
        name: name.to_owned(),
        source: Box::new(source),
    })?;
    let connection = runtime
        .block_on(cloud::connect(client, &config, Some(target.base.as_str())))
        .map_err(|source| Error::OtherIdentity {
            name: name.to_owned(),
            source: Box::new(source),
        })?;
    if connection.project_id == target.project_id {
        return Err(Error::Usage(format!(
            "--other-cloud {name} is scoped to the target's own project {}: tenant isolation needs a credential in another project",
            connection.project_id
        )));
    }
    Ok(Project {
        base: target.base.clone(),
        project_id: connection.project_id,
        tokens: Tokens::Renewing(connection.tokens),
    })
}

/// `sources` without the `OS_*` settings: only what selects the files
/// (`OS_CLIENT_CONFIG_FILE`, `OS_CLIENT_SECURE_FILE`) and the directories stay.
fn files_only(sources: Sources) -> Sources {
    let keep = ["OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE"];
    let vars = ["XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "SNAP_REAL_HOME"]
        .iter()
        .chain(keep.iter())
        .filter_map(|name| Some(((*name).to_owned(), sources.var(name)?.to_owned())))
        .collect::<Vec<_>>();
    Sources::new(sources.cwd.clone(), sources.home.clone(), vars)
}

impl ActiveFixtures {
    /// Deletes everything created, in every project, with a client of its own and
    /// [`TEARDOWN_DEADLINE`]; with what an interruption deleted before, if one came.
    pub(super) fn tear_down(&self, runtime: &tokio::runtime::Runtime) -> TornDown {
        let (now, earlier) = runtime.block_on(async {
            let mut interrupted = self.interrupted.lock().await;
            (self.tear_down_now().await, interrupted.take())
        });
        match earlier {
            None => now,
            Some((cause, earlier)) => TornDown {
                report: FixturesReport {
                    deleted: earlier.report.deleted + now.report.deleted,
                    leftovers: earlier
                        .report
                        .leftovers
                        .into_iter()
                        .chain(now.report.leftovers)
                        .collect(),
                    ..now.report
                },
                secrets: now.secrets,
                interrupted: Some(cause),
            },
        }
    }

    /// [`ActiveFixtures::tear_down`], for a caller already on the runtime (the
    /// interruption path).
    pub(super) async fn tear_down_now(&self) -> TornDown {
        let client = self.teardown_client();
        let mut created = 0;
        let mut result = Teardown::default();
        for ledger in &self.ledgers {
            created += ledger.created().await.count();
            let done = fixture::teardown(&client, ledger, TEARDOWN_DEADLINE).await;
            result = result.merge(done);
        }
        TornDown {
            report: FixturesReport {
                run_id: self.run_id.clone(),
                created,
                deleted: result.deleted,
                leftovers: result.leftovers.into_iter().map(entry).collect(),
            },
            secrets: self
                .ledgers
                .iter()
                .flat_map(|l| l.project().tokens.secrets())
                .collect(),
            interrupted: None,
        }
    }

    /// A client whose run deadline starts now: deletion gets its own time, however long
    /// the run took.
    fn teardown_client(&self) -> Client {
        let limits = Limits {
            run_timeout: TEARDOWN_DEADLINE + std::time::Duration::from_secs(5),
            ..self.limits
        };
        Tls::load(&self.tls)
            .ok()
            .and_then(|tls| Client::new(limits, tls).ok())
            .unwrap_or_else(|| self.fallback.clone())
    }
}

/// A leftover as `report.json` lists it.
fn entry(leftover: Leftover) -> LeftoverEntry {
    LeftoverEntry {
        kind: leftover.kind.as_str().to_owned(),
        id: leftover.id,
        project_id: leftover.project_id,
        reason: leftover.reason,
    }
}

/// What deletion did: one line on stdout, and each leftover on stderr.
pub(super) fn print_teardown(report: &FixturesReport) {
    crate::console::out(&format!(
        "fixtures: run {}: deleted {} of {} object(s)",
        report.run_id, report.deleted, report.created
    ));
    print_leftovers(&report.leftovers, Some(&report.run_id));
}

fn print_leftovers(leftovers: &[LeftoverEntry], run_id: Option<&str>) {
    if leftovers.is_empty() {
        return;
    }
    let again = run_id.map_or_else(
        || "sdconform cleanup".to_owned(),
        |id| format!("sdconform cleanup --run-id {id}"),
    );
    crate::console::err(&format!(
        "error: {} fixture object(s) could not be deleted ({again} tries again):",
        leftovers.len()
    ));
    for leftover in leftovers {
        crate::console::err(&format!(
            "  {} {} in project {}: {}",
            leftover.kind,
            crate::model::text::inert(&leftover.id),
            leftover.project_id,
            crate::model::text::inert(&leftover.reason)
        ));
    }
}

/// `sdconform cleanup`: finds what runs left behind in the target's project (by their
/// mark; one run's with `--run-id`) and deletes it. Exit 0 when nothing is left, 6 when
/// something could not be deleted or the leftovers could not be listed.
pub(super) fn cleanup(args: &CleanupArgs) -> Result<Exit, Error> {
    let config = CleanupConfig::from_args(args, args.common.token_with_fallback())?;
    let runtime = super::runtime()?;
    // The output names no secret but the leftovers' ids; errors are scrubbed of the token.
    let mut secrets = crate::secret::Secrets::new();
    if let Some(token) = config.target.token() {
        secrets
            .add("the token", &token.secret)
            .map_err(Error::Secret)?;
    }
    let (target, reference) = super::start_target(&runtime, &config.target, false, &secrets)?;
    let client = Client::new(config.limits, Tls::load(&config.tls)?)?;
    let project = Project {
        base: target.base.clone(),
        project_id: target.project_id.clone(),
        tokens: Tokens::Fixed(target.token.clone()),
    };
    let run_id = config.run_id.as_deref();
    let found = runtime
        .block_on(fixture::find_marked(&client, &project, run_id))
        .map_err(|source| Error::Fixtures {
            what: format!("list the leftovers in project {}", project.project_id),
            source: Box::new(source),
        })?;
    let deployments = found.iter().filter(|(k, _)| *k == Kind::Deployment).count();
    crate::console::out(&format!(
        "cleanup: {} deployment(s) and {} config(s) marked by {} in project {}",
        deployments,
        found.len() - deployments,
        run_id.map_or_else(|| "any run".to_owned(), |id| format!("run {id}")),
        project.project_id
    ));
    let done = runtime.block_on(fixture::delete_objects(
        &client,
        &project,
        found,
        TEARDOWN_DEADLINE * 3,
    ));
    if let Some(running) = reference {
        runtime.block_on(running.shutdown());
    }
    crate::console::out(&format!("cleanup: deleted {}", done.deleted));
    let leftovers: Vec<LeftoverEntry> = done.leftovers.into_iter().map(entry).collect();
    print_leftovers(&leftovers, run_id);
    Ok(if leftovers.is_empty() {
        Exit::Conformant
    } else {
        Exit::Fixtures
    })
}
