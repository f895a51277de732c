//! Reports: the one `RunReport` model, and its writers. Only this module writes files.
//!
//! `build` turns case results into the model (waivers, verdict, clause table);
//! `write` renders it as `report.json`, `junit.xml`, `summary.md` and
//! `report.html`; `summary` is the text printed at the end of a run; `compare`
//! reads report files back and puts several runs side by side.

pub mod build;
pub mod compare;
pub mod exchanges;
#[cfg(test)]
pub(crate) mod fixture;
pub mod html;
pub mod json;
pub mod junit;
pub mod lock;
pub mod markdown;
pub mod model;
pub mod read;
pub mod regressions;
pub mod summary;
pub mod vacuity;
pub mod write;

pub use model::RunReport;
