//! Text forms the whole crate needs: terminal-safe text (a target's control
//! characters shown escaped instead of driving the reader's terminal) and a
//! query component percent-encoded as it goes on the wire.
//!
//! ```text
//! inert("ok\u{1b}[31mred") == "ok\\u{1b}[31mred"
//! ```

/// Escapes control characters (terminal escapes included) for display.
pub fn inert(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Percent-encodes one path segment or query component.
pub fn encode(text: &str) -> String {
    encode_bytes(text.as_bytes())
}

/// Percent-encodes raw bytes (which need not be UTF-8) as one query component:
/// every byte outside RFC 3986's unreserved set becomes `%XX`.
pub fn encode_bytes(bytes: &[u8]) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::percent_encode(bytes, KEEP).to_string()
}

/// Escapes control characters (C0, DEL, C1) the way [`inert`] does, except line
/// feed and tab, which the report files use as text: for `summary.md`,
/// `report.html` and `junit.xml`, so that `cat`ting a report cannot drive the
/// terminal (issue 10 item 14) and XML stays well-formed. The escape is
/// visible and plain ASCII (`\u{1b}`, `\r`), so it adds no markup.
pub fn inert_lines(text: &str) -> std::borrow::Cow<'_, str> {
    let raw = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.contains(raw) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if raw(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{inert, inert_lines};

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(inert("ok\u{1b}[31mred\n"), "ok\\u{1b}[31mred\\n");
        assert_eq!(inert("é ✓"), "é ✓");
    }

    /// Issue 10 item 14: every C0 and C1 control and DEL, but line feed and tab.
    #[test]
    fn inert_lines_escapes_every_control_but_line_feed_and_tab() {
        assert_eq!(
            inert_lines("a\u{1b}[2J\u{9b}31m\u{7}\u{7f}\r\0\n\tb"),
            "a\\u{1b}[2J\\u{9b}31m\\u{7}\\u{7f}\\r\\u{0}\n\tb"
        );
        let every: String = (0u32..=0xa0).filter_map(char::from_u32).collect();
        let shown = inert_lines(&every);
        assert!(
            !shown
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{shown}"
        );
        assert!(matches!(
            inert_lines("é ✓\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
