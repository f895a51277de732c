//! The report directory belongs to one run at a time, and holds only this
//! run's reports.
//!
//! Two CI jobs aimed at one `--report-dir` used to mix their files. A run now
//! takes an exclusive lock on the directory before its first request (a
//! second run fails at once: exit 3, naming the directory), checks that it can
//! write there, and, once its reports are written, removes the report formats
//! of an earlier run that it did not write itself (never anything else: the
//! fuzz regressions file and recorded evidence stay).
//!
//! ```text
//! error: failed to use the report directory: reports is in use by another sdconform run (lock reports/.sdconform.lock held); give each run its own --report-dir
//! ```

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The lock file inside the report directory.
pub const LOCK_FILE: &str = ".sdconform.lock";

/// Why the report directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DirError {
    /// Another run holds the lock.
    #[error(
        "{} is in use by another sdconform run (lock {} held); give each run its own --report-dir",
        .dir.display(), .lock.display()
    )]
    Busy {
        /// The report directory.
        dir: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// The directory cannot be created, locked or written.
    #[error("{} is not a writable directory", .dir.display())]
    Unwritable {
        /// The report directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The held lock: released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct DirLock {
    dir: PathBuf,
    _file: File,
}

impl DirLock {
    /// Creates `dir` if needed, proves it writable and takes its lock, without waiting.
    pub fn acquire(dir: &Path) -> Result<DirLock, DirError> {
        let unwritable = |source| DirError::Unwritable {
            dir: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(unwritable)?;
        let lock = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(unwritable)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(DirError::Busy {
                    dir: dir.to_owned(),
                    lock,
                });
            }
            Err(TryLockError::Error(source)) => return Err(unwritable(source)),
        }
        // The lock file proves we can create files; a temporary file proves we
        // can write and rename the way reports are written.
        tempfile::Builder::new()
            .prefix(".sdconform-probe")
            .tempfile_in(dir)
            .map_err(unwritable)?;
        Ok(DirLock {
            dir: dir.to_owned(),
            _file: file,
        })
    }

    /// The locked directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes the files named in `all` that this run did not write (`written`):
    /// a report of another format left by an earlier run would otherwise sit
    /// beside this run's reports and be read as this run's.
    pub fn remove_stale(&self, all: &[&str], written: &[&str]) -> Vec<PathBuf> {
        let mut removed = Vec::new();
        for name in all.iter().filter(|n| !written.contains(n)) {
            let path = self.dir.join(name);
            if path.is_file() && std::fs::remove_file(&path).is_ok() {
                removed.push(path);
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10 item 4: a second run on the same directory fails at once.
    #[test]
    fn a_second_lock_on_one_directory_is_refused_until_the_first_is_dropped() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = root.path().join("reports");
        let first = DirLock::acquire(&dir).unwrap_or_else(|e| panic!("{e}"));
        let second = DirLock::acquire(&dir);
        let Err(error @ DirError::Busy { .. }) = second else {
            panic!("second lock: {second:?}");
        };
        assert!(
            error
                .to_string()
                .contains("in use by another sdconform run")
        );
        drop(first);
        assert!(DirLock::acquire(&dir).is_ok());
    }

    /// Issue 10 item 5: an unwritable directory is found before the suite starts.
    #[test]
    fn a_directory_that_is_a_file_is_unwritable() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = root.path().join("reports");
        std::fs::write(&file, "not a directory").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            DirLock::acquire(&file),
            Err(DirError::Unwritable { .. })
        ));
    }

    #[test]
    fn only_other_report_formats_are_removed() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let lock = DirLock::acquire(root.path()).unwrap_or_else(|e| panic!("{e}"));
        for name in [
            "report.json",
            "junit.xml",
            "report.html",
            "fuzz-regressions.json",
        ] {
            std::fs::write(root.path().join(name), "x").unwrap_or_else(|e| panic!("{e}"));
        }
        let removed = lock.remove_stale(
            &["report.json", "junit.xml", "summary.md", "report.html"],
            &["report.json", "junit.xml"],
        );
        assert_eq!(removed, [root.path().join("report.html")]);
        assert!(root.path().join("fuzz-regressions.json").exists());
        assert!(root.path().join("junit.xml").exists());
    }
}
