//! Validated configuration: what `cli` parsed, checked and resolved, with no I/O.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::RunArgs;
use crate::contract::Profile;
use crate::error::Error;
use crate::http::tls::TlsOptions;
use crate::http::{Limits, Secret};
use crate::runner::Selection;

/// Which target a run uses.
#[derive(Debug, Clone)]
pub enum TargetChoice {
    /// Start the embedded reference target in-process.
    Embedded {
        /// Project id it serves.
        project_id: String,
        /// Token it accepts and the run sends.
        token: Secret,
    },
    /// An implementation somewhere else.
    Remote {
        /// Base URL.
        url: reqwest::Url,
        /// Project id for the path.
        project_id: String,
        /// Token to send, if any.
        token: Option<Secret>,
    },
}

/// A validated `run`.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The target.
    pub target: TargetChoice,
    /// The profile.
    pub profile: Profile,
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
}

impl RunConfig {
    /// Validates `args`; `token` is the resolved token (flag or environment).
    pub fn from_args(args: &RunArgs, token: Option<String>) -> Result<RunConfig, Error> {
        let usage = |m: String| Error::Usage(m);
        let seconds = |name: &str, value: f64| -> Result<Duration, Error> {
            if value.is_finite() && value > 0.0 && value <= 86_400.0 {
                Ok(Duration::from_secs_f64(value))
            } else {
                Err(usage(format!(
                    "{name} must be a number of seconds in (0, 86400], not {value}"
                )))
            }
        };
        let limits = Limits {
            connect_timeout: seconds("--connect-timeout", args.connect_timeout)?,
            timeout: seconds("--timeout", args.timeout)?,
            run_timeout: seconds("--run-timeout", args.run_timeout)?,
            max_body_bytes: if args.max_body_bytes == 0 {
                return Err(usage("--max-body-bytes must be at least 1".to_owned()));
            } else {
                args.max_body_bytes
            },
        };
        if args.test_threads == Some(0) {
            return Err(usage("--test-threads must be at least 1".to_owned()));
        }
        let project_id = match &args.project_id {
            Some(p) if p.trim().is_empty() => {
                return Err(usage("--project-id must not be empty".to_owned()));
            }
            other => other.clone(),
        };
        let target = match &args.target {
            None => TargetChoice::Embedded {
                project_id: project_id
                    .unwrap_or_else(|| crate::reference::DEFAULT_PROJECT_ID.to_owned()),
                token: Secret::new(
                    token.unwrap_or_else(|| crate::reference::DEFAULT_TOKEN.to_owned()),
                ),
            },
            Some(raw) => {
                let url = reqwest::Url::parse(raw)
                    .map_err(|e| usage(format!("--target {raw:?} is not a URL: {e}")))?;
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
                let Some(project_id) = project_id else {
                    return Err(usage("--target needs --project-id".to_owned()));
                };
                TargetChoice::Remote {
                    url,
                    project_id,
                    token: token.map(Secret::new),
                }
            }
        };
        Ok(RunConfig {
            target,
            profile: args.profile,
            cases_dir: args.cases.clone(),
            schemas_dir: args.schemas.clone(),
            report_dir: args.report_dir.clone(),
            limits,
            tls: TlsOptions {
                cacert: args.cacert.clone(),
                client_cert: args.client_cert.clone(),
                client_key: args.client_key.clone(),
                insecure: args.insecure,
            },
            selection: Selection {
                filter: args.filter.clone(),
                skip: args.skip.clone(),
                exact: args.exact,
                list: args.list,
                test_threads: args.test_threads,
            },
            formats: args.report.clone(),
            waivers: args.waivers.clone(),
            gate: crate::report::model::Gate {
                fail_on: args.fail_on,
                strict_waivers: args.strict_waivers,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(argv: &[&str]) -> Result<RunConfig, String> {
        let cli = crate::cli::Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        match cli.command {
            crate::cli::Command::Run(args) => {
                RunConfig::from_args(&args, args.token.clone()).map_err(|e| e.to_string())
            }
            crate::cli::Command::Serve(_) | crate::cli::Command::Compare(_) => {
                Err("not run".to_owned())
            }
        }
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
        ];
        for (argv, fragment) in bad {
            match parse(&argv) {
                Ok(_) => panic!("{argv:?} accepted"),
                Err(e) => assert!(e.contains(fragment), "{argv:?}: {e}"),
            }
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
