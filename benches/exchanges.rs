//! Issue 12: throughput and peak heap of the evidence formats on 100,000
//! exchanges: recording `exchanges.ndjson` (`report::exchanges`), reading it
//! back (`capture::ndjson`, bodies stored once resolved), reading a HAR
//! capture of the same traffic (`capture::har`), and `recheck` of a fuzz
//! campaign's recording of 100,001 exchanges (every input sent twice, each
//! judged again against the properties).
//!
//! `cargo bench --bench exchanges` prints, for each: exchanges per second, the
//! file's size and the peak heap above what was live before (counted by a
//! tracking global allocator, `peak_alloc`). The traffic is a fuzz campaign's:
//! one request in ten answered by the reference fixture's 10-item list (the
//! same bytes each time), the others by a small 400 naming the input.

use std::io::{BufWriter, Write};
use std::ops::ControlFlow;
use std::time::Instant;

use peak_alloc::PeakAlloc;
use sdconform::capture::{ExchangeReader, read_har};
use sdconform::model::{
    Body, EXCHANGE_SCHEMA_VERSION, ExchangeLine, RequestRecord, ResponseLine, Source,
};
use sdconform::model::{
    RecordedBudget, RecordedFuzz, RecordedGate, RecordedSelection, RecordedTarget, RunEnd,
    RunEnding, RunHeader, RunSettings,
};
use sdconform::recheck::{self, Inputs};
use sdconform::report::exchanges::{ExchangeWriter, RecordSettings};
use sdconform::secret::{Secret, Secrets};

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const EXCHANGES: usize = 100_000;

fn exchange(n: usize, list: &[u8]) -> ExchangeLine {
    let (status, body) = if n.is_multiple_of(10) {
        (200, list.to_vec())
    } else {
        let text = format!(
            "{{\"error\": {{\"code\": 400, \"message\": \"server_id {n:08} is not valid\", \"title\": \"Bad Request\"}}}}"
        );
        (400, text.into_bytes())
    };
    ExchangeLine {
        schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
        seq: 0,
        source: Source::Fuzz(format!("server_id={n:08}")),
        request: RequestRecord {
            method: "GET".to_owned(),
            url: format!(
                "http://127.0.0.1:8004/v1/95d02433133a4c0a87ba6967474a2ad3/software_deployments?server_id={n:08}"
            ),
            headers: vec![
                ("accept".to_owned(), "application/json".to_owned()),
                ("user-agent".to_owned(), "sdconform/0.1.0".to_owned()),
                (
                    "x-auth-token".to_owned(),
                    "tok-5ecret-c0ffee-DO-NOT-LEAK".to_owned(),
                ),
            ],
        },
        response: Some(ResponseLine {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: Body::inline(body, false),
        }),
        started: Some("2026-01-31T15:12:36.120000Z".to_owned()),
        elapsed_ms: Some(1.25),
        not_exercisable: None,
    }
}

