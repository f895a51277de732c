//! Ed25519 signing keys: `keygen --out NAME` writes `NAME.key` (the private
//! key, PKCS#8 PEM, mode 0600) and `NAME.pub` (the public key, SPKI PEM), the
//! formats OpenSSL reads and writes (`openssl genpkey -algorithm ed25519`
//! makes a key `--sign-key` accepts).
//!
//! ```text
//! -----BEGIN PUBLIC KEY-----
//! MCowBQYDK2VwAyEA...
//! -----END PUBLIC KEY-----
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::model::sha256_hex;

/// Why a key could not be made, written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A file could not be read or written.
    #[error("{} {}", .action, .path.display())]
    Io {
        /// What was being done (`read`, `write`).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `keygen` does not overwrite a key.
    #[error("{} already exists: keygen does not overwrite a key", .0.display())]
    Exists(PathBuf),
    /// The file is not a key of the kind expected.
    #[error("{}: not an Ed25519 {kind} in PEM ({message})", .path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// `private key (PKCS#8)` or `public key (SPKI)`.
        kind: &'static str,
        /// The decoder's reason.
        message: String,
    },
    /// The system's random source failed.
    #[error("draw a key from the system's random source: {0}")]
    Random(String),
}

/// The two files `keygen` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPaths {
    /// `NAME.key`.
    pub private: PathBuf,
    /// `NAME.pub`.
    pub public: PathBuf,
}

/// A key's id in envelopes: the hex SHA-256 of its DER `SubjectPublicKeyInfo`
/// (what `openssl pkey -pubin -in NAME.pub -outform DER | sha256sum` prints).
pub fn keyid(key: &VerifyingKey) -> String {
    key.to_public_key_der()
        .map(|der| sha256_hex(der.as_bytes()))
        .unwrap_or_default()
}

/// `NAME` + `suffix` (`NAME` may have dots of its own).
fn with_suffix(name: &Path, suffix: &str) -> PathBuf {
    let mut path = name.as_os_str().to_owned();
    path.push(suffix);
    PathBuf::from(path)
}

/// Draws a new key pair and writes `NAME.key` (0600) and `NAME.pub` (0644);
/// refuses to overwrite either.
pub fn keygen(name: &Path) -> Result<KeyPaths, KeyError> {
    let paths = KeyPaths {
        private: with_suffix(name, ".key"),
        public: with_suffix(name, ".pub"),
    };
    for path in [&paths.private, &paths.public] {
        if path.exists() {
            return Err(KeyError::Exists(path.clone()));
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    // PKCS#8 v1 (the private key alone), as `openssl genpkey` writes it.
    let private = ed25519_dalek::pkcs8::KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    }
    .to_pkcs8_pem(LineEnding::LF)
    .map_err(|e| KeyError::Format {
        path: paths.private.clone(),
        kind: "private key (PKCS#8)",
        message: e.to_string(),
    })?;
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError::Format {
            path: paths.public.clone(),
            kind: "public key (SPKI)",
            message: e.to_string(),
        })?;
    write_new(&paths.private, private.as_bytes(), 0o600)?;
    write_new(&paths.public, public.as_bytes(), 0o644)?;
    Ok(paths)
}

/// Writes `bytes` to a new file at `path` with `mode`, through a temporary
/// file created with that mode (a private key is never readable by others,
/// not even for a moment) and a rename that refuses to overwrite.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        action: "write",
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = builder.tempfile_in(dir).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.as_file().sync_all().map_err(io)?;
    file.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::Exists(path.to_owned())
        } else {
            io(e.error)
        }
    })?;
    Ok(())
}

fn read(path: &Path) -> Result<String, KeyError> {
    std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })
}

/// The private key in `path` (PKCS#8 PEM, v1 or v2).
pub fn read_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    SigningKey::from_pkcs8_pem(&read(path)?).map_err(|e| KeyError::Format {
        path: path.to_owned(),
        kind: "private key (PKCS#8)",
        message: e.to_string(),
    })
}

/// The public key in `path` (SPKI PEM, `-----BEGIN PUBLIC KEY-----`).
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    VerifyingKey::from_public_key_pem(&read(path)?).map_err(|e| KeyError::Format {
        path: path.to_owned(),
        kind: "public key (SPKI)",
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_writes_a_pair_that_reads_back_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let name = dir.path().join("lab.2026");
        let paths = keygen(&name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(paths.private, dir.path().join("lab.2026.key"));
        assert_eq!(paths.public, dir.path().join("lab.2026.pub"));
        let private = read_signing_key(&paths.private).unwrap_or_else(|e| panic!("{e}"));
        let public = read_public_key(&paths.public).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(private.verifying_key(), public);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| {
                std::fs::metadata(p)
                    .map(|m| m.permissions().mode() & 0o777)
                    .unwrap_or_default()
            };
            assert_eq!(mode(&paths.private), 0o600);
            assert_eq!(mode(&paths.public), 0o644);
        }
        let before = std::fs::read(&paths.private).unwrap_or_default();
        assert!(matches!(keygen(&name), Err(KeyError::Exists(_))));
        assert_eq!(std::fs::read(&paths.private).unwrap_or_default(), before);
        // Two keys are never the same.
        let other = keygen(&dir.path().join("other")).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(std::fs::read(other.private).unwrap_or_default(), before);
        // A public key is not a private one.
        assert!(matches!(
            read_signing_key(&paths.public),
            Err(KeyError::Format { .. })
        ));
    }
}
