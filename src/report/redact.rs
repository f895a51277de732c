//! Secrets never leave: every string of a report is scrubbed of the token
//! before anything is written or printed, including strings the target sent
//! (a target may echo the token back in a body or an error).

use serde_json::Value;

use super::model::RunReport;
use crate::http::REDACTED;

/// Shortest secret we scrub: shorter ones would shred ordinary text.
pub const MIN_SECRET_LEN: usize = 4;

/// Returns `report` with every occurrence of each secret replaced by `<redacted>`.
pub fn redact(report: RunReport, secrets: &[&str]) -> RunReport {
    let secrets: Vec<&str> = secrets
        .iter()
        .copied()
        .filter(|s| s.len() >= MIN_SECRET_LEN)
        .collect();
    if secrets.is_empty() {
        return report;
    }
    let Ok(mut value) = serde_json::to_value(&report) else {
        return report;
    };
    scrub(&mut value, &secrets);
    serde_json::from_value(value).unwrap_or(report)
}

/// Replaces each secret in `text`.
pub fn scrub_str(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= MIN_SECRET_LEN) {
        if out.contains(secret) {
            out = out.replace(secret, REDACTED);
        }
    }
    out
}

fn scrub(value: &mut Value, secrets: &[&str]) {
    match value {
        Value::String(s) if secrets.iter().any(|secret| s.contains(secret)) => {
            *s = scrub_str(s, secrets);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, secrets)),
        Value::Object(map) => map.values_mut().for_each(|v| scrub(v, secrets)),
        _ => {}
    }
}
