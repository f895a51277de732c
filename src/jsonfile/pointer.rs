//! JSON pointers (RFC 6901) as the readers of [`crate::jsonfile`] build them:
//! from serde's paths and from reference tokens. Part of `jsonfile`, used by
//! `contract` too for the pointers of its findings.

/// A serde path (`clauses[3].id`) as a JSON pointer (`/clauses/3/id`).
pub fn path_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape(key));
            }
            Segment::Enum { .. } => {}
            Segment::Unknown => break,
        }
    }
    pointer
}

/// Escapes one reference token of a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Number of reference tokens in a pointer: deeper is more specific.
pub fn depth(pointer: &str) -> usize {
    pointer.matches('/').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_paths_become_escaped_pointers() {
        #[derive(Debug, serde::Deserialize)]
        #[expect(dead_code, reason = "only the error's path is read")]
        struct Doc {
            items: Vec<std::collections::BTreeMap<String, u8>>,
        }
        let value = serde_json::json!({ "items": [ {}, { "a/~b": "x" } ] });
        let error = serde_path_to_error::deserialize::<_, Doc>(value).unwrap_err();
        assert_eq!(path_pointer(error.path()), "/items/1/a~1~0b");
        assert_eq!(depth("/items/1/a~1~0b"), 3);
        assert_eq!(depth(""), 0);
    }
}
