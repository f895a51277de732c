//! The properties every fuzz input must satisfy, as a pure function of the input, the
//! target's reply (twice) and the unfiltered list.
//!
//! | property | clause | severity | holds when |
//! |---|---|---|---|
//! | `no-server-error` | SD-CODE-200 | MUST | a well-formed request (valid token, UTF-8 value) is not answered 5xx |
//! | `documented-status` | SD-CODE-SET | MUST | the status is 200, 400, 401, 404 or 500 |
//! | `allowed-status` | SD-CODE-200 | MUST | an existing server id gets 200; any other value 200, 400 or 404; 401 only without a token |
//! | `valid-body` | SD-RESP-1 … 11 | MUST | a 200 body is JSON, labelled so, valid under the profile, and no `updated_time` precedes its `creation_time` (SHOULD within `--clock-skew`) |
//! | `filter-exact` | SD-REQ-1 | MUST | every returned item's `server_id` equals the decoded parameter |
//! | `filter-subset` | SD-REQ-1 | MUST | the filtered list is the unfiltered list's items of that `server_id` |
//!
//! A filter that matches as a database collation does (letter case, trailing spaces,
//! accents; [`crate::check::collation`]) breaks `filter-exact` with a MUST finding under
//! `strict`, a SHOULD finding under `documented`, and is an observation under `lenient`;
//! anything else no collation explains is a MUST finding under every profile.
//! | `stable-status` | SD-URI-1 | SHOULD | the same request sent again gets the same status |
//!
//! Where the contract is silent, every reading is accepted, so a conformant target never
//! fails: an empty or absent value (`server_id=`, `?server_id`) may filter by the empty
//! string or not filter at all; a repeated parameter may use either value (so an empty one
//! may mean no filter), both joined by a comma, or both; a value that is not UTF-8 may get any documented status, and a 200 list
//! only has to be made of deployments the unfiltered list has; a URI longer than 8 000 bytes
//! (RFC 9110 §4.1's recommended minimum) may get 414.
//!
//! ```
//! use sdconform::fuzz::{Input, Property};
//! use sdconform::fuzz::property::{Baseline, BodyCache, Context, Reply, evaluate};
//! use sdconform::contract::{Contract, Profile};
//!
//! let contract = Contract::embedded().unwrap();
//! let baseline = Baseline::default();
//! let cache = BodyCache::default();
//! let context = Context { contract: &contract, profile: Profile::Documented,
//!     baseline: &baseline, authenticated: true, cache: &cache,
//!     clock_skew: sdconform::check::order::DEFAULT_CLOCK_SKEW };
//! let reply = Reply { status: 500, content_type: None, body: b"", body_cut: None };
//! let eval = evaluate(&Input::text("'"), &reply, None, 80, &context);
//! assert_eq!(eval.violations[0].property, Property::NoServerError);
//! assert_eq!(eval.violations[0].findings[0].clause, "SD-CODE-200");
//! ```

//!
//! Where each part lives:
//!
//! - `table`: each [`Property`] with its clause, severity and description;
//! - `reply`, `baseline`: one answer of the target, and the unfiltered list;
//! - `evaluation`: [`evaluate`], every property for one input, and the status properties;
//! - `body`: `valid-body`'s verdict, once per distinct body ([`BodyCache`]);
//! - `reading`: what each reading the contract allows makes of a filtered list
//!   (`filter-exact`, `filter-subset`), comparing deployments by id in `deployments`.

mod baseline;
mod body;
mod deployments;
mod evaluation;
mod reading;
mod reply;
mod table;

pub use baseline::Baseline;
pub use body::{BodyCache, BodyVerdict, SCHEMA, judge};
pub use evaluation::{Context, Evaluation, LONG_URI_BYTES, Violation, describe, evaluate};
pub use reply::Reply;
pub use table::Property;

#[cfg(test)]
mod tests;
