//! Exit codes: the one place they are defined (and listed in the README).
//!
//! | code | meaning |
//! |---|---|
//! | 0 | conformant: no MUST finding, every case ran |
//! | 1 | non-conformant: an unwaived MUST finding (or SHOULD with `--fail-on should`), an expired waiver, or a stale one with `--strict-waivers` |
//! | 2 | usage or load error: bad flag, invalid case, schema or waivers file, a `compare` input that is not a report |
//! | 3 | the run could not complete: target unreachable, report unwritable |
//! | 4 | the filter selected no case |

use std::process::ExitCode;

/// Why the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: conformant (also `--list`, `serve`, `--help`).
    Conformant,
    /// 1: an unwaived failing finding, an expired waiver, or (strict) a stale waiver.
    NonConformant,
    /// 2: bad flag, invalid case, schema or waivers file, unreadable report.
    Usage,
    /// 3: the run could not complete.
    Incomplete,
    /// 4: the filter selected no case.
    NoCaseSelected,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Conformant => 0,
            Exit::NonConformant => 1,
            Exit::Usage => 2,
            Exit::Incomplete => 3,
            Exit::NoCaseSelected => 4,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
