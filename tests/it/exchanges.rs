//! Issue 12 item 1: `exchanges.ndjson`, written by `report::exchanges` and read
//! back by `capture::ndjson`; every line valid against
//! `schemas/exchange.schema.json`.

use std::path::Path;

use base64::Engine as _;
use sdconform::capture::ExchangeReader;
use sdconform::model::{
    Body, BodyContent, EXCHANGE_SCHEMA_VERSION, ExchangeLine, RequestRecord, ResponseLine, Source,
};
use sdconform::report::exchanges::{ExchangeWriter, FieldPattern, RecordSettings, Sent};
use sdconform::secret::{Secret, Secrets};
use serde_json::Value;

use crate::support::TOKEN;

fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/exchange.schema.json");
    let text = std::fs::read_to_string(&path).expect("read the schema");
    let value: Value = serde_json::from_str(&text).expect("the schema is JSON");
    sdconform::contract::compile("exchange.schema.json", &value).expect("the schema compiles")
}

/// Every line of `path` is valid against the schema; returns them as JSON.
pub fn valid_lines(path: &Path) -> Vec<Value> {
    let validator = schema();
    let text = std::fs::read_to_string(path).expect("read exchanges.ndjson");
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            let value: Value = serde_json::from_str(line).expect("a line is JSON");
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| format!("{}: {e}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "line {}: {errors:?}\n{line}", n + 1);
            value
        })
        .collect()
}

fn read_all(path: &Path) -> Vec<ExchangeLine> {
    ExchangeReader::open(path)
        .expect("open")
        .map(|line| line.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn line(source: Source, status: u16, body: &[u8]) -> ExchangeLine {
    ExchangeLine {
        schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
        seq: 99,
        source,
        request: RequestRecord {
            method: "GET".to_owned(),
            url: "http://127.0.0.1:8004/v1/p/software_deployments".to_owned(),
            headers: vec![("accept".to_owned(), "application/json".to_owned())],
        },
        response: Some(ResponseLine {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: Body::inline(body.to_vec(), false),
        }),
        started: Some("2026-01-31T15:12:36.120000Z".to_owned()),
        elapsed_ms: Some(3.25),
        not_exercisable: None,
    }
}

fn body_of(line: &ExchangeLine) -> &Body {
    &line.response.as_ref().expect("a response").body
}

#[test]
fn lines_round_trip_and_identical_bodies_are_stored_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = format!(
        "{{\"software_deployments\": [{}]}}",
        vec!["{\"id\": \"a\"}"; 100].join(", ")
    );
    let request = RequestRecord {
        method: "GET".to_owned(),
        url: "http://127.0.0.1:8004/v1/p/software_deployments?server_id=x".to_owned(),
        headers: vec![("x-auth-token".to_owned(), "<redacted>".to_owned())],
    };
    let mut writer = ExchangeWriter::create(dir.path(), RecordSettings::default(), Secrets::new())
        .expect("create");
    let inputs = vec![
        line(Source::Case("list-all".to_owned()), 200, big.as_bytes()),
        line(
            Source::Fuzz("server_id=%FF".to_owned()),
            400,
            &[0xff, 0xfe, b'{'],
        ),
        line(Source::Case("list-again".to_owned()), 200, big.as_bytes()),
        line(Source::HarEntry(7), 204, b""),
        Sent {
            source: Source::Case("cut".to_owned()),
            request: &request,
            started: std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_769_872_356_120),
            elapsed: std::time::Duration::from_micros(3250),
            status: 200,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: b"{\"software_deployments\": [",
            truncated: true,
        }
        .line(),
    ];
    for (n, input) in inputs.iter().enumerate() {
        assert_eq!(writer.record(input.clone()).expect("record"), n as u64);
    }
    // Nothing is at the final path until the recording is finished.
    assert!(!dir.path().join("exchanges.ndjson").exists());
    let summary = writer.finish().expect("finish");
    assert_eq!(
        (
            summary.lines,
            summary.bodies_inline,
            summary.bodies_same_as,
            summary.bodies_omitted
        ),
        (5, 4, 1, 0)
    );
    let raw = valid_lines(&summary.path);
    assert_eq!(raw[2]["response"]["body"]["same_as"], 0, "{}", raw[2]);
    assert_eq!(raw[1]["response"]["body"]["encoding"], "base64");
    assert_eq!(raw[4]["started"], "2026-01-31T15:12:36.120000Z");
    assert_eq!(raw[4]["elapsed_ms"], 3.25);
    assert_eq!(raw[4]["response"]["body"]["truncated"], true);
    let text = std::fs::read_to_string(&summary.path).expect("read");
    assert_eq!(
        text.matches("{\\\"id\\\": \\\"a\\\"}").count(),
        100,
        "the big body is written once"
    );

    let back = read_all(&summary.path);
    assert_eq!(back.len(), inputs.len());
    for (n, (got, given)) in back.iter().zip(&inputs).enumerate() {
        let mut expected = given.clone();
        expected.seq = n as u64;
        assert_eq!(*got, expected, "line {n}");
    }
    assert_eq!(body_of(&back[2]).bytes(), Some(big.as_bytes()));
}

