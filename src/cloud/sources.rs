//! What resolution reads besides the files: the environment, the working
//! directory and the home directory, captured once ([`Sources::from_process`]) so
//! that resolution is a function of them and tests can give their own.
//!
//! An empty variable counts as unset (as in python-openstackclient). The three
//! secret variables (`OS_PASSWORD`, `OS_APPLICATION_CREDENTIAL_SECRET`,
//! `OS_TOKEN`) are held as [`Secret`]s from the moment they are read.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::origin::Origin;
use crate::secret::Secret;

/// Environment variables whose value is a secret.
pub const SECRET_VARIABLES: [&str; 3] = [
    "OS_PASSWORD",
    "OS_APPLICATION_CREDENTIAL_SECRET",
    "OS_TOKEN",
];

/// The environment, working directory and home directory resolution reads.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    vars: BTreeMap<String, String>,
    secrets: BTreeMap<String, Secret>,
    /// Where a variable set by [`Sources::use_token`] really came from.
    given: BTreeMap<String, Origin>,
    /// The working directory (`./clouds.yaml`).
    pub cwd: PathBuf,
    /// The home directory (`~/.config/openstack`).
    pub home: Option<PathBuf>,
}

impl Sources {
    /// The process's: its environment, working directory and `$HOME`.
    pub fn from_process() -> Sources {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let home = std::env::var_os("HOME").map(PathBuf::from);
        Sources::new(cwd, home, vars)
    }

    /// Sources from the given variables (only `OS_*`, `XDG_CONFIG_HOME`, `XDG_CONFIG_DIRS`
    /// and `SNAP_REAL_HOME` are kept); empty values are dropped.
    pub fn new(
        cwd: PathBuf,
        home: Option<PathBuf>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Sources {
        let mut sources = Sources {
            cwd,
            home,
            ..Sources::default()
        };
        for (name, value) in vars {
            sources.set(name, value);
        }
        sources
    }

    /// Sets (or, with an empty value, unsets) one variable.
    pub fn set(&mut self, name: String, value: String) {
        let kept = name.starts_with("OS_")
            || matches!(
                name.as_str(),
                "XDG_CONFIG_HOME" | "XDG_CONFIG_DIRS" | "SNAP_REAL_HOME"
            );
        if !kept {
            return;
        }
        self.vars.remove(&name);
        self.secrets.remove(&name);
        if value.is_empty() {
            return;
        }
        if SECRET_VARIABLES.contains(&name.as_str()) {
            self.secrets.insert(name, Secret::new(value));
        } else {
            self.vars.insert(name, value);
        }
    }

    /// Makes a raw token the cloud's credentials, as `auth_type: v3token` with it as
    /// `OS_TOKEN` would: the cloud's identity service re-scopes it to the cloud's project,
    /// and its catalog gives the endpoint. `given_by` (`--token`, ...) is what `doctor` and
    /// errors name as its origin.
    pub fn use_token(&mut self, token: Secret, given_by: &str) {
        self.vars
            .insert("OS_AUTH_TYPE".to_owned(), "v3token".to_owned());
        self.secrets.insert("OS_TOKEN".to_owned(), token);
        for var in ["OS_AUTH_TYPE", "OS_TOKEN"] {
            self.given
                .insert(var.to_owned(), Origin::Flag(given_by.to_owned()));
        }
    }

    /// Where variable `name` came from: the environment, or what [`Sources::use_token`] was given.
    pub fn origin(&self, name: &str) -> Origin {
        self.given
            .get(name)
            .cloned()
            .unwrap_or_else(|| Origin::Env(name.to_owned()))
    }

    /// Every secret variable set (`OS_PASSWORD`, ...), used or not: for the redaction set.
    pub fn secrets(&self) -> impl Iterator<Item = &Secret> {
        self.secrets.values()
    }

    /// A variable that is not a secret, if set and not empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// A secret variable, if set and not empty.
    pub fn secret(&self, name: &str) -> Option<&Secret> {
        self.secrets.get(name)
    }

    /// Every `OS_*` variable name set, secrets included.
    pub fn os_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .vars
            .keys()
            .chain(self.secrets.keys())
            .map(String::as_str)
            .filter(|n| n.starts_with("OS_"))
            .collect();
        names.sort_unstable();
        names
    }

