//! `clouds.yaml` read into a tree whose every node knows its file and line, so
//! that an error about a value (an unknown `auth_type`, a `verify` that is not a
//! boolean) names `file:line`, not only a syntax error does.
//!
//! Read with `saphyr-parser` (YAML 1.2, pure Rust, positions on every event);
//! what PyYAML (`yaml.safe_load`, YAML 1.1) gives openstacksdk is kept where a
//! `clouds.yaml` can tell the difference:
//! - anchors, aliases and merge keys (`<<: *defaults`) work;
//! - a scalar keeps its text; whether it is a boolean or null is decided where it
//!   is used, with YAML 1.1's spellings (`yes`, `no`, `on`, `off` too) for plain
//!   scalars; numbers stay the digits written (openstacksdk turns them into
//!   strings as well);
//! - more than one document is an error (as `safe_load`), an empty file is no clouds.
//!
//! Bounded: at most [`MAX_NODES`] nodes after expanding aliases (a "billion
//! laughs" file is refused), [`MAX_DEPTH`] levels.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle};

/// Most nodes a file may expand to.
pub const MAX_NODES: usize = 100_000;

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// A value read from a file, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The file.
    pub file: Arc<PathBuf>,
    /// The 1-based line.
    pub line: usize,
    /// The value.
    pub value: Value,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A scalar: its text, and whether it was written plain (unquoted, so `yes` may be a boolean).
    Scalar {
        /// The text.
        text: String,
        /// Plain style.
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order; a key written twice keeps its last value (as PyYAML).
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The value at `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// `path:line`.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }

    /// Whether this is YAML's null (`~`, `null`, an empty plain scalar).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The scalar's text, unless it is null or not a scalar.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// A boolean as PyYAML reads one (YAML 1.1: `true`, `yes`, `on`, `false`, `no`, `off`,
    /// in lower, title or upper case), only when written plain.
    pub fn boolean(&self) -> Option<bool> {
        let Value::Scalar { text, plain: true } = &self.value else {
            return None;
        };
        match text.as_str() {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
            _ => None,
        }
    }
}

/// Why a file is not YAML (or too large to be a `clouds.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads `text` (the content of `file`): `Ok(None)` for an empty document.
pub fn parse(text: &str, file: &Path) -> Result<Option<Node>, YamlError> {
    let file = Arc::new(file.to_path_buf());
    let mut builder = Builder {
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
        documents: 0,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_owned(),
        })?;
        let line = span.start.line();
        let column = span.start.col() + 1;
        builder.on(event, line).map_err(|message| YamlError {
            line,
            column,
            message,
        })?;
    }
    Ok(builder.root)
}

enum Frame {
    Seq {
        line: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        line: usize,
        anchor: usize,
        entries: Vec<(String, Node)>,
        key: Option<String>,
        merges: Vec<Node>,
    },
}

struct Builder {
    file: Arc<PathBuf>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
    documents: usize,
}

impl Builder {
    fn on(&mut self, event: Event<'_>, line: usize) -> Result<(), String> {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err("expected a single document, found another one".to_owned());
                }
            }
            Event::Scalar(text, style, anchor, _) => {
                let node = Node {
                    file: Arc::clone(&self.file),
                    line,
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                };
                self.complete(node, anchor, 1)?;
            }
            Event::Alias(id) => {
                let (node, size) = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| "an alias to an unknown anchor".to_owned())?;
                self.complete(node, 0, size)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.push(Frame::Seq {
                    line,
                    anchor,
                    items: Vec::new(),
                })?;
            }
            Event::MappingStart(anchor, _) => {
                self.push(Frame::Map {
                    line,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                })?;
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    line,
                    anchor,
                    items,
                }) = self.stack.pop()
                {
                    let size = 1 + items.iter().map(size_of).sum::<usize>();
                    let node = self.node(line, Value::Seq(items));
                    self.finish(node, anchor, size)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    line,
                    anchor,
                    mut entries,
                    merges,
                    ..
                }) = self.stack.pop()
                {
                    // Merge keys: explicit keys win, then earlier merged mappings.
                    for merged in merges {
                        let maps = match merged.value {
                            Value::Map(map) => vec![map],
                            Value::Seq(items) => items
                                .into_iter()
                                .map(|i| match i.value {
                                    Value::Map(map) => Ok(map),
                                    _ => Err("a merge key (<<) takes mappings".to_owned()),
                                })
                                .collect::<Result<_, _>>()?,
                            Value::Scalar { .. } => {
                                return Err("a merge key (<<) takes mappings".to_owned());
                            }
                        };
                        for map in maps {
                            for (key, value) in map {
                                if !entries.iter().any(|(k, _)| *k == key) {
                                    entries.push((key, value));
                                }
                            }
                        }
                    }
                    let size = 1 + entries.iter().map(|(_, v)| size_of(v)).sum::<usize>();
                    let node = self.node(line, Value::Map(entries));
                    self.finish(node, anchor, size)?;
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn node(&self, line: usize, value: Value) -> Node {
        Node {
            file: Arc::clone(&self.file),
            line,
            value,
        }
    }

    fn push(&mut self, frame: Frame) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// A scalar or alias: counts it, remembers its anchor, places it.
    fn complete(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), String> {
        self.count(size)?;
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        self.place(node)
    }

    /// A finished collection (its items were counted as they came).
    fn finish(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), String> {
        self.count(1)?;
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        self.place(node)
    }

    fn count(&mut self, size: usize) -> Result<(), String> {
        self.nodes = self.nodes.saturating_add(size);
        if self.nodes > MAX_NODES {
            return Err(format!(
                "expands to more than {MAX_NODES} values (aliases included): not a clouds.yaml"
            ));
        }
        Ok(())
    }

    fn place(&mut self, node: Node) -> Result<(), String> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => match node.value {
                    Value::Scalar { text, .. } => *key = Some(text),
                    _ => return Err("a mapping key must be a scalar".to_owned()),
                },
                Some(k) if k == "<<" => merges.push(node),
                Some(k) => {
                    entries.retain(|(existing, _)| *existing != k);
                    entries.push((k, node));
                }
            },
        }
        Ok(())
    }
}

