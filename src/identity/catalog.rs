//! The service catalog of a token, and the one endpoint sdconform needs from it:
//! `orchestration` (Heat), for an interface (`public` by default) and a region.
//!
//! Rules, in order:
//! - only services of type `orchestration`; an endpoint's interface may be
//!   written `publicURL` (the v2 spelling), read as `public`;
//! - a region, when given, matches an endpoint's `region_id` or `region`;
//! - `%(tenant_id)s`, `$(tenant_id)s`, `%(project_id)s` and `$(project_id)s` in the
//!   URL become the token's project id (Keystone substitutes them itself in a token's
//!   catalog; other identity services and stored catalogs may not);
//! - endpoints with the same URL are one; none or several left is an error that lists
//!   what the catalog holds;
//! - the base URL is the endpoint without its `/v1/<project>` (or `/v1`) tail, because the
//!   harness adds `/v1/{project_id}/software_deployments` itself; an endpoint naming
//!   another project than the token's is refused.
//!
//! ```text
//! http://23.253.248.171:8004/v1/a6944d763bf64ee6a275f1263fae0352  →  base http://23.253.248.171:8004/
//! ```

use serde::Deserialize;

/// One service of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Service {
    /// The service type, e.g. `orchestration`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The service name, e.g. `heat`.
    #[serde(default)]
    pub name: Option<String>,
    /// Its endpoints.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint of a service.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Endpoint {
    /// The URL, possibly with `%(tenant_id)s`.
    pub url: String,
    /// `public`, `internal` or `admin`.
    pub interface: String,
    /// The region id.
    #[serde(default)]
    pub region_id: Option<String>,
    /// The region (the older field, same value).
    #[serde(default)]
    pub region: Option<String>,
    /// The endpoint id.
    #[serde(default)]
    pub id: Option<String>,
}

impl Endpoint {
    fn region(&self) -> Option<&str> {
        self.region_id.as_deref().or(self.region.as_deref())
    }

    fn describe(&self) -> String {
        format!(
            "{} {} {}",
            normalized_interface(&self.interface),
            self.region().unwrap_or("(no region)"),
            self.url
        )
    }
}

/// The orchestration endpoint chosen from the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orchestration {
    /// The catalog's URL, substituted.
    pub url: String,
    /// The base URL the harness adds `/v1/{project_id}/...` to.
    pub base: reqwest::Url,
    /// The endpoint's interface.
    pub interface: String,
    /// The endpoint's region.
    pub region: Option<String>,
    /// The endpoint's id.
    pub endpoint_id: Option<String>,
}

/// Why no single orchestration endpoint could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// Nothing fits.
    #[error(
        "find an orchestration endpoint for interface {interface}{}: {}",
        region_text(.region.as_deref()),
        found_text(.found)
    )]
    None {
        /// The interface asked for.
        interface: String,
        /// The region asked for.
        region: Option<String>,
        /// What the catalog holds: orchestration endpoints, or the service types.
        found: Vec<String>,
    },
    /// Several different endpoints fit.
    #[error(
        "choose an orchestration endpoint for interface {interface}{}: several fit (pass --region or --interface): {}",
        region_text(.region.as_deref()),
        .found.join("; ")
    )]
    Several {
        /// The interface asked for.
        interface: String,
        /// The region asked for.
        region: Option<String>,
        /// The endpoints that fit.
        found: Vec<String>,
    },
    /// The endpoint's URL is not a URL.
    #[error("use the orchestration endpoint {url}: {message}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// The endpoint names another project than the token's.
    #[error(
        "use the orchestration endpoint {url}: it names project {in_url}, but the token is scoped to {scoped}"
    )]
    ForeignProject {
        /// The URL.
        url: String,
        /// The project in it.
        in_url: String,
        /// The token's project.
        scoped: String,
    },
}

fn region_text(region: Option<&str>) -> String {
    region.map_or_else(String::new, |r| format!(" in region {r}"))
}

fn found_text(found: &[String]) -> String {
    if found.is_empty() {
        "the catalog is empty".to_owned()
    } else {
        format!("the catalog has {}", found.join("; "))
    }
}

/// `publicURL` → `public`.
fn normalized_interface(interface: &str) -> &str {
    interface.strip_suffix("URL").unwrap_or(interface)
}

/// The URL with the project id put in for its placeholders.
pub fn substitute(url: &str, project_id: &str) -> String {
    let mut out = url.to_owned();
    for placeholder in [
        "%(tenant_id)s",
        "$(tenant_id)s",
        "%(project_id)s",
        "$(project_id)s",
    ] {
        out = out.replace(placeholder, project_id);
    }
    out
}

