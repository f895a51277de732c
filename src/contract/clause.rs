//! The contract's numbered clauses (`schemas/clauses.json`), which every
//! finding, case and waiver cites by id. Part of `contract`, read by
//! `contract::load`; plain data.

use serde::{Deserialize, Serialize};

/// One numbered clause of the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Clause id, e.g. `SD-RESP-4`.
    pub id: String,
    /// The clause's text.
    pub text: String,
}

/// `clauses.json`, as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClauseFile {
    #[expect(dead_code, reason = "the file names its contract for humans")]
    contract: String,
    pub(super) clauses: Vec<Clause>,
}
