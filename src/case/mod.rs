//! Declarative test cases: the format (`model`) and the loader (`load`).

pub mod load;
pub mod model;

pub use model::*;
