//! Who the reference target's identity service knows: two projects in two
//! domains with one user each, one application credential, the region, and the
//! other project's own deployments; and a `clouds.yaml` that reaches them.
//!
//! Sits under [`crate::reference`]: [`super::identity`] authenticates against
//! this, [`super::server`] serves each project its own data. The first
//! project's id is the reference's configured project (by default
//! [`super::DEFAULT_PROJECT_ID`]), so the static token and an issued token see
//! the same project. Every secret here is a test credential of this in-memory
//! target, published on purpose; none belongs to a real cloud.
//!
//! ```yaml
//! clouds:
//!   sdconform-reference:
//!     auth:
//!       auth_url: http://127.0.0.1:8004
//!       username: alice
//!       password: alice-reference-pw-4f1c
//!       project_name: sdconform-a
//!       ...
//! ```

use serde_json::{Value, json};

/// The region of every catalog entry.
pub const REGION: &str = "RegionOne";

/// A project, its domain and its one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenant {
    /// The project id (the first tenant's is the configured project instead).
    pub project_id: &'static str,
    /// The project name.
    pub project_name: &'static str,
    /// The domain id.
    pub domain_id: &'static str,
    /// The domain name.
    pub domain_name: &'static str,
    /// The user id.
    pub user_id: &'static str,
    /// The user name.
    pub user_name: &'static str,
    /// The user's password.
    pub password: &'static str,
}

/// The first tenant: the configured project, in the `Default` domain.
pub const FIRST: Tenant = Tenant {
    project_id: super::server::DEFAULT_PROJECT_ID,
    project_name: "sdconform-a",
    domain_id: "default",
    domain_name: "Default",
    user_id: "3ec3164f750146be97f21559ee4d9c51",
    user_name: "alice",
    password: "alice-reference-pw-4f1c",
};

/// The second tenant, in another domain: tenant isolation and domain handling.
pub const SECOND: Tenant = Tenant {
    project_id: "b7d3c1a24e5f4a6b8c9d0e1f2a3b4c5d",
    project_name: "sdconform-b",
    domain_id: "5f1b0b7e8a2c4e0e9d5c8a1b2c3d4e5f",
    domain_name: "Partners",
    user_id: "9a8b7c6d5e4f40318293a4b5c6d7e8f9",
    user_name: "bob",
    password: "bob-reference-pw-9d2e",
};

/// The application credential: the first tenant's user, scoped to its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppCredential {
    /// Its id.
    pub id: &'static str,
    /// Its name (unique per user).
    pub name: &'static str,
    /// Its secret.
    pub secret: &'static str,
}

/// The first tenant's application credential.
pub const APP_CREDENTIAL: AppCredential = AppCredential {
    id: "423f19a4ac1e4f48bbb4180756e6eb6c",
    name: "sdconform-ci",
    secret: "appcred-reference-secret-7b3a",
};

/// The second project's own deployments (the first project's are [`super::deployments`]):
/// what a listing that leaks across projects would show.
pub fn second_project_deployments() -> Vec<Value> {
    vec![
        json!({
            "status": "COMPLETE",
            "server_id": "b0b5e7a1-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
            "config_id": "b0c0f16a-1111-4222-8333-944455556666",
            "output_values": { "deploy_stdout": "", "deploy_stderr": "", "deploy_status_code": 0 },
            "input_values": { "tenant": "b" },
            "action": "CREATE",
            "status_reason": "Outputs received",
            "id": "b0d0e1f2-7777-4888-9999-aaaabbbbcccc",
            "creation_time": "2016-05-01T10:00:00Z",
            "updated_time": "2016-05-01T10:05:00Z"
        }),
        json!({
            "status": "IN_PROGRESS",
            "server_id": "b0b5e7a1-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
            "config_id": "b0c0f16a-1111-4222-8333-944455556666",
            "output_values": {},
            "input_values": {},
            "action": "UPDATE",
            "status_reason": "Deploy data available",
            "id": "b0d0e1f2-dddd-4eee-8fff-000011112222",
            "creation_time": "2016-05-02T10:00:00+00:00",
            "updated_time": "2016-05-02T10:00:00+00:00"
        }),
    ]
}

/// A `clouds.yaml` for the reference served at `base_url` whose first project is
/// `project_id`: three clouds, one per way in (password by name and domain, the
/// other tenant by ids, the application credential). Its `auth_url` has no
/// version, so clients discover it.
pub fn clouds_yaml(base_url: &str, project_id: &str) -> String {
    let base = yaml_quote(base_url);
    format!(
        "# clouds.yaml for the sdconform reference target at {base_url}.\n\
         # Test credentials of that in-memory target only, published on purpose.\n\
         clouds:\n\
         \x20 sdconform-reference:\n\
         \x20   auth:\n\
         \x20     auth_url: {base}\n\
         \x20     username: {user}\n\
         \x20     password: {password}\n\
         \x20     project_name: {project_name}\n\
         \x20     user_domain_name: {domain}\n\
         \x20     project_domain_name: {domain}\n\
         \x20   region_name: {REGION}\n\
         \x20   interface: public\n\
         \x20   identity_api_version: 3\n\
         \x20 sdconform-reference-other:\n\
         \x20   auth:\n\
         \x20     auth_url: {base}\n\
         \x20     user_id: {other_user}\n\
         \x20     password: {other_password}\n\
         \x20     project_id: {other_project}\n\
         \x20   region_name: {REGION}\n\
         \x20   identity_api_version: 3\n\
         \x20 sdconform-reference-appcred:\n\
         \x20   auth_type: v3applicationcredential\n\
         \x20   auth:\n\
         \x20     auth_url: {base}\n\
         \x20     application_credential_id: {app_id}\n\
         \x20     application_credential_secret: {app_secret}\n\
         \x20   region_name: {REGION}\n\
         \x20   identity_api_version: 3\n\
         # first project id: {project_id}\n",
        user = yaml_quote(FIRST.user_name),
        password = yaml_quote(FIRST.password),
        project_name = yaml_quote(FIRST.project_name),
        domain = yaml_quote(FIRST.domain_name),
        other_user = yaml_quote(SECOND.user_id),
        other_password = yaml_quote(SECOND.password),
        other_project = yaml_quote(SECOND.project_id),
        app_id = yaml_quote(APP_CREDENTIAL.id),
        app_secret = yaml_quote(APP_CREDENTIAL.secret),
    )
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
fn yaml_quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}