/// Found by `cargo bench --bench exchanges`: a look-up of a body stored
/// earlier must not move the reading of a file larger than the read buffer.
#[test]
fn bodies_stored_once_resolve_anywhere_in_a_large_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut writer = ExchangeWriter::create(dir.path(), RecordSettings::default(), Secrets::new())
        .expect("create");
    // Two bodies stored once, far into the file, referred to in turn (so
    // that every look-up reads the file again).
    let shared = ["a".repeat(1000), "b".repeat(1000)];
    let mut given = Vec::new();
    for n in 0..300usize {
        let body = match n % 3 {
            0 | 1 if n >= 30 => shared[n % 3].clone(),
            _ => format!("{n:0>300}"),
        };
        writer
            .record(line(
                Source::Fuzz(format!("server_id={n}")),
                200,
                body.as_bytes(),
            ))
            .expect("record");
        given.push(body);
    }
    let summary = writer.finish().expect("finish");
    assert_eq!(summary.bodies_same_as, 178);
    assert!(std::fs::metadata(&summary.path).expect("stat").len() > 100_000);
    let back = read_all(&summary.path);
    let bodies: Vec<&[u8]> = back
        .iter()
        .map(|l| body_of(l).bytes().unwrap_or_default())
        .collect();
    let given: Vec<&[u8]> = given.iter().map(String::as_bytes).collect();
    assert_eq!(bodies, given);
}

#[test]
fn past_the_budget_bodies_are_left_out_with_a_note() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = RecordSettings {
        budget: 64 * 1024,
        redact_fields: Vec::new(),
    };
    let mut writer = ExchangeWriter::create(dir.path(), settings, Secrets::new()).expect("create");
    // A campaign against a target answering 10 KiB of different bytes each time.
    for n in 0..200u32 {
        let body = format!("{n:010}").repeat(1024);
        writer
            .record(line(
                Source::Fuzz(format!("server_id={n}")),
                200,
                body.as_bytes(),
            ))
            .expect("record");
    }
    let summary = writer.finish().expect("finish");
    assert_eq!((summary.bodies_inline, summary.bodies_omitted), (6, 194));
    let size = std::fs::metadata(&summary.path).expect("stat").len();
    assert!(size < 64 * 1024 + 200 * 1024, "{size} bytes on disk");
    let raw = valid_lines(&summary.path);
    let note = raw[199]["response"]["body"]["body_omitted"]
        .as_str()
        .unwrap_or_default();
    assert!(
        note.contains("over the recording budget") && note.contains("--record-bytes 65536"),
        "{note}"
    );
    let back = read_all(&summary.path);
    let last = body_of(&back[199]);
    assert_eq!(last.size, 10_240, "the size of a body left out is kept");
    assert!(last.sha256.is_some());
    assert!(matches!(last.content, BodyContent::Omitted(_)));
}

