//! `verify results.tar.gz [--public-key FILE]`, part 1: every member's bytes
//! against the manifest, and the manifest against its DSSE signature. The
//! members are unpacked into a temporary directory as they are hashed, for
//! part 2 (the verdict re-derived from `exchanges.ndjson` by the recheck
//! engine and compared with the bundled `report.json`), which adds its own
//! [`Difference::Rederived`] to the list.
//!
//! Every difference is named, not only the first:
//!
//! ```text
//! the bundle does not verify:
//!   report.json: its sha256 is 03ab..., the manifest says 9f1c...
//!   inputs/waivers.json: in the manifest, not in the bundle
//!   notes.txt: in the bundle, not in the manifest
//!   manifest.json: no signature verifies under the public key 5d2e... (the envelope's key ids: 77aa...)
//! ```
//!
//! The archive is untrusted: members must be regular files with plain
//! relative paths, and their count and total size are bounded (a gzip bomb
//! stops at the bound, an error).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};

use super::dsse::{self, Envelope, EnvelopeError};
use super::key::keyid;
use super::manifest::{ENVELOPE_NAME, MANIFEST_NAME, MANIFEST_SCHEMA_VERSION, Manifest};
use super::pack::unsafe_path;
use crate::model::hex;

/// Limits on what is unpacked.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most bytes unpacked in all.
    pub total_bytes: u64,
    /// Most members.
    pub members: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            total_bytes: 4 << 30,
            members: 100_000,
        }
    }
}

/// Largest manifest or envelope read (they are held in memory).
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// How the signature was judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// It verifies under the public key given, whose key id this is.
    Verified(String),
    /// The bundle is signed, but no public key was given to check it with.
    NotChecked,
    /// The bundle is not signed (and no public key was given).
    Unsigned,
}

/// A bundle whose members match its manifest.
#[derive(Debug)]
pub struct Verified {
    /// The manifest (the signed one, when the signature was checked).
    pub manifest: Manifest,
    /// How the signature was judged.
    pub signature: Signature,
    /// The members, unpacked (removed when this is dropped).
    pub dir: tempfile::TempDir,
}

impl Verified {
    /// Where member `path` was unpacked.
    pub fn member(&self, path: &str) -> PathBuf {
        self.dir.path().join(path)
    }
}

/// One way a bundle differs from what its manifest or signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// In the manifest, not in the archive.
    Missing {
        /// The member.
        path: String,
    },
    /// In the archive, not in the manifest.
    Extra {
        /// The member.
        path: String,
    },
    /// Its bytes are not the ones the manifest hashed.
    Changed {
        /// The member.
        path: String,
        /// The manifest's SHA-256.
        expected: String,
        /// The SHA-256 of the bytes in the archive.
        actual: String,
    },
    /// Twice in the archive.
    Duplicate {
        /// The member.
        path: String,
    },
    /// Not a regular file with a plain relative path (not unpacked).
    Unsafe {
        /// The member, as the archive names it.
        path: String,
        /// Why.
        why: String,
    },
    /// A public key was given, and the bundle has no signature.
    NotSigned,
    /// The signature does not verify (or the envelope is broken).
    BadSignature(EnvelopeError),
    /// `manifest.json` is not the manifest the envelope signed.
    ManifestNotSigned,
    /// Part 2: the verdict re-derived from the exchanges differs from the
    /// bundled report (filled by the recheck engine's caller).
    Rederived {
        /// What differs, e.g. "finding SD-RESP-4 in list-all: in report.json, not in the exchanges".
        what: String,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Missing { path } => write!(f, "{path}: in the manifest, not in the bundle"),
            Difference::Extra { path } => write!(f, "{path}: in the bundle, not in the manifest"),
            Difference::Changed {
                path,
                expected,
                actual,
            } => write!(
                f,
                "{path}: its sha256 is {actual}, the manifest says {expected}"
            ),
            Difference::Duplicate { path } => write!(f, "{path}: twice in the bundle"),
            Difference::Unsafe { path, why } => write!(f, "{path:?}: not unpacked: {why}"),
            Difference::NotSigned => write!(
                f,
                "{MANIFEST_NAME}: not signed ({ENVELOPE_NAME} is missing), and a public key was given"
            ),
            Difference::BadSignature(error) => write!(f, "{MANIFEST_NAME}: {error}"),
            Difference::ManifestNotSigned => write!(
                f,
                "{MANIFEST_NAME}: not the manifest {ENVELOPE_NAME} signed"
            ),
            Difference::Rederived { what } => f.write_str(what),
        }
    }
}

