//! Request preparation: from a case, the values its captures took and the
//! target to the request to send (URL and token), as a pure function.
//!
//! In the runner's flow it sits between reading the captures (the runner,
//! from the memoized exchanges of other cases) and sending (`http`): nothing
//! here touches the network, so every rule of what a case sends is tested as a
//! table, without a target.
//!
//! ```text
//! case filter-case-flipped-server, captured {flipped: "ec14c864-…"}, target http://h/prefix
//!   → GET http://h/prefix/v1/95d0…/software_deployments?server_id=EC14C864-… (X-Auth-Token: <redacted>)
//! ```

use std::collections::BTreeMap;

use crate::case::{AuthMode, Capture, Case, Transform};
use crate::http::{self, Auth, Secret};
use crate::secret;

use super::Target;

/// A case's request, ready to send, and the variables it was rendered with
/// (the checks render their parameters with the same ones).
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    /// URL and token.
    pub request: http::Prepared,
    /// `project_id` and each capture's value, as used (transformed, not encoded).
    pub vars: BTreeMap<String, String>,
}

/// Why a case sends nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhyNot {
    /// The data it needs is not there (an empty list, a value that cannot be
    /// transformed, a value that holds the token): the case is not exercised.
    NotExercised(String),
    /// A harness problem (a source case that failed, an undefined variable, a
    /// URL that does not parse).
    Error(String),
}

/// What each capture of a case took, in the case's order: the string read at
/// its pointer, or why there is none. The list may end after the first capture
/// that took nothing (those after it are never reached).
pub type Captured = [Result<String, WhyNot>];

