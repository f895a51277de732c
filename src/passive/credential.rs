//! The credentials a capture holds, kept out of every output of `check`.
//!
//! The HAR reader already replaces credential headers (`Authorization`, `Cookie`,
//! `X-Auth-Token`, ...) and a URL's `user:password@` and returns their values; an
//! `exchanges.ndjson` that sdconform wrote holds none, but one written by another
//! tool may. Every line is put through [`redact`] whatever its origin: the
//! headers become [`REDACTED`] and the values (whole, each cookie's, a scheme's
//! parameter, a Basic password) are kept, so that the report, the summary and
//! every other output can be scrubbed of them where a target echoed them back.

use std::collections::BTreeSet;

use crate::capture::har::credential_values;
use crate::http::{self, REDACTED};
use crate::model::ExchangeLine;

/// Replaces `line`'s credential headers and URL userinfo, keeping their values
/// in `found`.
pub fn redact(line: &mut ExchangeLine, found: &mut BTreeSet<String>) {
    let response = line.response.as_mut().map(|r| &mut r.headers);
    for headers in std::iter::once(&mut line.request.headers).chain(response) {
        for (name, value) in headers.iter_mut() {
            if http::is_credential_header(name) && value != REDACTED {
                credential_values(name, value, found);
                *value = REDACTED.to_owned();
            }
        }
    }
    if let Ok(url) = reqwest::Url::parse(&line.request.url)
        && (!url.username().is_empty() || url.password().is_some())
    {
        for part in [url.username(), url.password().unwrap_or_default()] {
            if !part.is_empty() {
                found.insert(part.to_owned());
            }
        }
        line.request.url = http::without_userinfo(&url);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Body, EXCHANGE_SCHEMA_VERSION, RequestRecord, ResponseLine, Source};

    #[test]
    fn credential_headers_and_userinfo_are_replaced_and_their_values_kept() {
        let pair = |n: &str, v: &str| (n.to_owned(), v.to_owned());
        let mut line = ExchangeLine {
            schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
            seq: 0,
            source: Source::HarEntry(0),
            request: RequestRecord {
                method: "GET".to_owned(),
                url: "https://al1ce:pa55word@h/v1/p/software_deployments".to_owned(),
                headers: vec![
                    pair("X-Auth-Token", "tok-123456"),
                    pair("cookie", "a=cookie-one; b=cookie-two"),
                    pair("accept", "application/json"),
                    pair("authorization", REDACTED),
                ],
            },
            response: Some(ResponseLine {
                status: 200,
                headers: vec![pair("Set-Cookie", "s=set-cookie-3; Path=/")],
                body: Body::inline(Vec::new(), false),
            }),
            started: None,
            elapsed_ms: None,
            not_exercisable: None,
        };
        let mut found = BTreeSet::new();
        redact(&mut line, &mut found);
        let values: Vec<&str> = found.iter().map(String::as_str).collect();
        for value in [
            "tok-123456",
            "cookie-one",
            "cookie-two",
            "set-cookie-3",
            "al1ce",
            "pa55word",
        ] {
            assert!(values.contains(&value), "{value} not in {values:?}");
        }
        assert!(!values.contains(&REDACTED));
        assert_eq!(line.request.url, "https://h/v1/p/software_deployments");
        let shown: Vec<&str> = line
            .request
            .headers
            .iter()
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(shown, [REDACTED, REDACTED, "application/json", REDACTED]);
        let text = serde_json::to_string(&line).unwrap_or_default();
        for value in values {
            assert!(!text.contains(value), "{value} still in {text}");
        }
    }
}
