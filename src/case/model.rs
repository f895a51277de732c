//! The declarative case format, as Rust types (`cases/*.json`).
//!
//! A case file holds a list of cases; each case is one request, what the
//! contract allows in return, and the named checks to run on the response.
//!
//! ```json
//! { "cases": [ {
//!     "id": "filter-existing-server",
//!     "title": "Filtering by a server_id taken from the unfiltered list",
//!     "clauses": ["SD-REQ-1"],
//!     "captures": [ { "name": "server_id", "from": "list-all",
//!                     "pointer": "/software_deployments/0/server_id" } ],
//!     "request": { "path": "/v1/{project_id}/software_deployments",
//!                  "query": [ { "name": "server_id", "value": "{server_id}" } ] },
//!     "expect": { "status": [200], "clause": "SD-CODE-200", "schema": "software-deployments" },
//!     "checks": [ { "check": "filter_exact", "params": { "server_id": "{server_id}" } } ]
//! } ] }
//! ```
//!
//! The JSON Schema of this format is `schemas/case.schema.json`; the loader
//! (`case::load`) validates against it and reports `file:line:col`. The
//! checks, with their parameters typed per check, are in `case::check`.
//! Plain data: the runner and `check` read it, nothing here does I/O.

use serde::{Deserialize, Serialize};

use super::check::CheckSpec;
use crate::contract::Profile;
use crate::model::Severity;

/// One case file: `{"cases": [...]}`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Optional pointer to the case schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// One request against the target and what the contract allows in return.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique id across all loaded files (`[a-z0-9][a-z0-9-]*`); the trial name.
    pub id: String,
    /// One line for humans.
    pub title: String,
    /// Clauses this case exercises, for coverage (findings cite their own).
    #[serde(default)]
    pub clauses: Vec<String>,
    /// Variables taken from other cases' responses before this one runs.
    #[serde(default)]
    pub captures: Vec<Capture>,
    /// The request to send.
    pub request: RequestSpec,
    /// The allowed status codes and the schema for a 200 body.
    pub expect: Expect,
    /// Named checks run on the response.
    #[serde(default)]
    pub checks: Vec<CheckSpec>,
    /// Where the case was loaded from (set by the loader).
    #[serde(skip)]
    pub source: Source,
}

/// File and position a case was loaded from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The file name as given (embedded files use `cases/NAME.json`).
    pub file: String,
    /// 1-based line of the case object.
    pub line: usize,
    /// 1-based column of the case object.
    pub column: usize,
}

/// The pseudo source a capture names to read what the harness created
/// (`--fixtures create`) instead of a case's response: the fixtures document
/// (`fixture::Setup`), e.g. `{"name": "server_id", "from": "fixtures", "pointer": "/servers/0"}`.
/// No case may have this id.
pub const FIXTURES_SOURCE: &str = "fixtures";

/// A variable captured from another case's response body.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// Variable name, used as `{name}` in templates.
    pub name: String,
    /// Id of the case whose response is read (it runs first, once), or
    /// [`FIXTURES_SOURCE`] for the data the harness created.
    pub from: String,
    /// JSON pointer to a string in that response's body.
    pub pointer: String,
    /// How the captured string is turned into the variable's value.
    #[serde(default)]
    pub transform: Transform,
}

/// A transformation applied to a captured string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// The value as captured.
    #[default]
    Identity,
    /// Every ASCII letter's case swapped; not usable when the value has no letter.
    FlipCase,
    /// The first half of the value (at least one character, always shorter).
    Prefix,
}

/// The request of a case.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// Path template, e.g. `/v1/{project_id}/software_deployments`.
    pub path: String,
    /// Query parameters in order; values are templates; a name may repeat.
    #[serde(default)]
    pub query: Vec<QueryParam>,
    /// Which token to send.
    #[serde(default)]
    pub auth: AuthMode,
}

/// One query parameter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QueryParam {
    /// Parameter name.
    pub name: String,
    /// Value template, e.g. `{server_id}`.
    pub value: String,
}

/// Which `X-Auth-Token` a case sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// The token given to the run.
    #[default]
    Default,
    /// No `X-Auth-Token` header at all.
    None,
    /// A syntactically plausible token the target cannot know.
    Invalid,
    /// The token of the second credential, in another project (`--other-cloud`):
    /// tenant isolation. A case that sends it is skipped without one.
    Other,
}

/// What the contract allows in return.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Every status code the contract allows for this request.
    pub status: Vec<u16>,
    /// The clause an unexpected (but documented) status breaks.
    pub clause: String,
    /// Severity of an unexpected status.
    #[serde(default = "must")]
    pub severity: Severity,
    /// Schema name (file `schemas/NAME.schema.json`) a 200 body must satisfy under the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Undocumented codes the `lenient` profile accepts here (an observation there);
    /// `strict` and `documented` report them under SD-CODE-SET, saying `lenient`
    /// accepts them. For example 403 for another project's token, which Heat answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lenient_status: Vec<u16>,
    /// Undocumented statuses this case reads per profile (else each is an SD-CODE-SET
    /// MUST finding): `[{"status": 403, "documented": "SHOULD", "lenient": "accept", "reason": "..."}]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerate: Vec<Tolerated>,
}

fn must() -> Severity {
    Severity::Must
}

/// An undocumented status a case reads per profile, and why: real implementations
/// answer it, and a profile may accept it for this request only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerated {
    /// The status, outside the documented set.
    pub status: u16,
    /// What it is under `strict`.
    #[serde(default)]
    pub strict: Tolerance,
    /// What it is under `documented`.
    #[serde(default)]
    pub documented: Tolerance,
    /// What it is under `lenient`.
    #[serde(default)]
    pub lenient: Tolerance,
    /// Why it is tolerated, said in the finding or the note.
    pub reason: String,
}

impl Tolerated {
    /// What the status is under `profile`.
    pub fn under(&self, profile: Profile) -> Tolerance {
        match profile {
            Profile::Strict => self.strict,
            Profile::Documented => self.documented,
            Profile::Lenient => self.lenient,
        }
    }
}

/// What an undocumented status is under one profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum Tolerance {
    /// An SD-CODE-SET MUST finding, as any undocumented status (the default).
    #[default]
    #[serde(rename = "MUST")]
    Must,
    /// An SD-CODE-SET SHOULD finding.
    #[serde(rename = "SHOULD")]
    Should,
    /// Accepted for this case, with a note.
    #[serde(rename = "accept")]
    Accept,
}
