//! What an exchange of a capture is to passive mode: a listing of the endpoint
//! (`GET .../v1/{project_id}/software_deployments[?server_id=...]`), a write that
//! may change a project's deployments, or other traffic.
//!
//! | request | kind |
//! |---|---|
//! | `GET https://h/orchestration/v1/p1/software_deployments` | listing of `p1`, unfiltered |
//! | `GET .../v1/p1/software_deployments?server_id=s1` | listing of `p1`, filtered by `s1` |
//! | `GET ...?server_id=` or `?server_id=a&server_id=b`, a value that is not UTF-8, another parameter | listing, [`Query::Unclear`] |
//! | `POST`, `PUT`, `PATCH`, `DELETE` to any URL | write, to every project among its path's segments |
//! | anything else (`HEAD`, `/software_deployments/ID`, `/v1/p1/software_deployments/`) | other traffic |
//!
//! Where the contract is silent on what a query selects (an empty value may filter
//! by the empty string or not at all, a repeated one by either, a value that is not
//! UTF-8 by anything), the listing is still checked on its own, and the filter's
//! checks say why they are not exercised: a conformant target never fails.

use percent_encoding::percent_decode;

/// The endpoint's last path segment.
const RESOURCE: &str = "software_deployments";

/// The version segment before the project id.
const VERSION: &str = "v1";

/// What an exchange is to passive mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A `GET` of the endpoint: checked against the contract.
    Listing(Listing),
    /// A write: it may change the deployments of any project its path names.
    Write {
        /// The path's segments, as written (a project id among them is that project's).
        segments: Vec<String>,
    },
    /// Anything else: counted and ignored.
    Other,
}

/// A listing of the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The URL before `/v1/{project_id}/software_deployments` (scheme, host, port, prefix).
    pub base: String,
    /// The project id, as written in the path.
    pub project: String,
    /// What the query asks for.
    pub query: Query,
}

/// What a listing's query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// No query: the project's whole list (what filtered listings are compared with).
    Unfiltered,
    /// One `server_id`, not empty, UTF-8, and nothing else: that server's deployments.
    Filtered(String),
    /// A query whose meaning the contract leaves open, or with parameters it does
    /// not describe: the listing is checked on its own and compared with none.
    Unclear {
        /// The one `server_id` every item must still equal, when there is exactly one
        /// usable value beside parameters the contract does not describe.
        exact: Option<String>,
        /// Whether the query names `server_id` at all (in any form).
        filters: bool,
        /// Why the filter checks, or the comparison, are not exercised.
        why: String,
    },
}

/// Classifies a request by its method and URL.
pub fn classify(method: &str, url: &str) -> Kind {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Kind::Other;
    };
    let segments: Vec<String> = parsed
        .path_segments()
        .map(|s| s.map(str::to_owned).collect())
        .unwrap_or_default();
    if ["POST", "PUT", "PATCH", "DELETE"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
    {
        return Kind::Write { segments };
    }
    if method != "GET" {
        return Kind::Other;
    }
    let n = segments.len();
    let endpoint = n >= 3
        && segments[n - 1] == RESOURCE
        && segments[n - 3] == VERSION
        && !segments[n - 2].is_empty();
    if !endpoint {
        return Kind::Other;
    }
    let mut base = parsed.clone();
    base.set_query(None);
    base.set_fragment(None);
    base.set_path(&segments[..n - 3].join("/"));
    Kind::Listing(Listing {
        base: base.as_str().trim_end_matches('/').to_owned(),
        project: segments[n - 2].clone(),
        query: query(parsed.query()),
    })
}

/// One query parameter, decoded as a form is (`+` is a space); the value's
/// bytes, which need not be UTF-8.
fn pairs(query: &str) -> Vec<(String, Vec<u8>)> {
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            let decode = |text: &str| -> Vec<u8> {
                percent_decode(text.replace('+', " ").as_bytes()).collect()
            };
            (
                String::from_utf8_lossy(&decode(name)).into_owned(),
                decode(value),
            )
        })
        .collect()
}

