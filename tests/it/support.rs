//! Shared helpers: a reference target on 127.0.0.1:0 and the real binary.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};

use sdconform::reference::{self, Fault, ReferenceConfig, RunningReference};
use serde_json::Value;

/// A token distinctive enough to scan every output for.
pub const TOKEN: &str = "tok-5ecret-c0ffee-DO-NOT-LEAK";
pub const PROJECT: &str = "95d02433133a4c0a87ba6967474a2ad3";

/// The environment variables a test run removes: the token's and the proxies' (and CGI's
/// `REQUEST_METHOD`, which turns `HTTP_PROXY` off).
pub const AMBIENT: [&str; 11] = [
    "SDCONFORM_TOKEN",
    "OS_AUTH_TOKEN",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

/// A reference target with its own runtime; stops when dropped.
pub struct Reference {
    pub runtime: tokio::runtime::Runtime,
    pub running: Option<RunningReference>,
}

impl Reference {
    pub fn start(fault: Option<Fault>) -> Reference {
        Reference::start_sized(fault, None)
    }

    /// A reference target serving `fixture_size` generated deployments.
    pub fn start_sized(fault: Option<Fault>, fixture_size: Option<usize>) -> Reference {
        Reference::start_with(fault, fixture_size, reference::IdentityConfig::default())
    }

    /// A reference target whose identity service issues tokens as `identity` says.
    pub fn start_with(
        fault: Option<Fault>,
        fixture_size: Option<usize>,
        identity: reference::IdentityConfig,
    ) -> Reference {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let config = ReferenceConfig {
            project_id: PROJECT.to_owned(),
            token: TOKEN.to_owned(),
            fault,
            fixture_size,
        };
        let running = runtime
            .block_on(reference::start_with(
                config,
                identity,
                SocketAddr::from(([127, 0, 0, 1], 0)),
            ))
            .expect("reference target starts");
        Reference {
            runtime,
            running: Some(running),
        }
    }

    pub fn url(&self) -> String {
        self.running
            .as_ref()
            .map(|r| r.url().to_owned())
            .unwrap_or_default()
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.shutdown());
        }
    }
}

/// Runs the real binary with `args` in `cwd`, without the token environment variables.
pub fn sdconform(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sdconform"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SDCONFORM_TOKEN")
        .env_remove("OS_AUTH_TOKEN")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// What one `sdconform run` produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub report: Option<Value>,
}

/// `COMMAND --target URL --project-id P --token T`: how every test points the
/// binary at a test target.
pub fn against<'a>(command: &'a str, url: &'a str) -> Vec<&'a str> {
    vec![
        command,
        "--target",
        url,
        "--project-id",
        PROJECT,
        "--token",
        TOKEN,
    ]
}

/// `sdconform run --target URL --project-id P --token T --report-dir TMP EXTRA...`
pub fn run_against(url: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("reports");
    let report_dir_str = report_dir.to_string_lossy().into_owned();
    let mut args = against("run", url);
    args.extend(["--report-dir", &report_dir_str]);
    args.extend_from_slice(extra);
    let output = sdconform(&args, dir.path());
    finish(output, &report_dir)
}

pub fn finish(output: Output, report_dir: &Path) -> Run {
    let report = std::fs::read_to_string(report_dir.join("report.json"))
        .ok()
        .map(|text| serde_json::from_str(&text).expect("report.json is JSON"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        report,
    }
}

/// Every finding of a report: (case, clause, severity).
pub fn findings(report: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for case in report["cases"].as_array().into_iter().flatten() {
        for f in case["findings"].as_array().into_iter().flatten() {
            out.push((
                case["id"].as_str().unwrap_or_default().to_owned(),
                f["clause"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    out
}

/// Validates a report against `schemas/report.schema.json`.
pub fn assert_valid_report(report: &Value) {
    let contract = sdconform::contract::Contract::embedded().expect("contract");
    let validator = sdconform::contract::compile("report.schema.json", contract.report_schema())
        .expect("compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report.json does not match its schema: {errors:#?}"
    );
}

/// The case ids of a report, in report order.
pub fn case_ids(report: &Value) -> Vec<String> {
    report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect()
}