/// The `orchestration` endpoint for `interface` (and `region`, if given) in `catalog`,
/// for a token scoped to `project_id`.
pub fn orchestration(
    catalog: &[Service],
    interface: &str,
    region: Option<&str>,
    project_id: &str,
) -> Result<Orchestration, CatalogError> {
    let interface = normalized_interface(interface);
    let all: Vec<&Endpoint> = catalog
        .iter()
        .filter(|s| s.kind == "orchestration")
        .flat_map(|s| &s.endpoints)
        .collect();
    let mut fitting: Vec<&Endpoint> = Vec::new();
    for endpoint in all.iter().copied() {
        let fits = normalized_interface(&endpoint.interface) == interface
            && region.is_none_or(|r| {
                endpoint.region_id.as_deref() == Some(r) || endpoint.region.as_deref() == Some(r)
            });
        let url = substitute(&endpoint.url, project_id);
        if fits
            && !fitting
                .iter()
                .any(|e| substitute(&e.url, project_id) == url)
        {
            fitting.push(endpoint);
        }
    }
    let region_owned = region.map(str::to_owned);
    match fitting.as_slice() {
        [] => {
            let found = if all.is_empty() {
                let mut kinds: Vec<String> = catalog
                    .iter()
                    .map(|s| format!("service {}", s.kind))
                    .collect();
                kinds.dedup();
                if !kinds.is_empty() {
                    kinds.insert(0, "no orchestration service".to_owned());
                }
                kinds
            } else {
                all.iter().map(|e| e.describe()).collect()
            };
            Err(CatalogError::None {
                interface: interface.to_owned(),
                region: region_owned,
                found,
            })
        }
        [endpoint] => {
            let url = substitute(&endpoint.url, project_id);
            Ok(Orchestration {
                base: base_url(&url, project_id)?,
                url,
                interface: interface.to_owned(),
                region: endpoint.region().map(str::to_owned),
                endpoint_id: endpoint.id.clone(),
            })
        }
        several => Err(CatalogError::Several {
            interface: interface.to_owned(),
            region: region_owned,
            found: several.iter().map(|e| e.describe()).collect(),
        }),
    }
}

