//! Declarative test cases: the format (`model`, with the typed checks in
//! `check`), the loader (`load`) and what only the whole suite can tell
//! (`suite`, `cycle`).
//!
//! Where it sits: after `contract`, which supplies the case schema the
//! loader validates against and the clause ids and schema names the suite
//! must cite, and before `http`, `check` and `runner`, which run the cases.
//! It reads the case files through `jsonfile` and uses `template`'s rule for
//! variables; it never touches the network.

pub mod check;
mod cycle;
pub mod load;
pub mod model;
pub mod suite;

pub use check::{
    Check, CheckName, CheckSpec, FilterExact, FilterSubset, Ids, ProjectScope, Template,
};
pub use model::*;
