//! Issue 12 part 3: throughput and peak heap of passive mode, `sdconform check`,
//! on captures of 10,000, 100,000 and 300,000 exchanges (HAR and exchanges.ndjson):
//! the capture read, every listing judged, the reports built and written, as the
//! command does it.
//!
//! `cargo bench --bench passive` prints, for each: exchanges per second (the
//! whole command), the file's size, and the peak heap above what was live before
//! (a tracking global allocator, `peak_alloc`) while the capture is read and
//! judged, and while the reports are built and written (which grows with the
//! results, bounded at 2,000 and a fold per outcome). The traffic is a client's of
//! a cloud's orchestration API: in every 20 exchanges one unfiltered listing of the
//! 10-deployment fixture (every other one with a broken `creation_time`), four
//! listings filtered by a server, a write, a 401 and other traffic (stacks, Keystone).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use peak_alloc::PeakAlloc;
use sdconform::check::order::DEFAULT_CLOCK_SKEW;
use sdconform::contract::{Contract, Profile};
use sdconform::model::{
    Body, EXCHANGE_SCHEMA_VERSION, ExchangeLine, RequestRecord, ResponseLine, Source,
};
use sdconform::passive::{Capture, Checker, Settings};
use sdconform::report::exchanges::{ExchangeWriter, RecordSettings};
use sdconform::report::model::TargetInfo;
use sdconform::report::{build, write};
use sdconform::secret::Secrets;
use serde_json::{Value, json};

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const PROJECT: &str = "95d02433133a4c0a87ba6967474a2ad3";
const BASE: &str = "https://heat.example:8004/v1";

/// The bodies the traffic is made of, serialized once.
struct Bodies {
    list: String,
    broken: String,
    filtered: String,
}

fn bodies() -> Bodies {
    let items = sdconform::reference::deployments();
    let mut broken = items.clone();
    broken[3]["creation_time"] = json!("2015-01-31T15:12:36");
    let server = items[0]["server_id"].clone();
    let filtered: Vec<Value> = items
        .iter()
        .filter(|i| i["server_id"] == server)
        .cloned()
        .collect();
    Bodies {
        list: json!({ "software_deployments": items }).to_string(),
        broken: json!({ "software_deployments": broken }).to_string(),
        filtered: json!({ "software_deployments": filtered }).to_string(),
    }
}

/// Exchange `n` of the traffic.
fn exchange(n: usize, bodies: &Bodies, server: &str) -> ExchangeLine {
    let listing = format!("{BASE}/{PROJECT}/software_deployments");
    let (method, url, status, body) = match n % 20 {
        0 if n.is_multiple_of(40) => ("GET", listing, 200, bodies.broken.clone()),
        0 => ("GET", listing, 200, bodies.list.clone()),
        1..=4 => (
            "GET",
            format!("{listing}?server_id={server}"),
            200,
            bodies.filtered.clone(),
        ),
        5 => ("POST", listing, 200, "{}".to_owned()),
        6 => (
            "GET",
            listing,
            401,
            "{\"error\": {\"code\": 401}}".to_owned(),
        ),
        7 => (
            "POST",
            "https://keystone.example:5000/v3/auth/tokens".to_owned(),
            201,
            "{}".to_owned(),
        ),
        _ => (
            "GET",
            format!("{BASE}/{PROJECT}/stacks"),
            200,
            "{\"stacks\": []}".to_owned(),
        ),
    };
    ExchangeLine {
        schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
        seq: n as u64,
        source: Source::HarEntry(n as u64),
        request: RequestRecord {
            method: method.to_owned(),
            url,
            headers: vec![
                ("Accept".to_owned(), "application/json".to_owned()),
                (
                    "X-Auth-Token".to_owned(),
                    "gAAAAABk-bench-token-0123456789".to_owned(),
                ),
            ],
        },
        response: Some(ResponseLine {
            status,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: Body::inline(body.into_bytes(), false),
        }),
        // One exchange every 10 ms.
        started: Some(format!(
            "2026-01-31T{:02}:{:02}:{:02}.{:03}Z",
            n / 360_000 % 24,
            n / 6_000 % 60,
            n / 100 % 60,
            n % 100 * 10
        )),
        elapsed_ms: Some(0.05),
        not_exercisable: None,
    }
}

