//! Finding and reading `clouds.yaml` and `secure.yaml`: the first file found in
//! [`Sources::candidates`] wins (as in openstacksdk), one that cannot be read for
//! lack of permission is skipped (as in openstacksdk), and `secure.yaml` is merged
//! into `clouds.yaml` value by value (mappings merged, anything else replaced).
//!
//! Where sdconform differs: a file that is not YAML is an error naming
//! `file:line:column` (openstacksdk logs a warning and skips it, silently using
//! another file or none).

use std::path::PathBuf;

use super::error::CloudError;
use super::origin::Origin;
use super::sources::Sources;
use super::yaml::{self, Node, Value};

/// The configuration files found, merged.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The `clouds.yaml` used, if any.
    pub clouds_file: Option<PathBuf>,
    /// The `secure.yaml` used, if any.
    pub secure_file: Option<PathBuf>,
    /// Files that exist but could not be read for lack of permission.
    pub skipped: Vec<PathBuf>,
    /// The merged document's root mapping, if any file had content.
    pub root: Option<Node>,
}

impl Loaded {
    /// The `clouds` mapping's entries, in file order.
    pub fn clouds(&self) -> Result<Vec<(String, Node)>, CloudError> {
        let Some(clouds) = self.root.as_ref().and_then(|r| r.get("clouds")) else {
            return Ok(Vec::new());
        };
        if clouds.is_null() {
            return Ok(Vec::new());
        }
        match &clouds.value {
            Value::Map(entries) => Ok(entries.clone()),
            _ => Err(shape(
                clouds,
                "clouds must be a mapping of cloud names to settings",
            )),
        }
    }
}

/// Reads the configuration files `sources` points at.
pub fn load(sources: &Sources) -> Result<Loaded, CloudError> {
    let mut loaded = Loaded::default();
    let clouds = first(
        &sources.candidates("clouds", "OS_CLIENT_CONFIG_FILE"),
        &mut loaded.skipped,
    )?;
    let secure = first(
        &sources.candidates("secure", "OS_CLIENT_SECURE_FILE"),
        &mut loaded.skipped,
    )?;
    let mut root = None;
    if let Some((path, node)) = clouds {
        loaded.clouds_file = Some(path);
        root = node;
    }
    if let Some((path, node)) = secure {
        loaded.secure_file = Some(path);
        if let Some(secure) = node {
            root = Some(match root {
                Some(base) => merge(base, secure),
                None => secure,
            });
        }
    }
    loaded.root = root;
    Ok(loaded)
}

/// The first file of `candidates` that exists, read.
fn first(
    candidates: &[PathBuf],
    skipped: &mut Vec<PathBuf>,
) -> Result<Option<(PathBuf, Option<Node>)>, CloudError> {
    for path in candidates {
        if !path.exists() {
            continue;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                skipped.push(path.clone());
                continue;
            }
            Err(source) => {
                return Err(CloudError::Read {
                    path: path.clone(),
                    source,
                });
            }
        };
        let node = yaml::parse(&text, path).map_err(|e| CloudError::NotYaml {
            path: path.clone(),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        if let Some(node) = &node
            && !matches!(node.value, Value::Map(_))
        {
            return Err(shape(
                node,
                "the file is not a mapping (it should start with clouds:)",
            ));
        }
        return Ok(Some((path.clone(), node)));
    }
    Ok(None)
}

/// `over` merged into `base`: mappings key by key, anything else replaced.
pub fn merge(base: Node, over: Node) -> Node {
    match (base.value, over.value) {
        (Value::Map(mut entries), Value::Map(others)) => {
            for (key, value) in others {
                match entries.iter().position(|(k, _)| *k == key) {
                    Some(at) => {
                        let (_, old) = entries.remove(at);
                        entries.insert(at, (key, merge(old, value)));
                    }
                    None => entries.push((key, value)),
                }
            }
            Node {
                file: base.file,
                line: base.line,
                value: Value::Map(entries),
            }
        }
        (_, value) => Node {
            file: over.file,
            line: over.line,
            value,
        },
    }
}

/// A shape error at `node`.
pub fn shape(node: &Node, message: &str) -> CloudError {
    CloudError::Shape {
        at: origin_of(node),
        message: message.to_owned(),
    }
}

/// Where `node` was written.
pub fn origin_of(node: &Node) -> Origin {
    Origin::File {
        path: node.file.as_ref().clone(),
        line: node.line,
    }
}
