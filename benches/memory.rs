//! Peak memory, two figures.
//!
//! (a) Issue 6 (b): peak heap while validating the 100k-deployment body, as a
//! multiple of the body's size (target: ≤ 3×), counted by a tracking global
//! allocator (`peak_alloc`).
//!
//! (b) Issue 10 item 15: peak RSS of `sdconform run` against a target whose every
//! answer is an endless 200 body, for 0, 64, 256 and 1024 fuzz cases: the bound
//! does not grow with the number of fuzz cases (it is set by the requests in
//! flight and `--max-body-bytes`). The target is a small raw-TCP server here; the
//! figure is the child's `VmHWM` from `/proc` (Linux only; elsewhere (b) is
//! skipped).
//!
//! `cargo bench --bench memory` prints both tables.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use peak_alloc::PeakAlloc;
use sdconform::check::{self, Input};
use sdconform::contract::{Contract, Profile};
use sdconform::reference::generated;
use serde_json::json;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

fn main() {
    validation();
    endless_bodies();
}

/// (a) Peak heap while validating list bodies of 1k, 10k and 100k deployments.
fn validation() {
    let contract = Contract::embedded().expect("embedded contract");
    let loader = sdconform::case::load::Loader::new(contract.case_schema()).expect("loader");
    let cases = loader.load_embedded().expect("cases");
    let list_all = cases.iter().find(|c| c.id == "list-all").expect("list-all");
    println!("(a) peak heap while validating a list body (list-all checks, documented profile)");
    println!(
        "{:>9} {:>10} {:>14} {:>14} {:>10}",
        "items", "body MB", "before MB", "peak MB", "peak/body"
    );
    for n in [1_000, 10_000, 100_000] {
        let body = serde_json::to_vec(&json!({ "software_deployments": generated(n) }))
            .expect("serializes");
        let vars = BTreeMap::new();
        let others = BTreeMap::new();
        let before = ALLOCATOR.current_usage();
        ALLOCATOR.reset_peak_usage();
        let eval = check::evaluate(&Input {
            case: list_all,
            status: 200,
            content_type: Some("application/json"),
            body: &body,
            vars: &vars,
            others: &others,
            contract: &contract,
            profile: Profile::Documented,
            clock_skew: check::order::DEFAULT_CLOCK_SKEW,
        });
        let peak = ALLOCATOR.peak_usage();
        assert_eq!(eval.findings.len(), 0);
        let mb = |bytes: usize| bytes as f64 / 1e6;
        println!(
            "{n:>9} {:>10.1} {:>14.1} {:>14.1} {:>10.2}",
            mb(body.len()),
            mb(before),
            mb(peak),
            peak as f64 / body.len() as f64
        );
    }
}

/// (b) Peak RSS of `sdconform run` against endless bodies, by fuzz cases.
fn endless_bodies() {
    if !std::path::Path::new("/proc/self/status").exists() {
        println!("\n(b) skipped: no /proc to read a child's peak RSS from");
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || endless(stream));
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    println!(
        "\n(b) peak RSS of `sdconform run` against a target whose every answer is an endless 200 body"
    );
    println!("    (default --max-body-bytes 16 MiB, fuzz concurrency 8, --test-threads 2)");
    println!(
        "{:>11} {:>10} {:>13} {:>9}",
        "fuzz cases", "requests", "peak RSS MB", "wall s"
    );
    for cases in [0u32, 64, 256, 1024] {
        let started = Instant::now();
        let (peak_kib, requests) = peak_of_run(&url, cases, dir.path());
        println!(
            "{cases:>11} {requests:>10} {:>13.1} {:>9.1}",
            peak_kib as f64 * 1024.0 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
}

/// Runs the binary against `url` with `cases` fuzz cases; its peak RSS in KiB, and
/// the fuzz requests it reports.
fn peak_of_run(url: &str, cases: u32, dir: &std::path::Path) -> (u64, u64) {
    let report_dir = dir.join(format!("reports-{cases}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_sdconform"))
        .args([
            "run",
            "--target",
            url,
            "--project-id",
            "p",
            "--token",
            "bench-token-0000",
        ])
        .args([
            "--fuzz-cases",
            &cases.to_string(),
            "--seed",
            "1",
            "--test-threads",
            "2",
        ])
        .arg("--report-dir")
        .arg(&report_dir)
        .arg("--regressions")
        .arg(dir.join(format!("regressions-{cases}.json")))
        .env_remove("SDCONFORM_TOKEN")
        .env_remove("OS_AUTH_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().ok().flatten().is_none() {
        if let Some(kib) = std::fs::read_to_string(&status)
            .ok()
            .and_then(|text| vm_hwm(&text))
        {
            peak = peak.max(kib);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let requests = std::fs::read_to_string(report_dir.join("report.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|report| {
            report["cases"].as_array().and_then(|cases| {
                cases
                    .iter()
                    .find(|c| c["id"] == "fuzz-server-id")
                    .and_then(|c| c["fuzz"]["requests"].as_u64())
            })
        })
        .unwrap_or(0);
    (peak, requests)
}

/// `VmHWM` (peak resident set) in KiB from a `/proc/PID/status` text.
fn vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Reads a request head, then sends a chunked 200 body that never ends.
fn endless(mut stream: TcpStream) {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
    let _ = stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    let mut chunk = b"10000\r\n".to_vec();
    chunk.extend_from_slice(&[b' '; 0x10000]);
    chunk.extend_from_slice(b"\r\n");
    while stream.write_all(&chunk).is_ok() {}
}
