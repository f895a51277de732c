//! Issue 12 part 3, passive mode: `sdconform check --har FILE` / `--ndjson FILE`
//! judges traffic somebody else sent, with the real binary on captures written
//! by real tools (`tests/data/har/`) and on hand-made ones for what no tool's
//! capture shows (writes between listings, truncated bodies, credentials).

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use sdconform::check::order::DEFAULT_CLOCK_SKEW;
use sdconform::contract::{Contract, Profile};
use sdconform::model::{
    Body, EXCHANGE_SCHEMA_VERSION, ExchangeLine, RequestRecord, ResponseLine, Source,
};
use sdconform::passive::{Checker, Format, Settings};
use sdconform::reference::{Detection, Fault};
use serde_json::{Value, json};

use crate::support::{PROJECT, Reference, Run, TOKEN, assert_valid_report, finish, sdconform};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/har")
        .join(name)
}

/// `sdconform check FLAG CAPTURE --report-dir TMP EXTRA...`, and the report directory.
fn check(flag: &str, capture: &Path, extra: &[&str]) -> (Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    let capture = capture.to_string_lossy().into_owned();
    let reports_arg = reports.to_string_lossy().into_owned();
    let mut args = vec!["check", flag, &capture, "--report-dir", &reports_arg];
    args.extend_from_slice(extra);
    let output = sdconform(&args, dir.path());
    (finish(output, &reports), dir)
}

/// Every finding of a report: (case, clause, severity, check).
fn findings(report: &Value) -> Vec<(String, String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|case| {
            case["findings"].as_array().into_iter().flatten().map(|f| {
                (
                    text(&case["id"]),
                    text(&f["clause"]),
                    text(&f["severity"]),
                    text(&f["check"]),
                )
            })
        })
        .collect()
}

fn case<'r>(report: &'r Value, id: &str) -> &'r Value {
    report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id} in {report:#}"))
}

/// The record of `check` for `clause` in a case.
fn record<'c>(case: &'c Value, check: &str) -> &'c Value {
    case["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no {check} record in {case:#}"))
}

/// A HAR entry; `started` is seconds past 2026-01-31T15:00:00Z.
fn entry(method: &str, url: &str, status: u16, body: &Value, started: f64, time: f64) -> Value {
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let whole = started.trunc() as u64;
    let millis = ((started - started.trunc()) * 1000.0).round() as u64;
    json!({
        "startedDateTime": format!("2026-01-31T15:{:02}:{:02}.{millis:03}Z", whole / 60, whole % 60),
        "time": time,
        "request": { "method": method, "url": url, "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Accept", "value": "application/json"}],
            "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0 },
        "response": { "status": status, "statusText": "", "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Content-Type", "value": "application/json"}], "cookies": [],
            "content": { "size": text.len(), "mimeType": "application/json", "text": text },
            "redirectURL": "", "headersSize": -1, "bodySize": text.len() },
        "cache": {}, "timings": { "send": 0, "wait": time, "receive": 0 }
    })
}

/// Writes a HAR of `entries` into `dir`.
fn har(dir: &Path, entries: Vec<Value>) -> PathBuf {
    let path = dir.join("capture.har");
    let har = json!({ "log": { "version": "1.2",
        "creator": { "name": "hand-made", "version": "1" }, "entries": entries } });
    std::fs::write(&path, har.to_string()).expect("write the capture");
    path
}

const BASE: &str = "https://heat.example:8004/v1";

fn listing_url(project: &str, server_id: Option<&str>) -> String {
    match server_id {
        Some(id) => format!("{BASE}/{project}/software_deployments?server_id={id}"),
        None => format!("{BASE}/{project}/software_deployments"),
    }
}

/// Three valid deployments: two on server `s1` (the first and the third), one on `s2`.
fn deployments() -> Vec<Value> {
    let mut items = sdconform::reference::generated(3);
    let servers = [
        "5e7f0000-0000-4000-8000-000000000001",
        "5e7f0000-0000-4000-8000-000000000002",
    ];
    for (item, server) in items.iter_mut().zip([servers[0], servers[1], servers[0]]) {
        item["server_id"] = json!(server);
    }
    items
}

