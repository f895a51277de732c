//! Issue 12 item 3 (the reading half): HAR captures written by real tools
//! (`tests/data/har/`, see its README), read into exchange lines.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use sdconform::capture::har::{HarSummary, read_har};
use sdconform::contract::{Contract, Profile};
use sdconform::model::{BodyContent, ExchangeLine, Source};
use sdconform::secret::Secrets;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/har")
        .join(name)
}

fn read(path: &Path) -> (HarSummary, Vec<ExchangeLine>) {
    let mut lines = Vec::new();
    let summary = read_har(path, |line| {
        lines.push(line);
        ControlFlow::Continue(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.entries, lines.len() as u64);
    (summary, lines)
}

fn bytes(line: &ExchangeLine) -> &[u8] {
    line.response
        .as_ref()
        .and_then(|r| r.body.bytes())
        .unwrap_or_else(|| panic!("no body in {line:?}"))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

#[test]
fn every_committed_capture_is_read_and_credits_its_tool() {
    let expected = [
        ("charles-4.6.3.har", "Charles Proxy 4.6.3", 1),
        ("chrome-114.har", "WebInspector 537.36", 3),
        ("firefox-111-head.har", "Firefox 111.0.1", 1),
        ("firefox-111-trimmed.har", "Firefox 111.0.1", 3),
        (
            "insomnia-2022.1.1.har",
            "Insomnia REST Client insomnia.desktop.app:v2022.1.1",
            1,
        ),
        (
            "mitmproxy-11.0.2-reference-fault.har",
            "mitmproxy 11.0.2",
            1,
        ),
        ("mitmproxy-11.0.2-reference.har", "mitmproxy 11.0.2", 11),
        ("safari-trimmed.har", "WebKit Web Inspector 1.0", 2),
    ];
    let mut listed: Vec<String> = std::fs::read_dir(data(""))
        .expect("tests/data/har")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".har"))
        .collect();
    listed.sort();
    assert_eq!(listed, expected.map(|(n, _, _)| n.to_owned()));
    let readme = std::fs::read_to_string(data("README.md")).expect("the README");
    for (name, creator, entries) in expected {
        let (summary, lines) = read(&data(name));
        assert_eq!(summary.creator.as_deref(), Some(creator), "{name}");
        assert_eq!(summary.version.as_deref(), Some("1.2"), "{name}");
        assert_eq!(lines.len(), entries, "{name}");
        assert!(readme.contains(name), "README.md does not describe {name}");
        for (n, line) in lines.iter().enumerate() {
            assert_eq!(
                (line.seq, &line.source),
                (n as u64, &Source::HarEntry(n as u64))
            );
            assert!(line.started.is_some(), "{name} entry {n}");
        }
    }
}

/// Charles (text), Chrome (base64) and Firefox (text, compressed on the wire)
/// captured the same page: the bodies read from each are the same bytes.
#[test]
fn text_base64_and_compressed_captures_of_one_page_give_the_same_body() {
    let (_, charles) = read(&data("charles-4.6.3.har"));
    let (_, chrome) = read(&data("chrome-114.har"));
    let (_, firefox) = read(&data("firefox-111-trimmed.har"));
    let page = bytes(&charles[0]);
    assert_eq!(page.len(), 23_866, "Content-Length says 23866");
    assert_eq!(bytes(&chrome[0]), page);
    assert_eq!(bytes(&firefox[0]), page);
    for line in [&charles[0], &chrome[0], &firefox[0]] {
        assert_eq!(line.not_exercisable, None, "{line:?}");
        let body = &line.response.as_ref().expect("a response").body;
        assert!(!body.truncated);
        assert_eq!(
            body.sha256,
            charles[0]
                .response
                .as_ref()
                .and_then(|r| r.body.sha256.clone())
        );
    }
    // Safari writes content.size 0 beside the text; Firefox the compressed bodySize.
    let (_, safari) = read(&data("safari-trimmed.har"));
    assert_eq!(bytes(&safari[1]), bytes(&firefox[2]));
    assert_eq!(bytes(&safari[1]).len(), 2219);
    assert!(
        bytes(&safari[0]).starts_with(b"\x89PNG\r\n\x1a\n"),
        "base64 decoded"
    );
    assert!(
        bytes(&chrome[2]).starts_with(b"\x89PNG\r\n\x1a\n"),
        "base64 decoded"
    );
}

#[test]
fn what_a_capture_does_not_hold_is_not_exercisable() {
    let (_, chrome) = read(&data("chrome-114.har"));
    assert!(chrome[1].response.is_none(), "status 0 is no response");
    let why = chrome[1].not_exercisable.as_deref().unwrap_or_default();
    assert!(
        why.contains("status 0") && why.contains("net::ERR_INTERNET_DISCONNECTED"),
        "{why}"
    );
    let (_, firefox) = read(&data("firefox-111-trimmed.har"));
    let body = &firefox[1].response.as_ref().expect("a response").body;
    assert!(matches!(body.content, BodyContent::Omitted(_)));
    let why = firefox[1].not_exercisable.as_deref().unwrap_or_default();
    assert!(why.contains("Response bodies are not included."), "{why}");
    // A HEAD with no body and size 0 is an empty body, not a missing one.
    let (_, head) = read(&data("firefox-111-head.har"));
    assert_eq!(head[0].request.method, "HEAD");
    assert_eq!(bytes(&head[0]), b"");
    assert_eq!(head[0].not_exercisable, None);
}

#[test]
fn mitmproxy_capture_of_the_reference_target() {
    let (summary, lines) = read(&data("mitmproxy-11.0.2-reference.har"));
    // The token the capture holds is redacted, and handed back for scrubbing.
    for line in &lines {
        for value in header(&line.request.headers, "x-auth-token") {
            assert_eq!(value, "<redacted>");
        }
    }
    assert_eq!(
        summary
            .credentials
            .iter()
            .map(|s| s.expose())
            .collect::<Vec<_>>(),
        [
            "sdconform-invalid-token-00000000000000000000000000000000",
            "sdconform-reference-token"
        ]
    );
    let mut secrets = Secrets::new();
    assert!(summary.add_credentials_to(&mut secrets).is_empty());
    assert_eq!(
        secrets.scrub_str("echo sdconform-reference-token"),
        "echo <redacted>"
    );
    // Python's surrogate escape for the byte 0xFF in queryString does not stop
    // the reading; the URL keeps the query as sent.
    assert!(
        lines[9]
            .request
            .url
            .ends_with("software_deployments?server_id=%FF")
    );
    assert_eq!(lines[9].response.as_ref().map(|r| r.status), Some(400));
    // Repeated query parameters and headers are kept as sent.
    assert!(lines[10].request.url.ends_with("?server_id=a&server_id=b"));
    let statuses: Vec<u16> = lines
        .iter()
        .filter_map(|l| l.response.as_ref().map(|r| r.status))
        .collect();
    assert_eq!(
        statuses,
        [401, 401, 200, 200, 200, 200, 200, 200, 404, 400, 200]
    );
    assert!(
        lines
            .iter()
            .all(|l| l.not_exercisable.is_none() && l.elapsed_ms.is_some())
    );
}

/// The fault's capture breaks SD-RESP-4 where the clean capture does not,
/// judged by the contract's own validation of the captured body.
#[test]
fn a_captured_body_that_breaks_a_clause_is_found() {
    let contract = Contract::embedded().expect("the embedded contract");
    let judge = |line: &ExchangeLine| {
        let value: serde_json::Value = serde_json::from_slice(bytes(line)).expect("JSON");
        contract.validate("software-deployments", Profile::Documented, &value)
    };
    let (_, clean) = read(&data("mitmproxy-11.0.2-reference.har"));
    let list_all = &clean[3];
    assert!(list_all.request.url.ends_with("/software_deployments"));
    assert_eq!(judge(list_all), []);
    let (_, broken) = read(&data("mitmproxy-11.0.2-reference-fault.har"));
    let findings = judge(&broken[0]);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].clause, "SD-RESP-4");
    assert_eq!(findings[0].pointer, "/software_deployments/0/creation_time");
}

