//! Fault injection: the catalogue of deliberate contract violations the reference target can
//! be started with.
//!
//! Sits under [`crate::reference`]. Tests start the reference with one [`Fault`] and assert
//! that the harness reports exactly the clause in [`Fault::breaks`]; that proves every check
//! can fail. Each fault breaks one clause and nothing else: item faults corrupt item 0 (never
//! its `server_id`, which the filter cases capture), response faults touch only 200 responses,
//! status faults touch only the requests they name.
//!
//! A few faults react only to inputs no shipped case sends (a `'` in `server_id`, a very long
//! one, whitespace): their [`Breaks::detected_by`] is [`Detection::Fuzz`], and only the fuzz
//! phase (`sdconform fuzz`, `run --fuzz-cases`) can find them.
//!
//! Faults that corrupt the data are applied once, to the whole list, before filtering (here,
//! [`Fault::apply_to_deployments`]), so a filtered list stays the exact subset of the
//! unfiltered one. Faults that change the exchange (auth, filter, status, envelope) are applied
//! by [`super::server`].
//!
//! ```
//! use sdconform::check::Severity;
//! use sdconform::reference::Fault;
//!
//! let fault = Fault::from_name("status-outside-enum").unwrap();
//! let breaks = fault.breaks().unwrap();
//! assert_eq!((breaks.clause, breaks.severity), ("SD-RESP-9", Severity::Must));
//! assert_eq!(breaks.profiles, ["strict", "documented", "lenient"]);
//! assert_eq!(Fault::EmptyList.breaks(), None);
//!
//! // A filter that matches as a database collation does: what it is depends on the profile.
//! let breaks = Fault::from_name("filter-collation").and_then(Fault::breaks).unwrap();
//! assert_eq!(breaks.severity_under("strict"), Some(Severity::Must));
//! assert_eq!(breaks.severity_under("documented"), Some(Severity::Should));
//! assert_eq!(breaks.severity_under("lenient"), None);
//! assert!(breaks.observed_under("lenient"));
//! ```

use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

use crate::model::Severity;

/// Every conformance profile, strictest first.
const EVERY_PROFILE: &[&str] = &["strict", "documented", "lenient"];
/// The profiles that do not accept what common implementations leave out.
const STRICT_AND_DOCUMENTED: &[&str] = &["strict", "documented"];
/// Only the literal reading of the table.
const STRICT_ONLY: &[&str] = &["strict"];
/// Only the document's reading.
const DOCUMENTED_ONLY: &[&str] = &["documented"];
/// Only what common implementations do.
const LENIENT_ONLY: &[&str] = &["lenient"];
/// No profile.
const NONE: &[&str] = &[];

/// Which part of the harness can see a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    /// The example-based suite (fuzzing may see it too).
    Suite,
    /// Only fuzzing: no shipped case sends an input that triggers it.
    Fuzz,
    /// Only a run with identity credentials: a token the identity service issued
    /// (`--os-cloud`), and a second project for isolation (`--other-cloud`).
    Cloud,
}

/// The clause a fault breaks, how strongly the contract asks for it, and where it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breaks {
    /// Contract clause id, e.g. `SD-RESP-9`.
    pub clause: &'static str,
    /// MUST or SHOULD, as the harness reports the finding (under the profiles of
    /// `should_under`, SHOULD).
    pub severity: Severity,
    /// The profiles (`strict`, `documented`, `lenient`) under which this is a violation.
    pub profiles: &'static [&'static str],
    /// The profiles, among `profiles`, under which the finding is a SHOULD whatever
    /// `severity` says (a collation's match under `documented`).
    pub should_under: &'static [&'static str],
    /// The profiles under which it is recorded as an observation, not a finding.
    pub observed_under: &'static [&'static str],
    /// Whether the example-based suite finds it, or only fuzzing does.
    pub detected_by: Detection,
}

impl Breaks {
    /// The severity of the findings under `profile`; `None` where it is no finding.
    pub fn severity_under(&self, profile: &str) -> Option<Severity> {
        if !self.profiles.contains(&profile) {
            None
        } else if self.should_under.contains(&profile) {
            Some(Severity::Should)
        } else {
            Some(self.severity)
        }
    }

    /// Whether `profile` records it as an observation (and no finding).
    pub fn observed_under(&self, profile: &str) -> bool {
        self.observed_under.contains(&profile)
    }
}

/// A MUST violation under every profile.
const fn must(clause: &'static str) -> Option<Breaks> {
    must_under(clause, EVERY_PROFILE)
}

