//! One response of the target, as the properties see it.

/// One response, as the properties see it.
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    /// Status code.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<&'a str>,
    /// The body (at most `--max-body-bytes`).
    pub body: &'a [u8],
    /// `Some(limit)` when the body was cut at `limit` bytes.
    pub body_cut: Option<usize>,
}
