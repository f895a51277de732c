//! From `clouds.yaml`, `secure.yaml`, the `OS_*` variables and the command line to
//! one [`CloudConfig`], following python-openstackclient (what `openstack
//! configuration show` and `openstack token issue` use) where it is documented or
//! observable:
//!
//! - the cloud: `--os-cloud NAME`, else `OS_CLOUD`, else the environment's own
//!   cloud (`envvars`, or `OS_CLOUD_NAME`) when `OS_*` variables other than the
//!   selectors are set, else the only cloud of `clouds.yaml`;
//! - a setting's value, strongest first: the command line (`--os-region-name`,
//!   `--os-interface`), the `OS_*` variable (python-openstackclient's options default
//!   to them, so they override a named cloud's values), the region's `values`, the
//!   cloud's top level, the cloud's `auth` section;
//! - old spellings: `tenant_id`/`tenant_name` are `project_id`/`project_name`,
//!   `auth_token` is `token`, `auth_plugin` is `auth_type`, `endpoint_type` is
//!   `interface`, `-` is `_`;
//! - `auth_type` defaults to `password` (no guessing from the variables set);
//!   `domain_id`/`domain_name` stand for both the user's and the project's domain of a
//!   project-scoped cloud; with `identity_api_version: 3`, a password cloud without
//!   domains gets `default_domain` (by default `default`) for both;
//! - regions: `regions` (names or `{name, values}`) or `region_name` (comma-separated
//!   accepted); a region asked for must be one of them; none asked for is the first;
//! - the interface: `orchestration_interface`, else `interface`, else `public`;
//!   `orchestration_endpoint_override` is kept for the caller (it plays `--target`);
//! - TLS: `cacert`, `cert`/`key`, `verify: false` or `insecure: true` (which wins).
//!
//! Where sdconform differs, on purpose:
//! - a file that is not YAML, a cloud or region that does not exist, an unknown
//!   `auth_type` and a `verify` that is not a boolean are errors naming `file:line`
//!   (openstacksdk skips a broken file with a warning; keystoneauth reads `verify:
//!   "false"` as a CA bundle path);
//! - a user or project given by name without a domain is an error here, before any
//!   request (keystoneauth sends it and Keystone answers 400);
//! - vendor `profile`s, domain or system scope, trusts and the other auth types
//!   (OIDC, SAML, TOTP, v2) are refused with a message, not half-supported;
//! - `OS_AUTH_TOKEN` is not read here: a raw token is the caller's (`--token`);
//! - numbers are kept as written (openstacksdk: `str(int)`, which loses leading zeros).

use std::collections::HashMap;
use std::path::PathBuf;

use super::error::CloudError;
use super::files::{self, Loaded, origin_of, shape};
use super::origin::Origin;
use super::sources::Sources;
use super::yaml::{Node, Value};
use crate::http::tls::TlsOptions;
use crate::identity::{AppCredentialRef, Credentials, DomainRef, ProjectScope, UserRef};
use crate::secret::Secret;

/// What the command line asks for; `None` leaves it to the environment and files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// `--os-cloud NAME`.
    pub cloud: Option<String>,
    /// `--os-region-name` / `--region`.
    pub region_name: Option<String>,
    /// `--os-interface` / `--interface`.
    pub interface: Option<String>,
}