#[test]
fn redact_field_blanks_what_it_names_and_leaves_out_what_it_cannot_search() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = RecordSettings {
        budget: 1 << 20,
        redact_fields: vec![
            "/software_deployments/*/input_values"
                .parse::<FieldPattern>()
                .expect("a pattern"),
        ],
    };
    let mut writer = ExchangeWriter::create(dir.path(), settings, Secrets::new()).expect("create");
    let body =
        r#"{"software_deployments": [{"id": "a", "input_values": {"db_password": "s3cr3t-pw"}}]}"#;
    writer
        .record(line(
            Source::Case("list-all".to_owned()),
            200,
            body.as_bytes(),
        ))
        .expect("record");
    writer
        .record(line(
            Source::Case("html".to_owned()),
            500,
            b"<html>db_password=s3cr3t-pw</html>",
        ))
        .expect("record");
    let summary = writer.finish().expect("finish");
    let text = std::fs::read_to_string(&summary.path).expect("read");
    assert!(!text.contains("s3cr3t-pw"), "{text}");
    let back = read_all(&summary.path);
    let first = body_of(&back[0]);
    assert_eq!(
        first.bytes(),
        Some(r#"{"software_deployments": [{"id": "a", "input_values": {}}]}"#.as_bytes())
    );
    assert_eq!(
        first.redacted_fields,
        ["/software_deployments/0/input_values"]
    );
    let BodyContent::Omitted(why) = &body_of(&back[1]).content else {
        panic!("a body that is not JSON is recorded under --redact-field");
    };
    assert!(why.contains("not JSON"), "{why}");
}

/// The token's spellings, computed here rather than by `secret`.
fn spellings(token: &str) -> Vec<String> {
    let percent: String = token
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let json = serde_json::to_string(token).expect("json");
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        token.to_owned(),
        percent,
        json.trim_matches('"').to_owned(),
        b64.encode(token),
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(token),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token),
    ]
}

/// Writes exchanges in which a target echoes `token` everywhere it can.
pub fn record_echoing_target(dir: &Path, token: &str) -> std::path::PathBuf {
    let mut secrets = Secrets::new();
    secrets
        .add("the token", &Secret::new(token))
        .expect("a usable token");
    let mut writer =
        ExchangeWriter::create(dir, RecordSettings::default(), secrets).expect("create");
    let forms = spellings(token);
    let echo = format!(
        "{{\"error\": {{\"message\": \"bad token {} / {} / {} / {}\"}}}}",
        forms[0], forms[1], forms[2], forms[3]
    );
    let mut first = line(
        Source::Case("auth-invalid-token".to_owned()),
        401,
        echo.as_bytes(),
    );
    first.request.url = format!(
        "http://user:{}@127.0.0.1:8004/v1/p/software_deployments?server_id={}",
        forms[1], forms[1]
    );
    first.request.headers = vec![
        ("x-auth-token".to_owned(), token.to_owned()),
        ("authorization".to_owned(), format!("Bearer {token}")),
        ("x-forwarded".to_owned(), format!("token={}", forms[4])),
    ];
    if let Some(response) = &mut first.response {
        response.headers = vec![
            (
                "set-cookie".to_owned(),
                format!("session={token}; HttpOnly"),
            ),
            ("x-echo".to_owned(), forms[5].clone()),
            (
                "www-authenticate".to_owned(),
                format!("Keystone uri={}", forms[1]),
            ),
        ];
    }
    writer.record(first).expect("record");
    let binary = [
        b"\xff\xfe".as_slice(),
        token.as_bytes(),
        b"\x00",
        forms[3].as_bytes(),
    ]
    .concat();
    writer
        .record(line(
            Source::Fuzz(format!("server_id={}", forms[1])),
            500,
            &binary,
        ))
        .expect("record");
    let big = format!(
        "{{\"pad\": \"{}\", \"t\": \"{}\"}}",
        "x".repeat(400),
        forms[2]
    );
    for _ in 0..2 {
        writer
            .record(line(
                Source::Case("list-all".to_owned()),
                200,
                big.as_bytes(),
            ))
            .expect("record");
    }
    writer.finish().expect("finish").path
}

/// Every spelling of `token` absent from `bytes`.
pub fn assert_no_spelling(bytes: &[u8], token: &str, what: &str) {
    for form in spellings(token) {
        let found = memchr::memmem::find(bytes, form.as_bytes());
        assert!(found.is_none(), "{what} holds {form:?} at byte {found:?}");
    }
}

