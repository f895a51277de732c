//! What a Keystone v3 client authenticates with, and the request body each
//! method sends, exactly as Keystone's API reference shows it
//! (`api-ref/source/v3/samples/`, copied under `tests/data/keystone/`):
//!
//! ```json
//! {"auth": {"identity": {"methods": ["password"],
//!                        "password": {"user": {"name": "admin", "domain": {"name": "Default"},
//!                                              "password": "devstacker"}}},
//!           "scope": {"project": {"id": "a6944d763bf64ee6a275f1263fae0352"}}}}
//! ```
//!
//! Every secret (a password, an application credential's secret, a token) is a
//! [`Secret`] from the moment it is read; the body that holds it is built only
//! to be sent, and never recorded.

use serde_json::{Value, json};

use crate::secret::Secret;

/// A domain, by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainRef {
    /// `{"id": ...}`
    Id(String),
    /// `{"name": ...}`
    Name(String),
}

impl DomainRef {
    fn body(&self) -> Value {
        match self {
            DomainRef::Id(id) => json!({ "id": id }),
            DomainRef::Name(name) => json!({ "name": name }),
        }
    }
}

impl std::fmt::Display for DomainRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DomainRef::Id(id) => write!(f, "domain id {id:?}"),
            DomainRef::Name(name) => write!(f, "domain {name:?}"),
        }
    }
}

/// A user, by id, or by name within a domain (a name is unique only there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// `{"id": ...}`
    Id(String),
    /// `{"name": ..., "domain": {...}}`
    Name {
        /// The user name.
        name: String,
        /// Its domain.
        domain: DomainRef,
    },
}

impl UserRef {
    fn body(&self) -> serde_json::Map<String, Value> {
        let mut user = serde_json::Map::new();
        match self {
            UserRef::Id(id) => {
                user.insert("id".into(), json!(id));
            }
            UserRef::Name { name, domain } => {
                user.insert("name".into(), json!(name));
                user.insert("domain".into(), domain.body());
            }
        }
        user
    }
}

impl std::fmt::Display for UserRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UserRef::Id(id) => write!(f, "user id {id:?}"),
            UserRef::Name { name, domain } => write!(f, "user {name:?} in {domain}"),
        }
    }
}

/// The project a token is scoped to: by id, or by name within a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectScope {
    /// `{"project": {"id": ...}}`
    Id(String),
    /// `{"project": {"name": ..., "domain": {...}}}`
    Name {
        /// The project name.
        name: String,
        /// Its domain.
        domain: DomainRef,
    },
}

impl ProjectScope {
    fn body(&self) -> Value {
        match self {
            ProjectScope::Id(id) => json!({ "project": { "id": id } }),
            ProjectScope::Name { name, domain } => {
                json!({ "project": { "name": name, "domain": domain.body() } })
            }
        }
    }
}

impl std::fmt::Display for ProjectScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProjectScope::Id(id) => write!(f, "project id {id:?}"),
            ProjectScope::Name { name, domain } => write!(f, "project {name:?} in {domain}"),
        }
    }
}

/// An application credential: by id, or by name and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppCredentialRef {
    /// `{"id": ...}`
    Id(String),
    /// `{"name": ..., "user": {...}}`
    Name {
        /// The credential's name.
        name: String,
        /// Its owner.
        user: UserRef,
    },
}

/// How to authenticate: the three Keystone v3 methods sdconform speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `password` (`auth_type: password` or `v3password`).
    Password {
        /// Who.
        user: UserRef,
        /// The password.
        password: Secret,
        /// The project to scope to; without one Keystone scopes to the user's default project.
        scope: Option<ProjectScope>,
    },
    /// `application_credential` (`auth_type: v3applicationcredential`): the scope is the
    /// credential's own project, a request may not name one.
    ApplicationCredential {
        /// Which credential.
        credential: AppCredentialRef,
        /// Its secret.
        secret: Secret,
    },
    /// `token` (`auth_type: token` or `v3token`): an existing token re-scoped to a project.
    Token {
        /// The token to re-scope.
        token: Secret,
        /// The project to scope to.
        scope: Option<ProjectScope>,
    },
}

