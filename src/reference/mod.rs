//! The embedded reference target: a conformant, in-memory implementation of
//! `GET /v1/{project_id}/software_deployments`, with fault injection.
//!
//! It sits beside the pipeline, not in it: it is the target a run uses when the user gives no
//! `--target`, what `sdconform serve` runs, and what the end-to-end tests aim the harness at.
//! Started with a [`Fault`], it breaks exactly one contract clause ([`Fault::breaks`]), so the
//! tests can prove that every check fails on a broken implementation.
//!
//! - `fixture`: the deployments it serves ([`deployments`]);
//! - `fault`: the catalogue of contract violations ([`Fault`], [`Breaks`]);
//! - `server`: the axum server ([`start`], [`ReferenceConfig`], [`RunningReference`]);
//! - `keystone`: its identity service (Keystone v3 tokens, a catalog, expiry);
//! - `tenants`: the two projects, their users, the application credential, a `clouds.yaml`;
//! - `writes`: the orchestration API's writes that fixtures use, stored per project.
//!
//! ```no_run
//! use sdconform::reference::{self, Fault, ReferenceConfig};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let config = ReferenceConfig {
//!     fault: Fault::from_name("status-outside-enum"),
//!     ..ReferenceConfig::default()
//! };
//! let running = reference::start(config, "127.0.0.1:0".parse().expect("an address")).await?;
//! // GET {url}/v1/95d02433133a4c0a87ba6967474a2ad3/software_deployments
//! //   → 200 {"software_deployments": [{"status": "DONE", ...}, ...]}
//! let _base = running.url();
//! running.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod fault;
mod fixture;
mod keystone;
mod server;
mod tenants;
mod writes;

pub use fault::{Breaks, Detection, Fault, HOSTILE_STATUS, LONG_SERVER_ID_CHARS};
pub use fixture::{deployments, generated};
pub use server::{
    DEFAULT_PROJECT_ID, DEFAULT_TOKEN, IdentityConfig, ReferenceConfig, RunningReference, start,
    start_with,
};
pub use tenants::{
    APP_CREDENTIAL, AppCredential, FIRST, REGION, SECOND, Tenant, clouds_yaml,
    second_project_deployments,
};
