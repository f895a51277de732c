//! A Keystone token as `POST /v3/auth/tokens` answers it: the token itself from
//! the `X-Subject-Token` header, the rest from the body (API reference,
//! `project-scoped-password.json`):
//!
//! ```json
//! {"token": {"expires_at": "2015-11-07T02:58:43.578887Z",
//!            "issued_at": "2015-11-07T01:58:43.578929Z",
//!            "methods": ["password"],
//!            "project": {"domain": {"id": "default", "name": "Default"},
//!                        "id": "a6944d763bf64ee6a275f1263fae0352", "name": "admin"},
//!            "catalog": [{"type": "orchestration", "endpoints": [...]}, ...], ...}}
//! ```

use std::time::{Duration, SystemTime};

use serde::Deserialize;

use super::catalog::Service;
use crate::secret::Secret;

/// A domain or project as the token names it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Named {
    /// Its id.
    pub id: String,
    /// Its name, when given.
    #[serde(default)]
    pub name: Option<String>,
}

/// The project a token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Project {
    /// The project id: what goes into `/v1/{project_id}/...`.
    pub id: String,
    /// Its name, when given.
    #[serde(default)]
    pub name: Option<String>,
    /// Its domain, when given.
    #[serde(default)]
    pub domain: Option<Named>,
}

/// An issued token.
#[derive(Debug, Clone)]
pub struct Token {
    /// The token (`X-Subject-Token`).
    pub value: Secret,
    /// When it stops being valid.
    pub expires_at: SystemTime,
    /// `expires_at` as Keystone wrote it (for display).
    pub expires_at_text: String,
    /// When Keystone issued it, if it said.
    pub issued_at: Option<SystemTime>,
    /// The methods it was obtained with.
    pub methods: Vec<String>,
    /// The project it is scoped to; `None` for an unscoped token.
    pub project: Option<Project>,
    /// The user it was issued to.
    pub user: Option<Named>,
    /// The service catalog (empty when Keystone sent none).
    pub catalog: Vec<Service>,
}

impl Token {
    /// How long the token was valid when issued: `expires_at - issued_at` by the
    /// identity service's own clock (so a skewed local clock does not matter), or
    /// what is left of it now when `issued_at` is missing.
    pub fn lifetime(&self) -> Duration {
        let from = match self.issued_at {
            Some(issued) if issued <= self.expires_at => issued,
            _ => SystemTime::now(),
        };
        self.expires_at
            .duration_since(from)
            .unwrap_or(Duration::ZERO)
    }
}

/// The body's `token` object.
#[derive(Deserialize)]
struct Body {
    token: TokenBody,
}

#[derive(Deserialize)]
struct TokenBody {
    expires_at: String,
    #[serde(default)]
    issued_at: Option<String>,
    #[serde(default)]
    methods: Vec<String>,
    #[serde(default)]
    project: Option<Project>,
    #[serde(default)]
    user: Option<Named>,
    #[serde(default)]
    catalog: Option<Vec<Service>>,
}

/// Why a token response could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `X-Subject-Token` header.
    #[error("the response has no X-Subject-Token header")]
    NoSubjectToken,
    /// The header is not visible text.
    #[error("the X-Subject-Token header is not visible ASCII text")]
    BadSubjectToken,
    /// The body is not a token document.
    #[error("the body is not a Keystone token document: {0}")]
    Body(String),
    /// `expires_at` is not a timestamp.
    #[error("the token's expires_at {0:?} is not an ISO 8601 timestamp")]
    ExpiresAt(String),
}

/// Reads a token from the `X-Subject-Token` header's value and the body.
pub fn parse(subject_token: Option<&[u8]>, body: &[u8]) -> Result<Token, TokenError> {
    let subject = subject_token.ok_or(TokenError::NoSubjectToken)?;
    let subject = std::str::from_utf8(subject)
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or(TokenError::BadSubjectToken)?;
    let body: Body = serde_json::from_slice(body).map_err(|e| {
        // serde_json names the field and position, never a value.
        TokenError::Body(e.to_string())
    })?;
    let token = body.token;
    let expires_at = parse_timestamp(&token.expires_at)
        .ok_or_else(|| TokenError::ExpiresAt(token.expires_at.clone()))?;
    Ok(Token {
        value: Secret::new(subject),
        expires_at,
        expires_at_text: token.expires_at,
        issued_at: token.issued_at.as_deref().and_then(parse_timestamp),
        methods: token.methods,
        project: token.project,
        user: token.user,
        catalog: token.catalog.unwrap_or_default(),
    })
}

/// Parses Keystone's timestamps: ISO 8601 with optional fractional seconds and
/// `Z` or a `±hh:mm` offset (`2015-08-27T09:49:58.000000Z`,
/// `2015-11-07T02:58:43.578887Z`, `2024-01-01T00:00:00+00:00`). Keystone's own
/// `password_expires_at` has no zone at all; that one is read as UTC.
pub fn parse_timestamp(text: &str) -> Option<SystemTime> {
    let (whole, fraction, zone) = split_fraction(text)?;
    let zone = if zone.is_empty() { "Z" } else { zone };
    let seconds = crate::contract::timestamp::parse(&format!("{whole}{zone}")).ok()?;
    let nanos = fraction_nanos(fraction)?;
    let base = if seconds.unix_seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds.unix_seconds.unsigned_abs()))
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(Duration::from_secs(seconds.unix_seconds.unsigned_abs()))
    }?;
    base.checked_add(Duration::from_nanos(nanos))
}

