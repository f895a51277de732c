//! A real cloud as OpenStack users already describe it: `clouds.yaml` and
//! `secure.yaml` from the standard places, the `OS_*` variables and the command
//! line, resolved to one [`CloudConfig`] ([`resolve`], no network); then
//! authenticated, with the orchestration endpoint found ([`connect`]); and
//! `doctor`'s step-by-step account of both ([`doctor`]).
//!
//! Sits after `identity` (whose [`crate::identity::Credentials`] it builds and
//! whose client it drives) and before everything that runs cases: the caller
//! decides when a real cloud is contacted at all.
//!
//! ```yaml
//! # ~/.config/openstack/clouds.yaml
//! clouds:
//!   prod:
//!     auth:
//!       auth_url: https://keystone.example:5000
//!       username: ci
//!       project_name: conformance
//!       user_domain_name: Default
//!       project_domain_name: Default
//!     region_name: RegionOne
//! # ~/.config/openstack/secure.yaml
//! clouds:
//!   prod:
//!     auth:
//!       password: ...
//! ```
//!
//! How values are chosen, and where sdconform differs from python-openstackclient,
//! is written in [`resolve`]'s module documentation (`resolve.rs`).

mod connect;
mod doctor;
mod error;
mod files;
mod origin;
mod resolve;
mod sources;
pub mod yaml;

pub use connect::{Connection, EndpointSource, connect, endpoint_of, merged_tls};
pub use doctor::{DoctorOptions, STEPS, Step, StepOutcome, doctor, exit_of};
pub use error::CloudError;
pub use files::{Loaded, load};
pub use origin::Origin;
pub use resolve::{CloudConfig, Request, resolve};
pub use sources::{SECRET_VARIABLES, Sources};
