//! Secrets never leave: the [`Secret`] type that never prints itself, and the
//! scrubbing that replaces every spelling of a secret in what we write or
//! print, including strings the target sent (a target may echo the token back
//! in a body or an error).
//!
//! Sits right after `model`: `http` sends secrets, `runner`, `report` and `app`
//! scrub them, and none of them owns the rules.
//!
//! ```
//! use sdconform::secret::{Secret, Secrets};
//!
//! let mut secrets = Secrets::new();
//! secrets.add("the token", &Secret::new("hunter22")).unwrap();
//! assert_eq!(secrets.scrub_str("token=hunter22 b64=aHVudGVyMjI="), "token=<redacted> b64=<redacted>");
//! assert!(secrets.add("the token", &Secret::new("MUST")).is_err());
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
    /// target that echoes the token into a captured value puts it in a URL),
    /// its JSON-escaped form (a target's JSON text keeps escapes, and a body
    /// excerpt is that text) and its base64 forms (standard, with and without
    /// padding, and URL-safe: what `Authorization: Basic` and many echoing
    /// targets use).
    pub fn spellings(&self) -> Vec<String> {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
        let raw = &self.0;
        let json = serde_json::to_string(raw).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(raw);
        let mut all = vec![
            raw.clone(),
            encode(raw),
            json.to_owned(),
            STANDARD.encode(raw),
            STANDARD_NO_PAD.encode(raw),
            URL_SAFE_NO_PAD.encode(raw),
        ];
        let mut seen = std::collections::HashSet::new();
        all.retain(|s| !s.is_empty() && seen.insert(s.clone()));
        all
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Where the token came from: what a reproduction command names instead of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `--token` on the command line (a command shows a neutral `$TOKEN`).
    Flag,
    /// An environment variable, by name (`SDCONFORM_TOKEN`, `OS_AUTH_TOKEN`).
    Env(String),
    /// None was given: the embedded reference target's own token.
    Embedded,
}

/// Shortest secret we scrub: shorter ones would shred ordinary text.
pub const MIN_SECRET_LEN: usize = 4;

/// Text the reports are made of whatever the target says: the report's own
/// keys and enum values, the clause ids and texts, the HTML report's assets.
/// A secret found in it cannot be scrubbed without destroying the report.
const VOCABULARY: [&str; 7] = [
    include_str!("../schemas/report.schema.json"),
    include_str!("../schemas/exchange.schema.json"),
    include_str!("../schemas/bundle-manifest.schema.json"),
    include_str!("../schemas/clauses.json"),
    include_str!("report/assets/report.css"),
    include_str!("report/assets/report.js"),
    "conformant non-conformant inconclusive interrupted error pass fail skipped waived \
     not_exercised not_applicable not_covered MUST SHOULD strict documented lenient \
     testsuites testsuite testcase failure properties property system-out system-err \
     verdict because cases findings clauses report summary target project profile \
     https:// http:// sdconform software_deployments server_id X-Auth-Token",
];

/// Why a secret cannot be kept out of what we write, or why an output was held back.
#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    /// The secret is too short to scrub without shredding ordinary text.
    #[error(
        "{what} is {len} byte(s) long: a secret shorter than {MIN_SECRET_LEN} bytes cannot be \
         redacted from the reports without shredding them, so the run is refused"
    )]
    TooShort {
        /// Which secret (never its value).
        what: String,
        /// Its length.
        len: usize,
    },
    /// The secret is a word the reports use themselves.
    #[error(
        "{what} is a word the reports themselves use (a keyword, an outcome, a clause id, ...): \
         it cannot be redacted without destroying them, so the run is refused"
    )]
    Vocabulary {
        /// Which secret (never its value).
        what: String,
    },
    /// Scrubbing left something that is no longer the report: nothing is written.
    #[error(
        "redact the secrets from the {output}: the scrubbed text is no longer valid, so nothing is written"
    )]
    Unredactable {
        /// The output concerned.
        output: String,
    },
    /// A secret is still in an output after scrubbing: nothing is written.
    #[error(
        "keep the secrets out of the {output}: one is still there after redaction, so nothing is written"
    )]
    Leaked {
        /// The output concerned.
        output: String,
    },
}

/// The run's secrets, every spelling of each: what every output is scrubbed of.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// Longest first, so a spelling that contains another is replaced whole.
    spellings: Vec<String>,
}

impl Secrets {
    /// No secret yet.
    pub fn new() -> Self {
        Secrets::default()
    }

