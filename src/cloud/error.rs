//! Why a cloud's configuration could not be resolved: a usage error (exit 2),
//! naming `file:line` (or the environment variable) of the value at fault, and
//! never a secret's value.

use std::path::PathBuf;

use super::origin::Origin;
use crate::exit::Exit;

/// Why the cloud could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum CloudError {
    /// A configuration file exists but could not be read.
    #[error("read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A configuration file is not YAML.
    #[error("read {}:{line}:{column}: not YAML: {message}", .path.display())]
    NotYaml {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message (never the file's content).
        message: String,
    },
    /// A value has the wrong shape (a mapping expected, a boolean expected, ...).
    #[error("read {at}: {message}")]
    Shape {
        /// Where.
        at: Origin,
        /// What was expected.
        message: String,
    },
    /// The cloud named is not in the configuration.
    #[error("find cloud {name:?}{}: {}", in_file(.file), available_text(.available))]
    UnknownCloud {
        /// The name asked for.
        name: String,
        /// The file searched, if any.
        file: Option<PathBuf>,
        /// The clouds it defines.
        available: Vec<String>,
    },
    /// No cloud was named and none can be chosen.
    #[error(
        "choose a cloud: name one with --os-cloud NAME or OS_CLOUD, or set OS_AUTH_URL and the other OS_* variables{}; {}",
        in_file(.file),
        available_text(.available)
    )]
    NoCloud {
        /// The file found, if any.
        file: Option<PathBuf>,
        /// The clouds it defines.
        available: Vec<String>,
    },
    /// Two clouds have the environment's name.
    #[error(
        "use the environment's cloud {name:?}: {} also defines a cloud by that name (rename one, or set OS_CLOUD_NAME)",
        .file.display()
    )]
    EnvironmentNameTaken {
        /// The name (`envvars`, or `OS_CLOUD_NAME`).
        name: String,
        /// The file.
        file: PathBuf,
    },
    /// `auth_type` names no authentication plugin OpenStack knows.
    #[error(
        "use auth_type {value:?} ({at}): no such authentication type; sdconform speaks password, v3password, v3applicationcredential, token and v3token"
    )]
    UnknownAuthType {
        /// The value.
        value: String,
        /// Where it was set.
        at: Origin,
    },
    /// `auth_type` names a plugin sdconform does not implement.
    #[error(
        "use auth_type {value:?} ({at}): sdconform does not implement it; use password, v3applicationcredential or token (an application credential works for most federated and MFA setups)"
    )]
    UnsupportedAuthType {
        /// The value.
        value: String,
        /// Where it was set.
        at: Origin,
    },
    /// A required setting is missing.
    #[error("authenticate to cloud {cloud:?} with {auth_type}: {what} is missing ({hint})")]
    Missing {
        /// The cloud.
        cloud: String,
        /// The auth type.
        auth_type: String,
        /// What is missing.
        what: String,
        /// Where it could be given.
        hint: String,
    },
    /// A setting's value cannot be used.
    #[error("use {key} ({at}): {message}")]
    Invalid {
        /// The setting.
        key: String,
        /// Where it was set.
        at: Origin,
        /// Why.
        message: String,
    },
    /// The region asked for is not one of the cloud's.
    #[error(
        "use region {region:?} ({at}): cloud {cloud:?} has only {}; region names are case-sensitive",
        .valid.join(", ")
    )]
    UnknownRegion {
        /// The region asked for.
        region: String,
        /// Where it was asked for.
        at: Origin,
        /// The cloud.
        cloud: String,
        /// Its regions.
        valid: Vec<String>,
    },
}

impl CloudError {
    /// The exit code in the shared table: always a usage error (2).
    pub fn exit(&self) -> Exit {
        Exit::Usage
    }
}

fn in_file(file: &Option<PathBuf>) -> String {
    file.as_ref().map_or_else(
        || " (no clouds.yaml found)".to_owned(),
        |f| format!(" in {}", f.display()),
    )
}

fn available_text(available: &[String]) -> String {
    if available.is_empty() {
        "no cloud is defined".to_owned()
    } else {
        format!("the clouds defined are {}", available.join(", "))
    }
}
