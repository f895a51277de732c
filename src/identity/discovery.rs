//! Version discovery: from an `auth_url` without a version
//! (`https://keystone.example:5000`, `http://host/identity`) to the v3 API, the way
//! keystoneauth does it: `GET` the URL and read the versions document Keystone
//! returns there (`300 Multiple Choices`, API reference `identity-versions-response.json`):
//!
//! ```json
//! {"versions": {"values": [{"id": "v3.4", "status": "stable",
//!                           "links": [{"href": "http://example.com/identity/v3/", "rel": "self"}]},
//!                          {"id": "v2.0", ...}]}}
//! ```
//!
//! An `auth_url` that already ends in `/v3` is used as it is, without a request; one
//! ending in `/v2.0` is refused (Keystone v2 is gone since Queens). The single-version
//! document (`{"version": {...}}`, what `GET /v3` answers) and the bare list
//! (`{"versions": [...]}`, other services' style) are read too.

use serde::Deserialize;
use serde_json::Value;

use super::error::IdentityError;
use crate::http::{Auth, Client, ExchangeSummary};

/// Where the v3 API is, and what it took to find out.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The v3 API's URL, e.g. `http://example.com/identity/v3/`.
    pub v3: reqwest::Url,
    /// The discovery request, if one was needed.
    pub exchange: Option<ExchangeSummary>,
    /// The versions the document listed (`v3.14 stable`, `v2.0 deprecated`).
    pub versions: Vec<String>,
}

#[derive(Deserialize)]
struct Version {
    #[serde(default)]
    id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    links: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    #[serde(default)]
    href: String,
    #[serde(default)]
    rel: String,
}

/// Finds the v3 API for `auth_url`.
pub async fn discover(client: &Client, auth_url: &str) -> Result<Discovery, IdentityError> {
    let url = parse_auth_url(auth_url)?;
    let path = url.path().trim_end_matches('/');
    if path.ends_with("/v3") {
        return Ok(Discovery {
            v3: url,
            exchange: None,
            versions: Vec::new(),
        });
    }
    if path.ends_with("/v2.0") {
        return Err(IdentityError::AuthUrl {
            url: auth_url.to_owned(),
            message: "it names the identity v2.0 API, which sdconform does not speak; use the v3 API (/v3)"
                .to_owned(),
        });
    }
    let response = client
        .send_json(reqwest::Method::GET, &url, &Auth::None, None)
        .await?;
    let status = response.summary.status;
    let shown = response.summary.url.clone();
    if !matches!(status, 200 | 300) {
        return Err(IdentityError::Discovery {
            url: shown,
            detail: format!("it answered {status}, not a versions document"),
        });
    }
    let (v3, versions) =
        v3_from_document(&url, &response.body).map_err(|detail| IdentityError::Discovery {
            url: shown.clone(),
            detail,
        })?;
    Ok(Discovery {
        v3,
        exchange: Some(response.summary),
        versions,
    })
}