/// What a URL's query asks for.
fn query(query: Option<&str>) -> Query {
    let pairs = pairs(query.unwrap_or_default());
    if pairs.is_empty() {
        return Query::Unfiltered;
    }
    let values: Vec<&[u8]> = pairs
        .iter()
        .filter(|(name, _)| name == "server_id")
        .map(|(_, value)| value.as_slice())
        .collect();
    let mut others: Vec<&str> = pairs
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| *name != "server_id")
        .collect();
    others.dedup();
    let filters = !values.is_empty();
    let (exact, unclear) = match values.as_slice() {
        [] => (None, None),
        [value] => match std::str::from_utf8(value) {
            Ok("") => (
                None,
                Some("an empty server_id may filter by the empty string or not at all (the contract is silent)".to_owned()),
            ),
            Ok(text) => (Some(text.to_owned()), None),
            Err(_) => (
                None,
                Some("the server_id is not UTF-8: the contract does not say what it selects".to_owned()),
            ),
        },
        several => (
            None,
            Some(format!(
                "server_id is given {} times: the contract does not say which one filters",
                several.len()
            )),
        ),
    };
    match (exact, unclear, others.is_empty()) {
        (Some(server_id), None, true) => Query::Filtered(server_id),
        (exact, Some(why), _) => Query::Unclear {
            exact,
            filters,
            why,
        },
        (exact, None, _) => Query::Unclear {
            exact,
            filters,
            why: format!(
                "the query has parameters the contract does not describe ({}): the listing is compared with no other",
                others.join(", ")
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(project: &str, query: Query) -> Kind {
        Kind::Listing(Listing {
            base: "https://h:8004/orchestration".to_owned(),
            project: project.to_owned(),
            query,
        })
    }

    fn unclear(exact: Option<&str>, filters: bool, why: &str) -> Query {
        Query::Unclear {
            exact: exact.map(str::to_owned),
            filters,
            why: why.to_owned(),
        }
    }

    #[test]
    fn requests_are_told_apart() {
        let base = "https://h:8004/orchestration/v1/p1/software_deployments";
        let rows: Vec<(&str, String, Kind)> = vec![
            ("GET", base.to_owned(), listing("p1", Query::Unfiltered)),
            (
                "GET",
                format!("{base}?server_id=s%201+x"),
                listing("p1", Query::Filtered("s 1 x".to_owned())),
            ),
            (
                "GET",
                format!("{base}?server_id="),
                listing("p1", unclear(None, true, "an empty server_id")),
            ),
            (
                "GET",
                format!("{base}?server_id"),
                listing("p1", unclear(None, true, "an empty server_id")),
            ),
            (
                "GET",
                format!("{base}?server_id=a&server_id=b"),
                listing("p1", unclear(None, true, "given 2 times")),
            ),
            (
                "GET",
                format!("{base}?server_id=%FF"),
                listing("p1", unclear(None, true, "not UTF-8")),
            ),
            (
                "GET",
                format!("{base}?limit=2&server_id=s1&limit=3"),
                listing(
                    "p1",
                    unclear(
                        Some("s1"),
                        true,
                        "parameters the contract does not describe (limit)",
                    ),
                ),
            ),
            (
                "GET",
                format!("{base}?limit=2"),
                listing("p1", unclear(None, false, "(limit)")),
            ),
            ("GET", format!("{base}/"), Kind::Other),
            ("GET", format!("{base}/d1"), Kind::Other),
            ("HEAD", base.to_owned(), Kind::Other),
            ("get", base.to_owned(), Kind::Other),
            (
                "GET",
                "https://h/v1//software_deployments".to_owned(),
                Kind::Other,
            ),
            ("GET", "not a url".to_owned(), Kind::Other),
            (
                "delete",
                format!("{base}/d1"),
                Kind::Write {
                    segments: ["orchestration", "v1", "p1", "software_deployments", "d1"]
                        .map(str::to_owned)
                        .to_vec(),
                },
            ),
        ];
        for (method, url, want) in rows {
            let got = classify(method, &url);
            match (&got, &want) {
                (
                    Kind::Listing(Listing {
                        query:
                            Query::Unclear {
                                exact,
                                filters,
                                why,
                            },
                        ..
                    }),
                    Kind::Listing(Listing {
                        query:
                            Query::Unclear {
                                exact: want_exact,
                                filters: want_filters,
                                why: fragment,
                            },
                        ..
                    }),
                ) => {
                    assert_eq!((exact, filters), (want_exact, want_filters), "{url}");
                    assert!(why.contains(fragment.as_str()), "{url}: {why}");
                }
                _ => assert_eq!(got, want, "{method} {url}"),
            }
        }
    }

    #[test]
    fn the_base_is_what_comes_before_the_version() {
        let Kind::Listing(listing) = classify(
            "GET",
            "http://127.0.0.1:18004/v1/p/software_deployments?server_id=x",
        ) else {
            panic!("a listing");
        };
        assert_eq!(listing.base, "http://127.0.0.1:18004");
        assert_eq!(listing.project, "p");
    }
}
