//! The contract's timestamp format (SD-RESP-4, SD-RESP-11), implemented exactly.
//!
//! The document gives `CCYY-MM-DDThh:mm:ss±hh:mm`; its own example uses `Z`,
//! which ISO 8601 defines as `+00:00`, so both are accepted:
//!
//! ```text
//! 2015-01-31T15:12:36Z        ok
//! 2015-01-31T15:12:36+05:30   ok
//! 2015-01-31T15:12:36.5Z      fractional seconds: not the documented pattern
//! 2015-02-29T00:00:00Z        not a real calendar date
//! ```
//!
//! Part of `contract`, a leaf of it (uses nothing of the crate): registered
//! as the custom JSON Schema format `sd-timestamp` (see `contract::schema`),
//! and used by the `timestamp_order` check (through `check::timestamp`) to
//! compare instants, never strings, and by `waiver` for calendar dates.

use std::fmt;

/// Why a string is not a contract timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimestampError {
    /// The text does not have the shape `CCYY-MM-DDThh:mm:ss±hh:mm` (or `Z`).
    Pattern(&'static str),
    /// The shape is right but a field is out of range (month 13, April 31, 24:00, ...).
    Calendar(&'static str),
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimestampError::Pattern(why) => {
                write!(f, "does not match CCYY-MM-DDThh:mm:ss±hh:mm: {why}")
            }
            TimestampError::Calendar(why) => write!(f, "is not a real instant: {why}"),
        }
    }
}

/// A parsed contract timestamp: the instant, in seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    /// Seconds since the Unix epoch, UTC.
    pub unix_seconds: i64,
}

/// Parses a contract timestamp, checking the pattern and the calendar.
pub fn parse(text: &str) -> Result<Instant, TimestampError> {
    let b = text.as_bytes();
    // Shape first, so that every non-conforming spelling is a Pattern error.
    check_length(b)?;
    let fields = Fields::read(b)?;
    fields.check_calendar()?;
    let days = days_from_civil(i64::from(fields.year), fields.month, fields.day);
    let local = days * 86_400 + i64::from(fields.hour * 3600 + fields.minute * 60 + fields.second);
    Ok(Instant {
        unix_seconds: local - fields.offset_minutes * 60,
    })
}

/// The lengths of `CCYY-MM-DDThh:mm:ssZ` and `CCYY-MM-DDThh:mm:ss±hh:mm`,
/// and a reason for the near misses.
fn check_length(b: &[u8]) -> Result<(), TimestampError> {
    let why = match b.len() {
        20 if b.get(19) == Some(&b'Z') => return Ok(()),
        25 => return Ok(()),
        len if len > 19 && b.get(19) == Some(&b'.') => "fractional seconds are not in the pattern",
        19 => "the UTC offset is missing",
        24 if matches!(b.get(19), Some(b'+' | b'-')) => "the offset must be ±hh:mm, with a colon",
        _ => "wrong length",
    };
    Err(TimestampError::Pattern(why))
}

/// The fields of a timestamp of the right length, read but not yet checked
/// against the calendar (the offset is: it is checked as it is read).
struct Fields {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset_minutes: i64,
}

impl Fields {
    /// Reads `b`, 20 or 25 bytes long ([`check_length`]).
    fn read(b: &[u8]) -> Result<Fields, TimestampError> {
        sep(b, 4, b'-', "'-' expected after the year")?;
        sep(b, 7, b'-', "'-' expected after the month")?;
        sep(b, 10, b'T', "'T' expected between date and time")?;
        sep(b, 13, b':', "':' expected after the hour")?;
        sep(b, 16, b':', "':' expected after the minutes")?;
        Ok(Fields {
            year: digits(b, 0..4)?,
            month: digits(b, 5..7)?,
            day: digits(b, 8..10)?,
            hour: digits(b, 11..13)?,
            minute: digits(b, 14..16)?,
            second: digits(b, 17..19)?,
            offset_minutes: offset_minutes(b)?,
        })
    }

    fn check_calendar(&self) -> Result<(), TimestampError> {
        let why = if !(1..=12).contains(&self.month) {
            "month out of 01..12"
        } else if self.day == 0 || self.day > days_in_month(self.year, self.month) {
            "day does not exist in that month"
        } else if self.hour > 23 {
            "hour out of 00..23"
        } else if self.minute > 59 {
            "minute out of 00..59"
        } else if self.second > 59 {
            // A leap second (60) cannot be told from an error without a table; the
            // contract gives none, so 60 is rejected with the other out-of-range values.
            "second out of 00..59"
        } else {
            return Ok(());
        };
        Err(TimestampError::Calendar(why))
    }
}

/// The UTC offset in minutes: 0 for `Z`, else `±hh:mm` at bytes 19..25.
fn offset_minutes(b: &[u8]) -> Result<i64, TimestampError> {
    if b.len() == 20 {
        return Ok(0);
    }
    let sign: i64 = match b.get(19) {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => {
            return Err(TimestampError::Pattern(
                "'+', '-' or 'Z' expected after the seconds",
            ));
        }
    };
    sep(b, 22, b':', "the offset must be ±hh:mm, with a colon")?;
    let hours = digits(b, 20..22)?;
    let minutes = digits(b, 23..25)?;
    if hours > 23 {
        return Err(TimestampError::Calendar("offset hours beyond 23"));
    }
    if minutes > 59 {
        return Err(TimestampError::Calendar("offset minutes beyond 59"));
    }
    Ok(sign * i64::from(hours * 60 + minutes))
}