/// `auth_url` parsed: http or https only.
fn parse_auth_url(auth_url: &str) -> Result<reqwest::Url, IdentityError> {
    let url = reqwest::Url::parse(auth_url).map_err(|e| IdentityError::AuthUrl {
        url: auth_url.to_owned(),
        message: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(IdentityError::AuthUrl {
            url: auth_url.to_owned(),
            message: "not an http or https URL".to_owned(),
        });
    }
    Ok(url)
}

/// The v3 URL a versions document gives (its `self` link, else `{asked}/v3`), and
/// every version it lists; or what was wrong with it.
pub fn v3_from_document(
    asked: &reqwest::Url,
    body: &[u8],
) -> Result<(reqwest::Url, Vec<String>), String> {
    let document: Value =
        serde_json::from_slice(body).map_err(|_| "the answer is not JSON".to_owned())?;
    let entries: Vec<Value> = match (&document["versions"], &document["version"]) {
        (Value::Object(versions), _) => versions
            .get("values")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        (Value::Array(values), _) => values.clone(),
        (_, version @ Value::Object(_)) => vec![version.clone()],
        _ => return Err("the answer is not a versions document".to_owned()),
    };
    let versions: Vec<Version> = entries
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    let listed: Vec<String> = versions
        .iter()
        .map(|v| format!("{} {}", v.id, v.status).trim().to_owned())
        .collect();
    let usable = |v: &&Version| {
        (v.id == "v3" || v.id.starts_with("v3."))
            && !v.status.eq_ignore_ascii_case("deprecated")
            && !v.status.eq_ignore_ascii_case("experimental")
    };
    let Some(v3) = versions.iter().find(usable) else {
        return Err(if listed.is_empty() {
            "the versions document lists no version".to_owned()
        } else {
            format!("no usable v3 version among {}", listed.join(", "))
        });
    };
    let href = v3
        .links
        .iter()
        .find(|l| l.rel == "self" && !l.href.is_empty())
        .map(|l| l.href.clone());
    let url = match href {
        Some(href) => asked
            .join(&href)
            .map_err(|e| format!("the v3 link {href:?} is not a URL: {e}"))?,
        None => {
            let mut url = asked.clone();
            let path = format!("{}/v3", url.path().trim_end_matches('/'));
            url.set_path(&path);
            url
        }
    };
    Ok((url, listed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/keystone/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn url(text: &str) -> reqwest::Url {
        reqwest::Url::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The API reference's `GET /` and `GET /v3` documents.
    #[test]
    fn the_api_reference_documents_give_v3() {
        let asked = url("http://example.com/identity");
        let (v3, listed) = v3_from_document(&asked, &sample("identity-versions-response.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v3.as_str(), "http://example.com/identity/v3/");
        assert_eq!(listed, ["v3.4 stable", "v2.0 stable"]);
        let (v3, _) = v3_from_document(&asked, &sample("identity-version-response.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v3.as_str(), "http://example.com/identity/v3/");
    }

    #[test]
    fn documents_without_v3_are_refused_with_what_they_list() {
        let asked = url("http://h:5000");
        let v2_only = br#"{"versions": {"values": [{"id": "v2.0", "status": "deprecated"}]}}"#;
        assert_eq!(
            v3_from_document(&asked, v2_only).err().as_deref(),
            Some("no usable v3 version among v2.0 deprecated")
        );
        let bare = br#"{"versions": [{"id": "v3.0", "status": "CURRENT"}]}"#;
        let (v3, _) = v3_from_document(&asked, bare).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v3.as_str(), "http://h:5000/v3");
        let relative =
            br#"{"version": {"id": "v3.14", "links": [{"rel": "self", "href": "/identity/v3/"}]}}"#;
        let (v3, _) = v3_from_document(&asked, relative).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v3.as_str(), "http://h:5000/identity/v3/");
        assert!(v3_from_document(&asked, b"<html>").is_err());
        assert!(v3_from_document(&asked, b"{\"other\": 1}").is_err());
        assert!(v3_from_document(&asked, br#"{"versions": {"values": []}}"#).is_err());
    }

    #[test]
    fn versioned_and_unusable_auth_urls_need_no_request() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let limits = crate::http::Limits {
            connect_timeout: std::time::Duration::from_secs(1),
            timeout: std::time::Duration::from_secs(1),
            run_timeout: std::time::Duration::from_secs(5),
            max_body_bytes: 1024,
        };
        let client =
            Client::new(limits, crate::http::tls::Tls::default()).unwrap_or_else(|e| panic!("{e}"));
        runtime.block_on(async {
            // Port 9 (discard) is never contacted: a /v3 URL is used as it is.
            let found = discover(&client, "http://127.0.0.1:9/identity/v3/")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(found.exchange.is_none());
            assert_eq!(found.v3.as_str(), "http://127.0.0.1:9/identity/v3/");
            for bad in ["http://127.0.0.1:9/v2.0", "ftp://h/v3", "not a url"] {
                let error = discover(&client, bad).await;
                assert!(matches!(error, Err(IdentityError::AuthUrl { .. })), "{bad}");
            }
        });
    }
}
