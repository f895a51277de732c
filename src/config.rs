//! Validated configuration: what `cli` parsed, checked and resolved, with no I/O.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{CleanupArgs, FuzzArgs, RecordArgs, RunArgs, TargetArgs};
use crate::contract::Profile;
use crate::error::Error;
use crate::http::tls::TlsOptions;
use crate::http::{Limits, Secret};
use crate::report::exchanges::RecordSettings;
use crate::runner::Selection;
use crate::secret::TokenSource;

/// The token a run sends, and where it came from (a reproduction command names
/// that place, never the value).
#[derive(Debug, Clone)]
pub struct Token {
    /// The value.
    pub secret: Secret,
    /// `--token`, an environment variable, or the embedded target's own.
    pub source: TokenSource,
}

/// Which target a run uses.
#[derive(Debug, Clone)]
pub enum TargetChoice {
    /// Start the embedded reference target in-process.
    Embedded {
        /// Project id it serves.
        project_id: String,
        /// Token it accepts and the run sends.
        token: Token,
    },
    /// An implementation somewhere else.
    Remote {
        /// Base URL.
        url: reqwest::Url,
        /// Project id for the path.
        project_id: String,
        /// Token to send, if any.
        token: Option<Token>,
    },
    /// A real cloud (`--os-cloud`): resolved from `clouds.yaml` and the `OS_*` variables,
    /// authenticated with its identity service, the endpoint from its catalog.
    Cloud {
        /// The cloud, region and interface the command line names.
        request: crate::cloud::Request,
        /// `--target`: overrides the catalog (as `orchestration_endpoint_override` does).
        target: Option<reqwest::Url>,
        /// A raw token (`--token`, `SDCONFORM_TOKEN`, `OS_AUTH_TOKEN`): it comes before the
        /// cloud's credentials, re-scoped to the cloud's project by its identity service.
        token: Option<Token>,
    },
}

impl TargetChoice {
    /// The token the run sends, if any, and where it came from.
    pub fn token(&self) -> Option<&Token> {
        match self {
            TargetChoice::Embedded { token, .. } => Some(token),
            TargetChoice::Remote { token, .. } | TargetChoice::Cloud { token, .. } => {
                token.as_ref()
            }
        }
    }
}

/// A validated `run`.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The target.
    pub target: TargetChoice,
    /// The profile.
    pub profile: Profile,
    /// `--clock-skew`: how much earlier than `creation_time` an `updated_time` may be
    /// before it is a MUST finding.
    pub clock_skew: Duration,
    /// Cases directory replacing the shipped cases.
    pub cases_dir: Option<PathBuf>,
    /// Schemas directory replacing the shipped schemas.
    pub schemas_dir: Option<PathBuf>,
    /// Report directory.
    pub report_dir: PathBuf,
    /// Client limits.
    pub limits: Limits,
    /// TLS files and `--insecure`.
    pub tls: TlsOptions,
    /// Which cases run.
    pub selection: Selection,
    /// Report formats besides `report.json` (always written).
    pub formats: Vec<crate::report::write::Format>,
    /// The `--waivers` file, if any.
    pub waivers: Option<PathBuf>,
    /// `--fail-on` and `--strict-waivers`.
    pub gate: crate::report::model::Gate,
    /// The fuzz phase (`--fuzz-cases`, `--seed`, `--regressions`).
    pub fuzz: FuzzPlan,
    /// `--fixtures` and `--other-cloud`.
    pub fixtures: FixtureChoice,
    /// `exchanges.ndjson`; `None` with `--no-record`.
    pub record: Option<RecordSettings>,
}

/// What data a run creates, and in which projects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixtureChoice {
    /// `--fixtures`.
    pub mode: crate::fixture::Mode,
    /// `--other-cloud NAME`: the cloud of `clouds.yaml` whose project gets fixtures of its own.
    pub other_cloud: Option<String>,
}

