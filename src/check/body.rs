//! The body is JSON and the `Content-Type` says so (SD-RESP-1).
//!
//! The contract describes the body as a JSON document; a 200 that is not
//! parseable JSON, or that is labelled as something other than JSON
//! (`application/json` or a `+json` type, parameters ignored), breaks SD-RESP-1.
//!
//! What "JSON" means here is RFC 8259, read strictly where it is strict and
//! with its own allowance where it lets parsers set limits:
//!
//! | body | finding |
//! |---|---|
//! | not JSON: bad syntax, invalid UTF-8, `NaN`/`Infinity`, JSON then garbage, a UTF-8 byte order mark (§8.1: "MUST NOT add") | SD-RESP-1 MUST |
//! | larger than `--max-body-bytes` (counted after decompression): it cannot be read in full | SD-RESP-1 MUST |
//! | JSON beyond what interoperable parsers represent: nesting deeper than 128 levels (§9), a number beyond IEEE 754 binary64 (§6) | SD-RESP-1 SHOULD; the rest is not exercised |
//! | duplicate member names (§4: "SHOULD be unique") | none: the last value wins, as in most parsers |
//!
//! ```json
//! { "clause": "SD-RESP-1", "severity": "MUST", "check": "json", "pointer": "",
//!   "expected": "a JSON document", "actual": "\ufeff{\"software_deployments\": []}",
//!   "message": "the body starts with a UTF-8 byte order mark, which RFC 8259 §8.1 forbids in JSON sent over a network" }
//! ```

use serde_json::Value;

use super::{CheckOutcome, CheckRecord, Finding, Severity, truncate};

/// The UTF-8 encoding of U+FEFF, the byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses a 200 body, checking its media type. Returns the value if it parsed.
pub fn check(
    content_type: Option<&str>,
    body: &[u8],
) -> (Option<Value>, Vec<Finding>, Vec<CheckRecord>) {
    let mut findings: Vec<Finding> = media_type_finding(content_type).into_iter().collect();
    let parsed = match serde_json::from_slice::<Value>(body) {
        Ok(value) => Some(value),
        Err(error) => {
            findings.push(unreadable(body, &error));
            None
        }
    };
    let outcome = if findings.is_empty() {
        CheckOutcome::Pass
    } else {
        CheckOutcome::Fail
    };
    (
        parsed,
        findings,
        vec![CheckRecord::new("json", "SD-RESP-1", outcome)],
    )
}

/// The checks of a 200 body larger than `limit` bytes, of which only the
/// first `limit` were read: it cannot be read in full, so not as JSON.
pub fn check_cut(
    content_type: Option<&str>,
    limit: usize,
) -> (Option<Value>, Vec<Finding>, Vec<CheckRecord>) {
    let mut findings: Vec<Finding> = media_type_finding(content_type).into_iter().collect();
    findings.push(Finding::new(
        "SD-RESP-1",
        "json",
        "",
        format!("a JSON document of at most {limit} bytes (--max-body-bytes)"),
        format!("more than {limit} bytes"),
        format!(
            "the body exceeds the {limit}-byte limit (--max-body-bytes, counted after decompression), so it cannot be read in full as JSON"
        ),
    ));
    (
        None,
        findings,
        vec![CheckRecord::new("json", "SD-RESP-1", CheckOutcome::Fail)],
    )
}

/// The checks of a 200 body that did not parse: the label, and why it is not
/// (or not interoperable) JSON.
pub fn check_error(
    content_type: Option<&str>,
    body: &[u8],
    error: &serde_json::Error,
) -> (Option<Value>, Vec<Finding>, Vec<CheckRecord>) {
    let mut findings: Vec<Finding> = media_type_finding(content_type).into_iter().collect();
    findings.push(unreadable(body, error));
    (
        None,
        findings,
        vec![CheckRecord::new("json", "SD-RESP-1", CheckOutcome::Fail)],
    )
}

/// The `content_type` finding, if the label is not JSON.
pub fn media_type_finding(content_type: Option<&str>) -> Option<Finding> {
    (!is_json_media_type(content_type)).then(|| {
        Finding::new(
            "SD-RESP-1",
            "content_type",
            "",
            "Content-Type: application/json",
            content_type.unwrap_or("(no Content-Type header)"),
            "a 200 body is labelled as something other than JSON",
        )
    })
}

/// The finding for a body serde_json could not turn into a value: MUST when
/// it is not JSON, SHOULD when it is JSON that only exceeds a parser limit
/// RFC 8259 allows (nesting, number range). Told apart by a second pass that
/// checks the syntax without building values (iterative: no recursion, no
/// number conversion), on valid UTF-8 only.
fn unreadable(body: &[u8], error: &serde_json::Error) -> Finding {
    let excerpt =
        String::from_utf8_lossy(body.get(..body.len().min(512)).unwrap_or_default()).into_owned();
    let actual = truncate(&excerpt, 200);
    if body.starts_with(BOM) {
        return Finding::new(
            "SD-RESP-1",
            "json",
            "",
            "a JSON document (without a byte order mark)",
            actual,
            "the body starts with a UTF-8 byte order mark, which RFC 8259 §8.1 forbids in JSON sent over a network",
        );
    }
    let syntax_ok = std::str::from_utf8(body)
        .is_ok_and(|text| serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok());
    if syntax_ok {
        return Finding::new(
            "SD-RESP-1",
            "json",
            "",
            "JSON within the limits interoperable parsers share (RFC 8259 §6, §9): nesting of at most 128 levels, numbers within IEEE 754 binary64",
            actual,
            format!(
                "the body is JSON, but beyond what interoperable parsers represent, so it could not be checked: {error}"
            ),
        )
        .with_severity(Severity::Should);
    }
    Finding::new(
        "SD-RESP-1",
        "json",
        "",
        "a JSON document",
        actual,
        format!("the body is not JSON: {error}"),
    )
}