/// A MUST violation under the given profiles only.
const fn must_under(clause: &'static str, profiles: &'static [&'static str]) -> Option<Breaks> {
    Some(Breaks {
        clause,
        severity: Severity::Must,
        profiles,
        should_under: NONE,
        observed_under: NONE,
        detected_by: Detection::Suite,
    })
}

/// A match as a database collation makes one (letter case, trailing spaces, accents): a
/// MUST violation under `strict`, a SHOULD one under `documented`, an observation under
/// `lenient` (the contract's ambiguity 6).
const fn collation(clause: &'static str) -> Option<Breaks> {
    Some(Breaks {
        clause,
        severity: Severity::Must,
        profiles: STRICT_AND_DOCUMENTED,
        should_under: DOCUMENTED_ONLY,
        observed_under: LENIENT_ONLY,
        detected_by: Detection::Suite,
    })
}

/// A MUST violation under every profile that only fuzzing finds.
const fn fuzz_only(clause: &'static str) -> Option<Breaks> {
    Some(Breaks {
        clause,
        severity: Severity::Must,
        profiles: EVERY_PROFILE,
        should_under: NONE,
        observed_under: NONE,
        detected_by: Detection::Fuzz,
    })
}

/// A MUST violation under every profile that only a run with identity credentials finds.
const fn cloud_only(clause: &'static str) -> Option<Breaks> {
    Some(Breaks {
        clause,
        severity: Severity::Must,
        profiles: EVERY_PROFILE,
        should_under: NONE,
        observed_under: NONE,
        detected_by: Detection::Cloud,
    })
}

/// An undocumented status some implementations answer: a MUST violation under `strict`,
/// a SHOULD one under `documented`, accepted (with a note) under `lenient`.
const fn tolerated(clause: &'static str) -> Option<Breaks> {
    Some(Breaks {
        clause,
        severity: Severity::Must,
        profiles: STRICT_AND_DOCUMENTED,
        should_under: DOCUMENTED_ONLY,
        observed_under: NONE,
        detected_by: Detection::Suite,
    })
}

/// A SHOULD violation under every profile.
const fn should(clause: &'static str) -> Option<Breaks> {
    Some(Breaks {
        clause,
        severity: Severity::Should,
        profiles: EVERY_PROFILE,
        should_under: NONE,
        observed_under: NONE,
        detected_by: Detection::Suite,
    })
}

/// Declares [`Fault`] from one table, so that the variants, [`Fault::ALL`], the names, the
/// descriptions and the broken clauses cannot drift apart.
macro_rules! faults {
    ($($variant:ident = $name:literal, $breaks:expr, $description:literal;)+) => {
        /// One deliberate contract violation of the [reference target](crate::reference).
        ///
        /// Each variant's doc is its [`Fault::description`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Fault {
            $(#[doc = $description] $variant,)+
        }

        impl Fault {
            /// Every fault, in catalogue order.
            pub const ALL: &'static [Fault] = &[$(Fault::$variant),+];

            /// The kebab-case name used on the command line, e.g. `status-outside-enum`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Fault::$variant => $name,)+
                }
            }

            /// One line for `--help` and the README.
            pub fn description(self) -> &'static str {
                match self {
                    $(Fault::$variant => $description,)+
                }
            }

            /// The clause this fault breaks; `None` for [`Fault::EmptyList`], which is
            /// conformant but leaves the item checks with nothing to check, and for the
            /// faults that only break the writes fixtures use ([`Fault::affects_only_writes`]).
            pub fn breaks(self) -> Option<Breaks> {
                match self {
                    $(Fault::$variant => $breaks,)+
                }
            }
        }
    };
}