impl FixtureChoice {
    /// Validates `--fixtures` and `--other-cloud`.
    fn from_args(args: &RunArgs) -> Result<FixtureChoice, Error> {
        let other_cloud = match &args.other_cloud {
            Some(name) if name.trim().is_empty() => {
                return Err(Error::Usage("--other-cloud needs a cloud name".to_owned()));
            }
            Some(_) if args.fixtures != crate::fixture::Mode::Create => {
                return Err(Error::Usage(
                    "--other-cloud needs --fixtures create: each project gets fixtures of its own, so that the isolation checks are never vacuous".to_owned(),
                ));
            }
            other => other.clone(),
        };
        Ok(FixtureChoice {
            mode: args.fixtures,
            other_cloud,
        })
    }
}

/// A validated `cleanup`.
#[derive(Debug, Clone)]
pub struct CleanupConfig {
    /// The target.
    pub target: TargetChoice,
    /// Client limits.
    pub limits: Limits,
    /// TLS files and `--insecure`.
    pub tls: TlsOptions,
    /// `--run-id`: only this run's leftovers.
    pub run_id: Option<String>,
}

impl CleanupConfig {
    /// Validates `args`; `token` is the resolved token and where it came from.
    pub fn from_args(
        args: &CleanupArgs,
        token: Option<(String, TokenSource)>,
    ) -> Result<CleanupConfig, Error> {
        if let Some(run_id) = &args.run_id
            && !crate::fixture::is_run_id(run_id)
        {
            return Err(Error::Usage(format!(
                "--run-id {run_id:?} is not a run id (ASCII letters, digits and -, as run prints it)"
            )));
        }
        Ok(CleanupConfig {
            target: target_choice(&args.common, token)?,
            limits: limits(&args.common, Duration::from_secs(600))?,
            tls: tls_options(&args.common),
            run_id: args.run_id.clone(),
        })
    }
}

impl RunConfig {
    /// Validates `args`; `token` is the resolved token and where it came from.
    pub fn from_args(
        args: &RunArgs,
        token: Option<(String, TokenSource)>,
    ) -> Result<RunConfig, Error> {
        let usage = |m: String| Error::Usage(m);
        let limits = limits(&args.common, seconds("--run-timeout", args.run_timeout)?)?;
        if args.test_threads == Some(0) {
            return Err(usage("--test-threads must be at least 1".to_owned()));
        }
        let target = target_choice(&args.common, token)?;
        Ok(RunConfig {
            target,
            profile: args.common.profile,
            clock_skew: args.common.clock_skew,
            cases_dir: args.cases.clone(),
            schemas_dir: args.schemas.clone(),
            report_dir: args.common.report_dir.clone(),
            limits,
            tls: tls_options(&args.common),
            selection: Selection {
                filter: args.filter.clone(),
                skip: args.skip.clone(),
                exact: args.exact,
                list: args.list,
                test_threads: args.test_threads,
                output: crate::runner::TrialOutput::default(),
            },
            formats: args.report.clone(),
            waivers: args.waivers.clone(),
            gate: crate::report::model::Gate {
                fail_on: args.fail_on,
                strict_waivers: args.strict_waivers,
                allow_empty: args.common.allow_empty,
            },
            fuzz: FuzzPlan {
                cases: args.fuzz_cases,
                seed: args.fuzz.seed,
                concurrency: crate::fuzz::DEFAULT_CONCURRENCY,
                time_limit: None,
                regressions: regressions_file(&args.fuzz.regressions, &args.common.report_dir),
            },
            fixtures: FixtureChoice::from_args(args)?,
            record: record_settings(&args.record),
        })
    }
}

/// How much fuzzing a command does, and with what.
#[derive(Debug, Clone)]
pub struct FuzzPlan {
    /// Cases to generate (0: no fuzz phase in `run`; only the regressions in `fuzz`).
    pub cases: u64,
    /// `--seed`; a random seed when absent.
    pub seed: Option<u64>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// `--time-limit`.
    pub time_limit: Option<Duration>,
    /// The regressions file.
    pub regressions: PathBuf,
}