fn list(items: &[Value]) -> Value {
    json!({ "software_deployments": items })
}

#[test]
fn the_faulty_reference_capture_breaks_sd_resp_4_and_cites_the_exchange() {
    let (run, dir) = check("--har", &data("mitmproxy-11.0.2-reference-fault.har"), &[]);
    let report = run.report.expect("report.json");
    assert_valid_report(&report);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["verdict"], "non-conformant");
    assert_eq!(
        findings(&report),
        vec![(
            "exchange-0000".to_owned(),
            "SD-RESP-4".to_owned(),
            "MUST".to_owned(),
            "timestamp".to_owned()
        )]
    );
    let exchange = case(&report, "exchange-0000");
    assert_eq!(
        exchange["notes"][0],
        "exchange 0 (HAR entry 0), started 2026-11-30T01:17:53.710953+00:00"
    );
    assert!(
        exchange["source"]
            .as_str()
            .unwrap_or_default()
            .ends_with("reference-fault.har entry 0")
    );
    assert_eq!(
        exchange["request"]["headers"][3],
        json!(["x-auth-token", "<redacted>"])
    );
    assert!(
        run.stdout
            .contains("SD-RESP-4 MUST   exchange-0000 /software_deployments/0/creation_time"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("written by mitmproxy 11.0.2"),
        "{}",
        run.stdout
    );
    assert_eq!(report["target"]["url"], "http://127.0.0.1:18004");
    assert_eq!(report["target"]["project_id"], PROJECT);
    let reports = dir.path().join("reports");
    for name in ["junit.xml", "summary.md", "report.html"] {
        let text =
            std::fs::read_to_string(reports.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.contains("exchange-0000"), "{name}");
        assert!(text.contains("SD-RESP-4"), "{name}");
    }
}

#[test]
fn the_clean_reference_capture_is_conformant_and_other_traffic_is_counted() {
    let (run, _dir) = check(
        "--har",
        &data("mitmproxy-11.0.2-reference.har"),
        &["--profile", "strict"],
    );
    let report = run.report.expect("report.json");
    assert_valid_report(&report);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["verdict"], "conformant");
    assert_eq!(findings(&report), vec![]);
    // Entry 8 is a GET of another path: counted, not a result.
    let ids: Vec<&str> = report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 10, "{ids:?}");
    assert!(!ids.contains(&"exchange-0008"), "{ids:?}");
    let counts = "11 entries, 10 listings checked (0 without a status or a full body), 1 other entry ignored (0 writes); filtered listings: 3 compared with an unfiltered one, 1 with none";
    assert!(run.stdout.contains(counts), "{}", run.stdout);
    assert!(
        report["cases_source"]
            .as_str()
            .unwrap_or_default()
            .ends_with(counts)
    );
    // Entries 4 to 6 are compared with entry 3; entry 2 comes before any unfiltered listing.
    for id in ["exchange-0004", "exchange-0005", "exchange-0006"] {
        assert_eq!(
            record(case(&report, id), "filter_subset")["outcome"],
            "pass",
            "{id}"
        );
    }
    let first = record(case(&report, "exchange-0002"), "filter_subset");
    assert_eq!(first["outcome"], "not_exercised");
    assert!(
        first["note"]
            .as_str()
            .unwrap_or_default()
            .contains("no unfiltered listing")
    );
    // A repeated server_id: the contract does not say which one filters.
    let repeated = record(case(&report, "exchange-0010"), "filter_exact");
    assert_eq!(repeated["outcome"], "not_exercised");
    assert!(
        repeated["note"]
            .as_str()
            .unwrap_or_default()
            .contains("given 2 times")
    );
}