faults! {
    StatusOutsideEnum = "status-outside-enum", must("SD-RESP-9"),
        "item 0's status is \"DONE\", outside COMPLETE, IN_PROGRESS, FAILED";
    StatusLowercase = "status-lowercase", must("SD-RESP-9"),
        "item 0's status is \"complete\" (the enum is case-sensitive)";
    StatusHostileMarkup = "status-hostile-markup", must("SD-RESP-9"),
        "item 0's status is HTML markup: a script, a closing textarea tag, an event handler";
    CreationTimeFractionalSeconds = "creation-time-fractional-seconds", must("SD-RESP-4"),
        "item 0's creation_time has fractional seconds (2015-01-31T15:12:36.123456+00:00)";
    CreationTimeNoOffset = "creation-time-no-offset", must("SD-RESP-4"),
        "item 0's creation_time has no UTC offset (2015-01-31T15:12:36)";
    CreationTimeCompactOffset = "creation-time-compact-offset", must("SD-RESP-4"),
        "item 0's creation_time has an offset without a colon (2015-01-31T15:12:36+0000)";
    CreationTimeSpaceSeparator = "creation-time-space-separator", must("SD-RESP-4"),
        "item 0's creation_time has a space instead of T (2015-01-31 15:12:36+00:00)";
    CreationTimeFeb29NonLeap = "creation-time-feb-29-non-leap", must("SD-RESP-4"),
        "item 0's creation_time is February 29 of a non-leap year (2015-02-29T10:00:00+00:00)";
    CreationTimeHour24 = "creation-time-hour-24", must("SD-RESP-4"),
        "item 0's creation_time has hour 24 (2015-01-31T24:00:00+00:00)";
    CreationTimeOffsetOutOfRange = "creation-time-offset-out-of-range", must("SD-RESP-4"),
        "item 0's creation_time has offset +24:00 (2015-01-31T15:12:36+24:00)";
    UpdatedTimeMonth13 = "updated-time-month-13", must("SD-RESP-11"),
        "item 0's updated_time has month 13 (2015-13-01T00:00:00+00:00)";
    UpdatedBeforeCreated = "updated-before-created", must("SD-RESP-11"),
        "item 0's updated_time is 72 minutes before its creation_time, beyond the clock-skew tolerance (a later string, an earlier instant)";
    UpdatedBeforeCreatedWithinSkew = "updated-before-created-within-skew", should("SD-RESP-11"),
        "item 0's updated_time is 30 seconds before its creation_time, within the default clock-skew tolerance of 1 minute";
    UpdatedTimeAbsent = "updated-time-absent", must_under("SD-RESP-11", STRICT_AND_DOCUMENTED),
        "item 0 has no updated_time field (the lenient profile accepts this)";
    MissingConfigId = "missing-config-id", must("SD-RESP-3"),
        "item 0 has no config_id field";
    ActionWrongType = "action-wrong-type", must("SD-RESP-2"),
        "item 0's action is the number 1, not a string";
    StatusReasonNull = "status-reason-null", must("SD-RESP-10"),
        "item 0's status_reason is null, not a string";
    ServerIdWrongType = "server-id-wrong-type", must("SD-RESP-8"),
        "the last item's server_id is the number 42 (item 0's is captured by the filter cases)";
    InputValuesArray = "input-values-array", must("SD-RESP-6"),
        "item 0's input_values is an array ([]), not an object";
    InputValuesNull = "input-values-null", must_under("SD-RESP-6", STRICT_ONLY),
        "item 0's input_values is null, as in the document's example (only strict rejects it)";
    OutputValuesNull = "output-values-null", must_under("SD-RESP-7", STRICT_AND_DOCUMENTED),
        "item 0's output_values is null (the lenient profile accepts this)";
    OutputValuesString = "output-values-string", must("SD-RESP-7"),
        "item 0's output_values is a string, not an object";
    NonUuidId = "non-uuid-id", must("SD-RESP-5"),
        "item 0's id is \"deployment-1\", not a UUID";
    DuplicateIds = "duplicate-ids", must("SD-RESP-5"),
        "item 1 has item 0's id (both are on the same server, so filtered lists show it too)";
    WrongEnvelope = "wrong-envelope", must("SD-RESP-1"),
        "200 bodies are the bare list [...] instead of {\"software_deployments\": [...]}";
    EnvelopeRenamed = "envelope-renamed", must("SD-RESP-1"),
        "200 bodies name the list \"deployments\" instead of \"software_deployments\"";
    NonJsonBody = "non-json-body", must("SD-RESP-1"),
        "200 bodies are plain text (software_deployments: ...), served as text/plain";
    WrongContentType = "wrong-content-type", must("SD-RESP-1"),
        "200 bodies are correct JSON served with Content-Type: text/html";
    FilterIgnored = "filter-ignored", must("SD-REQ-1"),
        "server_id is ignored: every request gets the full list";
    FilterPrefixMatch = "filter-prefix-match", must("SD-REQ-1"),
        "an item matches when its server_id starts with the filter";
    FilterCaseInsensitive = "filter-case-insensitive", collation("SD-REQ-1"),
        "server_id matches ignoring ASCII case (MUST under strict, SHOULD under documented, an observation under lenient)";
    FilterCollation = "filter-collation", collation("SD-REQ-1"),
        "server_id matches as MariaDB's utf8_general_ci does: ignoring letter case, trailing spaces and accents, items keep their stored spelling (MUST under strict, SHOULD under documented, an observation under lenient)";
    FilterSubstringMatch = "filter-substring-match", must("SD-REQ-1"),
        "an item matches when its server_id contains the filter";
    FilterWildcard = "filter-wildcard", fuzz_only("SD-REQ-1"),
        "server_id is a SQL LIKE pattern: % matches any run of characters, _ any one (only fuzzing sends one)";
    FilterDropsItems = "filter-drops-items", must("SD-REQ-1"),
        "a filtered list holds only the first matching item";
    ServerErrorOnKnownFilter = "server-error-on-known-filter", must("SD-CODE-200"),
        "filtering by an existing server_id answers 500";
    UndocumentedStatusUnknownServer = "undocumented-status-unknown-server", must("SD-CODE-SET"),
        "filtering by a server_id that matches nothing answers 422";
    AcceptMissingToken = "accept-missing-token", must("SD-CODE-401"),
        "a request without X-Auth-Token is served (200) instead of refused";
    AcceptInvalidToken = "accept-invalid-token", must("SD-CODE-401"),
        "a request with a wrong X-Auth-Token is served (200) instead of refused";
    ForbiddenInvalidToken = "forbidden-invalid-token", must("SD-CODE-SET"),
        "a request with a wrong X-Auth-Token answers 403, an undocumented code";
    UnknownPathOk = "unknown-path-ok", must("SD-CODE-404"),
        "unknown paths answer 200 {\"software_deployments\": []} instead of 404";
    EmptyList = "empty-list", None,
        "every list is empty (conformant, but the item checks are vacuous)";
    ServerErrorOnSpecialCharacters = "server-error-on-special-characters", fuzz_only("SD-CODE-200"),
        "a server_id containing ' or ; answers 500 (only fuzzing sends one)";
    ServerErrorOnLongServerId = "server-error-on-long-server-id", fuzz_only("SD-CODE-200"),
        "a server_id longer than 100 characters answers 500 (only fuzzing sends one)";
    TeapotOnWhitespace = "teapot-on-whitespace", fuzz_only("SD-CODE-SET"),
        "a server_id containing whitespace answers 418, an undocumented code (only fuzzing sends one)";
    // Issue 11: faults of a real cloud's paths (identity tokens, a second project).
    ListingLeaksOtherProject = "listing-leaks-other-project", cloud_only("SD-URI-2"),
        "a project's listing, filtered or not, also holds the other project's deployments";
    TokenAcceptedAfterExpiry = "token-accepted-after-expiry", cloud_only("SD-CODE-401"),
        "a token the identity service issued is still served after its expires_at";
    // Issue 11 sections 2 and 3: the writes fixtures use (not the contract: no clause), and
    // the undocumented status Heat answers a token of another project.
    WritesRefused = "writes-refused", None,
        "POST software_deployments answers 403 (fixture creation fails after its config was created; the listing is untouched)";
    DeletesRefused = "deletes-refused", None,
        "DELETE of a software config or deployment answers 403 (fixtures cannot be deleted; the listing is untouched)";
    OtherProjectForbidden = "other-project-forbidden", OTHER_PROJECT_FORBIDDEN,
        "another project's token on this project's URL answers 403, as Heat does (an undocumented code; the lenient profile accepts it)";
    OtherProjectOwnDeployments = "other-project-own-deployments", must("SD-URI-2"),
        "another project's path is answered 200 with the token's own deployments (the project id in the path is ignored)";
    OtherProjectPathForbidden = "other-project-path-forbidden", tolerated("SD-CODE-SET"),
        "another project's path answers 403, as real Heat does (MUST under strict, SHOULD under documented, accepted with a note under lenient)";
}