/// A validated `fuzz`.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    /// The target.
    pub target: TargetChoice,
    /// The profile 200 bodies are validated under.
    pub profile: Profile,
    /// `--clock-skew`.
    pub clock_skew: Duration,
    /// Report directory.
    pub report_dir: PathBuf,
    /// Client limits.
    pub limits: Limits,
    /// TLS files and `--insecure`.
    pub tls: TlsOptions,
    /// What to fuzz with.
    pub plan: FuzzPlan,
    /// `--allow-empty`: a campaign that validated no response item is conformant.
    pub allow_empty: bool,
    /// `exchanges.ndjson`; `None` with `--no-record`.
    pub record: Option<RecordSettings>,
}

/// Most requests in flight that `--concurrency` allows.
pub const MAX_CONCURRENCY: usize = 256;

impl FuzzConfig {
    /// Validates `args`; `token` is the resolved token and where it came from.
    pub fn from_args(
        args: &FuzzArgs,
        token: Option<(String, TokenSource)>,
    ) -> Result<FuzzConfig, Error> {
        if !(1..=MAX_CONCURRENCY).contains(&args.concurrency) {
            return Err(Error::Usage(format!(
                "--concurrency must be between 1 and {MAX_CONCURRENCY}, not {}",
                args.concurrency
            )));
        }
        let time_limit = args
            .time_limit
            .map(|secs| seconds("--time-limit", secs))
            .transpose()?;
        // Unless given, the command's deadline leaves room beyond the campaign's own limit.
        let run_timeout = match args.run_timeout {
            Some(secs) => seconds("--run-timeout", secs)?,
            None => time_limit.map_or(Duration::from_secs(86_400), |limit| {
                limit + Duration::from_secs(600)
            }),
        };
        Ok(FuzzConfig {
            target: target_choice(&args.common, token)?,
            profile: args.common.profile,
            clock_skew: args.common.clock_skew,
            report_dir: args.common.report_dir.clone(),
            limits: limits(&args.common, run_timeout)?,
            tls: tls_options(&args.common),
            plan: FuzzPlan {
                cases: args.cases,
                seed: args.seed.seed,
                concurrency: args.concurrency,
                time_limit,
                regressions: regressions_file(&args.seed.regressions, &args.common.report_dir),
            },
            allow_empty: args.common.allow_empty,
            record: record_settings(&args.record),
        })
    }
}

/// What `--no-record`, `--record-bytes` and `--redact-field` ask for.
fn record_settings(args: &RecordArgs) -> Option<RecordSettings> {
    (!args.no_record).then(|| RecordSettings {
        budget: args.record_bytes,
        redact_fields: args.redact_field.clone(),
    })
}

/// The regressions file: `--regressions`, else `fuzz-regressions.json` in the report
/// directory (state stays out of the working tree; CI keeps it with the reports).
fn regressions_file(given: &Option<PathBuf>, report_dir: &std::path::Path) -> PathBuf {
    given
        .clone()
        .unwrap_or_else(|| report_dir.join(crate::fuzz::regression::DEFAULT_FILE))
}

/// A validated `doctor`: the cloud to check, and how to reach it.
#[derive(Debug, Clone)]
pub struct DoctorConfig {
    /// The cloud, region and interface named (no `--os-cloud`: `OS_CLOUD`, the `OS_*`
    /// variables or the only cloud, as `--os-cloud` without a name).
    pub request: crate::cloud::Request,
    /// `--target`: overrides the catalog.
    pub target: Option<String>,
    /// A raw token, which comes before the cloud's credentials.
    pub token: Option<Secret>,
    /// TLS files and `--insecure` (over the cloud's).
    pub tls: TlsOptions,
    /// Client limits.
    pub limits: Limits,
}