fn row(what: &str, seconds: f64, file_bytes: u64, before: usize) {
    let peak = ALLOCATOR.peak_usage().saturating_sub(before);
    println!(
        "{what:<34} {:>12.0} {:>10.1} {:>14.2}",
        EXCHANGES as f64 / seconds,
        file_bytes as f64 / 1e6,
        peak as f64 / 1e6
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = serde_json::to_vec(&serde_json::json!({
        "software_deployments": sdconform::reference::generated(10)
    }))
    .expect("JSON");
    let mut secrets = Secrets::new();
    secrets
        .add("the token", &Secret::new("tok-5ecret-c0ffee-DO-NOT-LEAK"))
        .expect("a token");
    println!(
        "{EXCHANGES} exchanges, one in ten a {} byte list",
        list.len()
    );
    println!(
        "{:<34} {:>12} {:>10} {:>14}",
        "", "exchanges/s", "file MB", "peak heap MB"
    );

    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let started = Instant::now();
    let mut writer =
        ExchangeWriter::create(dir.path(), RecordSettings::default(), secrets).expect("create");
    for n in 0..EXCHANGES {
        writer.record(exchange(n, &list)).expect("record");
    }
    let summary = writer.finish().expect("finish");
    let size = std::fs::metadata(&summary.path)
        .map(|m| m.len())
        .unwrap_or(0);
    row(
        "record exchanges.ndjson",
        started.elapsed().as_secs_f64(),
        size,
        before,
    );

    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let started = Instant::now();
    let mut bodies = 0usize;
    for line in ExchangeReader::open(&summary.path).expect("open") {
        let line = line.expect("a line");
        bodies += line
            .response
            .and_then(|r| r.body.bytes().map(<[u8]>::len))
            .unwrap_or(0);
    }
    assert!(bodies > EXCHANGES / 10 * list.len());
    row(
        "read exchanges.ndjson",
        started.elapsed().as_secs_f64(),
        size,
        before,
    );

    // The same traffic as a HAR file, every body in full.
    let har = dir.path().join("capture.har");
    {
        let mut out = BufWriter::new(std::fs::File::create(&har).expect("create"));
        write!(
            out,
            "{{\"log\": {{\"version\": \"1.2\", \"creator\": {{\"name\": \"bench\", \"version\": \"1\"}}, \"entries\": ["
        )
        .expect("write");
        for n in 0..EXCHANGES {
            let line = exchange(n, &list);
            let response = line.response.expect("a response");
            let text = String::from_utf8(response.body.bytes().unwrap_or_default().to_vec())
                .expect("UTF-8");
            let entry = serde_json::json!({
                "startedDateTime": line.started, "time": line.elapsed_ms,
                "request": { "method": "GET", "url": line.request.url, "httpVersion": "HTTP/1.1",
                    "headers": line.request.headers.iter().map(|(n, v)| serde_json::json!({"name": n, "value": v})).collect::<Vec<_>>(),
                    "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0 },
                "response": { "status": response.status, "statusText": "", "httpVersion": "HTTP/1.1",
                    "headers": [{"name": "content-type", "value": "application/json"}], "cookies": [],
                    "content": { "size": text.len(), "mimeType": "application/json", "text": text },
                    "redirectURL": "", "headersSize": -1, "bodySize": text.len() },
                "cache": {}, "timings": { "send": 0, "wait": 1, "receive": 0 }
            });
            if n > 0 {
                out.write_all(b",\n").expect("write");
            }
            serde_json::to_writer(&mut out, &entry).expect("write");
        }
        out.write_all(b"]}}\n").expect("write");
        out.flush().expect("flush");
    }
    let size = std::fs::metadata(&har).map(|m| m.len()).unwrap_or(0);
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let started = Instant::now();
    let mut count = 0usize;
    let summary = read_har(&har, |line| {
        count += usize::from(line.response.is_some());
        ControlFlow::Continue(())
    })
    .expect("read");
    assert_eq!((count, summary.entries), (EXCHANGES, EXCHANGES as u64));
    row(
        "read a HAR capture",
        started.elapsed().as_secs_f64(),
        size,
        before,
    );
    recheck_a_campaign(dir.path());
}

/// A fuzz campaign's recording: the unfiltered list, then 50,000 inputs sent
/// twice each, one in ten an existing server id answered with its deployments,
/// the others answered with an empty list; then `recheck` of it.
fn recheck_a_campaign(dir: &std::path::Path) {
    let items = sdconform::reference::generated(10);
    let list =
        serde_json::to_vec(&serde_json::json!({ "software_deployments": items })).expect("JSON");
    let server = items[0]["server_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let own: Vec<_> = items
        .iter()
        .filter(|i| i["server_id"] == server.as_str())
        .cloned()
        .collect();
    let filtered =
        serde_json::to_vec(&serde_json::json!({ "software_deployments": own })).expect("JSON");
    let empty = b"{\"software_deployments\": []}".to_vec();
    let recordings = dir.join("campaign");
    let mut writer = ExchangeWriter::create(&recordings, RecordSettings::default(), Secrets::new())
        .expect("create");
    writer.header(&header()).expect("header");
    let line = |query: String, body: &[u8]| {
        let mut line = exchange(0, body);
        line.source = Source::Fuzz(query.clone());
        line.request.url = format!(
            "http://127.0.0.1:8004/v1/95d02433133a4c0a87ba6967474a2ad3/software_deployments{}{query}",
            if query.is_empty() { "" } else { "?" }
        );
        if let Some(response) = &mut line.response {
            response.status = 200;
            response.body = Body::inline(body.to_vec(), false);
        }
        line
    };
    writer.record(line(String::new(), &list)).expect("record");
    for n in 0..EXCHANGES / 2 {
        let (query, body) = if n.is_multiple_of(10) {
            (format!("server_id={server}"), filtered.as_slice())
        } else {
            (format!("server_id={n:08}"), empty.as_slice())
        };
        for _ in 0..2 {
            writer.record(line(query.clone(), body)).expect("record");
        }
    }
    let summary = writer
        .finish_run(RunEnd {
            schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
            end: RunEnding {
                finished_at: "2026-01-31T15:13:36Z".to_owned(),
                duration_ms: 60_000,
                exchanges: 0,
                interrupted: None,
                tls_certificate_sha256: None,
            },
        })
        .expect("finish");
    let size = std::fs::metadata(&summary.path)
        .map(|m| m.len())
        .unwrap_or(0);
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let started = Instant::now();
    let rechecked = recheck::recheck(&Inputs {
        recording: summary.path.clone(),
        ..Inputs::default()
    })
    .expect("recheck");
    assert_eq!(rechecked.exchanges, EXCHANGES as u64 + 1);
    assert_eq!(
        rechecked.report.verdict,
        sdconform::report::model::Verdict::Conformant
    );
    row(
        "recheck a fuzz campaign's recording",
        started.elapsed().as_secs_f64(),
        size,
        before,
    );
}

/// The run line of a recording of `sdconform fuzz`.
fn header() -> RunHeader {
    RunHeader {
        schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
        run: RunSettings {
            command: "fuzz".to_owned(),
            tool: "sdconform 0.1.0".to_owned(),
            started_at: "2026-01-31T15:12:36Z".to_owned(),
            target: RecordedTarget {
                url: "http://127.0.0.1:8004".to_owned(),
                project_id: "95d02433133a4c0a87ba6967474a2ad3".to_owned(),
                embedded: true,
                insecure: false,
                authenticated: true,
            },
            profile: "documented".to_owned(),
            clock_skew_ms: 60_000,
            contract_source: "embedded".to_owned(),
            cases_source: "none (sdconform fuzz)".to_owned(),
            waivers: None,
            gate: RecordedGate {
                fail_on: "must".to_owned(),
                strict_waivers: false,
                allow_empty: false,
            },
            formats: vec!["json".to_owned()],
            selection: RecordedSelection::default(),
            fuzz: Some(RecordedFuzz {
                seed: 1,
                cases: (EXCHANGES / 2) as u64,
                concurrency: 8,
                time_limit_ms: None,
                regressions_file: None,
                regressions: 0,
            }),
            record: RecordedBudget {
                budget: sdconform::report::exchanges::DEFAULT_RECORD_BYTES,
                redact_fields: Vec::new(),
            },
        },
    }
}
