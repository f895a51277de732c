//! When an exchange happened, as far as the capture says: its start (a HAR
//! `startedDateTime`, RFC 3339 with any fraction of a second and an offset) and its
//! end (start plus `time`), in milliseconds since the Unix epoch.
//!
//! Only comparisons need it: a write in flight while a listing was served makes
//! the listing useless as the project's unfiltered list, whatever order the
//! capture wrote them in.
//!
//! ```text
//! 2026-11-30T01:17:36.486067+00:00   1796001456486.067
//! 2023-07-09T13:45:08.018Z           1688910308018
//! 2023-07-09T15:45:08+0200           1688910308000
//! 2023-07-09 13:45:08Z               unknown (not RFC 3339)
//! ```

use crate::contract::timestamp;

/// The start and end of an exchange, in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// When the request started.
    pub start: f64,
    /// When the response ended (the start when the capture gives no duration).
    pub end: f64,
}

impl Span {
    /// The span of an exchange that started at `started` and took `elapsed_ms`;
    /// `None` when the start is unknown or not RFC 3339.
    pub fn of(started: Option<&str>, elapsed_ms: Option<f64>) -> Option<Span> {
        let start = unix_ms(started?)?;
        let took = elapsed_ms
            .filter(|t| t.is_finite() && *t >= 0.0)
            .unwrap_or(0.0);
        Some(Span {
            start,
            end: start + took,
        })
    }
}

/// `text` (RFC 3339, any fraction of a second, `Z`, `±hh:mm` or `±hhmm`) in
/// milliseconds since the Unix epoch.
pub fn unix_ms(text: &str) -> Option<f64> {
    let head = text.get(..19)?;
    let rest = text.get(19..)?;
    let (fraction, offset) = match rest.strip_prefix('.') {
        Some(after) => {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            (after.get(..digits)?, after.get(digits..)?)
        }
        None => ("", rest),
    };
    let offset = match offset {
        "Z" | "z" => "Z".to_owned(),
        compact if compact.len() == 5 && !compact.contains(':') => {
            format!("{}:{}", compact.get(..3)?, compact.get(3..)?)
        }
        other => other.to_owned(),
    };
    let seconds = timestamp::parse(&format!("{head}{offset}"))
        .ok()?
        .unix_seconds;
    let fraction: f64 = if fraction.is_empty() {
        0.0
    } else {
        format!("0.{fraction}").parse().ok()?
    };
    Some(seconds as f64 * 1000.0 + fraction * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_times_are_read_as_instants() {
        let rows: [(&str, Option<f64>); 8] = [
            (
                "2026-11-30T01:17:36.486067+00:00",
                Some(1_796_001_456_486.067),
            ),
            ("2023-07-09T13:45:08.018Z", Some(1_688_910_308_018.0)),
            ("2023-07-09T15:45:08.018+02:00", Some(1_688_910_308_018.0)),
            ("2023-07-09T15:45:08+0200", Some(1_688_910_308_000.0)),
            ("1970-01-01T00:00:00Z", Some(0.0)),
            ("2023-07-09 13:45:08Z", None),
            ("2023-02-29T13:45:08Z", None),
            ("2023-07-09T13:45:0é", None),
        ];
        for (text, want) in rows {
            let got = unix_ms(text);
            match (got, want) {
                (Some(got), Some(want)) => assert!((got - want).abs() < 0.01, "{text}: {got}"),
                _ => assert_eq!(got, want, "{text}"),
            }
        }
        assert_eq!(
            Span::of(Some("1970-01-01T00:00:01Z"), Some(2.5)),
            Some(Span {
                start: 1000.0,
                end: 1002.5
            })
        );
        assert_eq!(
            Span::of(Some("1970-01-01T00:00:01Z"), Some(f64::NAN)).map(|s| s.end),
            Some(1000.0)
        );
        assert_eq!(Span::of(None, Some(1.0)), None);
    }
}