/// A cloud resolved: everything needed to authenticate and find the endpoint.
#[derive(Debug, Clone)]
pub struct CloudConfig {
    /// The cloud's name (`envvars` for the environment's).
    pub name: String,
    /// The identity service's URL, possibly without a version.
    pub auth_url: String,
    /// How to authenticate.
    pub credentials: Credentials,
    /// The region, if any.
    pub region: Option<String>,
    /// The catalog interface: `public`, `internal` or `admin`.
    pub interface: String,
    /// `orchestration_endpoint_override`: use this instead of the catalog's endpoint.
    pub endpoint_override: Option<String>,
    /// TLS: `cacert`, `cert`/`key`, and `insecure` (from `verify: false` or `insecure: true`).
    pub tls: TlsOptions,
    /// Where `verify: false` / `insecure` came from, when set: to be reported as loudly as `--insecure`.
    pub insecure_from: Option<Origin>,
    /// Where each setting came from (`auth_url`, `password`, `region_name`, ...), never a value.
    pub origins: Vec<(String, Origin)>,
    /// The `clouds.yaml` used.
    pub clouds_file: Option<PathBuf>,
    /// The `secure.yaml` used.
    pub secure_file: Option<PathBuf>,
    /// Remarks for the user (a file skipped, a `cacert` ignored because of `verify: false`).
    pub notes: Vec<String>,
    /// Every other secret of the cloud's `clouds.yaml`/`secure.yaml` entry and of the
    /// `OS_*` variables, used or not (a password beside an application credential):
    /// kept out of every output all the same.
    pub other_secrets: Vec<Secret>,
}

impl CloudConfig {
    /// Every secret of the configuration, described (for the run's redaction set): the
    /// credentials', then every other secret value of the cloud's entry and variables.
    pub fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        let mut all = self.credentials.secrets();
        for secret in &self.other_secrets {
            if !all.iter().any(|(_, s)| *s == secret) {
                all.push(("a secret of the cloud's configuration", secret));
            }
        }
        all
    }
}

/// Variables that select a cloud or a file but do not make the environment a cloud.
const SELECTORS: [&str; 5] = [
    "OS_CLOUD",
    "OS_REGION_NAME",
    "OS_CLIENT_CONFIG_FILE",
    "OS_CLIENT_SECURE_FILE",
    "OS_CLOUD_NAME",
];

/// Whether an `OS_*` variable is a setting (not a selector, not a test harness's, not
/// `OS_AUTH_TOKEN`, which the caller reads as a raw token).
fn is_setting(name: &str) -> bool {
    !SELECTORS.contains(&name)
        && name != "OS_AUTH_TOKEN"
        && !name.starts_with("OS_TEST")
        && !name.starts_with("OS_STD")
        && !name.starts_with("OS_LOG")
}

/// Resolves the cloud `request` names (or the default one) from `sources`.
pub fn resolve(request: &Request, sources: &Sources) -> Result<CloudConfig, CloudError> {
    let loaded = files::load(sources)?;
    let clouds = loaded.clouds()?;
    let env_name = sources.var("OS_CLOUD_NAME").unwrap_or("envvars").to_owned();
    if let Some(file) = &loaded.clouds_file
        && clouds.iter().any(|(name, _)| *name == env_name)
    {
        return Err(CloudError::EnvironmentNameTaken {
            name: env_name,
            file: file.clone(),
        });
    }
    let env_cloud = sources.os_names().into_iter().any(is_setting);
    let named = request
        .cloud
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| sources.var("OS_CLOUD").map(str::to_owned));
    let names = || clouds.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let (name, node) = match named {
        Some(name) if env_cloud && name == env_name => (name, None),
        Some(name) => match clouds.iter().find(|(n, _)| *n == name) {
            Some((_, node)) => (name, Some(node.clone())),
            None => {
                return Err(CloudError::UnknownCloud {
                    name,
                    file: loaded.clouds_file.clone(),
                    available: names(),
                });
            }
        },
        None if env_cloud => (env_name, None),
        None => match clouds.as_slice() {
            [(name, node)] => (name.clone(), Some(node.clone())),
            _ => {
                return Err(CloudError::NoCloud {
                    file: loaded.clouds_file.clone(),
                    available: names(),
                });
            }
        },
    };
    let mut other_secrets: Vec<Secret> = sources.secrets().cloned().collect();
    if let Some(node) = &node {
        secret_values(node, &mut other_secrets);
    }
    let mut cloud = Resolver::new(name, node, request, sources, &loaded)?.finish()?;
    cloud.other_secrets = other_secrets;
    Ok(cloud)
}

