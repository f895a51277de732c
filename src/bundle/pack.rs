//! `bundle DIR -o results.tar.gz [--sign-key FILE]`: a run's reports,
//! `exchanges.ndjson` and inputs in one gzip'd tar, with `manifest.json` (and,
//! with a key, `manifest.dsse.json`) last:
//!
//! ```text
//! exchanges.ndjson
//! inputs/cases/filter.json         custom cases, when --cases was given
//! inputs/schemas/...               custom schemas, when --schemas was given
//! inputs/waivers.json              the waivers file, when one was used
//! junit.xml  report.html  report.json  summary.md
//! manifest.json
//! manifest.dsse.json               with --sign-key
//! ```
//!
//! The archive is the same bytes for the same inputs (sorted members, no
//! times, owners or modes taken from the disk), written atomically, and
//! refused whole if a member holds any spelling of a secret the caller knows.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use ed25519_dalek::SigningKey;
use flate2::Compression;
use flate2::write::GzEncoder;

use super::dsse;
use super::manifest::{
    ENVELOPE_NAME, MANIFEST_NAME, MANIFEST_SCHEMA_VERSION, Manifest, Member, RunInfo, Tool,
};
use crate::model::sha256_hex;
use crate::report::exchanges;
use crate::report::write::Format;
use crate::secret::Secrets;

/// What to pack: the members (path in the archive, file on disk) and the run.
#[derive(Debug, Clone)]
pub struct BundleSpec {
    /// Each member's path inside the archive and the file it is read from.
    pub members: Vec<(String, PathBuf)>,
    /// What the run was.
    pub run: RunInfo,
}

/// What `pack` wrote.
#[derive(Debug, Clone)]
pub struct Packed {
    /// The archive.
    pub path: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// The key id of the signature, when signed.
    pub keyid: Option<String>,
}

/// Why a bundle could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A file could not be read or written.
    #[error("{} {}", .action, .path.display())]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A member's path cannot be one in a bundle.
    #[error("{path:?} cannot be a bundle member: {why}")]
    Member {
        /// The path in the archive.
        path: String,
        /// Why.
        why: &'static str,
    },
    /// A member holds a spelling of a secret: nothing is written.
    #[error("{0} holds a spelling of a secret: the bundle is not written")]
    Secret(String),
    /// The manifest could not be serialized.
    #[error("serialize the manifest")]
    Serialize(#[source] serde_json::Error),
}

/// The members of a run's report directory: the reports and
/// `exchanges.ndjson` that are there (nothing else in it is taken).
pub fn run_members(report_dir: &Path) -> Vec<(String, PathBuf)> {
    Format::ALL
        .iter()
        .map(|f| f.file_name())
        .chain([exchanges::FILE_NAME])
        .map(|name| (name.to_owned(), report_dir.join(name)))
        .filter(|(_, path)| path.is_file())
        .collect()
}

/// Every regular file under `dir` as a member under `prefix` (e.g.
/// `inputs/cases`), sorted.
pub fn dir_members(prefix: &str, dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    Ok(files_under(dir)?
        .into_iter()
        .map(|relative| {
            let path = dir.join(&relative);
            (format!("{}/{relative}", prefix.trim_end_matches('/')), path)
        })
        .collect())
}

/// The `/`-separated relative paths of the regular files under `dir`, sorted;
/// symbolic links are not followed.
pub(crate) fn files_under(dir: &Path) -> std::io::Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                walk(root, &path, out)?;
            } else if kind.is_file()
                && let Ok(relative) = path.strip_prefix(root)
            {
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// Why `path` cannot name a member, if it cannot.
pub(crate) fn unsafe_path(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("it is empty");
    }
    if path == MANIFEST_NAME || path == ENVELOPE_NAME {
        return Some("the manifest's own names are reserved");
    }
    if path.contains('\\') || path.contains('\0') {
        return Some("it holds a backslash or a NUL");
    }
    let normal = Path::new(path)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !normal || path.ends_with('/') || path.contains("//") {
        return Some("it is not a plain relative path (no `..`, `.`, leading `/`)");
    }
    None
}

/// A tar header for a member: fixed mode, owner and time, so the archive
/// depends only on the bytes.
fn header(size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    header
}

/// The archive being written: a gzip'd tar in a temporary file beside `out`.
type Archive = tar::Builder<GzEncoder<tempfile::NamedTempFile>>;

/// Writes the bundle `spec` describes to `out`, signed with `key` when given;
/// refuses members that hold a spelling of one of `secrets`.
pub fn pack(
    spec: &BundleSpec,
    out: &Path,
    key: Option<&SigningKey>,
    secrets: &Secrets,
) -> Result<Packed, PackError> {
    let members = sorted_members(spec)?;
    let mut tar = tar::Builder::new(GzEncoder::new(temporary(out)?, Compression::default()));
    let listed = append_members(&mut tar, &members, secrets, out)?;
    let manifest = Manifest {
        schema_version: MANIFEST_SCHEMA_VERSION.to_owned(),
        tool: Tool::this(),
        run: spec.run.clone(),
        members: listed,
    };
    let text = append_manifest(&mut tar, &manifest, secrets, out)?;
    let keyid = match key {
        Some(key) => Some(append_envelope(&mut tar, &text, key, out)?),
        None => None,
    };
    finish(tar, out)?;
    Ok(Packed {
        path: out.to_owned(),
        manifest,
        keyid,
    })
}

