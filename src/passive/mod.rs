//! Passive mode, `sdconform check --har FILE` or `--ndjson FILE`: traffic
//! somebody else sent, checked against the contract without sending a request.
//!
//! Unlike a run there are no cases: every listing of the endpoint in the capture
//! (`GET .../v1/{project_id}/software_deployments[?server_id=...]`) is checked on
//! its own, as a case that allows every documented status would check it, and a
//! filtered listing is compared with the project's unfiltered one when no write
//! to the project lies between them. Other traffic is counted and ignored. Each
//! listing becomes one result, `exchange-0007` (its index in the capture), whose
//! first note cites the exchange and when it started:
//!
//! ```text
//! exchange-0000  GET /v1/95d0.../software_deployments  fail
//!   note: exchange 0 (HAR entry 0), started 2026-11-30T01:17:53.710953+00:00
//!   SD-RESP-4 MUST /software_deployments/0/creation_time: "2015-01-31T15:12:36" ...
//! ```
//!
//! Sits after `runner` (whose rule for a case's outcome it shares) and before
//! `report`, which builds the usual reports from its results; `capture` reads
//! the file, `check` judges. Memory stays flat: an exchange is read, judged and
//! dropped; what is kept is bounded (each project's unfiltered index, at most
//! [`tally::MAX_FLAGGED`] + [`tally::MAX_OTHERS`] results of their own).
//!
//! - `listing`: what an exchange is (a listing and its query, a write, other);
//! - `judge`: the checks of one listing;
//! - `project`: each project's unfiltered listing, and the writes that void it;
//! - `time`: when an exchange started and ended;
//! - `credential`: the capture's credentials, redacted and kept for scrubbing;
//! - `tally`: the results, bounded;
//! - `checker`: the above, one exchange at a time; `file`: a HAR or NDJSON file into it.

pub mod checker;
pub mod credential;
pub mod file;
pub mod judge;
pub mod listing;
pub mod project;
pub mod tally;
pub mod time;

pub use checker::{Checked, Checker, Counts, Format, Settings};
pub use file::Capture;