/// Why a bundle does not verify.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The archive could not be read from disk (a harness problem, not tampering).
    #[error("read {}", .path.display())]
    Io {
        /// The archive or the temporary directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// It is not a bundle at all: not gzip, not tar, no readable manifest,
    /// over the limits.
    #[error("{}: not a bundle sdconform can verify: {why}", .path.display())]
    NotABundle {
        /// The archive.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// It differs from what its manifest or signature says.
    #[error("the bundle does not verify:\n  {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Differs(Vec<Difference>),
}

impl VerifyError {
    /// Whether the bundle's content is at fault (exit 7 in the lead's table),
    /// rather than the disk.
    pub fn is_tampering(&self) -> bool {
        !matches!(self, VerifyError::Io { .. })
    }
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    count: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// What the archive held, as unpacked.
struct Unpacked {
    /// Each member unpacked: its SHA-256 and size.
    found: BTreeMap<String, (String, u64)>,
    /// `manifest.json`'s bytes.
    manifest: Option<Vec<u8>>,
    /// `manifest.dsse.json`'s bytes.
    envelope: Option<Vec<u8>>,
    /// Members, and bytes in all, so far.
    count: usize,
    total: u64,
}

/// Checks the bundle at `archive`: part 1 of `verify`.
pub fn verify(
    archive: &Path,
    public_key: Option<&VerifyingKey>,
    limits: Limits,
) -> Result<Verified, VerifyError> {
    let file = File::open(archive).map_err(|source| VerifyError::Io {
        path: archive.to_owned(),
        source,
    })?;
    let dir = tempfile::tempdir().map_err(|source| VerifyError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let mut differences = Vec::new();
    let unpacked = unpack(file, dir.path(), limits, archive, &mut differences)?;
    let Some(manifest_bytes) = &unpacked.manifest else {
        return Err(not_a_bundle(archive, format!("it has no {MANIFEST_NAME}")));
    };
    // The signature first: with a key, the manifest to trust is the signed one.
    let (trusted, signature) = judge_signature(
        public_key,
        manifest_bytes,
        unpacked.envelope.as_deref(),
        &mut differences,
    );
    let manifest: Manifest = serde_json::from_slice(&trusted)
        .map_err(|e| not_a_bundle(archive, format!("{MANIFEST_NAME} is not a manifest: {e}")))?;
    if manifest.schema_version != MANIFEST_SCHEMA_VERSION {
        return Err(not_a_bundle(
            archive,
            format!(
                "{MANIFEST_NAME} has schema_version {:?}; this sdconform reads {MANIFEST_SCHEMA_VERSION}",
                manifest.schema_version
            ),
        ));
    }
    compare_members(&manifest, &unpacked.found, &mut differences);
    if !differences.is_empty() {
        return Err(VerifyError::Differs(differences));
    }
    Ok(Verified {
        manifest,
        signature,
        dir,
    })
}

/// The error of an archive that is not a bundle at all.
fn not_a_bundle(archive: &Path, why: String) -> VerifyError {
    VerifyError::NotABundle {
        path: archive.to_owned(),
        why,
    }
}

/// Unpacks every regular member with a plain path into `dir`, hashing it as it
/// goes; keeps the manifest and envelope in memory; what is not unpacked (and
/// duplicates) goes to `differences`.
fn unpack(
    file: File,
    dir: &Path,
    limits: Limits,
    archive: &Path,
    differences: &mut Vec<Difference>,
) -> Result<Unpacked, VerifyError> {
    let mut tar = tar::Archive::new(GzDecoder::new(file));
    let mut unpacked = Unpacked {
        found: BTreeMap::new(),
        manifest: None,
        envelope: None,
        count: 0,
        total: 0,
    };
    let entries = tar
        .entries()
        .map_err(|e| not_a_bundle(archive, format!("not a gzip'd tar: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| not_a_bundle(archive, format!("not a gzip'd tar: {e}")))?;
        unpacked.take(entry, dir, limits, archive, differences)?;
    }
    Ok(unpacked)
}

impl Unpacked {
    /// One member of the archive.
    fn take<R: Read>(
        &mut self,
        mut entry: tar::Entry<'_, R>,
        dir: &Path,
        limits: Limits,
        archive: &Path,
        differences: &mut Vec<Difference>,
    ) -> Result<(), VerifyError> {
        self.count += 1;
        if self.count > limits.members {
            return Err(not_a_bundle(
                archive,
                format!("more than {} members", limits.members),
            ));
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if !kind.is_file() {
            differences.push(Difference::Unsafe {
                path: name,
                why: format!("not a regular file ({kind:?})"),
            });
            return Ok(());
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        self.total = self.total.saturating_add(size);
        if self.total > limits.total_bytes {
            return Err(not_a_bundle(
                archive,
                format!(
                    "its members add up to more than {} bytes",
                    limits.total_bytes
                ),
            ));
        }
        if name == MANIFEST_NAME || name == ENVELOPE_NAME {
            return self.take_manifest(&mut entry, name, size, archive, differences);
        }
        if let Some(why) = unsafe_path(&name) {
            differences.push(Difference::Unsafe {
                path: name,
                why: why.to_owned(),
            });
            return Ok(());
        }
        if self.found.contains_key(&name) {
            differences.push(Difference::Duplicate { path: name });
            return Ok(());
        }
        let hashed = unpack_member(&mut entry, &dir.join(&name), size, &name, archive)?;
        self.found.insert(name, hashed);
        Ok(())
    }

    /// `manifest.json` or `manifest.dsse.json`, held in memory.
    fn take_manifest(
        &mut self,
        entry: &mut impl Read,
        name: String,
        size: u64,
        archive: &Path,
        differences: &mut Vec<Difference>,
    ) -> Result<(), VerifyError> {
        if size > MAX_MANIFEST_BYTES {
            return Err(not_a_bundle(
                archive,
                format!("{name} is larger than {MAX_MANIFEST_BYTES} bytes"),
            ));
        }
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| not_a_bundle(archive, format!("{name}: {e}")))?;
        let slot = if name == MANIFEST_NAME {
            &mut self.manifest
        } else {
            &mut self.envelope
        };
        if slot.replace(bytes).is_some() {
            differences.push(Difference::Duplicate { path: name });
        }
        Ok(())
    }
}

/// Writes `entry`'s `size` bytes to `target`; their SHA-256 and count.
fn unpack_member(
    entry: &mut impl Read,
    target: &Path,
    size: u64,
    name: &str,
    archive: &Path,
) -> Result<(String, u64), VerifyError> {
    let io = |source| VerifyError::Io {
        path: target.to_owned(),
        source,
    };
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut out = File::create(target).map_err(io)?;
    let mut hashing = Hashing {
        inner: entry.take(size),
        hash: Sha256::new(),
        count: 0,
    };
    std::io::copy(&mut hashing, &mut out)
        .map_err(|e| not_a_bundle(archive, format!("{name}: {e}")))?;
    out.flush().map_err(io)?;
    Ok((hex(&hashing.hash.finalize()), hashing.count))
}

/// The manifest to trust (the signed one, when a key verifies it) and how the
/// signature was judged; what is wrong with it goes to `differences`.
fn judge_signature(
    public_key: Option<&VerifyingKey>,
    manifest: &[u8],
    envelope_bytes: Option<&[u8]>,
    differences: &mut Vec<Difference>,
) -> (Vec<u8>, Signature) {
    let envelope: Option<Envelope> = envelope_bytes.and_then(|bytes| {
        serde_json::from_slice(bytes)
            .map_err(|e| {
                differences.push(Difference::BadSignature(EnvelopeError::Malformed(
                    e.to_string(),
                )));
            })
            .ok()
    });
    match (public_key, &envelope) {
        (Some(_), None) => {
            if envelope_bytes.is_none() {
                differences.push(Difference::NotSigned);
            }
            (manifest.to_vec(), Signature::Unsigned)
        }
        (Some(key), Some(envelope)) => match dsse::verify(envelope, key) {
            Ok(payload) => {
                if payload != manifest {
                    differences.push(Difference::ManifestNotSigned);
                }
                (payload, Signature::Verified(keyid(key)))
            }
            Err(error) => {
                differences.push(Difference::BadSignature(error));
                (manifest.to_vec(), Signature::Unsigned)
            }
        },
        (None, Some(envelope)) => {
            if dsse::payload(envelope).ok().as_deref() != Some(manifest) {
                differences.push(Difference::ManifestNotSigned);
            }
            (manifest.to_vec(), Signature::NotChecked)
        }
        (None, None) => (manifest.to_vec(), Signature::Unsigned),
    }
}

/// Every member of `manifest` against what was `found`, and the other way round.
fn compare_members(
    manifest: &Manifest,
    found: &BTreeMap<String, (String, u64)>,
    differences: &mut Vec<Difference>,
) {
    let mut listed = BTreeSet::new();
    for member in &manifest.members {
        if !listed.insert(member.path.as_str()) {
            differences.push(Difference::Duplicate {
                path: member.path.clone(),
            });
            continue;
        }
        match found.get(&member.path) {
            None => differences.push(Difference::Missing {
                path: member.path.clone(),
            }),
            Some((actual, size)) if *actual != member.sha256 || *size != member.size => {
                differences.push(Difference::Changed {
                    path: member.path.clone(),
                    expected: member.sha256.clone(),
                    actual: actual.clone(),
                });
            }
            Some(_) => {}
        }
    }
    for path in found.keys() {
        if !listed.contains(path.as_str()) {
            differences.push(Difference::Extra { path: path.clone() });
        }
    }
}
