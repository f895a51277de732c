//! A Keystone v3 client: what a real cloud needs before the first request to
//! its orchestration API: where the identity API is ([`discover`]), a token
//! for the credentials ([`authenticate`]), the orchestration endpoint in the
//! token's catalog ([`orchestration`]), and a token that outlives a long run
//! ([`TokenSource`]).
//!
//! Sits right after `http`, the only way it reaches the network; it knows
//! nothing of `clouds.yaml` (that is `cloud`, which builds [`Credentials`]).
//! Written against Keystone's API reference, whose request and response samples
//! are its tests' data (`tests/data/keystone/`); any identity service that
//! speaks the same v3 token API works the same way.
//!
//! ```text
//! GET  https://keystone.example:5000            → 300 {"versions": {"values": [{"id": "v3.14", ...}]}}
//! POST https://keystone.example:5000/v3/auth/tokens
//!                                                → 201, X-Subject-Token: gAAAA..., {"token": {...}}
//! catalog: orchestration public RegionOne https://heat.example:8004/v1/<project>
//! ```
//!
//! Secrets: the credentials hold [`crate::secret::Secret`]s, the request body
//! that carries one is never recorded ([`crate::http::ExchangeSummary`] keeps
//! method, URL, status and timing), and messages from the identity service are
//! scrubbed of what was sent before they go into an error.

mod auth;
mod catalog;
mod credentials;
mod discovery;
mod error;
mod source;
mod token;

pub use auth::{Authenticated, Refusal, authenticate, tokens_url};
pub use catalog::{
    CatalogError, Endpoint, Orchestration, Service, base_url, orchestration, substitute,
};
pub use credentials::{AppCredentialRef, Credentials, DomainRef, ProjectScope, UserRef};
pub use discovery::{Discovery, discover, v3_from_document};
pub use error::IdentityError;
pub use source::{Issued, MAX_RENEWAL_MARGIN, TokenSource, renew_at, renewal_margin};
pub use token::{Named, Project, Token, TokenError, parse_timestamp};
