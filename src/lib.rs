//! sdconform: a contract-conformance harness for
//! `GET /v1/{project_id}/software_deployments` (OpenStack Heat and the clouds
//! built on it).
//!
//! The pipeline flows one way:
//!
//! ```text
//! argv → cli (clap, raw) → config (validated, no I/O)
//! contract (schemas/) + case (cases/) → runner: one libtest-mimic Trial per case
//!   trial: http::send → Exchange → check::evaluate (pure) → CaseResult → collector
//! collector → report::build → RunReport → report::json (+ summary on stdout)
//! RunReport → exit code
//! ```

pub mod app;
pub mod bundle;
pub mod cancel;
pub mod capture;
pub mod case;
pub mod check;
pub mod cli;
pub mod cloud;
pub mod config;
pub mod console;
pub mod contract;
pub mod error;
pub mod exit;
pub mod fixture;
pub mod fuzz;
pub mod http;
pub mod identity;
pub mod jsonfile;
pub mod model;
pub mod passive;
pub mod recheck;
pub mod reference;
pub mod report;
pub mod runner;
pub mod secret;
pub mod template;
pub mod waiver;
