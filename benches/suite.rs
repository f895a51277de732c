//! Issue 6 (c) and the scale tables: wall time of the whole default suite
//! against the embedded target, and how the cost grows with the body size
//! (1k → 1M deployments) and with the number of cases.
//!
//! `cargo bench --bench suite` runs the real release binary. divan times the
//! default suite (`sdconform run`, embedded target, fuzz phase off); the
//! tables after it are single runs against `serve --fixture-size N` and
//! against suites of K generated cases, with the peak resident memory of the
//! `sdconform run` process (sampled from /proc every 5 ms).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sdconform");

fn main() {
    divan::main();
    body_size_table();
    case_count_table();
}

/// `--fuzz-cases 0` when this build of `run` has a fuzz phase.
fn no_fuzz() -> Vec<&'static str> {
    let help = Command::new(BIN)
        .args(["run", "--help"])
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    if String::from_utf8_lossy(&help).contains("--fuzz-cases") {
        vec!["--fuzz-cases", "0"]
    } else {
        vec![]
    }
}

#[divan::bench(sample_count = 10)]
fn default_suite_embedded_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = vec!["run", "--report", "json"];
    args.extend(no_fuzz());
    let status = Command::new(BIN)
        .args(&args)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(0));
}

/// Runs `sdconform` with `args` in `dir`; returns (exit code, wall time, peak RSS in MB).
fn measure(args: &[&str], dir: &Path) -> (Option<i32>, Duration, f64) {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Ok(Some(status)) = child.try_wait() {
            break status.code();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    (code, start.elapsed(), peak_kb as f64 / 1024.0)
}

/// A reference target serving `n` generated deployments, stopped on drop.
struct Serve(std::process::Child, String);

impl Serve {
    fn start(n: usize) -> Serve {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--fixture-size", &n.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let url = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| line.strip_prefix("url: ").map(str::to_owned))
            .expect("serve prints its url");
        Serve(child, url)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn body_size_table() {
    println!();
    println!("whole default suite against `serve --fixture-size N` (one run each)");
    println!(
        "{:>9} {:>12} {:>10} {:>14} {:>6}",
        "items", "list MB", "wall s", "peak RSS MB", "exit"
    );
    for n in [1_000, 10_000, 100_000, 1_000_000] {
        let serve = Serve::start(n);
        let dir = tempfile::tempdir().expect("tempdir");
        let mut args = vec![
            "run",
            "--target",
            &serve.1,
            "--project-id",
            "95d02433133a4c0a87ba6967474a2ad3",
            "--token",
            "sdconform-reference-token",
            "--report",
            "json",
            "--max-body-bytes",
            "4000000000",
            "--timeout",
            "600",
        ];
        args.extend(no_fuzz());
        let (code, wall, peak) = measure(&args, dir.path());
        let report: serde_json::Value =
            std::fs::read_to_string(dir.path().join("reports/report.json"))
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
        let list_bytes = report["cases"]
            .as_array()
            .and_then(|cases| cases.iter().find(|c| c["id"] == "list-all"))
            .and_then(|c| c["response"]["body_bytes"].as_u64())
            .unwrap_or(0);
        println!(
            "{n:>9} {:>12.1} {:>10.2} {:>14.0} {:>6}",
            list_bytes as f64 / 1e6,
            wall.as_secs_f64(),
            peak,
            code.map_or("-".to_owned(), |c| c.to_string())
        );
    }
}

fn case_count_table() {
    println!();
    println!(
        "suites of K cases against the embedded target (the shipped 8, plus copies of list-all and auth-missing-token)"
    );
    println!(
        "{:>7} {:>10} {:>12} {:>14}",
        "cases", "wall s", "ms / case", "peak RSS MB"
    );
    for k in [8usize, 64, 512] {
        let dir = tempfile::tempdir().expect("tempdir");
        let cases = dir.path().join("cases");
        std::fs::create_dir(&cases).expect("mkdir");
        for (name, text) in sdconform::case::load::EMBEDDED {
            let file = Path::new(name).file_name().expect("a file name");
            std::fs::write(cases.join(file), text).expect("write");
        }
        let extra: Vec<serde_json::Value> = (0..k.saturating_sub(8))
            .map(|i| {
                if i % 2 == 0 {
                    serde_json::json!({
                        "id": format!("list-copy-{i}"), "title": "copy", "clauses": ["SD-RESP-1"],
                        "request": { "path": "/v1/{project_id}/software_deployments" },
                        "expect": { "status": [200], "clause": "SD-CODE-200", "schema": "software-deployments" },
                        "checks": [ { "check": "timestamp_order" }, { "check": "unique_ids" } ]
                    })
                } else {
                    serde_json::json!({
                        "id": format!("auth-copy-{i}"), "title": "copy", "clauses": ["SD-CODE-401"],
                        "request": { "path": "/v1/{project_id}/software_deployments", "auth": "none" },
                        "expect": { "status": [401], "clause": "SD-CODE-401" }
                    })
                }
            })
            .collect();
        std::fs::write(
            cases.join("zz-copies.json"),
            serde_json::json!({ "cases": extra }).to_string(),
        )
        .expect("write");
        let mut args = vec!["run", "--cases", "cases", "--report", "json"];
        args.extend(no_fuzz());
        let (code, wall, peak) = measure(&args, dir.path());
        assert_eq!(code, Some(0), "suite of {k} cases");
        println!(
            "{k:>7} {:>10.2} {:>12.2} {:>14.0}",
            wall.as_secs_f64(),
            wall.as_secs_f64() * 1000.0 / k as f64,
            peak
        );
    }
}