    /// Every spelling of `secrets`, none refused: for scrubbing one message with
    /// secrets that are not (yet) the run's vetted set, such as an identity
    /// service's error that may echo a password. The run's own outputs use
    /// [`Secrets::add`], which refuses what cannot be redacted.
    pub fn scrubbing<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Secrets {
        let mut set = Secrets::new();
        for secret in secrets {
            set.include(secret);
        }
        set
    }

    /// Adds `secret`, described as `what` in errors (e.g. "the token"); refuses
    /// one that cannot be redacted without destroying the reports.
    pub fn add(&mut self, what: &str, secret: &Secret) -> Result<(), RedactError> {
        let value = secret.expose();
        if value.len() < MIN_SECRET_LEN {
            return Err(RedactError::TooShort {
                what: what.to_owned(),
                len: value.len(),
            });
        }
        if VOCABULARY.iter().any(|text| text.contains(value)) {
            return Err(RedactError::Vocabulary {
                what: what.to_owned(),
            });
        }
        self.include(secret);
        Ok(())
    }

    /// Adds every spelling of `secret` without vetting it: for secrets learnt during
    /// the run (tokens an identity service issued), which must be scrubbed whatever
    /// they are; [`Secrets::ensure_absent`] still guards every output.
    pub fn include(&mut self, secret: &Secret) {
        for spelling in secret.spellings() {
            if !spelling.is_empty() && !self.spellings.contains(&spelling) {
                self.spellings.push(spelling);
            }
        }
        self.spellings
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }

    /// Adds the `user:password@` of `url`, a credential like the token: each part
    /// as written (percent-encoded) and decoded, and `user:password`, whose base64
    /// is the `Authorization: Basic` value reqwest derives from it. Nothing to add
    /// when the URL has no userinfo.
    pub fn add_userinfo(&mut self, url: &reqwest::Url) -> Result<(), RedactError> {
        let written = (url.username(), url.password().unwrap_or(""));
        if written.0.is_empty() && written.1.is_empty() {
            return Ok(());
        }
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8_lossy()
                .into_owned()
        };
        let (user, password) = (decode(written.0), decode(written.1));
        for (what, value) in [
            ("the user name in --target", user.as_str()),
            ("the user name in --target (as written)", written.0),
            ("the password in --target", password.as_str()),
            ("the password in --target (as written)", written.1),
        ] {
            if !value.is_empty() {
                self.add(what, &Secret::new(value))?;
            }
        }
        self.add(
            "the user:password of --target",
            &Secret::new(format!("{user}:{password}")),
        )
    }

    /// Whether there is nothing to scrub.
    pub fn is_empty(&self) -> bool {
        self.spellings.is_empty()
    }

    /// Every spelling, longest first (for callers that scrub with other tools).
    pub fn spellings(&self) -> &[String] {
        &self.spellings
    }

    /// `text` with every spelling of every secret replaced by [`REDACTED`].
    pub fn scrub_str(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for spelling in &self.spellings {
            if out.contains(spelling.as_str()) {
                out = out.replace(spelling.as_str(), REDACTED);
            }
        }
        out
    }

    /// `value` with every string and every object key scrubbed. Fails closed:
    /// when the scrubbed value no longer reads as a `T`, nothing is returned.
    pub fn redact<T: Serialize + DeserializeOwned>(
        &self,
        value: T,
        output: &str,
    ) -> Result<T, RedactError> {
        if self.is_empty() {
            return Ok(value);
        }
        let unredactable = || RedactError::Unredactable {
            output: output.to_owned(),
        };
        let mut tree = serde_json::to_value(&value).map_err(|_| unredactable())?;
        self.scrub_value(&mut tree);
        serde_json::from_value(tree).map_err(|_| unredactable())
    }

    /// Fails when any spelling of any secret is in `text` (the last look at an
    /// output before it is written or printed).
    pub fn ensure_absent(&self, text: &str, output: &str) -> Result<(), RedactError> {
        if self.spellings.iter().any(|s| text.contains(s.as_str())) {
            return Err(RedactError::Leaked {
                output: output.to_owned(),
            });
        }
        Ok(())
    }

    fn scrub_value(&self, value: &mut Value) {
        match value {
            Value::String(s) if self.spellings.iter().any(|sp| s.contains(sp.as_str())) => {
                *s = self.scrub_str(s);
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.scrub_value(v)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut item) in entries {
                    self.scrub_value(&mut item);
                    map.insert(self.scrub_str(&key), item);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(value: &str) -> Secrets {
        let mut set = Secrets::new();
        set.add("the token", &Secret::new(value))
            .unwrap_or_else(|e| panic!("{e}"));
        set
    }

    #[test]
    fn every_spelling_of_a_secret_is_known() {
        let all = Secret::new("a+b/c=\"d").spellings();
        for form in [
            "a+b/c=\"d",
            "a%2Bb%2Fc%3D%22d",
            "a+b/c=\\\"d",
            "YStiL2M9ImQ=",
            "YStiL2M9ImQ",
        ] {
            assert!(all.iter().any(|s| s == form), "{form} missing from {all:?}");
        }
        assert_eq!(Secret::new("plain-token_1").spellings()[0], "plain-token_1");
        // As typed, and as it appears in a URL (moved here from http's tests).
        let url = Secret::new("a+b/c=").spellings();
        assert_eq!(url[..2], ["a+b/c=".to_owned(), "a%2Bb%2Fc%3D".to_owned()]);
    }

    /// Issue 10 item 7: a secret that cannot be redacted is refused, by name, never by value.
    #[test]
    fn secrets_that_cannot_be_redacted_are_refused() {
        for short in ["", "a", "abc"] {
            let error = Secrets::new().add("the token", &Secret::new(short));
            assert!(
                matches!(error, Err(RedactError::TooShort { .. })),
                "{short:?}"
            );
        }
        for word in [
            "pass",
            "MUST",
            "documented",
            "SD-RESP-4",
            "conformant",
            "verdict",
        ] {
            let error = Secrets::new().add("the token", &Secret::new(word));
            let Err(error @ RedactError::Vocabulary { .. }) = error else {
                panic!("{word:?} accepted");
            };
            assert!(!error.to_string().contains(word) || word == "verdict");
            assert!(error.to_string().starts_with("the token is a word"));
        }
        assert!(
            Secrets::new()
                .add("the token", &Secret::new("hunter22"))
                .is_ok()
        );
    }

    #[test]
    fn text_keys_and_values_are_scrubbed() {
        let set = secrets("hunter22");
        assert_eq!(
            set.scrub_str("a hunter22 b aHVudGVyMjI="),
            "a <redacted> b <redacted>"
        );
        let value = serde_json::json!({ "hunter22": ["x hunter22", { "k": "hunter22" }] });
        let scrubbed = set.redact(value, "test").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            scrubbed,
            serde_json::json!({ "<redacted>": ["x <redacted>", { "k": "<redacted>" }] })
        );
    }

    /// Issue 10 item 6: a URL's `user:password@` is a secret in every spelling,
    /// the `Authorization: Basic` value reqwest derives from it included.
    #[test]
    fn userinfo_is_a_secret_as_written_decoded_and_as_basic_auth() {
        let url = reqwest::Url::parse("http://sd-admin:hunter2%40pw@h:8004/heat")
            .unwrap_or_else(|e| panic!("{e}"));
        let mut set = Secrets::new();
        set.add_userinfo(&url).unwrap_or_else(|e| panic!("{e}"));
        let basic = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode("sd-admin:hunter2@pw")
        };
        let text = format!(
            "{url} hunter2@pw hunter2%40pw sd-admin Basic {basic} {}",
            basic.trim_end_matches('=')
        );
        let scrubbed = set.scrub_str(&text);
        for gone in ["sd-admin", "hunter2", basic.trim_end_matches('=')] {
            assert!(!scrubbed.contains(gone), "{gone} in {scrubbed}");
        }
        assert!(set.ensure_absent(&scrubbed, "test").is_ok(), "{scrubbed}");
        assert!(scrubbed.starts_with("http://<redacted>:<redacted>@h:8004/heat"));
        // No userinfo, nothing to add; a user name the reports use is refused by name.
        let plain = reqwest::Url::parse("http://h/").unwrap_or_else(|e| panic!("{e}"));
        let mut none = Secrets::new();
        none.add_userinfo(&plain).unwrap_or_else(|e| panic!("{e}"));
        assert!(none.is_empty());
        let vocabulary =
            reqwest::Url::parse("http://verdict:x@h/").unwrap_or_else(|e| panic!("{e}"));
        let error = Secrets::new().add_userinfo(&vocabulary);
        assert!(
            matches!(&error, Err(RedactError::Vocabulary { what }) if what.contains("user name")),
            "{error:?}"
        );
    }

    #[derive(Debug, Serialize, serde::Deserialize)]
    enum Colour {
        Magenta,
    }

    /// Issue 10 item 7: when scrubbing breaks the value, nothing comes back (fails closed).
    #[test]
    fn redaction_fails_closed() {
        let set = secrets("Magenta");
        let result = set.redact(vec![Colour::Magenta], "report.json");
        assert!(matches!(result, Err(RedactError::Unredactable { .. })));
        assert!(set.ensure_absent("all clear", "summary").is_ok());
        assert!(matches!(
            set.ensure_absent("x TWFnZW50YQ y", "summary"),
            Err(RedactError::Leaked { .. })
        ));
    }
}
