//! The deployment id format (SD-RESP-5): a UUID in its standard string form.
//!
//! `ef422fa5-719a-419e-a10c-72e3a367b0b8` is the form RFC 9562 defines and the
//! document's example uses: 8-4-4-4-12 hexadecimal digits, either case. The
//! version and variant bits are not checked: the contract says "UUID", not
//! which version. Part of `contract`, a leaf of it: registered as the JSON
//! Schema format `sd-uuid` (see `contract::schema`).

/// Whether `text` is a UUID in 8-4-4-4-12 hexadecimal form.
pub fn is_valid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn uuid_table() {
        let table = [
            ("ef422fa5-719a-419e-a10c-72e3a367b0b8", true),
            ("EF422FA5-719A-419E-A10C-72E3A367B0B8", true),
            ("00000000-0000-0000-0000-000000000000", true),
            ("ef422fa5719a419ea10c72e3a367b0b8", false),
            ("{ef422fa5-719a-419e-a10c-72e3a367b0b8}", false),
            ("urn:uuid:ef422fa5-719a-419e-a10c-72e3a367b0b8", false),
            ("ef422fa5-719a-419e-a10c-72e3a367b0b", false),
            ("ef422fa5-719a-419e-a10c-72e3a367b0b8a", false),
            ("ef422fa5-719a-419e-a10c_72e3a367b0b8", false),
            ("gf422fa5-719a-419e-a10c-72e3a367b0b8", false),
            ("deployment-1", false),
            ("", false),
        ];
        for (text, want) in table {
            assert_eq!(is_valid(text), want, "{text}");
        }
    }
}
