//! `{name}` templates in case files: request paths, query values, check parameters.
//!
//! `/v1/{project_id}/software_deployments` with `project_id = abc` renders as
//! `/v1/abc/software_deployments`. A `{` without a closing `}` is literal text.

use std::collections::BTreeMap;

/// Variable names a template uses, in order of appearance.
pub fn variables(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                names.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    names
}

/// Renders `template`, or names the first variable `vars` lacks.
pub fn render(template: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        let value = vars.get(name).ok_or_else(|| name.to_owned())?;
        out.push_str(&rest[..open]);
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_reports_missing_variables() {
        let vars = BTreeMap::from([
            ("project_id".to_owned(), "p1".to_owned()),
            ("x".to_owned(), "{y}".to_owned()),
        ]);
        assert_eq!(
            render("/v1/{project_id}/sd", &vars),
            Ok("/v1/p1/sd".to_owned())
        );
        // Values are not re-expanded.
        assert_eq!(render("{x}", &vars), Ok("{y}".to_owned()));
        assert_eq!(render("{nope}", &vars), Err("nope".to_owned()));
        assert_eq!(render("a{b", &vars), Ok("a{b".to_owned()));
        assert_eq!(variables("/{a}/{b}?{"), vec!["a", "b"]);
    }
}