/// Settings whose value is a secret, by canonical name.
const SECRET_KEYS: [&str; 3] = ["password", "application_credential_secret", "token"];

/// Every value of `node` (a cloud's entry, its regions' `values` included) at a key
/// that holds a secret.
fn secret_values(node: &Node, into: &mut Vec<Secret>) {
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                if SECRET_KEYS.contains(&canonical(key).0.as_str())
                    && let Some(text) = value.text()
                {
                    into.push(Secret::new(text));
                }
                secret_values(value, into);
            }
        }
        Value::Seq(items) => items.iter().for_each(|item| secret_values(item, into)),
        Value::Scalar { .. } => {}
    }
}

/// Where a value came from, and the value.
#[derive(Debug, Clone)]
enum Raw {
    Node(Node),
    Text(String, Origin),
    Secret(Secret, Origin),
}

impl Raw {
    fn origin(&self) -> Origin {
        match self {
            Raw::Node(node) => origin_of(node),
            Raw::Text(_, origin) | Raw::Secret(_, origin) => origin.clone(),
        }
    }

    /// A scalar's text; `None` for null; an error for a mapping or a list.
    fn text(&self, key: &str) -> Result<Option<String>, CloudError> {
        match self {
            Raw::Node(node) => match &node.value {
                Value::Scalar { .. } => Ok(node.text().map(str::to_owned)),
                _ => Err(CloudError::Invalid {
                    key: key.to_owned(),
                    at: origin_of(node),
                    message: "expected a single value, found a mapping or a list".to_owned(),
                }),
            },
            Raw::Text(text, _) => Ok(Some(text.clone())),
            Raw::Secret(secret, _) => Ok(Some(secret.expose().to_owned())),
        }
    }

    fn secret(&self, key: &str) -> Result<Option<Secret>, CloudError> {
        match self {
            Raw::Secret(secret, _) => Ok(Some(secret.clone())),
            _ => Ok(self.text(key)?.map(Secret::new)),
        }
    }

    /// A boolean: YAML 1.1's spellings in a file, `true` (any case) or else false in a variable.
    fn boolean(&self, key: &str) -> Result<Option<bool>, CloudError> {
        match self {
            Raw::Node(node) if node.is_null() => Ok(None),
            Raw::Node(node) => node.boolean().map(Some).ok_or_else(|| CloudError::Invalid {
                key: key.to_owned(),
                at: origin_of(node),
                message: "expected true or false (unquoted)".to_owned(),
            }),
            Raw::Text(text, _) => Ok(Some(text.eq_ignore_ascii_case("true"))),
            Raw::Secret(..) => Ok(None),
        }
    }
}

/// The canonical name of a setting.
fn canonical(key: &str) -> (String, bool) {
    let key = key.replace('-', "_");
    let alias = match key.as_str() {
        "tenant_id" => Some("project_id".to_owned()),
        "tenant_name" => Some("project_name".to_owned()),
        "auth_token" => Some("token".to_owned()),
        "auth_plugin" => Some("auth_type".to_owned()),
        "endpoint_type" => Some("interface".to_owned()),
        other => other
            .strip_suffix("_endpoint_type")
            .map(|service| format!("{service}_interface")),
    };
    match alias {
        Some(canonical) => (canonical, true),
        None => (key, false),
    }
}

/// One layer's settings, aliases yielding to canonical names written in the same layer.
fn layer(entries: impl IntoIterator<Item = (String, Raw)>) -> HashMap<String, Raw> {
    let mut canonical_keys = HashMap::new();
    let mut aliases = Vec::new();
    for (key, raw) in entries {
        match canonical(&key) {
            (key, false) => {
                canonical_keys.insert(key, raw);
            }
            (key, true) => aliases.push((key, raw)),
        }
    }
    for (key, raw) in aliases {
        canonical_keys.entry(key).or_insert(raw);
    }
    canonical_keys
}