    /// The directories searched for `clouds.yaml` and `secure.yaml`, in
    /// openstacksdk's order: the working directory, the user's config directory
    /// (`$XDG_CONFIG_HOME/openstack`, else `~/.config/openstack`), `~/.config/openstack`,
    /// the site config directories (`$XDG_CONFIG_DIRS`, else `/etc/xdg`, each with
    /// `/openstack`), and `/etc/openstack`.
    pub fn config_dirs(&self) -> Vec<PathBuf> {
        let home = self
            .var("SNAP_REAL_HOME")
            .map(PathBuf::from)
            .or_else(|| self.home.clone());
        let unix_home = home.as_ref().map(|h| h.join(".config").join("openstack"));
        let user = self
            .var("XDG_CONFIG_HOME")
            .map(|d| PathBuf::from(d).join("openstack"))
            .or_else(|| unix_home.clone());
        let mut dirs = vec![self.cwd.clone()];
        dirs.extend(user);
        dirs.extend(unix_home);
        let site = self.var("XDG_CONFIG_DIRS").unwrap_or("/etc/xdg");
        dirs.extend(
            site.split(':')
                .filter(|d| !d.is_empty())
                .map(|d| PathBuf::from(d).join("openstack")),
        );
        dirs.push(PathBuf::from("/etc/openstack"));
        let mut seen = Vec::new();
        dirs.retain(|d| {
            let fresh = !seen.contains(d);
            seen.push(d.clone());
            fresh
        });
        dirs
    }

    /// The files tried for `stem` (`clouds` or `secure`), first found wins: the
    /// override variable's file, then each directory's `.yaml`, `.yml`, `.json`.
    pub fn candidates(&self, stem: &str, override_var: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self
            .var(override_var)
            .map(PathBuf::from)
            .into_iter()
            .collect();
        for dir in self.config_dirs() {
            for suffix in ["yaml", "yml", "json"] {
                files.push(dir.join(format!("{stem}.{suffix}")));
            }
        }
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_variables_are_unset_and_secrets_are_secrets() {
        let sources = Sources::new(
            PathBuf::from("/w"),
            Some(PathBuf::from("/home/u")),
            [
                ("OS_USERNAME".to_owned(), "alice".to_owned()),
                ("OS_PROJECT_NAME".to_owned(), String::new()),
                ("OS_PASSWORD".to_owned(), "hunter22".to_owned()),
                ("PATH".to_owned(), "/bin".to_owned()),
            ],
        );
        assert_eq!(sources.var("OS_USERNAME"), Some("alice"));
        assert_eq!(sources.var("OS_PROJECT_NAME"), None);
        assert_eq!(sources.var("OS_PASSWORD"), None);
        assert_eq!(
            sources.secret("OS_PASSWORD").map(Secret::expose),
            Some("hunter22")
        );
        assert_eq!(sources.os_names(), ["OS_PASSWORD", "OS_USERNAME"]);
        assert!(!format!("{sources:?}").contains("hunter22"));
    }

    #[test]
    fn files_are_searched_in_openstacksdk_order() {
        let mut sources = Sources::new(PathBuf::from("/w"), Some(PathBuf::from("/home/u")), []);
        let clouds: Vec<String> = sources
            .candidates("clouds", "OS_CLIENT_CONFIG_FILE")
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            clouds,
            [
                "/w/clouds.yaml",
                "/w/clouds.yml",
                "/w/clouds.json",
                "/home/u/.config/openstack/clouds.yaml",
                "/home/u/.config/openstack/clouds.yml",
                "/home/u/.config/openstack/clouds.json",
                "/etc/xdg/openstack/clouds.yaml",
                "/etc/xdg/openstack/clouds.yml",
                "/etc/xdg/openstack/clouds.json",
                "/etc/openstack/clouds.yaml",
                "/etc/openstack/clouds.yml",
                "/etc/openstack/clouds.json",
            ]
        );
        sources.set("OS_CLIENT_SECURE_FILE".into(), "/s/secure.yaml".into());
        sources.set("XDG_CONFIG_HOME".into(), "/xdg".into());
        let secure = sources.candidates("secure", "OS_CLIENT_SECURE_FILE");
        assert_eq!(secure[0], PathBuf::from("/s/secure.yaml"));
        assert_eq!(secure[4], PathBuf::from("/xdg/openstack/secure.yaml"));
        assert_eq!(
            secure[7],
            PathBuf::from("/home/u/.config/openstack/secure.yaml")
        );
    }
}