/// An error writing `out`.
fn write_error(out: &Path) -> impl Fn(std::io::Error) -> PackError + '_ {
    move |source| PackError::Io {
        action: "write",
        path: out.to_owned(),
        source,
    }
}

/// `spec`'s members sorted by path, each path once and a plain relative one.
fn sorted_members(spec: &BundleSpec) -> Result<Vec<(String, PathBuf)>, PackError> {
    let mut members = spec.members.clone();
    members.sort_by(|a, b| a.0.cmp(&b.0));
    for pair in members.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(PackError::Member {
                path: pair[0].0.clone(),
                why: "two members have this path",
            });
        }
    }
    if let Some((path, why)) = members
        .iter()
        .find_map(|(path, _)| unsafe_path(path).map(|why| (path, why)))
    {
        return Err(PackError::Member {
            path: path.clone(),
            why,
        });
    }
    Ok(members)
}

/// A temporary file (mode 0644) in `out`'s directory, which is created if needed.
fn temporary(out: &Path) -> Result<tempfile::NamedTempFile, PackError> {
    let dir = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(write_error(out))?;
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir).map_err(write_error(out))
}

/// Whether `bytes` hold any spelling of a secret.
fn holds_secret(bytes: &[u8], secrets: &Secrets) -> bool {
    secrets
        .spellings()
        .iter()
        .any(|s| memchr::memmem::find(bytes, s.as_bytes()).is_some())
}

/// Appends every member, each read once (the bytes hashed are the bytes packed).
fn append_members(
    tar: &mut Archive,
    members: &[(String, PathBuf)],
    secrets: &Secrets,
    out: &Path,
) -> Result<Vec<Member>, PackError> {
    let mut listed = Vec::with_capacity(members.len());
    for (path, source) in members {
        let bytes = std::fs::read(source).map_err(|e| PackError::Io {
            action: "read",
            path: source.clone(),
            source: e,
        })?;
        if holds_secret(&bytes, secrets) {
            return Err(PackError::Secret(path.clone()));
        }
        tar.append_data(&mut header(bytes.len() as u64), path, bytes.as_slice())
            .map_err(write_error(out))?;
        listed.push(Member {
            path: path.clone(),
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
        });
    }
    Ok(listed)
}

/// Appends `manifest.json`; its bytes, which a signature signs.
fn append_manifest(
    tar: &mut Archive,
    manifest: &Manifest,
    secrets: &Secrets,
    out: &Path,
) -> Result<Vec<u8>, PackError> {
    let mut text = serde_json::to_vec_pretty(manifest).map_err(PackError::Serialize)?;
    text.push(b'\n');
    if holds_secret(&text, secrets) {
        return Err(PackError::Secret(MANIFEST_NAME.to_owned()));
    }
    tar.append_data(
        &mut header(text.len() as u64),
        MANIFEST_NAME,
        text.as_slice(),
    )
    .map_err(write_error(out))?;
    Ok(text)
}

/// Appends `manifest.dsse.json`, the manifest's bytes `text` signed with `key`; the key id.
fn append_envelope(
    tar: &mut Archive,
    text: &[u8],
    key: &SigningKey,
    out: &Path,
) -> Result<String, PackError> {
    let envelope = dsse::sign(text, key);
    let keyid = envelope
        .signatures
        .first()
        .map(|s| s.keyid.clone())
        .unwrap_or_default();
    let mut bytes = serde_json::to_vec_pretty(&envelope).map_err(PackError::Serialize)?;
    bytes.push(b'\n');
    tar.append_data(
        &mut header(bytes.len() as u64),
        ENVELOPE_NAME,
        bytes.as_slice(),
    )
    .map_err(write_error(out))?;
    Ok(keyid)
}

/// Closes the archive and moves it to `out`.
fn finish(tar: Archive, out: &Path) -> Result<(), PackError> {
    let mut file = tar
        .into_inner()
        .and_then(GzEncoder::finish)
        .map_err(write_error(out))?;
    file.flush().map_err(write_error(out))?;
    file.as_file().sync_all().map_err(write_error(out))?;
    file.persist(out).map_err(|e| write_error(out)(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths_are_plain_relative_paths() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "./a",
            "a//b",
            "a/",
            "a\\b",
            "manifest.json",
            "manifest.dsse.json",
        ] {
            assert!(unsafe_path(bad).is_some(), "{bad:?}");
        }
        for good in [
            "report.json",
            "inputs/cases/filter.json",
            "inputs/manifest.json",
        ] {
            assert_eq!(unsafe_path(good), None, "{good:?}");
        }
    }
}