struct Resolver {
    name: String,
    top: HashMap<String, Raw>,
    auth: HashMap<String, Raw>,
    region: Option<String>,
    notes: Vec<String>,
    origins: Vec<(String, Origin)>,
    clouds_file: Option<PathBuf>,
    secure_file: Option<PathBuf>,
}

impl Resolver {
    fn new(
        name: String,
        node: Option<Node>,
        request: &Request,
        sources: &Sources,
        loaded: &Loaded,
    ) -> Result<Resolver, CloudError> {
        let mut resolver = Resolver {
            name,
            top: HashMap::new(),
            auth: HashMap::new(),
            region: None,
            notes: loaded
                .skipped
                .iter()
                .map(|p| format!("skipped {} (permission denied)", p.display()))
                .collect(),
            origins: Vec::new(),
            clouds_file: loaded.clouds_file.clone(),
            secure_file: loaded.secure_file.clone(),
        };
        if let Some(node) = &node {
            resolver.absorb(node)?;
            for key in ["profile", "cloud"] {
                if let Some(raw) = resolver.top.get(key) {
                    return Err(CloudError::Invalid {
                        key: key.to_owned(),
                        at: raw.origin(),
                        message: "vendor profiles are not supported: write the cloud's auth_url and region in clouds.yaml".to_owned(),
                    });
                }
            }
        }
        // The environment (python-openstackclient's option defaults).
        let env_layer = layer(
            sources
                .os_names()
                .into_iter()
                .filter(|n| is_setting(n))
                .filter_map(|var| {
                    let key = var.trim_start_matches("OS_").to_ascii_lowercase();
                    let origin = sources.origin(var);
                    let raw = match sources.secret(var) {
                        Some(secret) => Raw::Secret(secret.clone(), origin),
                        None => Raw::Text(sources.var(var)?.to_owned(), origin),
                    };
                    Some((key, raw))
                }),
        );
        // The region: the command line, then OS_REGION_NAME.
        let asked = request
            .region_name
            .clone()
            .filter(|r| !r.is_empty())
            .map(|r| (r, Origin::Flag("--os-region-name".to_owned())))
            .or_else(|| {
                sources
                    .var("OS_REGION_NAME")
                    .map(|r| (r.to_owned(), Origin::Env("OS_REGION_NAME".to_owned())))
            });
        resolver.choose_region(asked)?;
        resolver.top.extend(env_layer);
        if let Some(interface) = request.interface.clone().filter(|i| !i.is_empty()) {
            resolver.top.insert(
                "interface".to_owned(),
                Raw::Text(interface, Origin::Flag("--os-interface".to_owned())),
            );
        }
        Ok(resolver)
    }

    /// A cloud's (or a region's `values`) settings: its top level, and its `auth` section.
    fn absorb(&mut self, node: &Node) -> Result<(), CloudError> {
        let Value::Map(entries) = &node.value else {
            return Err(shape(node, "a cloud must be a mapping of settings"));
        };
        let mut top = Vec::new();
        for (key, value) in entries {
            if key == "auth" {
                if value.is_null() {
                    continue;
                }
                let Value::Map(auth) = &value.value else {
                    return Err(shape(value, "auth must be a mapping"));
                };
                let auth_layer = layer(auth.iter().map(|(k, v)| (k.clone(), Raw::Node(v.clone()))));
                self.auth.extend(auth_layer);
            } else {
                top.push((key.clone(), Raw::Node(value.clone())));
            }
        }
        self.top.extend(layer(top));
        Ok(())
    }

