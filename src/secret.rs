//! Secrets never leave: the [`Secret`] type that never prints itself, and the
//! scrubbing that replaces every spelling of a secret in what we write or
//! print, including strings the target sent (a target may echo the token back
//! in a body or an error).
//!
//! Sits right after `model`: `http` sends secrets, `runner`, `report` and `app`
//! scrub them, and none of them owns the rules.
//!
//! ```text
//! scrub_str("token=hunter22", &["hunter22"]) == "token=<redacted>"
//! ```

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::model::text::encode;

/// What stands in for the token everywhere we write.
pub const REDACTED: &str = "<redacted>";

/// A secret that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Every spelling of the secret that text we print or write could hold:
    /// the value itself and, when different, its percent-encoded form (a
    /// target that echoes the token into a captured value puts it in a URL).
    pub fn spellings(&self) -> Vec<String> {
        let mut all = vec![self.0.clone()];
        let encoded = encode(&self.0);
        if encoded != self.0 {
            all.push(encoded);
        }
        all
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Shortest secret we scrub: shorter ones would shred ordinary text.
pub const MIN_SECRET_LEN: usize = 4;

/// Returns `report` with every occurrence of each secret replaced by `<redacted>`.
pub fn redact<T: Serialize + DeserializeOwned>(report: T, secrets: &[&str]) -> T {
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