/// [`Fault::OtherProjectForbidden`]: an undocumented code where the contract has 401 or
/// 404, which `lenient` accepts (the case's `lenient_status`) and records as an observation.
const OTHER_PROJECT_FORBIDDEN: Option<Breaks> = Some(Breaks {
    clause: "SD-CODE-SET",
    severity: Severity::Must,
    profiles: STRICT_AND_DOCUMENTED,
    should_under: NONE,
    observed_under: LENIENT_ONLY,
    detected_by: Detection::Cloud,
});

impl Fault {
    /// Whether this fault only affects the writes fixtures use (no clause of the
    /// contract: [`Fault::breaks`] is `None`, and the listing is untouched).
    pub fn affects_only_writes(self) -> bool {
        matches!(self, Fault::WritesRefused | Fault::DeletesRefused)
    }
}

/// The status [`Fault::StatusHostileMarkup`] serves: markup that would run script, change the
/// page title and close a `<textarea>` if a report wrote it unescaped.
pub const HOSTILE_STATUS: &str = "<script>document.title='pwned';alert(1)</script></textarea><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">| x |";

/// Longest `server_id`, in characters, that [`Fault::ServerErrorOnLongServerId`] still serves.
pub const LONG_SERVER_ID_CHARS: usize = 100;

/// An instant that is later than any of the corrupted creation times would be if a lenient
/// parser normalised them (2015-02-29 as March 1, 24:00 as the next day).
const LATE_UPDATED_TIME: &str = "2015-03-01T12:00:00+00:00";