/// The request `case` sends to `target`, given what its captures took;
/// `other_project_id` is the run's fresh random project id ([`fresh_project_id`]).
pub fn prepare(
    case: &Case,
    captured: &Captured,
    target: &Target,
    other_project_id: &str,
) -> Result<PreparedRequest, WhyNot> {
    let mut vars = BTreeMap::from([
        ("project_id".to_owned(), target.project_id.clone()),
        ("other_project_id".to_owned(), other_project_id.to_owned()),
    ]);
    for (index, capture) in case.captures.iter().enumerate() {
        let value = match captured.get(index) {
            Some(Ok(raw)) => admit(capture, raw, target.token.as_ref())?,
            Some(Err(why)) => return Err(why.clone()),
            None => {
                return Err(WhyNot::Error(format!(
                    "capture {}: nothing was read from case {}",
                    capture.name, capture.from
                )));
            }
        };
        vars.insert(capture.name.clone(), value);
    }
    let undefined = |var: String| WhyNot::Error(format!("variable {{{var}}} is not defined"));
    let path_vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.clone(), http::encode(v)))
        .collect();
    let path = crate::template::render(&case.request.path, &path_vars).map_err(undefined)?;
    let query = case
        .request
        .query
        .iter()
        .map(|param| {
            crate::template::render(&param.value, &vars).map(|value| (param.name.clone(), value))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(undefined)?;
    let url = http::build_url(&target.base, &path, &query)
        .map_err(|e| WhyNot::Error(format!("failed to {e}")))?;
    let auth = match case.request.auth {
        AuthMode::Default => target.token.clone().map_or(Auth::None, Auth::Token),
        AuthMode::None => Auth::None,
        AuthMode::Invalid => Auth::Token(Secret::new(http::INVALID_TOKEN)),
        // Skipped before this without a second credential (`fixture::unmet`).
        AuthMode::Other => target
            .setup
            .as_ref()
            .and_then(|setup| setup.other_token.clone())
            .map_or(Auth::None, Auth::Token),
    };
    Ok(PreparedRequest {
        request: http::Prepared { url, auth },
        vars,
    })
}

/// A project id no target has seen, another per run: 32 random hexadecimal digits,
/// as Keystone spells a project id, never `project_id` itself (the
/// `{other_project_id}` of a case, SD-URI-2).
pub fn fresh_project_id(project_id: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    loop {
        let half = || {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            hasher.finish()
        };
        let id = format!("{:016x}{:016x}", half(), half());
        if !id.eq_ignore_ascii_case(project_id) {
            return id;
        }
    }
}

/// The value `capture` gives its variable, from the string `raw` it read.
///
/// A target that echoes the token into a captured value would have us send it,
/// record it and transform it (a flipped or halved token is still a leak, and
/// no scrubber finds it): such a value is refused.
fn admit(capture: &Capture, raw: &str, token: Option<&Secret>) -> Result<String, WhyNot> {
    if token.is_some_and(|token| {
        token.expose().len() >= secret::MIN_SECRET_LEN
            && raw
                .to_ascii_lowercase()
                .contains(&token.expose().to_ascii_lowercase())
    }) {
        return Err(WhyNot::NotExercised(format!(
            "capture {}: case {} has the run's token at {}; it is neither sent back nor recorded",
            capture.name, capture.from, capture.pointer
        )));
    }
    transform(raw, capture.transform)
        .map_err(|why| WhyNot::NotExercised(format!("capture {}: {why}", capture.name)))
}

fn transform(value: &str, how: Transform) -> Result<String, String> {
    match how {
        Transform::Identity => Ok(value.to_owned()),
        Transform::FlipCase => {
            if !value.chars().any(|c| c.is_ascii_alphabetic()) {
                return Err(format!(
                    "{value:?} has no ASCII letter whose case could be flipped"
                ));
            }
            Ok(value
                .chars()
                .map(|c| {
                    if c.is_ascii_lowercase() {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect())
        }
        Transform::Prefix => {
            let count = value.chars().count();
            if count < 2 {
                return Err(format!("{value:?} is too short to have a proper prefix"));
            }
            Ok(value.chars().take(count / 2).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{QueryParam, RequestSpec};

    const TOKEN: &str = "tok+en/5ecret";
    const SD: &str = "/v1/{project_id}/software_deployments";
    const OTHER: &str = "0123456789abcdef0123456789abcdef";

    fn target(base: &str, token: Option<&str>) -> Target {
        Target {
            base: reqwest::Url::parse(base).unwrap_or_else(|e| panic!("{base}: {e}")),
            project_id: "p 1/x".to_owned(),
            token: token.map(Secret::new),
            embedded: false,
            secrets: crate::secret::Secrets::new(),
            tokens: None,
            setup: None,
        }
    }

    /// A case with `path`, `query` and `auth`, capturing `captures`
    /// (name, transform) from `list-all`.
    fn case(
        path: &str,
        query: &[(&str, &str)],
        auth: AuthMode,
        captures: &[(&str, Transform)],
    ) -> Case {
        let json = serde_json::json!({
            "id": "c", "title": "t",
            "request": { "path": path },
            "expect": { "status": [200], "clause": "SD-CODE-200" },
        });
        let mut case: Case = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        case.request = RequestSpec {
            path: path.to_owned(),
            query: query
                .iter()
                .map(|(name, value)| QueryParam {
                    name: (*name).to_owned(),
                    value: (*value).to_owned(),
                })
                .collect(),
            auth,
        };
        case.captures = captures
            .iter()
            .map(|(name, transform)| Capture {
                name: (*name).to_owned(),
                from: "list-all".to_owned(),
                pointer: "/software_deployments/0/server_id".to_owned(),
                transform: *transform,
            })
            .collect();
        case
    }

    /// A case that sends `server_id={id}`, `id` captured from `list-all` with `transform`.
    fn filtered(auth: AuthMode, transform: Transform) -> Case {
        case(SD, &[("server_id", "{id}")], auth, &[("id", transform)])
    }

    /// What a case's captures took.
    type Took = Vec<Result<String, WhyNot>>;

    fn took(values: &[Result<&str, WhyNot>]) -> Took {
        values
            .iter()
            .map(|value| value.clone().map(str::to_owned))
            .collect()
    }

    fn token_of(prepared: &PreparedRequest) -> Option<String> {
        match &prepared.request.auth {
            Auth::None => None,
            Auth::Token(secret) => Some(secret.expose().to_owned()),
        }
    }

    /// Issue 9: templating, URL building (path prefix, encoding of path
    /// variables and query values) and the three auth modes.
    #[test]
    fn requests_are_rendered_encoded_and_authenticated() {
        // name, base URL, case, what its captures took, URL sent, token sent
        type Row = (
            &'static str,
            &'static str,
            Case,
            Took,
            &'static str,
            Option<&'static str>,
        );
        let table: [Row; 7] = [
            (
                "no query",
                "http://h:8004",
                case(SD, &[], AuthMode::Default, &[]),
                Vec::new(),
                "http://h:8004/v1/p%201%2Fx/software_deployments",
                Some(TOKEN),
            ),
            (
                "a path prefix, with or without its slash",
                "http://h/heat/",
                case(SD, &[], AuthMode::Default, &[]),
                Vec::new(),
                "http://h/heat/v1/p%201%2Fx/software_deployments",
                Some(TOKEN),
            ),
            (
                "a captured value in the query, every reserved byte encoded",
                "http://h",
                filtered(AuthMode::Default, Transform::Identity),
                took(&[Ok("a b+c&d=é")]),
                "http://h/v1/p%201%2Fx/software_deployments?server_id=a%20b%2Bc%26d%3D%C3%A9",
                Some(TOKEN),
            ),
            (
                "a repeated name, in order, and a literal value",
                "http://h",
                case(
                    SD,
                    &[("server_id", "x"), ("server_id", "{project_id}")],
                    AuthMode::None,
                    &[],
                ),
                Vec::new(),
                "http://h/v1/p%201%2Fx/software_deployments?server_id=x&server_id=p%201%2Fx",
                None,
            ),
            (
                "a captured value in the path is encoded there",
                "http://h",
                case(
                    "/v1/{project_id}/software_deployments/{id}",
                    &[],
                    AuthMode::Default,
                    &[("id", Transform::Identity)],
                ),
                took(&[Ok("a/b?")]),
                "http://h/v1/p%201%2Fx/software_deployments/a%2Fb%3F",
                Some(TOKEN),
            ),
            (
                "flip_case",
                "http://h",
                filtered(AuthMode::Invalid, Transform::FlipCase),
                took(&[Ok("ec14c864-ABC")]),
                "http://h/v1/p%201%2Fx/software_deployments?server_id=EC14C864-abc",
                Some(http::INVALID_TOKEN),
            ),
            (
                "prefix",
                "http://h",
                filtered(AuthMode::Default, Transform::Prefix),
                took(&[Ok("abcdef")]),
                "http://h/v1/p%201%2Fx/software_deployments?server_id=abc",
                Some(TOKEN),
            ),
        ];
        for (name, base, case, captured, url, token) in table {
            let prepared = prepare(&case, &captured, &target(base, Some(TOKEN)), OTHER)
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(prepared.request.url.as_str(), url, "{name}");
            assert_eq!(token_of(&prepared).as_deref(), token, "{name}");
            assert_eq!(prepared.vars["project_id"], "p 1/x", "{name}");
        }
        // No token given: `auth: default` sends none.
        let prepared = prepare(
            &case(SD, &[], AuthMode::Default, &[]),
            &Vec::new(),
            &target("http://h", None),
            OTHER,
        );
        assert_eq!(prepared.map(|p| token_of(&p)), Ok(None));
        // Issue 10 item 12: `{other_project_id}` is the run's other project.
        let other = prepare(
            &case(
                "/v1/{other_project_id}/software_deployments",
                &[],
                AuthMode::Default,
                &[],
            ),
            &Vec::new(),
            &target("http://h", Some(TOKEN)),
            OTHER,
        );
        assert_eq!(
            other.map(|p| p.request.url.to_string()),
            Ok(format!("http://h/v1/{OTHER}/software_deployments"))
        );
    }

    /// A fresh project id is 32 hex digits, another each time, never the target's.
    #[test]
    fn fresh_project_ids_differ() {
        let a = fresh_project_id("p");
        let b = fresh_project_id("p");
        assert_ne!(a, b);
        assert!(
            a.len() == 32 && a.chars().all(|c| c.is_ascii_hexdigit()),
            "{a}"
        );
    }

    /// Issue 9: why a case sends nothing, in the order its captures come.
    #[test]
    fn a_request_that_cannot_be_prepared_says_why() {
        let nx = |s: &str| WhyNot::NotExercised(s.to_owned());
        let error = |s: &str| WhyNot::Error(s.to_owned());
        let one = |t| filtered(AuthMode::Default, t);
        let two = case(
            SD,
            &[],
            AuthMode::Default,
            &[("a", Transform::Identity), ("b", Transform::Identity)],
        );
        let table: [(&str, Case, Took, WhyNot); 9] = [
            (
                "the token, in any case",
                one(Transform::Identity),
                took(&[Ok("x-TOK+EN/5ECRET-y")]),
                nx(
                    "capture id: case list-all has the run's token at /software_deployments/0/server_id; it is neither sent back nor recorded",
                ),
            ),
            (
                "the token, before it is flipped",
                one(Transform::FlipCase),
                took(&[Ok(TOKEN)]),
                nx(
                    "capture id: case list-all has the run's token at /software_deployments/0/server_id; it is neither sent back nor recorded",
                ),
            ),
            (
                "nothing to flip",
                one(Transform::FlipCase),
                took(&[Ok("1234-5678")]),
                nx("capture id: \"1234-5678\" has no ASCII letter whose case could be flipped"),
            ),
            (
                "no proper prefix",
                one(Transform::Prefix),
                took(&[Ok("a")]),
                nx("capture id: \"a\" is too short to have a proper prefix"),
            ),
            (
                "the source's own reason",
                one(Transform::Identity),
                took(&[Err(error(
                    "capture id: case list-all failed: failed to reach the target",
                ))]),
                error("capture id: case list-all failed: failed to reach the target"),
            ),
            (
                "an earlier capture's refusal comes first",
                two.clone(),
                took(&[Ok(TOKEN), Err(error("b failed"))]),
                nx(
                    "capture a: case list-all has the run's token at /software_deployments/0/server_id; it is neither sent back nor recorded",
                ),
            ),
            (
                "a capture never read",
                two,
                took(&[Ok("x")]),
                error("capture b: nothing was read from case list-all"),
            ),
            (
                "an undefined variable in the query",
                case(SD, &[("server_id", "{nope}")], AuthMode::Default, &[]),
                Vec::new(),
                error("variable {nope} is not defined"),
            ),
            (
                "an undefined variable in the path",
                case(
                    "/v1/{tenant}/software_deployments",
                    &[],
                    AuthMode::Default,
                    &[],
                ),
                Vec::new(),
                error("variable {tenant} is not defined"),
            ),
        ];
        for (name, case, captured, want) in table {
            let got = prepare(&case, &captured, &target("http://h", Some(TOKEN)), OTHER);
            assert_eq!(got.map(|p| p.request.url.to_string()), Err(want), "{name}");
        }
        // A token shorter than a secret can be is not looked for (it would match everywhere).
        let short = prepare(
            &one(Transform::Identity),
            &took(&[Ok("xaby")]),
            &target("http://h", Some("ab")),
            OTHER,
        );
        assert!(short.is_ok(), "{short:?}");
    }

    #[test]
    fn transforms() {
        assert_eq!(
            transform("ec14c864-ABC", Transform::FlipCase),
            Ok("EC14C864-abc".to_owned())
        );
        assert!(transform("1234-5678", Transform::FlipCase).is_err());
        assert_eq!(transform("abcdef", Transform::Prefix), Ok("abc".to_owned()));
        assert_eq!(transform("ab", Transform::Prefix), Ok("a".to_owned()));
        assert!(transform("a", Transform::Prefix).is_err());
        assert_eq!(transform("éèêë", Transform::Prefix), Ok("éè".to_owned()));
    }
}