/// The endpoint without its `/v1/<project>` or `/v1` tail.
pub fn base_url(url: &str, project_id: &str) -> Result<reqwest::Url, CatalogError> {
    let bad = |message: String| CatalogError::BadUrl {
        url: url.to_owned(),
        message,
    };
    let mut parsed = reqwest::Url::parse(url).map_err(|e| bad(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("not an http or https URL".to_owned()));
    }
    let segments: Vec<String> = parsed
        .path()
        .trim_end_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let keep = match segments.as_slice() {
        [.., v1, project] if v1 == "v1" => {
            if project != project_id {
                return Err(CatalogError::ForeignProject {
                    url: url.to_owned(),
                    in_url: project.clone(),
                    scoped: project_id.to_owned(),
                });
            }
            segments.len() - 2
        }
        [.., v1] if v1 == "v1" => segments.len() - 1,
        _ => segments.len(),
    };
    let path = segments
        .get(..keep)
        .unwrap_or_default()
        .iter()
        .map(|s| format!("/{s}"))
        .collect::<String>();
    parsed.set_path(if path.is_empty() { "/" } else { &path });
    parsed.set_query(None);
    parsed.set_fragment(None);
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> serde_json::Value {
        let path = format!("{}/tests/data/keystone/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn catalog_of(name: &str) -> Vec<Service> {
        serde_json::from_value(sample(name)["token"]["catalog"].clone())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn endpoint(interface: &str, region: Option<&str>, url: &str) -> Endpoint {
        Endpoint {
            url: url.to_owned(),
            interface: interface.to_owned(),
            region_id: region.map(str::to_owned),
            region: region.map(str::to_owned),
            id: None,
        }
    }

    fn heat(endpoints: Vec<Endpoint>) -> Vec<Service> {
        vec![Service {
            kind: "orchestration".into(),
            name: Some("heat".into()),
            endpoints,
        }]
    }

    /// The API reference's project-scoped catalog: Heat at `.../v1/<project>` for three interfaces.
    #[test]
    fn the_api_reference_catalog_gives_heat_by_interface() {
        let catalog = catalog_of("auth-password-project-scoped-response.json");
        let project = "a6944d763bf64ee6a275f1263fae0352";
        for interface in ["public", "internal", "admin", "publicURL"] {
            let found = orchestration(&catalog, interface, None, project)
                .unwrap_or_else(|e| panic!("{interface}: {e}"));
            assert_eq!(
                found.url,
                format!("http://23.253.248.171:8004/v1/{project}")
            );
            assert_eq!(found.base.as_str(), "http://23.253.248.171:8004/");
            assert_eq!(found.region.as_deref(), Some("RegionOne"));
        }
        let public = orchestration(&catalog, "public", Some("RegionOne"), project)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            public.endpoint_id.as_deref(),
            Some("c76cf9930b0f4ccea6b1157f80119cfc")
        );
        let elsewhere = orchestration(&catalog, "public", Some("RegionTwo"), project);
        let Err(CatalogError::None { found, .. }) = elsewhere else {
            panic!("{elsewhere:?}");
        };
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].contains("http://23.253.248.171:8004/v1/"),
            "{found:?}"
        );
        // The token-scoped sample names its own project in the URL.
        let token_catalog = catalog_of("auth-token-scoped-response.json");
        let found = orchestration(
            &token_catalog,
            "public",
            None,
            "5b50efd009b540559104ee3c03bbb2b7",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.base.as_str(), "http://23.253.248.171:8004/");
        assert!(matches!(
            orchestration(&token_catalog, "public", None, "someone-else"),
            Err(CatalogError::ForeignProject { .. })
        ));
    }

    /// The API reference's endpoint list spells placeholders `$(tenant_id)s`.
    #[test]
    fn placeholders_are_substituted() {
        let list = sample("endpoints-list-response.json");
        let url = list["endpoints"][1]["url"].as_str().unwrap_or_default();
        assert_eq!(url, "http://23.253.211.234:8776/v1/$(tenant_id)s");
        assert_eq!(substitute(url, "p1"), "http://23.253.211.234:8776/v1/p1");
        for url in [
            "https://h/heat-api/v1/%(tenant_id)s",
            "https://h/heat-api/v1/$(tenant_id)s/",
            "https://h/heat-api/v1/%(project_id)s",
            "https://h/heat-api/v1/$(project_id)s",
            "https://h/heat-api/v1",
            "https://h/heat-api/",
        ] {
            let found = orchestration(
                &heat(vec![endpoint("public", None, url)]),
                "public",
                None,
                "p1",
            )
            .unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(found.base.as_str(), "https://h/heat-api", "{url}");
        }
    }

    #[test]
    fn none_or_several_fitting_endpoints_are_errors_listing_what_was_found() {
        let two_regions = heat(vec![
            endpoint("public", Some("east"), "https://east/v1/%(tenant_id)s"),
            endpoint("public", Some("west"), "https://west/v1/%(tenant_id)s"),
            endpoint(
                "internal",
                Some("east"),
                "http://east-internal/v1/%(tenant_id)s",
            ),
        ]);
        let several = orchestration(&two_regions, "public", None, "p");
        let Err(error @ CatalogError::Several { .. }) = several else {
            panic!("{several:?}");
        };
        let text = error.to_string();
        assert!(
            text.contains("public east https://east/v1/%(tenant_id)s"),
            "{text}"
        );
        assert!(text.contains("west"), "{text}");
        let west = orchestration(&two_regions, "public", Some("west"), "p")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(west.base.as_str(), "https://west/");
        let internal =
            orchestration(&two_regions, "internal", None, "p").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(internal.base.as_str(), "http://east-internal/");
        let admin = orchestration(&two_regions, "admin", None, "p");
        assert!(matches!(admin, Err(CatalogError::None { ref found, .. }) if found.len() == 3));
        // The same URL twice (one region spelled two ways) is one endpoint.
        let twice = heat(vec![
            endpoint("public", Some("east"), "https://east/v1/%(tenant_id)s"),
            endpoint("public", Some("east"), "https://east/v1/p"),
        ]);
        assert!(orchestration(&twice, "public", None, "p").is_ok());
        // No orchestration service at all: the error names the services there are.
        let identity_only = catalog_of("auth-application-credential-response.json");
        let missing = orchestration(&identity_only, "public", None, "p");
        let Err(error) = missing else {
            panic!("found one");
        };
        assert!(
            error
                .to_string()
                .contains("no orchestration service; service identity"),
            "{error}"
        );
        let empty = orchestration(&[], "public", None, "p");
        assert!(empty.is_err_and(|e| e.to_string().contains("the catalog is empty")));
        let bad = orchestration(
            &heat(vec![endpoint("public", None, "not a url")]),
            "public",
            None,
            "p",
        );
        assert!(matches!(bad, Err(CatalogError::BadUrl { .. })));
    }
}
