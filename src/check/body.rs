//! The body is JSON and the `Content-Type` says so (SD-RESP-1).
//!
//! The contract describes the body as a JSON document; a 200 that is not
//! parseable JSON, or that is labelled as something other than JSON
//! (`application/json` or a `+json` type, parameters ignored), breaks SD-RESP-1.

use serde_json::Value;

use super::{CheckOutcome, CheckRecord, Finding, truncate};

/// Parses a 200 body, checking its media type. Returns the value if it parsed.
pub fn check(
    content_type: Option<&str>,
    body: &[u8],
) -> (Option<Value>, Vec<Finding>, Vec<CheckRecord>) {
    let mut findings = Vec::new();
    if !is_json_media_type(content_type) {
        findings.push(Finding::new(
            "SD-RESP-1",
            "content_type",
            "",
            "Content-Type: application/json",
            content_type.unwrap_or("(no Content-Type header)"),
            "a 200 body is labelled as something other than JSON",
        ));
    }
    let parsed = match serde_json::from_slice::<Value>(body) {
        Ok(value) => Some(value),
        Err(error) => {
            let excerpt = String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned();
            findings.push(Finding::new(
                "SD-RESP-1",
                "json",
                "",
                "a JSON document",
                truncate(&excerpt, 200),
                format!("the body is not JSON: {error}"),
            ));
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
}