impl DoctorConfig {
    /// Validates `args`; `token` is the resolved raw token (flag or environment).
    pub fn from_args(
        args: &crate::cli::DoctorArgs,
        token: Option<String>,
    ) -> Result<DoctorConfig, Error> {
        let common = &args.common;
        if common.project_id.is_some() {
            return Err(Error::Usage(PROJECT_FROM_TOKEN.to_owned()));
        }
        Ok(DoctorConfig {
            request: cloud_request(&common.cloud),
            target: common
                .target
                .as_deref()
                .map(target_url)
                .transpose()?
                .map(String::from),
            token: token.map(Secret::new),
            tls: tls_options(common),
            limits: limits(common, Duration::from_secs(600))?,
        })
    }
}

/// Why `--project-id` does not go with a cloud.
const PROJECT_FROM_TOKEN: &str = "--project-id cannot be used with --os-cloud: the project is the one the token is scoped to (project_id or project_name in clouds.yaml, OS_PROJECT_ID, OS_PROJECT_NAME)";

/// The cloud the command line names: `--os-cloud` without a name leaves it to `OS_CLOUD`.
fn cloud_request(args: &crate::cli::CloudArgs) -> crate::cloud::Request {
    crate::cloud::Request {
        cloud: args.os_cloud.clone().filter(|n| !n.is_empty()),
        region_name: args.region.clone(),
        interface: args.interface.clone(),
    }
}

/// The TLS options of `run` and `fuzz`.
fn tls_options(common: &TargetArgs) -> TlsOptions {
    TlsOptions {
        cacert: common.cacert.clone(),
        client_cert: common.client_cert.clone(),
        client_key: common.client_key.clone(),
        insecure: common.insecure,
    }
}

/// `value` seconds, if in (0, 86400].
fn seconds(name: &str, value: f64) -> Result<Duration, Error> {
    if value.is_finite() && value > 0.0 && value <= 86_400.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(Error::Usage(format!(
            "{name} must be a number of seconds in (0, 86400], not {value}"
        )))
    }
}

/// The client's limits from the shared options and the run's deadline.
fn limits(common: &TargetArgs, run_timeout: Duration) -> Result<Limits, Error> {
    if common.max_body_bytes == 0 {
        return Err(Error::Usage(
            "--max-body-bytes must be at least 1".to_owned(),
        ));
    }
    Ok(Limits {
        connect_timeout: seconds("--connect-timeout", common.connect_timeout)?,
        timeout: seconds("--timeout", common.timeout)?,
        run_timeout,
        max_body_bytes: common.max_body_bytes,
    })
}

/// The target from the shared options; `token` is the resolved token.
fn target_choice(
    common: &TargetArgs,
    token: Option<(String, TokenSource)>,
) -> Result<TargetChoice, Error> {
    let usage = |m: String| Error::Usage(m);
    let project_id = match &common.project_id {
        Some(p) if p.trim().is_empty() => {
            return Err(usage("--project-id must not be empty".to_owned()));
        }
        other => other.clone(),
    };
    let token = token.map(|(value, source)| Token {
        secret: Secret::new(value),
        source,
    });
    if common.cloud.os_cloud.is_some() {
        if project_id.is_some() {
            return Err(usage(PROJECT_FROM_TOKEN.to_owned()));
        }
        return Ok(TargetChoice::Cloud {
            request: cloud_request(&common.cloud),
            target: common.target.as_deref().map(target_url).transpose()?,
            token,
        });
    }
    for (flag, given) in [
        ("--os-region-name", common.cloud.region.is_some()),
        ("--os-interface", common.cloud.interface.is_some()),
    ] {
        if given {
            return Err(usage(format!(
                "{flag} chooses in a cloud's catalog: it needs --os-cloud"
            )));
        }
    }
    Ok(match &common.target {
        None => TargetChoice::Embedded {
            project_id: project_id
                .unwrap_or_else(|| crate::reference::DEFAULT_PROJECT_ID.to_owned()),
            token: token.unwrap_or_else(|| Token {
                secret: Secret::new(crate::reference::DEFAULT_TOKEN),
                source: TokenSource::Embedded,
            }),
        },
        Some(raw) => {
            let url = target_url(raw)?;
            let Some(project_id) = project_id else {
                return Err(usage("--target needs --project-id".to_owned()));
            };
            TargetChoice::Remote {
                url,
                project_id,
                token,
            }
        }
    })
}

