//! How a database collation compares `server_id`s: the contract's ambiguity 6.
//!
//! Heat keeps its tables in MySQL/MariaDB with the `utf8_general_ci` collation, so a
//! filter there matches ignoring letter case, trailing spaces (`PAD SPACE`) and accents
//! (`é` for `e`), and returns each item with its stored spelling; RFC 9562 also makes a
//! UUID's hex digits case-insensitive. Such a match is not the exact one the contract's
//! literal reading asks for, but it is not an arbitrary one either: the profile decides
//! what it is ([`CollationMatch::under`]).
//!
//! | filter | item's `server_id` | [`Match`] |
//! |---|---|---|
//! | `ec14c864-096e-…` | `ec14c864-096e-…` | `Exact` |
//! | `EC14C864-096E-…`, `ec14c864-096e-…␠␠`, `ec14c864-096é-…` | `ec14c864-096e-…` | `Collation` |
//! | `ec14c864`, `%`, `␠ec14c864-096e-…`, `ec14c864096e…` | `ec14c864-096e-…` | `Unexplained` |
//!
//! What no collation explains (a prefix, a substring, `%`/`_` wildcards, leading spaces,
//! ignored hyphens) stays a MUST finding under every profile.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{Finding, Observation, Severity};
use crate::contract::Profile;

/// How an item's `server_id` relates to the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Equal, byte for byte.
    Exact,
    /// Equal only as a case-, trailing-space- and accent-insensitive collation compares.
    Collation,
    /// Not equal under any collation: a prefix, a substring, a wildcard, ...
    Unexplained,
}

/// How `actual` (an item's `server_id`) relates to `filter`.
pub fn compare(filter: &str, actual: &str) -> Match {
    if filter == actual {
        Match::Exact
    } else if key(filter) == key(actual) {
        Match::Collation
    } else {
        Match::Unexplained
    }
}

/// The collation key of `text`: lowercase, accents dropped (NFD, then no combining mark),
/// trailing spaces dropped. Two strings a case-, space- and accent-insensitive collation
/// holds equal have the same key; leading spaces, hyphens, `%` and `_` are kept.
pub fn key(text: &str) -> String {
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect();
    folded.trim_end_matches(' ').to_owned()
}

/// What a collation match is under a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollationMatch {
    /// A finding of the check's own severity (`strict`: the literal reading).
    Finding,
    /// A SHOULD finding (`documented`).
    Should,
    /// An observation, not a finding (`lenient`).
    Observation,
}

impl CollationMatch {
    /// The reading of `profile`.
    pub fn under(profile: Profile) -> CollationMatch {
        match profile {
            Profile::Strict => CollationMatch::Finding,
            Profile::Documented => CollationMatch::Should,
            Profile::Lenient => CollationMatch::Observation,
        }
    }

    /// The severity of the finding, given the check's own; `None` for an observation.
    pub fn severity(self, own: Severity) -> Option<Severity> {
        match self {
            CollationMatch::Finding => Some(own),
            CollationMatch::Should => Some(Severity::Should),
            CollationMatch::Observation => None,
        }
    }

    /// What a `filter_exact` item at `pointer` that only a collation matches is, for a
    /// check of severity `own`: a finding naming the profiles that accept it, or an
    /// observation naming those under which it would be one. `returned` says what the
    /// list returned; [`EXPLANATION`] follows it.
    pub fn judge(
        self,
        own: Severity,
        pointer: String,
        expected: String,
        actual: String,
        returned: &str,
    ) -> Judged {
        let message = format!("{returned}: {EXPLANATION}");
        let (clause, check) = ("SD-REQ-1", "filter_exact");
        match self.severity(own) {
            Some(severity) => {
                let finding = Finding::new(clause, check, pointer, expected, actual, message);
                let mut finding = finding.with_severity(severity);
                finding.accepted_by = ACCEPTED_BY.iter().map(|p| (*p).to_owned()).collect();
                Judged::Finding(finding)
            }
            None => {
                let observation =
                    Observation::new(clause, check, pointer, expected, actual, message);
                Judged::Observation(observation.finding_under(FINDING_UNDER))
            }
        }
    }
}

/// An item a collation matches, as the profile judges it ([`CollationMatch::judge`]).
#[derive(Debug)]
pub enum Judged {
    /// A finding (`strict`, `documented`).
    Finding(Finding),
    /// An observation (`lenient`).
    Observation(Observation),
}