/// The decimal number in `b[range]`.
fn digits(b: &[u8], range: std::ops::Range<usize>) -> Result<u32, TimestampError> {
    let mut value = 0u32;
    for &c in b.get(range).unwrap_or_default() {
        if !c.is_ascii_digit() {
            return Err(TimestampError::Pattern("a digit was expected"));
        }
        value = value * 10 + u32::from(c - b'0');
    }
    Ok(value)
}

/// `want` at `b[at]`, else a Pattern error saying `why`.
fn sep(b: &[u8], at: usize, want: u8, why: &'static str) -> Result<(), TimestampError> {
    if b.get(at) == Some(&want) {
        Ok(())
    } else {
        Err(TimestampError::Pattern(why))
    }
}

/// Whether `text` is a contract timestamp (the `sd-timestamp` format).
pub fn is_valid(text: &str) -> bool {
    parse(text).is_ok()
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_pattern_and_z() {
        let ok = [
            "2015-01-31T15:12:36Z",
            "2015-01-31T15:12:36+00:00",
            "2015-01-31T15:12:36-00:00",
            "2015-01-31T15:12:36+05:30",
            "2015-01-31T15:12:36-12:45",
            "2015-01-31T15:12:36+23:59",
            "2016-02-29T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2015-04-30T00:00:00Z",
        ];
        for text in ok {
            assert!(
                parse(text).is_ok(),
                "{text} should be valid: {:?}",
                parse(text)
            );
        }
    }

    #[test]
    fn rejects_everything_else_with_the_right_class() {
        use TimestampError::{Calendar, Pattern};
        type Class = fn(&TimestampError) -> bool;
        let table: &[(&str, Class)] = &[
            ("2015-13-01T00:00:00Z", |e| matches!(e, Calendar(_))),
            ("2015-00-01T00:00:00Z", |e| matches!(e, Calendar(_))),
            ("2015-04-31T00:00:00Z", |e| matches!(e, Calendar(_))),
            ("2015-02-29T00:00:00Z", |e| matches!(e, Calendar(_))),
            ("1900-02-29T00:00:00Z", |e| matches!(e, Calendar(_))),
            ("2015-01-00T00:00:00Z", |e| matches!(e, Calendar(_))),
            ("2015-01-31T24:00:00Z", |e| matches!(e, Calendar(_))),
            ("2015-01-31T25:00:00Z", |e| matches!(e, Calendar(_))),
            ("2015-01-31T15:60:00Z", |e| matches!(e, Calendar(_))),
            ("2015-01-31T15:12:60Z", |e| matches!(e, Calendar(_))),
            ("2015-01-31T15:12:36+24:00", |e| matches!(e, Calendar(_))),
            ("2015-01-31T15:12:36+05:60", |e| matches!(e, Calendar(_))),
            ("2015-01-31T15:12:36.123Z", |e| matches!(e, Pattern(_))),
            ("2015-01-31T15:12:36.123456+00:00", |e| {
                matches!(e, Pattern(_))
            }),
            ("2015-01-31T15:12:36", |e| matches!(e, Pattern(_))),
            ("2015-01-31T15:12:36+0000", |e| matches!(e, Pattern(_))),
            ("2015-01-31 15:12:36+00:00", |e| matches!(e, Pattern(_))),
            ("2015-01-31t15:12:36Z", |e| matches!(e, Pattern(_))),
            ("2015-01-31T15:12:36z", |e| matches!(e, Pattern(_))),
            ("2015-01-31T15:12Z", |e| matches!(e, Pattern(_))),
            ("15-01-31T15:12:36Z", |e| matches!(e, Pattern(_))),
            ("2015/01/31T15:12:36Z", |e| matches!(e, Pattern(_))),
            ("2015-1-31T15:12:36+00:00", |e| matches!(e, Pattern(_))),
            ("+2015-01-31T15:12:36Z", |e| matches!(e, Pattern(_))),
            ("2015-01-31T15:12:36+00", |e| matches!(e, Pattern(_))),
            ("2015-01-31T15:12:36 +00:00", |e| matches!(e, Pattern(_))),
            ("２015-01-31T15:12:36Z", |e| matches!(e, Pattern(_))),
            ("", |e| matches!(e, Pattern(_))),
            ("1422717156", |e| matches!(e, Pattern(_))),
        ];
        for (text, class) in table {
            match parse(text) {
                Ok(_) => panic!("{text:?} should be rejected"),
                Err(e) => assert!(class(&e), "{text:?} rejected for the wrong reason: {e}"),
            }
        }
    }

    #[test]
    fn instants_compare_across_offsets() {
        let a = parse("2015-01-31T15:12:36+02:00").map(|i| i.unix_seconds);
        let b = parse("2015-01-31T13:12:36Z").map(|i| i.unix_seconds);
        assert_eq!(a, b);
        assert_eq!(parse("1970-01-01T00:00:00Z").map(|i| i.unix_seconds), Ok(0));
        assert_eq!(
            parse("2015-01-31T15:12:36Z").map(|i| i.unix_seconds),
            Ok(1_422_717_156)
        );
        // String order and instant order disagree here; instants win.
        let created = parse("2015-01-31T15:12:36+02:00");
        let updated = parse("2015-01-31T14:00:00Z");
        assert!(updated.ok() > created.ok());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = parse(&text);
        }
    }
}
