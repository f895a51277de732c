//! `manifest.json` (`schemas/bundle-manifest.schema.json`): what a bundle
//! holds (each member's SHA-256 and size) and what the run was (tool, target,
//! times, the digests of the contract, cases, profile and waivers it used).
//! With a key, the manifest is what is signed.
//!
//! ```json
//! { "schema_version": "1.0",
//!   "tool": { "name": "sdconform", "version": "0.1.0" },
//!   "run": { "target_url": "https://heat.example:8004", "tls_certificate_sha256": null,
//!            "started_at": "2026-01-31T15:12:36Z", "finished_at": "2026-01-31T15:12:41Z",
//!            "profile": { "name": "documented", "sha256": "..." },
//!            "contract": { "name": "embedded", "sha256": "..." },
//!            "cases": { "name": "embedded", "sha256": "..." }, "waivers": null },
//!   "members": [ { "path": "exchanges.ndjson", "sha256": "...", "size": 48213 },
//!                { "path": "report.json", "sha256": "...", "size": 9120 } ] }
//! ```
//!
//! A digest of several files (the contract's schemas, a cases directory) is
//! the SHA-256 of the `sha256sum` listing of its files, sorted by path:
//!
//! ```sh
//! (cd DIR && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum) | sha256sum
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::sha256_hex;

/// The version of the manifest format this build writes and reads.
pub const MANIFEST_SCHEMA_VERSION: &str = "1.0";

/// The manifest's name inside the archive.
pub const MANIFEST_NAME: &str = "manifest.json";

/// The DSSE envelope's name inside the archive (only in a signed bundle).
pub const ENVELOPE_NAME: &str = "manifest.dsse.json";

/// The manifest of one bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_SCHEMA_VERSION`].
    pub schema_version: String,
    /// The tool that made the bundle.
    pub tool: Tool,
    /// What the run was.
    pub run: RunInfo,
    /// Every member but the manifest and its envelope, sorted by path.
    pub members: Vec<Member>,
}

/// A tool and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// `sdconform`.
    pub name: String,
    /// Its version.
    pub version: String,
}

impl Tool {
    /// This build.
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// What the run was: the caller fills it from the run's settings and report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInfo {
    /// The target's base URL (no userinfo).
    pub target_url: String,
    /// SHA-256 of the target's TLS certificate (DER), when it was https.
    pub tls_certificate_sha256: Option<String>,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When it finished (RFC 3339).
    pub finished_at: String,
    /// The profile, by name, and the digest of its patch.
    pub profile: Named,
    /// The contract's schemas: `embedded` or the `--schemas` directory.
    pub contract: Named,
    /// The cases: `embedded` or the `--cases` directory.
    pub cases: Named,
    /// The waivers file, if one was used.
    pub waivers: Option<Named>,
}

/// An input of the run, by name, and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    /// Its name (`documented`, `embedded`, a path as given).
    pub name: String,
    /// Lowercase hex SHA-256 (of a file, or [`digest_files`] of several).
    pub sha256: String,
}

/// One member of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Its path inside the archive (`/`-separated, relative).
    pub path: String,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// The digest of several files given as `(relative path, bytes)`: the SHA-256
/// of their `sha256sum` listing (`<hex>  <path>\n`), sorted by path.
pub fn digest_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut lines: Vec<(String, String)> = files
        .into_iter()
        .map(|(path, bytes)| (path.to_owned(), sha256_hex(bytes)))
        .collect();
    lines.sort();
    let listing: String = lines
        .iter()
        .map(|(path, hash)| format!("{hash}  {path}\n"))
        .collect();
    sha256_hex(listing.as_bytes())
}

/// [`digest_files`] of every regular file under `dir` (paths relative to it).
pub fn digest_dir(dir: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    for relative in super::pack::files_under(dir)? {
        let bytes = std::fs::read(dir.join(&relative))?;
        files.push((relative, bytes));
    }
    Ok(digest_files(
        files.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The listing is `sha256sum`'s: the digest of two files equals the
    /// SHA-256 of the text `sha256sum a b` prints (the hashes are FIPS 180-2's
    /// "abc" example and the SHA-256 of the empty string).
    #[test]
    fn a_digest_is_the_sha256_of_the_sha256sum_listing() {
        let listing = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a\n\
                       e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  b/c\n";
        assert_eq!(
            digest_files([("b/c", b"".as_slice()), ("a", b"abc".as_slice())]),
            sha256_hex(listing.as_bytes())
        );
    }
}