impl Credentials {
    /// Keystone's name of the method: `password`, `application_credential` or `token`.
    pub fn method(&self) -> &'static str {
        match self {
            Credentials::Password { .. } => "password",
            Credentials::ApplicationCredential { .. } => "application_credential",
            Credentials::Token { .. } => "token",
        }
    }

    /// The scope asked for, if the method names one.
    pub fn scope(&self) -> Option<&ProjectScope> {
        match self {
            Credentials::Password { scope, .. } | Credentials::Token { scope, .. } => {
                scope.as_ref()
            }
            Credentials::ApplicationCredential { .. } => None,
        }
    }

    /// Every secret these credentials hold, each with what it is (for the redaction set).
    pub fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        match self {
            Credentials::Password { password, .. } => vec![("the password", password)],
            Credentials::ApplicationCredential { secret, .. } => {
                vec![("the application credential secret", secret)]
            }
            Credentials::Token { token, .. } => vec![("the token to re-scope", token)],
        }
    }

    /// The body of `POST /v3/auth/tokens`.
    pub(crate) fn body(&self) -> Value {
        self.body_with_scope(self.scope().map(ProjectScope::body))
    }

    /// The same credentials, explicitly unscoped (`"scope": "unscoped"`, as the API
    /// reference's `auth-password-explicit-unscoped-request.json`): tells a refused scope
    /// from refused credentials. `None` for an application credential, which cannot be
    /// unscoped.
    pub(crate) fn unscoped_body(&self) -> Option<Value> {
        match self {
            Credentials::ApplicationCredential { .. } => None,
            _ => Some(self.body_with_scope(Some(json!("unscoped")))),
        }
    }

    fn body_with_scope(&self, scope: Option<Value>) -> Value {
        let method = self.method();
        let identity = match self {
            Credentials::Password { user, password, .. } => {
                let mut user = user.body();
                user.insert("password".into(), json!(password.expose()));
                json!({ "methods": [method], "password": { "user": user } })
            }
            Credentials::ApplicationCredential { credential, secret } => {
                let mut body = serde_json::Map::new();
                match credential {
                    AppCredentialRef::Id(id) => {
                        body.insert("id".into(), json!(id));
                    }
                    AppCredentialRef::Name { name, user } => {
                        body.insert("name".into(), json!(name));
                        body.insert("user".into(), Value::Object(user.body()));
                    }
                }
                body.insert("secret".into(), json!(secret.expose()));
                json!({ "methods": [method], "application_credential": body })
            }
            Credentials::Token { token, .. } => {
                json!({ "methods": [method], "token": { "id": token.expose() } })
            }
        };
        let mut auth = serde_json::Map::new();
        auth.insert("identity".into(), identity);
        if let Some(scope) = scope {
            auth.insert("scope".into(), scope);
        }
        json!({ "auth": auth })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Value {
        let path = format!("{}/tests/data/keystone/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The bodies are the API reference's samples, value for value.
    #[test]
    fn request_bodies_are_the_api_reference_samples() {
        let admin_in_default = UserRef::Name {
            name: "admin".into(),
            domain: DomainRef::Name("Default".into()),
        };
        let by_id = UserRef::Id("ee4dfb6e5540447cb3741905149d9b6e".into());
        let password = Secret::new("devstacker");
        let cases = [
            (
                Credentials::Password {
                    user: by_id.clone(),
                    password: password.clone(),
                    scope: Some(ProjectScope::Id("a6944d763bf64ee6a275f1263fae0352".into())),
                },
                "project-id-password.json",
            ),
            (
                Credentials::Password {
                    user: by_id.clone(),
                    password: password.clone(),
                    scope: Some(ProjectScope::Name {
                        name: "admin".into(),
                        domain: DomainRef::Id("default".into()),
                    }),
                },
                "project-name-password.json",
            ),
            (
                Credentials::Password {
                    user: admin_in_default,
                    password: password.clone(),
                    scope: None,
                },
                "auth-password-unscoped-request-with-domain.json",
            ),
            (
                Credentials::ApplicationCredential {
                    credential: AppCredentialRef::Id("423f19a4ac1e4f48bbb4180756e6eb6c".into()),
                    secret: Secret::new("rEaqvJka48mpv"),
                },
                "auth-application-credential-id-request.json",
            ),
            (
                Credentials::ApplicationCredential {
                    credential: AppCredentialRef::Name {
                        name: "monitoring".into(),
                        user: UserRef::Id("423f19a4ac1e4f48bbb4180756e6eb6c".into()),
                    },
                    secret: Secret::new("rEaqvJka48mpv"),
                },
                "auth-application-credential-name-request.json",
            ),
            (
                Credentials::Token {
                    token: Secret::new("'$OS_TOKEN'"),
                    scope: Some(ProjectScope::Id("5b50efd009b540559104ee3c03bbb2b7".into())),
                },
                "auth-token-scoped-request.json",
            ),
            (
                Credentials::Token {
                    token: Secret::new("'$OS_TOKEN'"),
                    scope: Some(ProjectScope::Name {
                        name: "admin".into(),
                        domain: DomainRef::Id("default".into()),
                    }),
                },
                "project-name-token.json",
            ),
        ];
        for (credentials, file) in cases {
            assert_eq!(credentials.body(), sample(file), "{file}");
        }
        let unscoped = Credentials::Password {
            user: by_id,
            password,
            scope: Some(ProjectScope::Id("p".into())),
        }
        .unscoped_body();
        assert_eq!(
            unscoped,
            Some(sample("auth-password-explicit-unscoped-request.json"))
        );
    }

    #[test]
    fn secrets_are_listed_and_never_printed() {
        let credentials = Credentials::ApplicationCredential {
            credential: AppCredentialRef::Id("x".into()),
            secret: Secret::new("s3cret-value"),
        };
        assert_eq!(credentials.secrets().len(), 1);
        assert!(!format!("{credentials:?}").contains("s3cret-value"));
        assert_eq!(credentials.unscoped_body(), None);
    }
}
