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

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(inert("ok\u{1b}[31mred\n"), "ok\\u{1b}[31mred\\n");
        assert_eq!(inert("é ✓"), "é ✓");
    }
}
