//! One JSON file the user gave us (cases, waivers, the contract's schema
//! files, reports to compare, fuzz regressions): reading it, and the errors
//! every such read shares, each naming `file:line:col` with the column in
//! characters.
//!
//! Where it sits: a leaf of the flow, left of `template`, `contract`, `case`
//! and `waiver`, which read their files through it; it uses only `model`.
//! It owns no format of its own: a reader parses ([`parse`]), checks the
//! value against its schema ([`schema::problem`]) and its Rust type
//! ([`Positions::typed`]), and `locate` maps each JSON pointer back to the
//! text. A message reads, after "failed to load the waivers: ":
//!
//! ```text
//! waivers.json:4:17: /waivers/0/expires: invalid value: string "2026-13-1", expected a string matching `^[0-9]{4}-...`
//! ```

mod error;
mod file;
pub mod locate;
mod message;
mod pointer;
pub mod schema;

pub use error::{FileError, Problem};
pub use file::{Positions, parse, read};
pub use message::type_names;
pub use pointer::{depth, escape, path_pointer};
