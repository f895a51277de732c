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
//! Registered as the custom JSON Schema format `sd-timestamp` (see `contract`),
//! and used by the `timestamp_order` check to compare instants, never strings.

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
    if b.len() == 20 && b[19] == b'Z' {
        // CCYY-MM-DDThh:mm:ssZ
    } else if b.len() == 25 {
        // CCYY-MM-DDThh:mm:ss±hh:mm
    } else if b.len() > 19 && b.get(19) == Some(&b'.') {
        return Err(TimestampError::Pattern(
            "fractional seconds are not in the pattern",
        ));
    } else if b.len() == 19 {
        return Err(TimestampError::Pattern("the UTC offset is missing"));
    } else if b.len() == 24 && matches!(b.get(19), Some(b'+' | b'-')) {
        return Err(TimestampError::Pattern(
            "the offset must be ±hh:mm, with a colon",
        ));
    } else {
        return Err(TimestampError::Pattern("wrong length"));
    }
    let digits = |range: std::ops::Range<usize>| -> Result<u32, TimestampError> {
        let mut value = 0u32;
        for &c in &b[range] {
            if !c.is_ascii_digit() {
                return Err(TimestampError::Pattern("a digit was expected"));
            }
            value = value * 10 + u32::from(c - b'0');
        }
        Ok(value)
    };
    let sep = |at: usize, want: u8, why: &'static str| -> Result<(), TimestampError> {
        if b[at] == want {
            Ok(())
        } else {
            Err(TimestampError::Pattern(why))
        }
    };
    sep(4, b'-', "'-' expected after the year")?;
    sep(7, b'-', "'-' expected after the month")?;
    sep(10, b'T', "'T' expected between date and time")?;
    sep(13, b':', "':' expected after the hour")?;
    sep(16, b':', "':' expected after the minutes")?;
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    let hour = digits(11..13)?;
    let minute = digits(14..16)?;
    let second = digits(17..19)?;
    let offset_minutes: i64 = if b.len() == 20 {
        0
    } else {
        let sign: i64 = match b[19] {
            b'+' => 1,
            b'-' => -1,
            _ => {
                return Err(TimestampError::Pattern(
                    "'+', '-' or 'Z' expected after the seconds",
                ));
            }
        };
        sep(22, b':', "the offset must be ±hh:mm, with a colon")?;
        let oh = digits(20..22)?;
        let om = digits(23..25)?;
        if oh > 23 {
            return Err(TimestampError::Calendar("offset hours beyond 23"));
        }
        if om > 59 {
            return Err(TimestampError::Calendar("offset minutes beyond 59"));
        }
        sign * i64::from(oh * 60 + om)
    };
    if !(1..=12).contains(&month) {
        return Err(TimestampError::Calendar("month out of 01..12"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(TimestampError::Calendar("day does not exist in that month"));
    }
    if hour > 23 {
        return Err(TimestampError::Calendar("hour out of 00..23"));
    }
    if minute > 59 {
        return Err(TimestampError::Calendar("minute out of 00..59"));
    }
    // A leap second (60) cannot be told from an error without a table; the
    // contract gives none, so 60 is rejected with the other out-of-range values.
    if second > 59 {
        return Err(TimestampError::Calendar("second out of 00..59"));
    }
    let days = days_from_civil(i64::from(year), month, day);
    let local = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Ok(Instant {
        unix_seconds: local - offset_minutes * 60,
    })
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
