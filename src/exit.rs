//! Exit codes: the one place they are defined (the README repeats the table).
//!
//! Second in the flow after `model`: `error` maps each harness error to one of
//! these, and `app` turns a verdict into one; nothing else chooses.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | conformant (also `--allow-empty` on an empty run; `verify`: authentic) |
//! | 1 | non-conformant: an unwaived failing finding, an expired waiver, or a stale one with `--strict-waivers` |
//! | 2 | usage or input decided locally: flags, files, clouds.yaml, captures, bundles, a secret that cannot be redacted, no or several catalog entries |
//! | 3 | could not complete: unreachable, credentials refused by the identity service or by the preflight, report directory locked or unwritable |
//! | 4 | no case selected |
//! | 5 | inconclusive: no response item was validated |
//! | 6 | fixtures could not be created, or not all deleted |
//! | 7 | a bundle fails verification |
//! | 130 | interrupted (SIGINT, SIGTERM) |
//!
//! When several apply, the first of 130, 2, 6, 1, 3, 5, 0 wins ([`Exit::worst`]):
//! a MUST finding still outranks a harness error.

use std::process::ExitCode;

/// Why the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: conformant (also `--list`, `serve`, `--help`, an authentic bundle).
    Conformant,
    /// 1: an unwaived failing finding, an expired waiver, or (strict) a stale waiver.
    NonConformant,
    /// 2: a usage or input problem decided locally, before or without the target.
    Usage,
    /// 3: the run could not complete.
    Incomplete,
    /// 4: the filter selected no case.
    NoCaseSelected,
    /// 5: nothing was validated, so nothing can be concluded.
    Inconclusive,
    /// 6: fixtures could not be created, or not all were deleted.
    Fixtures,
    /// 7: a bundle fails verification.
    NotAuthentic,
    /// 130: interrupted by a signal.
    Interrupted,
}

impl Exit {
    /// Every exit code, in numeric order.
    pub const ALL: [Exit; 9] = [
        Exit::Conformant,
        Exit::NonConformant,
        Exit::Usage,
        Exit::Incomplete,
        Exit::NoCaseSelected,
        Exit::Inconclusive,
        Exit::Fixtures,
        Exit::NotAuthentic,
        Exit::Interrupted,
    ];

    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Conformant => 0,
            Exit::NonConformant => 1,
            Exit::Usage => 2,
            Exit::Incomplete => 3,
            Exit::NoCaseSelected => 4,
            Exit::Inconclusive => 5,
            Exit::Fixtures => 6,
            Exit::NotAuthentic => 7,
            Exit::Interrupted => 130,
        }
    }

    /// Rank when several apply: lower wins (130, 2, 6, 1, 3, 5, 0; then 4 and 7,
    /// which end commands that have no other outcome).
    fn rank(self) -> u8 {
        match self {
            Exit::Interrupted => 0,
            Exit::Usage => 1,
            Exit::Fixtures => 2,
            Exit::NonConformant => 3,
            Exit::Incomplete => 4,
            Exit::Inconclusive => 5,
            Exit::NotAuthentic => 6,
            Exit::NoCaseSelected => 7,
            Exit::Conformant => 8,
        }
    }

    /// The code that wins among several that apply ([`Exit::Conformant`] for none).
    pub fn worst(exits: impl IntoIterator<Item = Exit>) -> Exit {
        exits
            .into_iter()
            .min_by_key(|e| e.rank())
            .unwrap_or(Exit::Conformant)
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Exit::{self, *};

    #[test]
    fn the_documented_precedence_holds() {
        // 130, then 2, 6, 1, 3, 5, 0 (issue 10's shared table).
        let order = [
            Interrupted,
            Usage,
            Fixtures,
            NonConformant,
            Incomplete,
            Inconclusive,
            Conformant,
        ];
        for (i, better) in order.iter().enumerate() {
            for worse in &order[i..] {
                assert_eq!(Exit::worst([*worse, *better]), *better);
                assert_eq!(Exit::worst([*better, *worse]), *better);
            }
        }
        assert_eq!(Exit::worst([]), Conformant);
        assert_eq!(
            order.map(Exit::code),
            [130, 2, 6, 1, 3, 5, 0],
            "codes as documented"
        );
    }

    /// The module doc's table and README's table list the same codes.
    #[test]
    fn the_readme_table_lists_every_code() {
        let readme = include_str!("../README.md");
        for exit in Exit::ALL {
            let row = format!("\n| {} |", exit.code());
            assert!(
                readme.contains(&row),
                "README has no row for {}",
                exit.code()
            );
        }
    }
}