fn size_of(node: &Node) -> usize {
    match &node.value {
        Value::Scalar { .. } => 1,
        Value::Seq(items) => 1 + items.iter().map(size_of).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|(_, v)| size_of(v)).sum::<usize>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Node {
        parse(text, Path::new("c.yaml"))
            .unwrap_or_else(|e| panic!("{e:?}"))
            .unwrap_or_else(|| panic!("empty"))
    }

    #[test]
    fn nodes_know_their_lines() {
        let root = read("clouds:\n  a:\n    auth_type: magic\n    verify: no\n");
        let cloud = root.get("clouds").and_then(|c| c.get("a"));
        let auth_type = cloud.and_then(|c| c.get("auth_type"));
        assert_eq!(auth_type.map(Node::at).as_deref(), Some("c.yaml:3"));
        assert_eq!(auth_type.and_then(Node::text), Some("magic"));
        assert_eq!(
            cloud.and_then(|c| c.get("verify")).and_then(Node::boolean),
            Some(false)
        );
    }

    #[test]
    fn yaml_1_1_booleans_only_when_plain() {
        for (text, want) in [
            ("v: yes", Some(true)),
            ("v: False", Some(false)),
            ("v: off", Some(false)),
            ("v: 'no'", None),
            ("v: \"false\"", None),
            ("v: 0", None),
        ] {
            assert_eq!(read(text).get("v").and_then(Node::boolean), want, "{text}");
        }
        assert!(read("v: ~").get("v").is_some_and(Node::is_null));
        assert!(read("v:").get("v").is_some_and(Node::is_null));
        assert_eq!(
            read("v: 'null'").get("v").and_then(Node::text),
            Some("null")
        );
        assert_eq!(read("v: 0123").get("v").and_then(Node::text), Some("0123"));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let root = read(
            "base: &base\n  region_name: r1\n  interface: internal\nclouds:\n  a:\n    <<: *base\n    interface: public\n  b: *base\n",
        );
        let a = root.get("clouds").and_then(|c| c.get("a"));
        assert_eq!(
            a.and_then(|a| a.get("interface")).and_then(Node::text),
            Some("public")
        );
        assert_eq!(
            a.and_then(|a| a.get("region_name")).and_then(Node::text),
            Some("r1")
        );
        let b = root.get("clouds").and_then(|c| c.get("b"));
        assert_eq!(
            b.and_then(|b| b.get("interface")).and_then(Node::text),
            Some("internal")
        );
    }

    #[test]
    fn errors_have_a_line_and_column() {
        let error = parse("clouds:\n  a: [1, 2\n", Path::new("c.yaml")).err();
        assert!(error.as_ref().is_some_and(|e| e.line >= 2), "{error:?}");
        let error = parse("a: 1\n---\nb: 2\n", Path::new("c.yaml")).err();
        assert!(error.is_some_and(|e| e.message.contains("single document")));
        assert_eq!(parse("", Path::new("c.yaml")), Ok(None));
        assert_eq!(parse("# only a comment\n", Path::new("c.yaml")), Ok(None));
        let error = parse("? [a]\n: b\n", Path::new("c.yaml")).err();
        assert!(error.is_some_and(|e| e.message.contains("key must be a scalar")));
    }

    /// A billion laughs is refused, not expanded.
    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                std::iter::repeat_n(prev.as_str(), 10)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let error = parse(&text, Path::new("bomb.yaml")).err();
        assert!(
            error.is_some_and(|e| e.message.contains("more than")),
            "not refused"
        );
    }
}