/// Whether a `Content-Type` value names JSON: `application/json` or `*/*+json`.
pub fn is_json_media_type(content_type: Option<&str>) -> bool {
    let Some(value) = content_type else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind == "application" && (subtype == "json" || subtype.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        let table = [
            (Some("application/json"), true),
            (Some("application/json; charset=utf-8"), true),
            (Some("Application/JSON"), true),
            (Some("application/vnd.openstack.heat+json"), true),
            (Some("text/json"), false),
            (Some("text/html"), false),
            (Some("text/plain; charset=utf-8"), false),
            (Some("application/jsonp"), false),
            (Some(""), false),
            (None, false),
        ];
        for (value, want) in table {
            assert_eq!(is_json_media_type(value), want, "{value:?}");
        }
    }

    #[test]
    fn json_body_passes_and_other_bodies_fail() {
        let (value, findings, records) =
            check(Some("application/json"), br#"{"software_deployments": []}"#);
        assert!(value.is_some());
        assert!(findings.is_empty());
        assert_eq!(records[0].outcome, CheckOutcome::Pass);

        let (value, findings, _) = check(Some("application/json"), b"<html>oops</html>");
        assert!(value.is_none());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].check, "json");
        assert_eq!(findings[0].clause, "SD-RESP-1");

        let (value, findings, _) = check(Some("text/html"), b"{}");
        assert!(value.is_some());
        assert_eq!(findings[0].check, "content_type");

        // Valid JSON followed by garbage is not JSON.
        let (value, _, _) = check(Some("application/json"), b"{} x");
        assert!(value.is_none());
    }

    /// Issue 5: hostile bodies give a clean SD-RESP-1 finding, never a panic
    /// or a stack overflow; JSON beyond parser limits is a SHOULD.
    #[test]
    fn hostile_bodies_issue_5() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes();
        let long_number = format!(
            r#"{{"software_deployments": [], "n": 1{}}}"#,
            "0".repeat(10_000)
        );
        let long_fraction = format!(
            r#"{{"software_deployments": [], "n": 0.{}1}}"#,
            "0".repeat(10_000)
        );
        // (body, Some(severity) of the json finding or None when it parses, message fragment)
        let table: Vec<(Vec<u8>, Option<Severity>, &str)> = vec![
            (
                b"\xEF\xBB\xBF{\"software_deployments\": []}".to_vec(),
                Some(Severity::Must),
                "byte order mark",
            ),
            (
                b"{\"a\": \"\xff\xfe\"}".to_vec(),
                Some(Severity::Must),
                "not JSON",
            ),
            (b"{\"a\": NaN}".to_vec(), Some(Severity::Must), "not JSON"),
            (
                b"{\"a\": Infinity}".to_vec(),
                Some(Severity::Must),
                "not JSON",
            ),
            (
                b"{\"a\": -Infinity}".to_vec(),
                Some(Severity::Must),
                "not JSON",
            ),
            (
                b"{\"software_deployments\": []} <html>".to_vec(),
                Some(Severity::Must),
                "trailing",
            ),
            (b"".to_vec(), Some(Severity::Must), "not JSON"),
            (deep(100_000), Some(Severity::Should), "recursion limit"),
            (
                format!("{}1", "[".repeat(100_000)).into_bytes(),
                Some(Severity::Must),
                "not JSON",
            ),
            (
                long_number.into_bytes(),
                Some(Severity::Should),
                "number out of range",
            ),
            (long_fraction.into_bytes(), None, ""),
            (b"{\"a\": 1, \"a\": \"two\"}".to_vec(), None, ""),
        ];
        for (body, want, fragment) in table {
            let shown = String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned();
            let (value, findings, _) = check(Some("application/json"), &body);
            let json: Vec<&Finding> = findings.iter().filter(|f| f.check == "json").collect();
            match want {
                None => {
                    assert!(value.is_some(), "{shown}");
                    assert!(json.is_empty(), "{shown}: {json:?}");
                }
                Some(severity) => {
                    assert!(value.is_none(), "{shown}");
                    assert_eq!(json.len(), 1, "{shown}");
                    assert_eq!(json[0].clause, "SD-RESP-1");
                    assert_eq!(json[0].severity, severity, "{shown}: {}", json[0].message);
                    assert!(
                        json[0].message.contains(fragment),
                        "{shown}: {}",
                        json[0].message
                    );
                    assert!(json[0].actual.chars().count() < 250, "{shown}");
                }
            }
        }
        // Duplicate keys: the last value wins (documented, not a finding).
        let (value, _, _) = check(Some("application/json"), br#"{"a": 1, "a": "two"}"#);
        assert_eq!(
            value.and_then(|v| v.get("a").cloned()),
            Some(Value::from("two"))
        );
    }

    #[test]
    fn a_cut_body_is_an_sd_resp_1_finding() {
        let (value, findings, records) = check_cut(Some("application/json"), 1024);
        assert!(value.is_none());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].clause, "SD-RESP-1");
        assert_eq!(findings[0].severity, Severity::Must);
        assert!(findings[0].message.contains("--max-body-bytes"));
        assert_eq!(records[0].outcome, CheckOutcome::Fail);
        let (_, findings, _) = check_cut(Some("text/html"), 1024);
        assert_eq!(findings.len(), 2);
    }
}
