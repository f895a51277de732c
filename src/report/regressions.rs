//! Saving the fuzz regressions file: a locked, atomic merge.
//!
//! Two fuzz runs sharing one regressions file used to lose entries: each wrote
//! back what it had read at its start plus its own finds. Now a save takes an
//! exclusive lock on the file, reads it again under that lock, merges this
//! run's new entries into what is there now ([`crate::fuzz::regression::merge`])
//! and replaces it atomically (temp file and rename). A rename gives the path a
//! new file, so a run that was waiting on the old one's lock sees that the path
//! moved on and locks the new one instead.
//!
//! Like every output, the file is kept free of the run's secrets: the entries
//! are scrubbed, and the text is searched for every spelling before it is
//! written (a file that would still hold one is not written).

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;

use super::json::{WriteError, write_atomic};
use crate::fuzz::regression::{self, Regression, RegressionError};
use crate::secret::Secrets;

/// Why the regressions file could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The file as it is now is not a regressions file (someone else wrote it).
    #[error("read the regressions file again before merging")]
    Read(#[source] RegressionError),
}

/// Merges `new` into the file at `path` under an exclusive lock, every entry
/// scrubbed of `secrets`; returns how many entries were added (0: the file is
/// left as it is).
pub fn save(path: &Path, new: &[Regression], secrets: &Secrets) -> Result<usize, SaveError> {
    if new.is_empty() {
        return Ok(0);
    }
    let io = |source| {
        SaveError::Write(WriteError::Io {
            path: path.to_owned(),
            source,
        })
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => Path::new(".").to_owned(),
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    loop {
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(io)?;
        file.lock().map_err(io)?;
        if !still_at(&file, path) {
            // Another run replaced the file while we waited: lock the new one.
            continue;
        }
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(io)?;
        let existing = if text.trim().is_empty() {
            Vec::new()
        } else {
            regression::parse(&path.display().to_string(), &text).map_err(SaveError::Read)?
        };
        let (all, added) = regression::merge(existing, new);
        if added > 0 {
            let all = secrets
                .redact(all, "fuzz regressions file")
                .map_err(WriteError::Secret)?;
            let text = regression::render(all).map_err(WriteError::Serialize)?;
            secrets
                .ensure_absent(&text, "fuzz regressions file")
                .map_err(WriteError::Secret)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| regression::DEFAULT_FILE.to_owned());
            write_atomic(&dir, &name, text.as_bytes())?;
        }
        // The lock goes with `file`, after the rename.
        drop(file);
        return Ok(added);
    }
}

/// Whether `path` still names the file `file` has open.
#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Elsewhere the rename cannot replace an open file, so it is always still there.
#[cfg(not(unix))]
fn still_at(_file: &File, _path: &Path) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::Input;

    fn entry(n: usize) -> Regression {
        Regression {
            input: Input::text(format!("v{n}")).stored(),
            wire_query: format!("server_id=v{n}"),
            property: "no-server-error".to_owned(),
            clause: "SD-CODE-200".to_owned(),
            strategy: "reserved-characters".to_owned(),
            seed: n as u64,
            found_at: "2026-05-01T10:00:00Z".to_owned(),
            target: "http://127.0.0.1:8004".to_owned(),
        }
    }

    /// Issue 10 item 4: concurrent saves lose nothing (it lost entries 10 of 10 tries).
    #[test]
    fn concurrent_saves_keep_every_entry() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("nested").join("fuzz-regressions.json");
        std::thread::scope(|scope| {
            for n in 0..16 {
                let path = &path;
                scope.spawn(move || {
                    save(path, &[entry(n), entry(100 + n)], &Secrets::new())
                        .unwrap_or_else(|e| panic!("{e}"))
                });
            }
        });
        let saved = regression::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(saved.len(), 32, "{saved:?}");
        assert_eq!(
            save(&path, &[entry(3)], &Secrets::new()).ok(),
            Some(0),
            "already there"
        );
    }

    /// Issue 10 item 7: entries are scrubbed; a file that would still hold a
    /// secret is not written.
    #[test]
    fn the_file_never_holds_a_secret() {
        use crate::secret::Secret;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("fuzz-regressions.json");
        let mut secrets = Secrets::new();
        secrets
            .add("the password in --target", &Secret::new("hunter22"))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut echoed = entry(1);
        echoed.target = "http://admin:hunter22@h".to_owned();
        assert_eq!(save(&path, &[echoed], &secrets).ok(), Some(1));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !text.contains("hunter22") && text.contains("admin:<redacted>@h"),
            "{text}"
        );
        // A secret that scrubbing cannot reach (here a seed, a number): nothing is written.
        let before = text;
        let mut numeric = Secrets::new();
        numeric
            .add("the token", &Secret::new("4242"))
            .unwrap_or_else(|e| panic!("{e}"));
        let result = save(&path, &[entry(4242)], &numeric);
        assert!(
            matches!(result, Err(SaveError::Write(WriteError::Secret(_)))),
            "{result:?}"
        );
        assert_eq!(std::fs::read_to_string(&path).ok(), Some(before));
    }
}
