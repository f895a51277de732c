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

/// A version 4 (random) UUID, lowercase and hyphenated, from 128 random bits (`hi`, `lo`):
/// the version and variant bits are set as RFC 9562 asks. Fresh ids for what the harness
/// and the reference target create.
pub fn v4_from_bits(hi: u64, lo: u64) -> String {
    let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000;
    let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::{is_valid, v4_from_bits};

    #[test]
    fn version_4_ids_carry_their_version_and_variant() {
        for (hi, lo) in [(0, 0), (u64::MAX, u64::MAX), (0x0123_4567_89ab_cdef, 42)] {
            let id = v4_from_bits(hi, lo);
            assert!(is_valid(&id), "{id}");
            assert_eq!(id.as_bytes()[14], b'4', "{id}");
            assert!(
                matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
                "{id}"
            );
        }
        assert_eq!(v4_from_bits(0, 0), "00000000-0000-4000-8000-000000000000");
    }

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
