//! A results bundle anyone can verify (issue 12 item 4): a run's reports,
//! `exchanges.ndjson` and inputs packed with a manifest of their SHA-256s,
//! optionally signed (Ed25519 in a DSSE envelope), and the check of one.
//!
//! Sits after `report` (whose file names it packs) and is, with `report`, a
//! module that writes files: the archive, the key pair of `keygen`, and the
//! members `verify` unpacks for the recheck engine. ARCHITECTURE.md says why.
//!
//! `manifest` is the format, `dsse` the signature, `key` the keys, `inputs`
//! the run's schemas, cases and waivers and their digests, `pack` the writing,
//! `verify` the checking (part 1: hashes and signature) and `rederive` part 2:
//! the verdict re-derived from the exchanges by the recheck engine and
//! compared with the bundled report.

pub mod dsse;
pub mod inputs;
pub mod key;
pub mod manifest;
pub mod pack;
pub mod rederive;
pub mod verify;

pub use inputs::{RunInputs, run_inputs};
pub use key::{KeyError, KeyPaths, keygen, read_public_key, read_signing_key};
pub use manifest::{Manifest, Member, Named, RunInfo, digest_dir, digest_files};
pub use pack::{BundleSpec, PackError, Packed, dir_members, pack, run_members};
pub use rederive::{Rederived, rederive};
pub use verify::{Difference, Limits, Signature, Verified, VerifyError, verify};