impl Fault {
    /// The fault called `name` (see [`Fault::name`]), if there is one.
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL
            .iter()
            .copied()
            .find(|fault| fault.name() == name)
    }

    /// Corrupts the served data as this fault requires; a no-op for faults that act on the
    /// exchange instead (auth, filter, status codes, envelope).
    pub(crate) fn apply_to_deployments(self, items: &mut Vec<Value>) {
        match self {
            Fault::StatusOutsideEnum => set(items, 0, "status", json!("DONE")),
            Fault::StatusLowercase => set(items, 0, "status", json!("complete")),
            Fault::StatusHostileMarkup => set(items, 0, "status", json!(HOSTILE_STATUS)),
            Fault::CreationTimeFractionalSeconds => {
                set(
                    items,
                    0,
                    "creation_time",
                    json!("2015-01-31T15:12:36.123456+00:00"),
                );
            }
            Fault::CreationTimeNoOffset => {
                set(items, 0, "creation_time", json!("2015-01-31T15:12:36"));
            }
            Fault::CreationTimeCompactOffset => {
                set(items, 0, "creation_time", json!("2015-01-31T15:12:36+0000"));
            }
            Fault::CreationTimeSpaceSeparator => {
                set(
                    items,
                    0,
                    "creation_time",
                    json!("2015-01-31 15:12:36+00:00"),
                );
            }
            Fault::CreationTimeFeb29NonLeap => {
                // Keep updated_time after it, or a normalising harness would also see
                // SD-RESP-11 (SHOULD) broken.
                set(
                    items,
                    0,
                    "creation_time",
                    json!("2015-02-29T10:00:00+00:00"),
                );
                set(items, 0, "updated_time", json!(LATE_UPDATED_TIME));
            }
            Fault::CreationTimeHour24 => {
                set(
                    items,
                    0,
                    "creation_time",
                    json!("2015-01-31T24:00:00+00:00"),
                );
                set(items, 0, "updated_time", json!(LATE_UPDATED_TIME));
            }
            Fault::CreationTimeOffsetOutOfRange => {
                set(
                    items,
                    0,
                    "creation_time",
                    json!("2015-01-31T15:12:36+24:00"),
                );
            }
            Fault::UpdatedTimeMonth13 => {
                set(items, 0, "updated_time", json!("2015-13-01T00:00:00+00:00"));
            }
            Fault::UpdatedBeforeCreated => {
                // Both set, so the fault does not depend on the fixture's timestamps. As
                // strings the update sorts later; as instants it is 14:00:00Z, 72 min early.
                set(items, 0, "creation_time", json!("2015-01-31T15:12:36Z"));
                set(items, 0, "updated_time", json!("2015-01-31T16:00:00+02:00"));
            }
            Fault::UpdatedBeforeCreatedWithinSkew => {
                // 15:12:06Z, 30 s early; a later string again.
                set(items, 0, "creation_time", json!("2015-01-31T15:12:36Z"));
                set(items, 0, "updated_time", json!("2015-01-31T16:12:06+01:00"));
            }
            Fault::UpdatedTimeAbsent => remove(items, 0, "updated_time"),
            Fault::MissingConfigId => remove(items, 0, "config_id"),
            Fault::ActionWrongType => set(items, 0, "action", json!(1)),
            Fault::StatusReasonNull => set(items, 0, "status_reason", Value::Null),
            Fault::ServerIdWrongType => {
                if let Some(last) = items.len().checked_sub(1) {
                    set(items, last, "server_id", json!(42));
                }
            }
            Fault::InputValuesArray => set(items, 0, "input_values", json!([])),
            Fault::InputValuesNull => set(items, 0, "input_values", Value::Null),
            Fault::OutputValuesNull => set(items, 0, "output_values", Value::Null),
            Fault::OutputValuesString => {
                set(items, 0, "output_values", json!("deploy_status_code=0"));
            }
            Fault::NonUuidId => set(items, 0, "id", json!("deployment-1")),
            Fault::DuplicateIds => {
                if let Some(id) = items.first().and_then(|item| item.get("id")).cloned() {
                    set(items, 1, "id", id);
                }
            }
            Fault::EmptyList => items.clear(),
            Fault::WrongEnvelope
            | Fault::EnvelopeRenamed
            | Fault::NonJsonBody
            | Fault::WrongContentType
            | Fault::FilterIgnored
            | Fault::FilterPrefixMatch
            | Fault::FilterCaseInsensitive
            | Fault::FilterCollation
            | Fault::FilterSubstringMatch
            | Fault::FilterWildcard
            | Fault::FilterDropsItems
            | Fault::ServerErrorOnKnownFilter
            | Fault::UndocumentedStatusUnknownServer
            | Fault::AcceptMissingToken
            | Fault::AcceptInvalidToken
            | Fault::ForbiddenInvalidToken
            | Fault::UnknownPathOk
            | Fault::ServerErrorOnSpecialCharacters
            | Fault::ServerErrorOnLongServerId
            | Fault::TeapotOnWhitespace
            | Fault::OtherProjectOwnDeployments
            | Fault::OtherProjectPathForbidden => {}
            Fault::ListingLeaksOtherProject | Fault::TokenAcceptedAfterExpiry => {}
            Fault::WritesRefused | Fault::DeletesRefused | Fault::OtherProjectForbidden => {}
        }
    }

    /// How this fault answers a request for another project's list; `None`: 404, as
    /// the conformant target does.
    pub(crate) fn other_project(self) -> Option<OtherProject> {
        match self {
            Fault::OtherProjectOwnDeployments => Some(OtherProject::OwnDeployments),
            Fault::OtherProjectPathForbidden => Some(OtherProject::Forbidden),
            _ => None,
        }
    }
}