#[test]
fn no_spelling_of_a_secret_is_recorded() {
    let dir = tempfile::tempdir().expect("temp dir");
    for token in [TOKEN, "a+b/c=\"d\\e-long-enough"] {
        let path = record_echoing_target(dir.path(), token);
        let bytes = std::fs::read(&path).expect("read");
        assert_no_spelling(&bytes, token, "exchanges.ndjson");
        let lines = valid_lines(&path);
        assert_eq!(lines[0]["request"]["headers"][0][1], "<redacted>");
        assert_eq!(lines[0]["response"]["headers"][0][1], "<redacted>");
        assert!(
            lines[0]["request"]["url"]
                .as_str()
                .is_some_and(|u| !u.contains("user") && u.contains("server_id=<redacted>")),
            "{}",
            lines[0]["request"]["url"]
        );
        // Scrubbed bodies still read back, and the second copy still refers to the first.
        let back = read_all(&path);
        assert_eq!(back.len(), 4);
        assert_eq!(lines[3]["response"]["body"]["same_as"], 2);
        let body = body_of(&back[1]).bytes().unwrap_or_default().to_vec();
        assert!(
            body.starts_with(b"\xff\xfe<redacted>\x00<redacted>"),
            "{body:?}"
        );
    }
}

#[test]
fn a_broken_file_is_named_by_file_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("exchanges.ndjson");
    let good = |seq: u64, body: &str| {
        let mut l = line(Source::Case("c".to_owned()), 200, body.as_bytes());
        l.seq = seq;
        serde_json::to_string(&l).expect("json")
    };
    let big = "y".repeat(300);
    let same_as_zero = |seq: u64| {
        let mut l: Value = serde_json::from_str(&good(seq, &big)).expect("json");
        l["response"]["body"] =
            serde_json::json!({"size": 300, "sha256": "0".repeat(64), "same_as": 0});
        l.to_string()
    };
    // (file, line, what the column points at, message)
    let cases: Vec<(String, usize, &str, &str)> = vec![
        (
            format!("{}\n\n{{\"seq\": ", good(0, "a")),
            3,
            " ",
            "invalid JSON: EOF while parsing a value",
        ),
        (
            format!("{}\n{}", good(0, "a"), good(2, "b")),
            2,
            "2,",
            "/seq: seq is 2, expected 1",
        ),
        (
            good(0, "abc").replace("\"size\":3", "\"size\":4"),
            1,
            "{\"size\":4",
            "/response/body: size is 4 but the text holds 3 byte(s)",
        ),
        (
            good(0, "abc").replace("\"text\":\"abc\"", "\"text\":\"abd\""),
            1,
            "{\"size\":3",
            "/response/body: sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad \
             does not match the text (whose sha256 is a52d159f",
        ),
        (
            good(0, &big).replace("1.0", "2.0"),
            1,
            "\"2.0\"",
            "/schema_version: schema_version \"2.0\" is not one this sdconform reads (1.0)",
        ),
        (
            same_as_zero(0),
            1,
            "0,",
            "/response/body/same_as: same_as 0 names no earlier line that stores a body",
        ),
        (
            format!("{}\n{}", good(0, &big), same_as_zero(1)),
            2,
            "\"0000",
            "/response/body/sha256: the body of line 1 (seq 0), which same_as names, has another sha256",
        ),
    ];
    for (text, line, at, message) in cases {
        std::fs::write(&path, &text).expect("write");
        let errors: Vec<String> = ExchangeReader::open(&path)
            .expect("open")
            .filter_map(Result::err)
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let rest = errors[0]
            .strip_prefix(&format!("{}:{line}:", path.display()))
            .unwrap_or_else(|| panic!("{} is not on line {line}", errors[0]));
        let (column, said) = rest.split_once(": ").unwrap_or_default();
        let column: usize = column.parse().unwrap_or_else(|_| panic!("{rest}"));
        let pointed: String = text
            .lines()
            .nth(line - 1)
            .unwrap_or_default()
            .chars()
            .skip(column - 1)
            .collect();
        assert!(
            pointed.starts_with(at),
            "{}: column {column} points at {pointed:.20}",
            errors[0]
        );
        assert!(said.starts_with(message), "{said}");
    }
}