    /// The known regions, the one asked for (or the first), and its `values`.
    fn choose_region(&mut self, asked: Option<(String, Origin)>) -> Result<(), CloudError> {
        let mut known: Vec<(String, Option<Node>)> = Vec::new();
        if let Some(Raw::Node(regions)) = self.top.get("regions").cloned() {
            let Value::Seq(items) = &regions.value else {
                return Err(shape(&regions, "regions must be a list"));
            };
            for item in items {
                match &item.value {
                    Value::Scalar { .. } => known.extend(item.text().map(|t| (t.to_owned(), None))),
                    Value::Map(_) => {
                        let name = item
                            .get("name")
                            .and_then(Node::text)
                            .ok_or_else(|| shape(item, "a region entry needs a name"))?;
                        known.push((name.to_owned(), item.get("values").cloned()));
                    }
                    Value::Seq(_) => {
                        return Err(shape(item, "a region is a name or {name, values}"));
                    }
                }
            }
        } else if let Some(Raw::Node(region_name)) = self.top.get("region_name").cloned() {
            match &region_name.value {
                Value::Seq(items) => known.extend(
                    items
                        .iter()
                        .filter_map(|i| i.text().map(|t| (t.to_owned(), None))),
                ),
                _ => {
                    let text = region_name.text().unwrap_or_default();
                    known.extend(
                        text.split(',')
                            .map(str::trim)
                            .filter(|r| !r.is_empty())
                            .map(|r| (r.to_owned(), None)),
                    );
                }
            }
        }
        let chosen = match (&asked, known.as_slice()) {
            (Some((region, at)), [_, ..]) => {
                let Some(found) = known.iter().find(|(n, _)| n == region) else {
                    return Err(CloudError::UnknownRegion {
                        region: region.clone(),
                        at: at.clone(),
                        cloud: self.name.clone(),
                        valid: known.iter().map(|(n, _)| n.clone()).collect(),
                    });
                };
                self.origins.push(("region_name".to_owned(), at.clone()));
                Some(found.clone())
            }
            (Some((region, at)), []) => {
                self.origins.push(("region_name".to_owned(), at.clone()));
                Some((region.clone(), None))
            }
            (None, [first, ..]) => {
                if let Some(raw) = self
                    .top
                    .get("regions")
                    .or_else(|| self.top.get("region_name"))
                {
                    self.origins.push(("region_name".to_owned(), raw.origin()));
                }
                Some(first.clone())
            }
            (None, []) => None,
        };
        if let Some((region, values)) = chosen {
            if let Some(values) = values {
                self.absorb(&values)?;
            }
            self.region = Some(region);
        }
        self.top.remove("regions");
        self.top.remove("region_name");
        Ok(())
    }

    /// An auth option: the top level (command line, environment, file) wins over `auth`.
    fn option(&self, key: &str) -> Option<&Raw> {
        self.top.get(key).or_else(|| self.auth.get(key))
    }

    fn text(&mut self, key: &str) -> Result<Option<(String, Origin)>, CloudError> {
        let Some(raw) = self.option(key).cloned() else {
            return Ok(None);
        };
        Ok(raw.text(key)?.map(|t| (t, raw.origin())))
    }