/// The hand-made capture of the subset tests: an unfiltered listing of `all`, then
/// `between` (entries placed between), then a listing filtered by `s1` answered `filtered`.
fn subset_capture(dir: &Path, filtered: &[Value], between: Vec<Value>) -> PathBuf {
    let all = deployments();
    let s1 = all[0]["server_id"].as_str().unwrap_or_default().to_owned();
    let mut entries = vec![entry(
        "GET",
        &listing_url(PROJECT, None),
        200,
        &list(&all[..2]),
        0.0,
        10.0,
    )];
    entries.extend(between);
    entries.push(entry(
        "GET",
        &listing_url(PROJECT, Some(&s1)),
        200,
        &list(filtered),
        5.0,
        10.0,
    ));
    har(dir, entries)
}

#[test]
fn a_filtered_listing_that_is_not_a_subset_fails_sd_req_1_unless_a_write_lies_between() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = deployments();
    // The third deployment is on s1 but not in the unfiltered listing.
    let filtered = [all[0].clone(), all[2].clone()];
    let post = |project: &str, started: f64, time: f64| {
        entry(
            "POST",
            &format!("{BASE}/{project}/software_deployments"),
            200,
            &json!({}),
            started,
            time,
        )
    };
    let other_project = "0ther0000000000000000000000000000";
    let rows: Vec<(&str, Vec<Value>, bool)> = vec![
        ("nothing between", vec![], true),
        (
            "a write to another project",
            vec![post(other_project, 2.0, 1.0)],
            true,
        ),
        (
            "a GET of another resource",
            vec![entry(
                "GET",
                &format!("{BASE}/{PROJECT}/stacks"),
                200,
                &json!({}),
                2.0,
                1.0,
            )],
            true,
        ),
        (
            "a POST to the project",
            vec![post(PROJECT, 2.0, 1.0)],
            false,
        ),
        (
            "a DELETE of a deployment",
            vec![entry(
                "DELETE",
                &format!("{BASE}/{PROJECT}/software_deployments/x"),
                204,
                &Value::Null,
                2.0,
                1.0,
            )],
            false,
        ),
    ];
    for (what, between, fails) in rows {
        let capture = subset_capture(dir.path(), &filtered, between.clone());
        let (run, _reports) = check("--har", &capture, &[]);
        let report = run.report.expect("report.json");
        assert_valid_report(&report);
        let last = format!("exchange-{:04}", between.len() + 1);
        let subset = record(case(&report, &last), "filter_subset");
        if fails {
            assert_eq!(run.code, 1, "{what}: {}", run.stdout);
            assert_eq!(
                findings(&report),
                vec![(
                    last.clone(),
                    "SD-REQ-1".to_owned(),
                    "MUST".to_owned(),
                    "filter_subset".to_owned()
                )],
                "{what}"
            );
            assert_eq!(subset["outcome"], "fail", "{what}");
            let notes = case(&report, &last)["notes"].to_string();
            assert!(
                notes.contains("compared with the unfiltered listing of exchange 0"),
                "{what}: {notes}"
            );
        } else {
            assert_eq!(run.code, 0, "{what}: {}", run.stdout);
            assert_eq!(findings(&report), vec![], "{what}");
            assert_eq!(subset["outcome"], "not_exercised", "{what}");
            assert!(
                subset["note"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("write to the project (exchange 1)"),
                "{what}: {subset}"
            );
        }
    }
    // A conformant filtered listing passes against the same unfiltered one.
    let capture = subset_capture(dir.path(), &all[..1], vec![]);
    let (run, _reports) = check("--har", &capture, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = run.report.expect("report.json");
    assert_eq!(
        record(case(&report, "exchange-0001"), "filter_subset")["outcome"],
        "pass"
    );
}

#[test]
fn a_write_in_flight_while_a_listing_was_served_stops_the_comparison_whatever_the_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = deployments();
    let s1 = all[0]["server_id"].as_str().unwrap_or_default();
    let filtered = list(&[all[0].clone(), all[2].clone()]);
    let post = |started: f64, time: f64| {
        entry(
            "POST",
            &format!("{BASE}/{PROJECT}/software_deployments"),
            201,
            &json!({}),
            started,
            time,
        )
    };
    let unfiltered = |started: f64| {
        entry(
            "GET",
            &listing_url(PROJECT, None),
            200,
            &list(&all[..2]),
            started,
            10.0,
        )
    };
    let filtered_at = |started: f64| {
        entry(
            "GET",
            &listing_url(PROJECT, Some(s1)),
            200,
            &filtered,
            started,
            10.0,
        )
    };
    let rows: Vec<(&str, Vec<Value>, &str)> = vec![
        // Listed after the filtered listing, but started while it was served.
        (
            "a write that overlaps the filtered listing",
            vec![unfiltered(0.0), filtered_at(20.0), post(20.005, 1.0)],
            "exchange-0001",
        ),
        // Listed before the unfiltered listing, but still in flight when it started.
        (
            "a write that overlaps the unfiltered listing",
            vec![post(0.0, 30_000.0), unfiltered(1.0), filtered_at(40.0)],
            "exchange-0002",
        ),
    ];
    for (what, entries, filtered_id) in rows {
        let (run, _reports) = check("--har", &har(dir.path(), entries), &[]);
        let report = run.report.expect("report.json");
        assert_eq!(run.code, 0, "{what}: {}", run.stdout);
        assert_eq!(findings(&report), vec![], "{what}");
        let subset = record(case(&report, filtered_id), "filter_subset");
        assert_eq!(subset["outcome"], "not_exercised", "{what}");
        assert!(
            subset["note"]
                .as_str()
                .unwrap_or_default()
                .contains("in flight"),
            "{what}: {subset}"
        );
    }
    // The same write, started after the filtered listing ended: compared, and failing.
    let entries = vec![unfiltered(0.0), filtered_at(20.0), post(20.011, 1.0)];
    let (run, _reports) = check("--har", &har(dir.path(), entries), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn entries_without_a_status_or_a_full_body_are_not_exercised() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = list(&deployments()).to_string();
    let url = listing_url(PROJECT, None);
    let mut aborted = entry("GET", &url, 0, &Value::Null, 0.0, 0.0);
    aborted["response"]["_error"] = json!("net::ERR_INTERNET_DISCONNECTED");
    let mut truncated = entry("GET", &url, 200, &Value::Null, 1.0, 1.0);
    truncated["response"]["content"] = json!({ "size": body.len(), "mimeType": "application/json", "text": &body[..body.len() / 2] });
    let mut omitted = entry("GET", &url, 200, &Value::Null, 2.0, 1.0);
    omitted["response"]["content"] = json!({ "size": body.len(), "mimeType": "application/json", "comment": "Response bodies are not included." });
    let (run, _reports) = check(
        "--har",
        &har(dir.path(), vec![aborted, truncated, omitted]),
        &[],
    );
    let report = run.report.expect("report.json");
    assert_valid_report(&report);
    // Nothing was validated: inconclusive, not conformant.
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["verdict"], "inconclusive");
    assert!(
        run.stdout
            .contains("3 listings checked (3 without a status or a full body)"),
        "{}",
        run.stdout
    );
    for (id, why) in [
        ("exchange-0000", "status 0"),
        ("exchange-0001", "holds"),
        ("exchange-0002", "Response bodies are not included"),
    ] {
        let result = case(&report, id);
        assert_eq!(result["outcome"], "not_exercised", "{id}");
        assert!(
            result["notes"].to_string().contains(why),
            "{id}: {}",
            result["notes"]
        );
        assert!(
            result["checks"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|r| r["outcome"] != "pass" || r["check"] == "status_code"),
            "{id}: {result:#}"
        );
    }
    assert!(case(&report, "exchange-0000").get("response").is_none());
    assert_eq!(
        record(case(&report, "exchange-0001"), "status_code")["outcome"],
        "pass"
    );
}