/// The profiles under which a collation match is a finding, for a finding's `accepted_by`.
pub const ACCEPTED_BY: &[&str] = &["lenient"];

/// The profiles under which a collation match is a finding, for an observation.
pub const FINDING_UNDER: &[&str] = &["strict", "documented"];

/// The sentence every collation finding and observation carries.
pub const EXPLANATION: &str = "the filter matches as a case-, space- and accent-insensitive collation does (MySQL/MariaDB's utf8_general_ci, Heat's usual database), not exactly";

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5";

    #[test]
    fn what_a_collation_explains_and_what_it_does_not() {
        let table = [
            (ID, ID, Match::Exact),
            // Letter case (RFC 9562: a UUID's hex digits are case-insensitive).
            ("EC14C864-096E-4E27-BB8A-2C2B4DC6F3F5", ID, Match::Collation),
            ("Ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5", ID, Match::Collation),
            // Trailing spaces, on either side (PAD SPACE).
            (
                "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5  ",
                ID,
                Match::Collation,
            ),
            (
                ID,
                "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5 ",
                Match::Collation,
            ),
            // Accents, precomposed or combining, and all three at once.
            ("ec14c864-096é-4e27-bb8a-2c2b4dc6f3f5", ID, Match::Collation),
            (
                "ec14c864-096e\u{301}-4e27-bb8a-2c2b4dc6f3f5",
                ID,
                Match::Collation,
            ),
            (
                "EC14C864-096É-4E27-BB8A-2C2B4DC6F3F5 ",
                ID,
                Match::Collation,
            ),
            ("café", "CAFE", Match::Collation),
            // Nothing else.
            ("ec14c864", ID, Match::Unexplained),
            ("096e-4e27", ID, Match::Unexplained),
            ("%", ID, Match::Unexplained),
            (
                "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f_",
                ID,
                Match::Unexplained,
            ),
            (
                " ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
                ID,
                Match::Unexplained,
            ),
            (
                "\tec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
                ID,
                Match::Unexplained,
            ),
            (
                "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5\t",
                ID,
                Match::Unexplained,
            ),
            ("ec14c864096e4e27bb8a2c2b4dc6f3f5", ID, Match::Unexplained),
            (
                "{ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5}",
                ID,
                Match::Unexplained,
            ),
            ("", ID, Match::Unexplained),
            ("", "  ", Match::Collation),
        ];
        for (filter, actual, want) in table {
            assert_eq!(compare(filter, actual), want, "{filter:?} vs {actual:?}");
        }
    }

    /// Issue 9: the filter cases and the fuzz properties judge a collation's match
    /// through one function, so a finding and an observation say the same thing, and a
    /// long `server_id` is truncated once in either.
    #[test]
    fn a_match_is_a_finding_or_an_observation_with_the_same_evidence() {
        let long = format!("{:?}", "e".repeat(400));
        let judge = |policy: CollationMatch| {
            policy.judge(
                Severity::Must,
                "/software_deployments/0/server_id".to_owned(),
                "\"E\"".to_owned(),
                long.clone(),
                "returned",
            )
        };
        let Judged::Finding(finding) = judge(CollationMatch::Should) else {
            panic!("documented: a finding");
        };
        assert_eq!(finding.severity, Severity::Should);
        assert_eq!(finding.accepted_by, ["lenient"]);
        let Judged::Observation(observation) = judge(CollationMatch::Observation) else {
            panic!("lenient: an observation");
        };
        assert_eq!(observation.finding_under, ["strict", "documented"]);
        assert_eq!(observation.actual, finding.actual);
        assert!(
            finding.actual.ends_with("… (102 more bytes)"),
            "{}",
            finding.actual
        );
        assert_eq!(observation.message, finding.message);
        assert_eq!(finding.message, format!("returned: {EXPLANATION}"));
        assert_eq!(observation.pointer, finding.pointer);
    }

    #[test]
    fn each_profile_reads_a_collation_match_its_own_way() {
        assert_eq!(
            CollationMatch::under(Profile::Strict).severity(Severity::Must),
            Some(Severity::Must)
        );
        assert_eq!(
            CollationMatch::under(Profile::Documented).severity(Severity::Must),
            Some(Severity::Should)
        );
        assert_eq!(
            CollationMatch::under(Profile::Lenient).severity(Severity::Must),
            None
        );
    }
}