/// `--target`, checked: an http(s) base URL without query or fragment.
fn target_url(raw: &str) -> Result<reqwest::Url, Error> {
    let usage = |m: String| Error::Usage(m);
    // A URL that does not parse is not shown when it may hold a `user:password@`.
    let shown = if raw.contains('@') {
        String::new()
    } else {
        format!(" {raw:?}")
    };
    let url = reqwest::Url::parse(raw)
        .map_err(|e| usage(format!("--target{shown} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(usage(format!(
            "--target must be an http or https URL, not {:?}",
            url.scheme()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(usage(
            "--target must be a base URL without query or fragment".to_owned(),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(argv: &[&str]) -> Result<RunConfig, String> {
        let cli = crate::cli::Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        match cli.command {
            crate::cli::Command::Run(args) => {
                let token = args.common.token.clone().map(|t| (t, TokenSource::Flag));
                RunConfig::from_args(&args, token).map_err(|e| e.to_string())
            }
            _ => Err("not run".to_owned()),
        }
    }

    fn parse_fuzz(argv: &[&str]) -> Result<FuzzConfig, String> {
        let cli = crate::cli::Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        match cli.command {
            crate::cli::Command::Fuzz(args) => {
                let token = args.common.token.clone().map(|t| (t, TokenSource::Flag));
                FuzzConfig::from_args(&args, token).map_err(|e| e.to_string())
            }
            _ => Err("not fuzz".to_owned()),
        }
    }

    /// Issue 10 item 13: `--clock-skew` on `run` and `fuzz`, one minute unless given, in
    /// seconds or as a humantime duration.
    #[test]
    fn clock_skew_is_seconds_or_a_duration_on_run_and_fuzz() {
        let run = |skew: &[&str]| {
            let argv: Vec<&str> = ["sdconform", "run"].iter().chain(skew).copied().collect();
            parse(&argv).map(|c| c.clock_skew)
        };
        let fuzz = |skew: &[&str]| {
            let argv: Vec<&str> = ["sdconform", "fuzz"].iter().chain(skew).copied().collect();
            parse_fuzz(&argv).map(|c| c.clock_skew)
        };
        assert_eq!(run(&[]), Ok(Duration::from_secs(60)));
        assert_eq!(fuzz(&[]), Ok(Duration::from_secs(60)));
        for (value, want) in [
            ("90", Duration::from_secs(90)),
            ("0.5", Duration::from_millis(500)),
            ("0", Duration::ZERO),
            ("90s", Duration::from_secs(90)),
            ("2m", Duration::from_secs(120)),
            ("1h 30m", Duration::from_secs(5_400)),
        ] {
            assert_eq!(run(&["--clock-skew", value]), Ok(want), "{value}");
            assert_eq!(fuzz(&["--clock-skew", value]), Ok(want), "{value}");
        }
        for value in [
            "--clock-skew=-1",
            "--clock-skew=NaN",
            "--clock-skew=inf",
            "--clock-skew=soon",
            "--clock-skew=",
        ] {
            let error = run(&[value]).err().unwrap_or_default();
            assert!(error.contains("--clock-skew"), "{value}: {error}");
        }
    }

    /// Issue 11 item 1: `--os-cloud [NAME]` (no name: `OS_CLOUD`'s), the region and
    /// interface only with it, the project from the token, `--target` over the catalog.
    #[test]
    fn os_cloud_is_a_target_of_its_own() {
        let cloud = |argv: &[&str]| match parse(argv).map(|c| c.target) {
            Ok(TargetChoice::Cloud {
                request, target, ..
            }) => Ok((request, target.map(String::from))),
            Ok(other) => Err(format!("{other:?}")),
            Err(e) => Err(e),
        };
        let named = cloud(&[
            "sdconform",
            "run",
            "--os-cloud",
            "prod",
            "--region",
            "RegionTwo",
            "--os-interface",
            "internal",
        ]);
        assert_eq!(
            named,
            Ok((
                crate::cloud::Request {
                    cloud: Some("prod".to_owned()),
                    region_name: Some("RegionTwo".to_owned()),
                    interface: Some("internal".to_owned()),
                },
                None
            ))
        );
        let bare = cloud(&["sdconform", "run", "--os-cloud", "--fuzz-cases", "0"]);
        assert_eq!(bare.map(|(r, _)| r.cloud), Ok(None));
        let overridden = cloud(&[
            "sdconform",
            "run",
            "--os-cloud=prod",
            "--target",
            "https://heat.example:8004",
        ]);
        assert_eq!(
            overridden.map(|(_, t)| t),
            Ok(Some("https://heat.example:8004/".to_owned()))
        );
        for (argv, fragment) in [
            (
                vec![
                    "sdconform",
                    "run",
                    "--os-cloud",
                    "prod",
                    "--project-id",
                    "p",
                ],
                "the project is the one the token is scoped to",
            ),
            (
                vec!["sdconform", "run", "--region", "RegionOne"],
                "needs --os-cloud",
            ),
            (
                vec!["sdconform", "run", "--os-interface", "internal"],
                "needs --os-cloud",
            ),
            (
                vec!["sdconform", "run", "--os-cloud", "p", "--target", "ftp://x"],
                "http or https",
            ),
        ] {
            match parse(&argv) {
                Ok(c) => panic!("{argv:?} accepted: {:?}", c.target),
                Err(e) => assert!(e.contains(fragment), "{argv:?}: {e}"),
            }
        }
        // Without --os-cloud, OS_* variables play no part: the embedded target.
        assert!(matches!(
            parse(&["sdconform", "run"]).map(|c| c.target),
            Ok(TargetChoice::Embedded { .. })
        ));
    }

    #[test]
    fn fuzz_validation_table() {
        let config = parse_fuzz(&["sdconform", "fuzz"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.plan.cases, crate::fuzz::DEFAULT_CASES);
        assert_eq!(config.plan.concurrency, crate::fuzz::DEFAULT_CONCURRENCY);
        assert_eq!(config.plan.seed, None);
        // Issue 10 item 5: state goes inside the report directory, not the working tree.
        assert_eq!(
            config.plan.regressions,
            PathBuf::from("reports").join(crate::fuzz::regression::DEFAULT_FILE)
        );
        let config = parse_fuzz(&["sdconform", "fuzz", "--report-dir", "out/r"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.plan.regressions,
            PathBuf::from("out/r/fuzz-regressions.json")
        );
        let config = parse_fuzz(&[
            "sdconform",
            "fuzz",
            "--seed",
            "42",
            "--cases",
            "10",
            "--time-limit",
            "1.5",
            "--regressions",
            "r.json",
            "--profile",
            "strict",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (config.plan.seed, config.plan.cases, config.profile),
            (Some(42), 10, Profile::Strict)
        );
        assert_eq!(config.plan.time_limit, Some(Duration::from_millis(1_500)));
        // Issue 10 item 3: `fuzz --run-timeout` bounds the whole command, like `run`'s.
        let config = parse_fuzz(&["sdconform", "fuzz", "--run-timeout", "7"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.limits.run_timeout, Duration::from_secs(7));
        for (argv, fragment) in [
            (
                vec!["sdconform", "fuzz", "--concurrency", "0"],
                "--concurrency",
            ),
            (
                vec!["sdconform", "fuzz", "--time-limit", "0"],
                "--time-limit",
            ),
            (vec!["sdconform", "fuzz", "--seed", "x"], "--seed"),
            (
                vec!["sdconform", "fuzz", "--target", "http://x"],
                "--project-id",
            ),
            (vec!["sdconform", "fuzz", "--timeout", "NaN"], "--timeout"),
            (
                vec!["sdconform", "fuzz", "--run-timeout", "0"],
                "--run-timeout",
            ),
        ] {
            match parse_fuzz(&argv) {
                Ok(_) => panic!("{argv:?} accepted"),
                Err(e) => assert!(e.contains(fragment), "{argv:?}: {e}"),
            }
        }
        let run = parse(&["sdconform", "run", "--fuzz-cases", "0", "--seed", "7"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((run.fuzz.cases, run.fuzz.seed), (0, Some(7)));
        let run = parse(&["sdconform", "run"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run.fuzz.cases, crate::fuzz::DEFAULT_RUN_CASES);
        assert_eq!(
            run.fuzz.regressions,
            PathBuf::from("reports/fuzz-regressions.json")
        );
        let run = parse(&["sdconform", "run", "--regressions", "kept.json"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run.fuzz.regressions, PathBuf::from("kept.json"));
    }

    #[test]
    fn validation_table() {
        assert!(matches!(
            parse(&["sdconform", "run"]).map(|c| c.target),
            Ok(TargetChoice::Embedded { .. })
        ));
        let bad = [
            (
                vec!["sdconform", "run", "--target", "http://x"],
                "needs --project-id",
            ),
            (
                vec![
                    "sdconform",
                    "run",
                    "--target",
                    "ftp://x",
                    "--project-id",
                    "p",
                ],
                "http or https",
            ),
            (
                vec![
                    "sdconform",
                    "run",
                    "--target",
                    "not a url",
                    "--project-id",
                    "p",
                ],
                "not a URL",
            ),
            (
                vec![
                    "sdconform",
                    "run",
                    "--target",
                    "http://x/?a=b",
                    "--project-id",
                    "p",
                ],
                "without query",
            ),
            (vec!["sdconform", "run", "--timeout", "0"], "--timeout"),
            (vec!["sdconform", "run", "--timeout", "NaN"], "--timeout"),
            (
                vec!["sdconform", "run", "--run-timeout", "0"],
                "--run-timeout",
            ),
            (
                vec!["sdconform", "run", "--client-cert", "c.pem"],
                "--client-key",
            ),
            (
                vec!["sdconform", "run", "--test-threads", "0"],
                "--test-threads",
            ),
            (
                vec!["sdconform", "run", "--project-id", " "],
                "--project-id",
            ),
            // Issue 11 section 3: isolation needs fixtures in both projects.
            (
                vec!["sdconform", "run", "--other-cloud", "b"],
                "--other-cloud needs --fixtures create",
            ),
            (
                vec![
                    "sdconform",
                    "run",
                    "--fixtures",
                    "create",
                    "--other-cloud",
                    "",
                ],
                "--other-cloud needs a cloud name",
            ),
            (vec!["sdconform", "run", "--fixtures", "some"], "--fixtures"),
        ];
        for (argv, fragment) in bad {
            match parse(&argv) {
                Ok(_) => panic!("{argv:?} accepted"),
                Err(e) => assert!(e.contains(fragment), "{argv:?}: {e}"),
            }
        }
        // Issue 10 item 6: a --target refused for its form never shows its userinfo.
        for raw in ["http://admin:hunter2@[bad", "http://admin:hunter2@h/?q=1"] {
            let error = parse(&["sdconform", "run", "--target", raw, "--project-id", "p"])
                .err()
                .unwrap_or_default();
            assert!(error.contains("--target"), "{error}");
            assert!(
                !error.contains("hunter2") && !error.contains("admin"),
                "{error}"
            );
        }
        let ok = parse(&[
            "sdconform",
            "run",
            "--target",
            "https://h:8004/heat",
            "--project-id",
            "p",
            "--token",
            "t",
        ]);
        assert!(matches!(
            ok.map(|c| c.target),
            Ok(TargetChoice::Remote { .. })
        ));
    }
}