/// A faulty answer to another project's path (SD-URI-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OtherProject {
    /// 200 with the configured project's own deployments.
    OwnDeployments,
    /// 403 Forbidden.
    Forbidden,
}

impl Fault {
    /// Whether this fault makes the filter `filter` select an item of server `server_id`;
    /// `None` when it does not change how the filter matches (then: exact equality).
    pub(crate) fn filter_selects(self, filter: &str, server_id: &str) -> Option<bool> {
        match self {
            Fault::FilterIgnored => Some(true),
            Fault::FilterPrefixMatch => Some(server_id.starts_with(filter)),
            Fault::FilterSubstringMatch => Some(server_id.contains(filter)),
            Fault::FilterCaseInsensitive => Some(server_id.eq_ignore_ascii_case(filter)),
            Fault::FilterCollation => Some(general_ci(server_id) == general_ci(filter)),
            Fault::FilterWildcard => Some(like(filter, server_id)),
            _ => None,
        }
    }
}

/// The weight string of a case-, trailing-space- and accent-insensitive collation, as
/// MariaDB's `utf8_general_ci` compares: `PAD SPACE`, accents dropped (canonical
/// decomposition without its combining characters), upper case.
fn general_ci(text: &str) -> String {
    text.trim_end_matches(' ')
        .nfd()
        .filter(|c| canonical_combining_class(*c) == 0)
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether `text` matches the SQL `LIKE` `pattern` (`%`: any run of characters, `_`: any
/// one; case-sensitive, no escape character).
fn like(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), text.chars().collect());
    // matches[j]: pattern[..i] matches text[..j], row by row.
    let mut matches = vec![false; text.len() + 1];
    matches[0] = true;
    for p in pattern {
        let mut next = vec![false; text.len() + 1];
        match p {
            '%' => {
                let mut any = false;
                for (j, slot) in next.iter_mut().enumerate() {
                    any |= matches[j];
                    *slot = any;
                }
            }
            _ => {
                for j in 1..=text.len() {
                    next[j] = matches[j - 1] && (p == '_' || p == text[j - 1]);
                }
            }
        }
        matches = next;
    }
    matches[text.len()]
}

/// Sets `field` of item `index`, if that item exists and is an object.
fn set(items: &mut [Value], index: usize, field: &str, value: Value) {
    if let Some(object) = items.get_mut(index).and_then(Value::as_object_mut) {
        object.insert(field.to_owned(), value);
    }
}

