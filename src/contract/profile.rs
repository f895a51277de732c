//! The contract's profiles: named readings of its ambiguities, each a JSON
//! merge patch (RFC 7386) on the response schema, read from
//! `schemas/profiles/NAME.json` by [`crate::contract::Contract`]. Part of
//! `contract`; `cli` offers the names as `--profile` values.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A named reading of the contract's ambiguities (see the contract's ambiguity 1).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// The table read literally.
    Strict,
    /// The table plus the document's own example (`input_values: null`). The default.
    Documented,
    /// Also what common implementations do (`output_values: null`, `updated_time` absent or null).
    Lenient,
}

impl Profile {
    /// Every profile, strictest first.
    pub const ALL: [Profile; 3] = [Profile::Strict, Profile::Documented, Profile::Lenient];

    /// The profile's name in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Strict => "strict",
            Profile::Documented => "documented",
            Profile::Lenient => "lenient",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A profile file, as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProfileFile {
    /// Must equal the profile the file name promises.
    pub(super) name: String,
    /// One paragraph for humans.
    pub(super) description: String,
    /// The merge patch on every response schema.
    pub(super) patch: Value,
}