/// `("2015-11-07T02:58:43", "578887", "Z")` from `2015-11-07T02:58:43.578887Z`.
fn split_fraction(text: &str) -> Option<(&str, &str, &str)> {
    let whole = text.get(..19)?;
    let rest = text.get(19..)?;
    let Some(after_dot) = rest.strip_prefix('.') else {
        return Some((whole, "", rest));
    };
    let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    Some((whole, &after_dot[..digits], &after_dot[digits..]))
}

/// Nanoseconds of a fraction's digits (beyond nine, truncated).
fn fraction_nanos(digits: &str) -> Option<u64> {
    let mut nanos = 0u64;
    for digit in digits.bytes().take(9) {
        nanos = nanos * 10 + u64::from(digit - b'0');
    }
    let shown = digits.len().min(9);
    Some(nanos * 10u64.checked_pow(u32::try_from(9 - shown).ok()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/keystone/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn at(unix: u64, micros: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(unix) + Duration::from_micros(micros)
    }

    #[test]
    fn keystone_timestamps_keep_their_microseconds() {
        let cases: [(&str, Option<SystemTime>); 8] = [
            ("2015-08-27T09:49:58.000000Z", Some(at(1_440_668_998, 0))),
            (
                "2015-11-07T02:58:43.578887Z",
                Some(at(1_446_865_123, 578_887)),
            ),
            ("2015-11-07T02:58:43Z", Some(at(1_446_865_123, 0))),
            (
                "2015-11-07T03:58:43.5+01:00",
                Some(at(1_446_865_123, 500_000)),
            ),
            ("2016-11-06T15:32:17.000000", Some(at(1_478_446_337, 0))),
            ("2015-11-07T02:58:43.Z", None),
            ("2015-02-29T00:00:00Z", None),
            ("tomorrow", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_timestamp(text), want, "{text}");
        }
    }

    /// The API reference's own response samples parse, with the header of its HTTP sample.
    #[test]
    fn api_reference_responses_parse() {
        let head = String::from_utf8(sample("auth-password-user-name-unscoped-response-HTTP.txt"))
            .unwrap_or_default();
        assert!(head.starts_with("HTTP/1.1 201 Created"), "{head}");
        let subject = head
            .lines()
            .find_map(|l| l.strip_prefix("X-Subject-Token: "))
            .unwrap_or_default();
        assert_eq!(subject, "ffe47524401e4d61adc7310f7e5b6191");

        let token = parse(
            Some(subject.as_bytes()),
            &sample("project-scoped-password.json"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(token.value.expose(), subject);
        assert_eq!(token.expires_at, at(1_446_865_123, 578_887));
        assert_eq!(token.expires_at_text, "2015-11-07T02:58:43.578887Z");
        assert_eq!(
            token.lifetime(),
            Duration::from_secs(3600) - Duration::from_micros(42)
        );
        let project = token.project.clone().unwrap_or_else(|| panic!("scoped"));
        assert_eq!(project.id, "a6944d763bf64ee6a275f1263fae0352");
        assert_eq!(project.domain.map(|d| d.id).as_deref(), Some("default"));
        assert_eq!(token.methods, ["password"]);
        assert_eq!(token.catalog.len(), 1);

        let app = parse(
            Some(b"t"),
            &sample("auth-application-credential-response.json"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(app.methods, ["application_credential"]);
        assert_eq!(
            app.project.map(|p| p.id).as_deref(),
            Some("231c62fb0fbd485b995e8b060c3f0d98")
        );
        let scoped = parse(Some(b"t"), &sample("auth-token-scoped-response.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(scoped.methods, ["token"]);
        assert!(scoped.catalog.iter().any(|s| s.kind == "orchestration"));
        let big = parse(
            Some(b"t"),
            &sample("auth-password-project-scoped-response.json"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(big.catalog.len(), 13);
    }

    #[test]
    fn broken_responses_are_typed_errors() {
        let body = sample("project-scoped-password.json");
        assert_eq!(parse(None, &body).err(), Some(TokenError::NoSubjectToken));
        assert_eq!(
            parse(Some(b"a\nb"), &body).err(),
            Some(TokenError::BadSubjectToken)
        );
        assert!(matches!(parse(Some(b"t"), b"{}"), Err(TokenError::Body(_))));
        assert!(matches!(
            parse(Some(b"t"), br#"{"token": {"expires_at": "soon"}}"#),
            Err(TokenError::ExpiresAt(_))
        ));
        let minimal = parse(
            Some(b"t"),
            br#"{"token": {"expires_at": "2015-11-07T02:58:43Z"}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(minimal.project.is_none() && minimal.catalog.is_empty());
    }
}