/// Removes `field` from item `index`, if that item exists and is an object.
fn remove(items: &mut [Value], index: usize, field: &str) {
    if let Some(object) = items.get_mut(index).and_then(Value::as_object_mut) {
        object.remove(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::fixture::deployments;
    use std::collections::BTreeSet;

    #[test]
    fn there_are_at_least_thirty_faults() {
        assert!(Fault::ALL.len() >= 30, "{}", Fault::ALL.len());
    }

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = BTreeSet::new();
        for &fault in Fault::ALL {
            let name = fault.name();
            assert!(seen.insert(name), "duplicate name {name}");
            assert!(
                name.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'),
                "{name} is not kebab-case"
            );
            assert_eq!(Fault::from_name(name), Some(fault));
            assert!(!fault.description().is_empty() && !fault.description().contains('\n'));
        }
        assert_eq!(Fault::from_name("no-such-fault"), None);
        assert_eq!(Fault::from_name("Status-Outside-Enum"), None);
    }

    #[test]
    fn every_fault_but_empty_list_breaks_a_known_clause() {
        let clauses = [
            "SD-URI-2",
            "SD-REQ-1",
            "SD-RESP-1",
            "SD-RESP-2",
            "SD-RESP-3",
            "SD-RESP-4",
            "SD-RESP-5",
            "SD-RESP-6",
            "SD-RESP-7",
            "SD-RESP-8",
            "SD-RESP-9",
            "SD-RESP-10",
            "SD-RESP-11",
            "SD-CODE-200",
            "SD-CODE-401",
            "SD-CODE-404",
            "SD-CODE-SET",
        ];
        for &fault in Fault::ALL {
            match fault.breaks() {
                None => assert!(
                    fault == Fault::EmptyList || fault.affects_only_writes(),
                    "{}",
                    fault.name()
                ),
                Some(breaks) => {
                    assert!(
                        clauses.contains(&breaks.clause),
                        "{}: {}",
                        fault.name(),
                        breaks.clause
                    );
                    assert!(!breaks.profiles.is_empty(), "{}", fault.name());
                    assert!(breaks.profiles.iter().all(|p| EVERY_PROFILE.contains(p)));
                    // A violation under a lenient profile is one under every stricter profile.
                    assert_eq!(breaks.profiles, &EVERY_PROFILE[..breaks.profiles.len()]);
                }
            }
        }
    }

    #[test]
    fn the_catalogue_matches_the_agreed_mapping() {
        // (fault, clause, severity under strict, documented, lenient; None: no finding).
        type Row = (&'static str, &'static str, [Option<Severity>; 3]);
        use Severity::{Must, Should};
        let expected: [Row; 10] = [
            // Issue 10 item 13: beyond the clock-skew tolerance MUST, within it SHOULD,
            // under every profile.
            (
                "updated-before-created",
                "SD-RESP-11",
                [Some(Must), Some(Must), Some(Must)],
            ),
            (
                "updated-before-created-within-skew",
                "SD-RESP-11",
                [Some(Should), Some(Should), Some(Should)],
            ),
            (
                "updated-time-absent",
                "SD-RESP-11",
                [Some(Must), Some(Must), None],
            ),
            ("input-values-null", "SD-RESP-6", [Some(Must), None, None]),
            (
                "output-values-null",
                "SD-RESP-7",
                [Some(Must), Some(Must), None],
            ),
            // Issue 10 item 16: a collation's match depends on the profile; nothing else
            // is excused.
            (
                "filter-case-insensitive",
                "SD-REQ-1",
                [Some(Must), Some(Should), None],
            ),
            (
                "filter-collation",
                "SD-REQ-1",
                [Some(Must), Some(Should), None],
            ),
            (
                "filter-substring-match",
                "SD-REQ-1",
                [Some(Must), Some(Must), Some(Must)],
            ),
            // Issue 10 item 12: another project's list of ours is MUST everywhere; a
            // 403 for it is MUST, SHOULD or accepted, as the other-project case reads it.
            (
                "other-project-own-deployments",
                "SD-URI-2",
                [Some(Must), Some(Must), Some(Must)],
            ),
            (
                "other-project-path-forbidden",
                "SD-CODE-SET",
                [Some(Must), Some(Should), None],
            ),
        ];
        for (name, clause, severities) in expected {
            let breaks = Fault::from_name(name)
                .and_then(Fault::breaks)
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(breaks.clause, clause, "{name}");
            assert_eq!(breaks.detected_by, Detection::Suite, "{name}");
            for (profile, severity) in EVERY_PROFILE.iter().zip(severities) {
                assert_eq!(breaks.severity_under(profile), severity, "{name} {profile}");
            }
        }
        let observed: Vec<&str> = Fault::ALL
            .iter()
            .filter(|f| f.breaks().is_some_and(|b| b.observed_under("lenient")))
            .map(|f| f.name())
            .collect();
        // Issue 11 section 3: the 403 Heat answers another project's token, too.
        assert_eq!(
            observed,
            [
                "filter-case-insensitive",
                "filter-collation",
                "other-project-forbidden"
            ]
        );
        let forbidden = Fault::OtherProjectForbidden.breaks();
        assert_eq!(
            forbidden.map(|b| (b.clause, b.detected_by)),
            Some(("SD-CODE-SET", Detection::Cloud))
        );
        let severities: Vec<Option<Severity>> = EVERY_PROFILE
            .iter()
            .map(|p| forbidden.and_then(|b| b.severity_under(p)))
            .collect();
        assert_eq!(
            severities,
            [Some(Severity::Must), Some(Severity::Must), None]
        );
        let should: Vec<&str> = Fault::ALL
            .iter()
            .filter(|f| f.breaks().is_some_and(|b| b.severity == Severity::Should))
            .map(|f| f.name())
            .collect();
        assert_eq!(should, ["updated-before-created-within-skew"]);
        let fuzz_only: Vec<(&str, &str)> = Fault::ALL
            .iter()
            .filter_map(|f| {
                f.breaks()
                    .filter(|b| b.detected_by == Detection::Fuzz)
                    .map(|b| (f.name(), b.clause))
            })
            .collect();
        assert_eq!(
            fuzz_only,
            [
                ("filter-wildcard", "SD-REQ-1"),
                ("server-error-on-special-characters", "SD-CODE-200"),
                ("server-error-on-long-server-id", "SD-CODE-200"),
                ("teapot-on-whitespace", "SD-CODE-SET"),
            ]
        );
    }

    #[test]
    fn the_filter_faults_match_as_they_say() {
        let id = "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5";
        let table: [(Fault, &str, bool); 19] = [
            (
                Fault::FilterCaseInsensitive,
                "EC14C864-096E-4E27-BB8A-2C2B4DC6F3F5",
                true,
            ),
            (
                Fault::FilterCaseInsensitive,
                "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5 ",
                false,
            ),
            (
                Fault::FilterCollation,
                "EC14C864-096E-4E27-BB8A-2C2B4DC6F3F5",
                true,
            ),
            (
                Fault::FilterCollation,
                "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5  ",
                true,
            ),
            (
                Fault::FilterCollation,
                "ec14c864-096é-4e27-bb8a-2c2b4dc6f3f5",
                true,
            ),
            (
                Fault::FilterCollation,
                "EC14C864-096É-4E27-BB8A-2C2B4DC6F3F5 ",
                true,
            ),
            (
                Fault::FilterCollation,
                " ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
                false,
            ),
            (Fault::FilterCollation, "ec14c864", false),
            (Fault::FilterSubstringMatch, "096e-4e27", true),
            (Fault::FilterSubstringMatch, "EC14", false),
            (Fault::FilterPrefixMatch, "ec14", true),
            (Fault::FilterPrefixMatch, "096e", false),
            (Fault::FilterWildcard, "%", true),
            (Fault::FilterWildcard, "ec14%", true),
            (Fault::FilterWildcard, "%4dc6f3f_", true),
            (
                Fault::FilterWildcard,
                "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
                true,
            ),
            (Fault::FilterWildcard, "ec14", false),
            (Fault::FilterWildcard, "EC14%", false),
            (Fault::FilterWildcard, "_", false),
        ];
        for (fault, filter, want) in table {
            assert_eq!(
                fault.filter_selects(filter, id),
                Some(want),
                "{} {filter:?}",
                fault.name()
            );
        }
        assert_eq!(Fault::StatusOutsideEnum.filter_selects(id, id), None);
    }

    #[test]
    fn data_faults_keep_item_zero_on_its_server() {
        let clean = deployments();
        for &fault in Fault::ALL.iter().filter(|&&f| f != Fault::EmptyList) {
            let mut items = deployments();
            fault.apply_to_deployments(&mut items);
            assert_eq!(items.len(), clean.len(), "{}", fault.name());
            assert_eq!(
                items[0]["server_id"],
                clean[0]["server_id"],
                "{}",
                fault.name()
            );
        }
    }

    #[test]
    fn data_faults_change_the_data_and_exchange_faults_do_not() {
        let clean = deployments();
        for &fault in Fault::ALL {
            let mut items = deployments();
            fault.apply_to_deployments(&mut items);
            let data_clause = fault
                .breaks()
                .is_some_and(|b| b.clause.starts_with("SD-RESP-") && b.clause != "SD-RESP-1");
            let changed = items != clean;
            assert_eq!(
                changed,
                data_clause || fault == Fault::EmptyList,
                "{}",
                fault.name()
            );
        }
    }
}
