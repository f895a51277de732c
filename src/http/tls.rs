//! TLS material for the one client: extra trust roots (`--cacert`), a client
//! certificate for mutual TLS (`--client-cert`, `--client-key`) and the loudly
//! reported escape hatch `--insecure`.
//!
//! Sits between `config` (which names the files) and [`super::Client`] (which
//! uses what was read). The files are read and parsed once, before any request,
//! so a missing or malformed file is a usage error (exit 2) naming the flag and
//! the file, never a failure in the middle of a run:
//!
//! ```text
//! error: failed to load the TLS files: --cacert ca.pem: no PEM certificate found
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

/// TLS settings as given on the command line: paths, not yet read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// PEM file of certificates trusted in addition to the system's roots.
    pub cacert: Option<PathBuf>,
    /// PEM file of the client certificate (chain) for mutual TLS.
    pub client_cert: Option<PathBuf>,
    /// PEM file of the client certificate's private key.
    pub client_key: Option<PathBuf>,
    /// Accept any server certificate (reported in the summary and in report.json).
    pub insecure: bool,
}

/// Why the TLS files could not be used: a usage error.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read.
    #[error("{flag} {}: could not read the file", .path.display())]
    Read {
        /// The flag that named the file.
        flag: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file was read but holds no usable PEM material.
    #[error("{flag} {}: {message}", .path.display())]
    Invalid {
        /// The flag that named the file.
        flag: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// TLS material read and parsed, ready for [`super::Client::new`].
#[derive(Default)]
pub struct Tls {
    roots: Vec<reqwest::Certificate>,
    identity: Option<reqwest::Identity>,
    insecure: bool,
}

impl fmt::Debug for Tls {
    // Never prints key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("roots", &self.roots.len())
            .field("identity", &self.identity.is_some())
            .field("insecure", &self.insecure)
            .finish()
    }
}

impl Tls {
    /// Reads and parses the files `options` names.
    pub fn load(options: &TlsOptions) -> Result<Tls, TlsError> {
        let mut tls = Tls {
            insecure: options.insecure,
            ..Tls::default()
        };
        if let Some(path) = &options.cacert {
            let roots = certificates("--cacert", path, &read("--cacert", path)?)?;
            tls.roots = roots;
        }
        match (&options.client_cert, &options.client_key) {
            (None, None) => {}
            (Some(cert), Some(key)) => {
                let cert_pem = read("--client-cert", cert)?;
                certificates("--client-cert", cert, &cert_pem)?;
                let key_pem = read("--client-key", key)?;
                let mut both = cert_pem;
                both.push(b'\n');
                both.extend_from_slice(&key_pem);
                let identity = reqwest::Identity::from_pem(&both).map_err(|e| invalid(
                    "--client-key",
                    key,
                    format!("not a usable PEM private key (RSA, SEC1 EC or PKCS#8) for the certificate: {}", super::error_chain(&e)),
                ))?;
                tls.identity = Some(identity);
            }
            (Some(cert), None) => {
                return Err(invalid(
                    "--client-cert",
                    cert,
                    "needs --client-key".to_owned(),
                ));
            }
            (None, Some(key)) => {
                return Err(invalid(
                    "--client-key",
                    key,
                    "needs --client-cert".to_owned(),
                ));
            }
        }
        Ok(tls)
    }

    /// Whether every server certificate is accepted.
    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// Applies the material to a client builder.
    pub(super) fn apply(self, mut builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        if !self.roots.is_empty() {
            builder = builder.tls_certs_merge(self.roots);
        }
        if let Some(identity) = self.identity {
            builder = builder.identity(identity);
        }
        if self.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        builder
    }
}

fn read(flag: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        flag,
        path: path.to_owned(),
        source,
    })
}

fn invalid(flag: &'static str, path: &Path, message: String) -> TlsError {
    TlsError::Invalid {
        flag,
        path: path.to_owned(),
        message,
    }
}

/// Every certificate of a PEM bundle; at least one.
fn certificates(
    flag: &'static str,
    path: &Path,
    pem: &[u8],
) -> Result<Vec<reqwest::Certificate>, TlsError> {
    let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
        invalid(
            flag,
            path,
            format!("not a PEM certificate file: {}", super::error_chain(&e)),
        )
    })?;
    if certs.is_empty() {
        return Err(invalid(
            flag,
            path,
            "no PEM certificate found (expected -----BEGIN CERTIFICATE-----)".to_owned(),
        ));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        path
    }

    #[test]
    fn bad_files_name_the_flag_and_the_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let empty = write(dir.path(), "empty.pem", "");
        let garbage = write(dir.path(), "garbage.pem", "hello\n");
        let table: Vec<(TlsOptions, &str)> = vec![
            (
                TlsOptions {
                    cacert: Some(dir.path().join("missing.pem")),
                    ..TlsOptions::default()
                },
                "--cacert",
            ),
            (
                TlsOptions {
                    cacert: Some(empty.clone()),
                    ..TlsOptions::default()
                },
                "no PEM certificate",
            ),
            (
                TlsOptions {
                    cacert: Some(garbage),
                    ..TlsOptions::default()
                },
                "no PEM certificate",
            ),
            (
                TlsOptions {
                    client_cert: Some(empty.clone()),
                    ..TlsOptions::default()
                },
                "needs --client-key",
            ),
            (
                TlsOptions {
                    client_key: Some(empty.clone()),
                    ..TlsOptions::default()
                },
                "needs --client-cert",
            ),
            (
                TlsOptions {
                    client_cert: Some(empty.clone()),
                    client_key: Some(empty),
                    ..TlsOptions::default()
                },
                "--client-cert",
            ),
        ];
        for (options, fragment) in table {
            match Tls::load(&options) {
                Ok(tls) => panic!("{options:?} accepted: {tls:?}"),
                Err(e) => {
                    let text = crate::error::chain(&e);
                    assert!(text.contains(fragment), "{options:?}: {text}");
                }
            }
        }
    }

    #[test]
    fn no_options_load_nothing() {
        let tls = Tls::load(&TlsOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!tls.insecure());
        assert_eq!(
            format!("{tls:?}"),
            "Tls { roots: 0, identity: false, insecure: false }"
        );
    }
}
