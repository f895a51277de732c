//! The contract as data: clauses, the response schema, its profiles, and the
//! schemas of our own formats, all read from `schemas/` (or compiled in).
//!
//! Where it sits: after `jsonfile` (through which it reads every schema
//! file, so errors name `file:line:col` in characters) and before `case`,
//! `check` and everything that runs: it is one of the two modules that read
//! the suite's files, and it never touches the network. Each response schema
//! is compiled once per profile and shared by every trial. A profile is a
//! JSON merge patch (RFC 7386) on the base schema, for example
//! `schemas/profiles/documented.json`:
//!
//! ```json
//! { "name": "documented",
//!   "description": "The table plus what the document's own example shows ...",
//!   "patch": { "$defs": { "deployment": { "properties": {
//!       "input_values": { "type": ["object", "null"] } } } } } }
//! ```
//!
//! `clause` and `profile` are the contract's nouns, `load` reads and
//! compiles the files (with `schema`), `validate` turns a body's schema
//! errors into findings; `timestamp` and `uuid` are the contract's own
//! formats.

mod clause;
mod error;
mod load;
mod profile;
mod schema;
pub mod timestamp;
pub mod uuid;
mod validate;

pub use clause::Clause;
pub use error::ContractError;
pub use load::{Contract, EMBEDDED};
pub use profile::Profile;
pub use schema::compile;
pub use validate::{LIST_KEY, compact, to_pointer};