/// Every spelling a credential can take in an output: raw, percent-encoded,
/// JSON-escaped, base64.
fn spellings(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap_or_default();
    vec![
        secret.to_owned(),
        sdconform::http::encode(secret),
        json.trim_matches('"').to_owned(),
        STANDARD.encode(secret),
        STANDARD_NO_PAD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
    ]
}

/// stdout, stderr and every file under `dir`.
fn outputs(run: &Run, dir: &Path) -> Vec<(String, String)> {
    let mut all = vec![
        ("stdout".to_owned(), run.stdout.clone()),
        ("stderr".to_owned(), run.stderr.clone()),
    ];
    for file in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Ok(bytes) = std::fs::read(file.path()) {
            all.push((
                file.path().display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    all
}

#[test]
fn credentials_found_in_a_capture_appear_in_no_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bearer = "bearer-5ecret+/=token";
    let cookie = "c00kie-5ecret-value";
    let auth_token = "x-auth-5ecret-token";
    let password = "pa55w0rd-5ecret";
    // The target echoes every credential back: in an item (a status outside the
    // enum, so a finding quotes it), in a header and in an error body.
    let mut items = deployments();
    items[0]["status"] = json!(auth_token);
    items[1]["status_reason"] = json!(format!("{bearer} {cookie} {password}"));
    let mut listing = entry(
        "GET",
        &listing_url(PROJECT, None).replace("https://", &format!("https://admin:{password}@")),
        200,
        &list(&items),
        0.0,
        1.0,
    );
    listing["request"]["headers"] = json!([
        {"name": "Authorization", "value": format!("Bearer {bearer}")},
        {"name": "Cookie", "value": format!("session={cookie}; theme=dark")},
        {"name": "X-Auth-Token", "value": auth_token},
    ]);
    listing["response"]["headers"] = json!([
        {"name": "Content-Type", "value": "application/json"},
        {"name": "X-Echo", "value": format!("{auth_token} {cookie}")},
    ]);
    let refused = entry(
        "GET",
        &listing_url(PROJECT, Some(auth_token)),
        401,
        &json!({"error": format!("token {auth_token} refused")}),
        1.0,
        1.0,
    );
    let capture = har(dir.path(), vec![listing, refused]);
    let (run, reports) = check("--har", &capture, &[]);
    let report = run.report.clone().expect("report.json");
    assert_valid_report(&report);
    assert_eq!(
        run.code, 1,
        "the echoed status is still a finding: {}",
        run.stdout
    );
    assert!(
        findings(&report).iter().any(|f| f.1 == "SD-RESP-9"),
        "{report:#}"
    );
    let leaks: Vec<String> = outputs(&run, &reports.path().join("reports"))
        .iter()
        .flat_map(|(what, text)| {
            [bearer, cookie, auth_token, password]
                .iter()
                .flat_map(|secret| spellings(secret))
                .filter(|form| {
                    text.to_ascii_lowercase()
                        .contains(&form.to_ascii_lowercase())
                })
                .map(|form| format!("{form:?} in {what}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(leaks, Vec::<String>::new());
    assert!(report.to_string().contains("<redacted>"));
}

#[test]
fn a_browser_capture_without_listings_is_inconclusive_and_counts_what_it_ignored() {
    let (run, _dir) = check("--har", &data("chrome-114.har"), &[]);
    let report = run.report.expect("report.json");
    assert_valid_report(&report);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["verdict"], "inconclusive");
    assert!(run.stdout.contains("3 entries, 0 listings checked (0 without a status or a full body), 3 other entries ignored"), "{}", run.stdout);
    assert!(
        report["verdict_reasons"][0]
            .as_str()
            .unwrap_or_default()
            .contains("3 other entries ignored")
    );
    assert_eq!(report["cases"], json!([]));
}

#[test]
fn an_exchanges_ndjson_is_checked_as_a_capture_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut writer = sdconform::report::exchanges::ExchangeWriter::create(
        dir.path(),
        sdconform::report::exchanges::RecordSettings::default(),
        sdconform::secret::Secrets::new(),
    )
    .expect("a writer");
    sdconform::capture::read_har(&data("mitmproxy-11.0.2-reference-fault.har"), |line| {
        writer.record(line).expect("recorded");
        ControlFlow::Continue(())
    })
    .expect("the capture reads");
    let recorded = writer.finish().expect("written").path;
    let (run, _reports) = check("--ndjson", &recorded, &[]);
    let report = run.report.expect("report.json");
    assert_valid_report(&report);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(findings(&report)[0].1, "SD-RESP-4");
    assert!(
        case(&report, "exchange-0000")["source"]
            .as_str()
            .unwrap_or_default()
            .ends_with("exchanges.ndjson seq 0")
    );
    assert!(
        run.stdout
            .contains("(exchanges.ndjson):\n  1 entry, 1 listing checked"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_unreadable_capture_or_a_wrong_command_line_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.har");
    std::fs::write(
        &broken,
        "{\"log\": {\"entries\": [\n  {\"request\": 1}\n]}}",
    )
    .expect("write");
    let (run, _d) = check("--har", &broken, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("failed to read the capture: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("broken.har:2:"), "{}", run.stderr);
    assert!(run.report.is_none());
    let (run, _d) = check("--ndjson", &dir.path().join("missing.ndjson"), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let both = sdconform(
        &["check", "--har", "a.har", "--ndjson", "b.ndjson"],
        dir.path(),
    );
    assert_eq!(both.status.code(), Some(2));
    let neither = sdconform(&["check"], dir.path());
    assert_eq!(neither.status.code(), Some(2));
}

#[test]
fn waivers_name_an_exchange_by_its_result_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let waivers = dir.path().join("waivers.json");
    for (case, code) in [("exchange-0000", 0), ("exchange-0001", 2)] {
        let text = json!({ "waivers": [ { "clause": "SD-RESP-4", "case": case,
            "reason": "vendor ticket 4711", "expires": "2999-12-31" } ] });
        std::fs::write(&waivers, text.to_string()).expect("write");
        let waivers_arg = waivers.to_string_lossy().into_owned();
        let (run, _d) = check(
            "--har",
            &data("mitmproxy-11.0.2-reference-fault.har"),
            &["--waivers", &waivers_arg],
        );
        assert_eq!(run.code, code, "{case}: {}\n{}", run.stdout, run.stderr);
        if code == 0 {
            let report = run.report.expect("report.json");
            assert_eq!(case_outcome(&report, "exchange-0000"), "waived");
        } else {
            assert!(
                run.stderr.contains("unknown case `exchange-0001`"),
                "{}",
                run.stderr
            );
        }
    }
}

fn case_outcome(report: &Value, id: &str) -> String {
    case(report, id)["outcome"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The suite's traffic against `reference` (what a client of the endpoint sends), as
/// lines of a capture.
fn traffic(reference: &Reference) -> Vec<ExchangeLine> {
    let server = "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5";
    let requests: [(Option<&str>, Option<&str>); 7] = [
        (None, Some(TOKEN)),
        (Some(server), Some(TOKEN)),
        (Some("EC14C864-096E-4E27-BB8A-2C2B4DC6F3F5"), Some(TOKEN)),
        (Some("ec14c864-096e-4e27"), Some(TOKEN)),
        (Some("5dc0f0a0-0000-4000-8000-00000000dead"), Some(TOKEN)),
        (None, None),
        (None, Some("a-wrong-token-0000")),
    ];
    let client = reqwest::Client::new();
    let base = reference.url();
    requests
        .iter()
        .enumerate()
        .map(|(n, (server_id, token))| {
            let url = match server_id {
                Some(id) => format!("{base}/v1/{PROJECT}/software_deployments?server_id={id}"),
                None => format!("{base}/v1/{PROJECT}/software_deployments"),
            };
            let mut request = client.get(&url);
            let mut headers = Vec::new();
            if let Some(token) = token {
                request = request.header("X-Auth-Token", *token);
                headers.push(("X-Auth-Token".to_owned(), (*token).to_owned()));
            }
            let (status, response_headers, body) = reference.runtime.block_on(async {
                let response = request.send().await.expect("the reference answers");
                let status = response.status().as_u16();
                let headers: Vec<(String, String)> = response
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                (
                    status,
                    headers,
                    response.bytes().await.expect("a body").to_vec(),
                )
            });
            ExchangeLine {
                schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
                seq: n as u64,
                source: Source::HarEntry(n as u64),
                request: RequestRecord {
                    method: "GET".to_owned(),
                    url,
                    headers,
                },
                response: Some(ResponseLine {
                    status,
                    headers: response_headers,
                    body: Body::inline(body, false),
                }),
                started: Some(format!("2026-01-31T15:00:{n:02}Z")),
                elapsed_ms: Some(5.0),
                not_exercisable: None,
            }
        })
        .collect()
}

/// (clause, severity) of every finding, and the clauses of every observation.
fn passive_findings(
    lines: &[ExchangeLine],
    profile: Profile,
) -> (Vec<(String, String)>, Vec<String>) {
    let contract = Arc::new(Contract::embedded().expect("contract"));
    let mut checker = Checker::new(Settings {
        contract,
        profile,
        clock_skew: DEFAULT_CLOCK_SKEW,
        capture: "traffic".to_owned(),
        format: Format::Har,
    });
    for line in lines {
        checker.exchange(line.clone());
    }
    let checked = checker.finish();
    assert_eq!(checked.counts.listings, lines.len() as u64);
    let findings = checked
        .results
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .map(|f| (f.clause.clone(), f.severity.as_str().to_owned()))
        })
        .collect();
    let observations = checked
        .results
        .iter()
        .flat_map(|r| r.observations.iter().map(|o| o.clause.clone()))
        .collect();
    (findings, observations)
}

/// Every fault of the reference that its clients' traffic can show is found in a
/// capture of that traffic, with the severity a run gives it, under every profile;
/// every other fault, and the reference without one, gives no finding at all.
#[test]
fn every_fault_the_traffic_shows_is_found_and_nothing_else() {
    // What captured traffic can show broken: the body's clauses, the filter's, an
    // undocumented status; SD-CODE-200, -401 and -404 need to know what was asked.
    let contract = Contract::embedded().expect("contract");
    let mut passive = contract.item_clauses();
    passive.extend(["SD-RESP-1", "SD-REQ-1", "SD-CODE-SET"].map(str::to_owned));
    let clean = Reference::start(None);
    let lines = traffic(&clean);
    for profile in Profile::ALL {
        assert_eq!(
            passive_findings(&lines, profile),
            (vec![], vec![]),
            "clean, {profile}"
        );
    }
    let mut found = 0;
    for &fault in Fault::ALL {
        let reference = Reference::start(Some(fault));
        let lines = traffic(&reference);
        let breaks = fault.breaks();
        for profile in Profile::ALL {
            let (findings, observations) = passive_findings(&lines, profile);
            let context = format!(
                "{} under {profile}: {findings:?} {observations:?}",
                fault.name()
            );
            // The traffic asks for the target's own project only: a fault that answers
            // another project's path differently (issue 10 item 12) is not in it.
            let other_project = fault.name().starts_with("other-project-");
            let shown = breaks.filter(|b| {
                b.detected_by == Detection::Suite && passive.contains(b.clause) && !other_project
            });
            let severity = shown.and_then(|b| b.severity_under(profile.as_str()));
            match (shown, severity) {
                (Some(breaks), Some(severity)) => {
                    assert!(!findings.is_empty(), "no finding: {context}");
                    assert!(
                        findings
                            .iter()
                            .all(|(c, s)| c == breaks.clause && s == severity.as_str()),
                        "{context}"
                    );
                    found += 1;
                }
                (Some(breaks), None) if breaks.observed_under(profile.as_str()) => {
                    assert_eq!(findings, vec![], "{context}");
                    assert!(
                        !observations.is_empty() && observations.iter().all(|c| c == breaks.clause),
                        "{context}"
                    );
                }
                _ => assert_eq!((&findings, &observations), (&vec![], &vec![]), "{context}"),
            }
        }
    }
    assert!(found >= 60, "{found} (fault, profile) pairs found");
}