/// Writes `count` exchanges as a HAR file.
fn write_har(path: &Path, count: usize, bodies: &Bodies, server: &str) {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("create"));
    out.write_all(b"{\"log\": {\"version\": \"1.2\", \"creator\": {\"name\": \"bench\", \"version\": \"1\"}, \"entries\": [")
        .expect("write");
    for n in 0..count {
        let line = exchange(n, bodies, server);
        let response = line.response.expect("a response");
        let text = String::from_utf8_lossy(response.body.bytes().unwrap_or_default()).into_owned();
        let pair = |(name, value): &(String, String)| json!({"name": name, "value": value});
        let entry = json!({
            "startedDateTime": line.started, "time": line.elapsed_ms,
            "request": { "method": line.request.method, "url": line.request.url, "httpVersion": "HTTP/1.1",
                "headers": line.request.headers.iter().map(pair).collect::<Vec<_>>(),
                "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0 },
            "response": { "status": response.status, "statusText": "", "httpVersion": "HTTP/1.1",
                "headers": response.headers.iter().map(pair).collect::<Vec<_>>(), "cookies": [],
                "content": { "size": text.len(), "mimeType": "application/json", "text": text },
                "redirectURL": "", "headersSize": -1, "bodySize": text.len() },
            "cache": {}, "timings": { "send": 0, "wait": 0.05, "receive": 0 }
        });
        if n > 0 {
            out.write_all(b",\n").expect("write");
        }
        serde_json::to_writer(&mut out, &entry).expect("write");
    }
    out.write_all(b"]}}\n").expect("write");
    out.flush().expect("flush");
}

/// Writes `count` exchanges as an exchanges.ndjson in `dir`; its path.
fn write_ndjson(dir: &Path, count: usize, bodies: &Bodies, server: &str) -> std::path::PathBuf {
    let mut writer =
        ExchangeWriter::create(dir, RecordSettings::default(), Secrets::new()).expect("create");
    for n in 0..count {
        writer.record(exchange(n, bodies, server)).expect("record");
    }
    writer.finish().expect("finish").path
}

/// What one check measured.
struct Measured {
    seconds: f64,
    /// Peak heap above the start while reading and judging the capture.
    judging: usize,
    /// Peak heap above the start while building and writing the reports.
    reporting: usize,
    results: usize,
    verdict: &'static str,
}

/// `sdconform check` on `capture`, in-process: read, judge, build and write the
/// reports, as the command does.
fn check(capture: &Capture, contract: &Arc<Contract>, reports: &Path) -> Measured {
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let started = Instant::now();
    let mut checker = Checker::new(Settings {
        contract: Arc::clone(contract),
        profile: Profile::Documented,
        clock_skew: DEFAULT_CLOCK_SKEW,
        capture: capture.path().display().to_string(),
        format: capture.format(),
    });
    capture.read_into(&mut checker).expect("the capture reads");
    let checked = checker.finish();
    let judging = ALLOCATOR.peak_usage().saturating_sub(before);
    ALLOCATOR.reset_peak_usage();
    let results = checked.results.len();
    let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let report = build::build(
        build::Context {
            contract,
            profile: Profile::Documented,
            target: TargetInfo {
                url: BASE.to_owned(),
                project_id: PROJECT.to_owned(),
                embedded: false,
                insecure: false,
                identity: None,
            },
            cases_source: format!("capture: {}", checked.counts),
            started_at: now.clone(),
            finished_at: now,
            duration_ms: 0,
            gate: Default::default(),
            waivers: None,
        },
        checked.results,
    );
    write::write_all(reports, &report, &write::Format::ALL, &Secrets::new()).expect("written");
    Measured {
        seconds: started.elapsed().as_secs_f64(),
        judging,
        reporting: ALLOCATOR.peak_usage().saturating_sub(before),
        results,
        verdict: report.verdict.as_str(),
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let contract = Arc::new(Contract::embedded().expect("contract"));
    let bodies = bodies();
    let server = sdconform::reference::deployments()[0]["server_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    println!(
        "{:<24} {:>11} {:>8} {:>13} {:>13} {:>8}  verdict",
        "", "exchanges/s", "file MB", "judging MB", "reports MB", "results"
    );
    for count in [10_000, 100_000, 300_000] {
        let har = dir.path().join(format!("capture-{count}.har"));
        write_har(&har, count, &bodies, &server);
        let ndjson_dir = dir.path().join(format!("ndjson-{count}"));
        let ndjson = write_ndjson(&ndjson_dir, count, &bodies, &server);
        for capture in [Capture::Har(har.clone()), Capture::Ndjson(ndjson.clone())] {
            let size = std::fs::metadata(capture.path())
                .map(|m| m.len())
                .unwrap_or(0);
            let m = check(&capture, &contract, &dir.path().join("reports"));
            let what = match capture {
                Capture::Har(_) => format!("check --har {count}"),
                Capture::Ndjson(_) => format!("check --ndjson {count}"),
            };
            println!(
                "{what:<24} {:>11.0} {:>8.1} {:>13.2} {:>13.2} {:>8}  {}",
                count as f64 / m.seconds,
                size as f64 / 1e6,
                m.judging as f64 / 1e6,
                m.reporting as f64 / 1e6,
                m.results,
                m.verdict
            );
        }
        let _ = std::fs::remove_file(&har);
        let _ = std::fs::remove_dir_all(&ndjson_dir);
    }
}
