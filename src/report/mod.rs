//! Reports: the one `RunReport` model, and its writers. Only this module writes files.

pub mod build;
pub mod json;
pub mod model;
pub mod redact;
pub mod summary;

pub use model::RunReport;