    fn finish(mut self) -> Result<CloudConfig, CloudError> {
        let (auth_type, auth_type_at) = self
            .text("auth_type")?
            .unwrap_or_else(|| ("password".to_owned(), Origin::Default));
        self.origins
            .push(("auth_type".to_owned(), auth_type_at.clone()));
        if let Some((version, at)) = self.text("identity_api_version")?
            && !version.starts_with('3')
        {
            return Err(CloudError::Invalid {
                key: "identity_api_version".to_owned(),
                at,
                message: "sdconform speaks only the identity v3 API".to_owned(),
            });
        }
        for unsupported in ["system_scope", "trust_id"] {
            if let Some(raw) = self.option(unsupported) {
                return Err(CloudError::Invalid {
                    key: unsupported.to_owned(),
                    at: raw.origin(),
                    message: "sdconform needs a project-scoped token; system scope and trusts are not supported".to_owned(),
                });
            }
        }
        let kind = match auth_type.as_str() {
            "password" | "v3password" => Kind::Password,
            "v3applicationcredential" => Kind::ApplicationCredential,
            "token" | "v3token" => Kind::Token,
            known if KNOWN_UNSUPPORTED.contains(&known) => {
                return Err(CloudError::UnsupportedAuthType {
                    value: auth_type,
                    at: auth_type_at,
                });
            }
            _ => {
                return Err(CloudError::UnknownAuthType {
                    value: auth_type,
                    at: auth_type_at,
                });
            }
        };
        let auth_url = self.required(
            "auth_url",
            &auth_type,
            "auth.auth_url in clouds.yaml, or OS_AUTH_URL",
        )?;
        self.fill_domains(kind)?;
        let credentials = match kind {
            Kind::Password => Credentials::Password {
                user: self.user(&auth_type)?,
                password: self.secret(
                    "password",
                    &auth_type,
                    "auth.password in clouds.yaml or secure.yaml, or OS_PASSWORD",
                )?,
                scope: self.scope(&auth_type)?,
            },
            Kind::ApplicationCredential => {
                let credential = match self.text("application_credential_id")? {
                    Some((id, at)) => {
                        self.origins
                            .push(("application_credential_id".to_owned(), at));
                        AppCredentialRef::Id(id)
                    }
                    None => {
                        let name = self.required(
                            "application_credential_name",
                            &auth_type,
                            "application_credential_id (or _name with the user) in clouds.yaml, or OS_APPLICATION_CREDENTIAL_ID",
                        )?;
                        AppCredentialRef::Name {
                            name,
                            user: self.user(&auth_type)?,
                        }
                    }
                };
                Credentials::ApplicationCredential {
                    credential,
                    secret: self.secret(
                        "application_credential_secret",
                        &auth_type,
                        "auth.application_credential_secret in clouds.yaml or secure.yaml, or OS_APPLICATION_CREDENTIAL_SECRET",
                    )?,
                }
            }
            Kind::Token => Credentials::Token {
                token: self.secret(
                    "token",
                    &auth_type,
                    "auth.token in clouds.yaml, or OS_TOKEN",
                )?,
                scope: self.scope(&auth_type)?,
            },
        };
        let interface = self.interface()?;
        let endpoint_override = self
            .text("orchestration_endpoint_override")?
            .map(|(url, at)| {
                self.origins
                    .push(("orchestration_endpoint_override".to_owned(), at));
                url
            });
        let (tls, insecure_from) = self.tls()?;
        Ok(CloudConfig {
            name: self.name,
            auth_url,
            credentials,
            region: self.region,
            interface,
            endpoint_override,
            tls,
            insecure_from,
            origins: self.origins,
            clouds_file: self.clouds_file,
            secure_file: self.secure_file,
            notes: self.notes,
            other_secrets: Vec::new(),
        })
    }

    fn required(&mut self, key: &str, auth_type: &str, hint: &str) -> Result<String, CloudError> {
        match self.text(key)? {
            Some((value, at)) => {
                self.origins.push((key.to_owned(), at));
                Ok(value)
            }
            None => Err(self.missing(key, auth_type, hint)),
        }
    }

    fn missing(&self, what: &str, auth_type: &str, hint: &str) -> CloudError {
        CloudError::Missing {
            cloud: self.name.clone(),
            auth_type: auth_type.to_owned(),
            what: what.to_owned(),
            hint: format!("set {hint}"),
        }
    }

    fn secret(&mut self, key: &str, auth_type: &str, hint: &str) -> Result<Secret, CloudError> {
        let Some(raw) = self.option(key).cloned() else {
            let mut error = self.missing(key, auth_type, hint);
            if key == "password"
                && let CloudError::Missing { hint, .. } = &mut error
                && (self.option("application_credential_id").is_some()
                    || self.option("application_credential_secret").is_some())
            {
                hint.push_str("; for an application credential, set auth_type: v3applicationcredential (OS_AUTH_TYPE)");
            }
            return Err(error);
        };
        let secret = raw
            .secret(key)?
            .ok_or_else(|| self.missing(key, auth_type, hint))?;
        self.origins.push((key.to_owned(), raw.origin()));
        Ok(secret)
    }