/// A capture written here for a quirk no committed capture shows.
fn har(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn entry(response: &str) -> String {
    format!(
        r#"{{"startedDateTime": "2026-01-31T15:12:36.120Z", "time": 12.5,
  "request": {{"method": "GET", "url": "https://heat.example/v1/p/software_deployments",
    "headers": [{{"name": "Cookie", "value": "a=1; session=sess-0123456789"}},
                {{"name": "Authorization", "value": "Bearer bearer-0123456789"}},
                {{"name": "Proxy-Authorization", "value": "Basic dXNlcjpiYXNpYy1wYXNzd29yZA=="}},
                {{"name": "Accept", "value": "application/json"}},
                {{"name": "Accept", "value": "*/*"}}],
    "queryString": [{{"name": "server_id", "value": "a b"}}]}},
  "response": {response}}}"#
    )
}

fn log(entries: &[String]) -> Vec<u8> {
    format!(
        "{{\"log\": {{\"version\": \"1.2\", \"creator\": {{\"name\": \"hand\", \"version\": \"1\"}}, \"entries\": [{}]}}}}",
        entries.join(",\n")
    )
    .into_bytes()
}

#[test]
fn hand_written_quirks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let response = |content: &str| {
        format!(
            r#"{{"status": 200, "headers": [{{"name": "Set-Cookie", "value": "sid=setcookie-0123456789; Path=/"}}],
  "content": {content}, "bodySize": -1}}"#
        )
    };
    let entries = [
        entry(&response(r#"{"size": 10, "text": "{\"a\": 1}"}"#)),
        entry(&response(
            r#"{"size": 4, "text": "{\"a\"", "comment": "Body truncated by the gateway"}"#,
        )),
        entry(&response(
            r#"{"size": 3, "text": "not base64!", "encoding": "base64"}"#,
        )),
        entry(&response(
            r#"{"size": 3, "text": "eJw=", "encoding": "zlib"}"#,
        )),
        entry(&response(
            r#"{"size": 2, "text": "e30", "encoding": "base64"}"#,
        )),
        entry(&response(r#"{"size": 3, "text": "\udcff!"}"#)),
        entry(r#"{"status": 0, "headers": [], "content": {"size": 0}}"#),
    ];
    // With a byte order mark, as some Windows tools write.
    let path = har(
        dir.path(),
        "quirks.har",
        &[b"\xEF\xBB\xBF".as_slice(), &log(&entries)].concat(),
    );
    let (summary, lines) = read(&path);
    assert_eq!(summary.creator.as_deref(), Some("hand 1"));
    let line = &lines[0];
    assert_eq!(
        line.request.url,
        "https://heat.example/v1/p/software_deployments?server_id=a%20b"
    );
    assert_eq!(
        line.request.headers,
        [
            ("Cookie".to_owned(), "<redacted>".to_owned()),
            ("Authorization".to_owned(), "<redacted>".to_owned()),
            ("Proxy-Authorization".to_owned(), "<redacted>".to_owned()),
            ("Accept".to_owned(), "application/json".to_owned()),
            ("Accept".to_owned(), "*/*".to_owned()),
        ]
    );
    assert_eq!(
        header(
            &line.response.as_ref().expect("a response").headers,
            "set-cookie"
        ),
        ["<redacted>"]
    );
    assert_eq!(
        (line.started.as_deref(), line.elapsed_ms),
        (Some("2026-01-31T15:12:36.120Z"), Some(12.5))
    );
    let why = |n: usize| lines[n].not_exercisable.clone().unwrap_or_default();
    assert!(
        why(0).contains("holds 8 of the body's 10 bytes"),
        "{}",
        why(0)
    );
    assert!(lines[0].response.as_ref().is_some_and(|r| r.body.truncated));
    assert!(
        why(1).contains("truncated") && why(1).contains("Body truncated by the gateway"),
        "{}",
        why(1)
    );
    assert!(why(2).contains("not valid base64"), "{}", why(2));
    assert!(why(3).contains("\"zlib\""), "{}", why(3));
    assert_eq!(
        (bytes(&lines[4]), why(4)),
        (b"{}".as_slice(), String::new()),
        "unpadded base64"
    );
    assert_eq!(bytes(&lines[5]), "\u{fffd}!".as_bytes());
    assert!(lines[6].response.is_none() && why(6).contains("status 0"));
    let mut found: Vec<&str> = summary.credentials.iter().map(|s| s.expose()).collect();
    found.sort_unstable();
    assert!(
        [
            "sess-0123456789",
            "bearer-0123456789",
            "setcookie-0123456789",
            "a=1; session=sess-0123456789"
        ]
        .iter()
        .all(|c| found.contains(c)),
        "{found:?}"
    );
    // A one-character cookie value is refused by the secret set, not scrubbed.
    let mut secrets = Secrets::new();
    assert_eq!(
        summary.add_credentials_to(&mut secrets).len(),
        1,
        "{found:?}"
    );

    // The callback can stop the reading.
    let mut seen = 0;
    let summary = read_har(&path, |_| {
        seen += 1;
        ControlFlow::Break(())
    })
    .expect("read");
    assert_eq!((seen, summary.stopped, summary.entries), (1, true, 1));
}

#[test]
fn a_file_that_is_not_a_har_is_named_by_file_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = entry(r#"{"status": 200, "headers": [], "content": {"size": 0}}"#);
    let cases: [(&[u8], &str); 4] = [
        (
            b"{\"entries\": []}",
            ":1:15: (the file): no `log` object: this is not a HAR file",
        ),
        (
            "{\"log\": {\"é\": 1}}".as_bytes(),
            ":1:16: (the file): `log` has no `entries`",
        ),
        (
            &log(&[good.clone(), "{\"request\": {\"url\": \"x\"}}".to_owned()]),
            ":10:24: /log/entries/1: missing field `method`",
        ),
        (
            &log(&[good, "{".to_owned()]),
            ":10:2: invalid JSON: key must be a string",
        ),
    ];
    for (text, expected) in cases {
        let path = har(dir.path(), "bad.har", text);
        let error = read_har(&path, |_| ControlFlow::Continue(()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with(&path.display().to_string()) && error.contains(expected),
            "{error} does not contain {expected}"
        );
    }
}
