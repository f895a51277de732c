//! Traffic read back from files: our own `exchanges.ndjson` (`ndjson`) and
//! HAR 1.2 captures that browsers, proxies and gateways export (`har`), both as
//! `model::ExchangeLine`s, one at a time.
//!
//! Sits after `http` (whose list of credential headers it redacts from
//! captures) and before `check`, which judges the lines it yields: `recheck`
//! and `verify` re-derive a run from its recording, `check --har` judges
//! traffic somebody else sent. Nothing here writes; nothing here touches the
//! network.

pub mod har;
pub mod ndjson;

pub use har::{HarSummary, read_har};
pub use ndjson::ExchangeReader;