    /// `domain_id`/`domain_name` for both domains of a project-scoped cloud; then
    /// python-openstackclient's `default_domain` (identity v3, password); then
    /// keystoneauth's `default_domain_id`/`default_domain_name`.
    fn fill_domains(&mut self, kind: Kind) -> Result<(), CloudError> {
        let project_scoped =
            self.option("project_id").is_some() || self.option("project_name").is_some();
        for (general, targets) in [
            ("domain_id", ["user_domain_id", "project_domain_id"]),
            ("domain_name", ["user_domain_name", "project_domain_name"]),
        ] {
            let Some(raw) = self.option(general).cloned() else {
                continue;
            };
            if !project_scoped {
                return Err(CloudError::Invalid {
                    key: general.to_owned(),
                    at: raw.origin(),
                    message: "a domain-scoped token has no project; set project_id or project_name (sdconform needs a project scope)".to_owned(),
                });
            }
            for target in targets {
                self.fill_domain(target, raw.clone());
            }
        }
        let v3 = self
            .text("identity_api_version")?
            .is_some_and(|(v, _)| v == "3");
        if v3 && kind == Kind::Password {
            let default = self
                .option("default_domain")
                .cloned()
                .unwrap_or_else(|| Raw::Text("default".to_owned(), Origin::Default));
            self.fill_domain("project_domain_id", default.clone());
            self.fill_domain("user_domain_id", default);
        }
        for (general, targets) in [
            ("default_domain_id", ["user_domain_id", "project_domain_id"]),
            (
                "default_domain_name",
                ["user_domain_name", "project_domain_name"],
            ),
        ] {
            if let Some(raw) = self.option(general).cloned() {
                for target in targets {
                    self.fill_domain(target, raw.clone());
                }
            }
        }
        Ok(())
    }

    /// Sets the user's or project's domain (`user_domain_id`, ...) unless one is set.
    fn fill_domain(&mut self, target: &str, raw: Raw) {
        let (id, name) = if target.starts_with("user") {
            ("user_domain_id", "user_domain_name")
        } else {
            ("project_domain_id", "project_domain_name")
        };
        if self.option(id).is_none() && self.option(name).is_none() {
            self.auth.insert(target.to_owned(), raw);
        }
    }

    fn domain(&mut self, of: &str) -> Result<Option<DomainRef>, CloudError> {
        if let Some((id, at)) = self.text(&format!("{of}_domain_id"))? {
            self.origins.push((format!("{of}_domain_id"), at));
            return Ok(Some(DomainRef::Id(id)));
        }
        if let Some((name, at)) = self.text(&format!("{of}_domain_name"))? {
            self.origins.push((format!("{of}_domain_name"), at));
            return Ok(Some(DomainRef::Name(name)));
        }
        Ok(None)
    }

    fn user(&mut self, auth_type: &str) -> Result<UserRef, CloudError> {
        if let Some((id, at)) = self.text("user_id")? {
            self.origins.push(("user_id".to_owned(), at));
            return Ok(UserRef::Id(id));
        }
        let Some((name, at)) = self.text("username")? else {
            return Err(self.missing(
                "username or user_id",
                auth_type,
                "auth.username in clouds.yaml, or OS_USERNAME",
            ));
        };
        self.origins.push(("username".to_owned(), at.clone()));
        let domain = self.domain("user")?.ok_or_else(|| CloudError::Invalid {
            key: "username".to_owned(),
            at,
            message: "a user name is unique only within a domain: set user_domain_name or user_domain_id (OS_USER_DOMAIN_NAME), or identity_api_version: 3 for the default domain".to_owned(),
        })?;
        Ok(UserRef::Name { name, domain })
    }

    fn scope(&mut self, _auth_type: &str) -> Result<Option<ProjectScope>, CloudError> {
        if let Some((id, at)) = self.text("project_id")? {
            self.origins.push(("project_id".to_owned(), at));
            return Ok(Some(ProjectScope::Id(id)));
        }
        let Some((name, at)) = self.text("project_name")? else {
            return Ok(None);
        };
        self.origins.push(("project_name".to_owned(), at.clone()));
        let domain = self.domain("project")?.ok_or_else(|| CloudError::Invalid {
            key: "project_name".to_owned(),
            at,
            message: "a project name is unique only within a domain: set project_domain_name or project_domain_id (OS_PROJECT_DOMAIN_NAME), or use project_id".to_owned(),
        })?;
        Ok(Some(ProjectScope::Name { name, domain }))
    }

    fn interface(&mut self) -> Result<String, CloudError> {
        let chosen = match self.text("orchestration_interface")? {
            Some(found) => Some(("orchestration_interface", found)),
            None => self.text("interface")?.map(|found| ("interface", found)),
        };
        let Some((key, (interface, at))) = chosen else {
            self.origins.push(("interface".to_owned(), Origin::Default));
            return Ok("public".to_owned());
        };
        let normalized = interface
            .strip_suffix("URL")
            .unwrap_or(&interface)
            .to_owned();
        if !matches!(normalized.as_str(), "public" | "internal" | "admin") {
            return Err(CloudError::Invalid {
                key: key.to_owned(),
                at,
                message: format!("{interface:?} is not public, internal or admin"),
            });
        }
        self.origins.push(("interface".to_owned(), at));
        Ok(normalized)
    }

    fn tls(&mut self) -> Result<(TlsOptions, Option<Origin>), CloudError> {
        let mut insecure_from = None;
        if let Some(raw) = self.top.get("insecure").cloned()
            && raw.boolean("insecure")? == Some(true)
        {
            insecure_from = Some(raw.origin());
        }
        if insecure_from.is_none()
            && let Some(raw) = self.top.get("verify").cloned()
            && raw.boolean("verify")? == Some(false)
        {
            insecure_from = Some(raw.origin());
        }
        let path = |resolver: &mut Resolver, key: &str| -> Result<Option<PathBuf>, CloudError> {
            Ok(resolver.text(key)?.map(|(p, at)| {
                resolver.origins.push((key.to_owned(), at));
                PathBuf::from(p)
            }))
        };
        let mut cacert = path(self, "cacert")?;
        if insecure_from.is_some() && cacert.take().is_some() {
            self.notes
                .push("cacert is ignored: certificate verification is off".to_owned());
        }
        let client_cert = path(self, "cert")?;
        let client_key = path(self, "key")?;
        if let Some(at) = &insecure_from {
            self.origins.push(("insecure".to_owned(), at.clone()));
        }
        Ok((
            TlsOptions {
                cacert,
                client_cert,
                client_key,
                insecure: insecure_from.is_some(),
            },
            insecure_from,
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Password,
    ApplicationCredential,
    Token,
}

/// keystoneauth's other authentication plugins: known, not implemented here.
const KNOWN_UNSUPPORTED: [&str; 22] = [
    "admin_token",
    "http_basic",
    "none",
    "token_endpoint",
    "v2password",
    "v2token",
    "v3adfspassword",
    "v3fedkerb",
    "v3kerberos",
    "v3multifactor",
    "v3oauth1",
    "v3oauth2clientcredential",
    "v3oauth2mtlsclientcredential",
    "v3oidcaccesstoken",
    "v3oidcauthcode",
    "v3oidcclientcredentials",
    "v3oidcdeviceauthz",
    "v3oidcpassword",
    "v3samlpassword",
    "v3tokenlessauth",
    "v3totp",
    "v3websso",
];
