//! Issue 5, bad input from the user: malformed or schema-invalid case files,
//! unknown check names, duplicate ids, missing files, schemas that do not
//! compile or have the wrong shape, bad URLs and TLS files. Each stops the run
//! with exit 2, `file:line:col` where there is a file, what is wrong, no
//! report, and nothing raw on the terminal.

use std::path::Path;

use crate::support::sdconform;

/// The shipped schemas, copied into `dir/schemas` for editing.
fn copy_schemas(dir: &Path) -> std::path::PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let to = dir.join("schemas");
    std::fs::create_dir_all(to.join("profiles")).expect("mkdir");
    for sub in ["", "profiles"] {
        for entry in std::fs::read_dir(from.join(sub))
            .expect("read schemas")
            .flatten()
        {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), to.join(sub).join(entry.file_name())).expect("copy");
            }
        }
    }
    to
}

/// Replaces the first `old` in `file` with `new`; the 1-based line it is on.
fn edit(file: &Path, old: &str, new: &str) -> usize {
    let text = std::fs::read_to_string(file).expect("read");
    let at = text
        .find(old)
        .unwrap_or_else(|| panic!("{old} not in {}", file.display()));
    std::fs::write(file, text.replacen(old, new, 1)).expect("write");
    text[..at].matches('\n').count() + 1
}

/// Runs `sdconform run ARGS` in `dir`: (exit code, stderr).
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut argv = vec!["run"];
    argv.extend_from_slice(args);
    let output = sdconform(&argv, dir);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stderr.chars().any(|c| c.is_control() && c != '\n'),
        "raw control character on stderr: {stderr:?}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.join("reports").exists(), "no report for bad input");
    (output.status.code(), stderr)
}

fn cases_dir(dir: &Path, files: &[(&str, &str)]) {
    let cases = dir.join("cases");
    std::fs::create_dir_all(&cases).expect("mkdir");
    for (name, text) in files {
        std::fs::write(cases.join(name), text).expect("write");
    }
}

/// Case files: (name, text).
type Files<'a> = Vec<(&'a str, &'a str)>;

const GOOD_CASE: &str = r#"{ "cases": [
  { "id": "x", "title": "t", "request": { "path": "/v1/{project_id}/software_deployments" },
    "expect": { "status": [200], "clause": "SD-CODE-200" } }
] }
"#;

#[test]
fn bad_case_files_exit_2_with_file_line_col_and_what_is_wrong_issue_5() {
    let unknown_clause = GOOD_CASE.replace("\"SD-CODE-200\"", "\"SD-CODE-299\"");
    let escape = GOOD_CASE.replace("\"title\": \"t\"", "\"title\": \"t\", \"\\u001b[2J\": 1");
    // (files, fragments the error must hold)
    let table: Vec<(Files<'_>, Vec<&str>)> = vec![
        (
            vec![(
                "syntax.json",
                "{ \"cases\": [\n  { \"id\": \"x\",\n    \"title\": }\n] }\n",
            )],
            vec!["syntax.json:3:14: invalid JSON"],
        ),
        (
            vec![(
                "check.json",
                "{ \"cases\": [\n  { \"id\": \"x\", \"title\": \"t\",\n    \"request\": { \"path\": \"/v1/{project_id}/software_deployments\" },\n    \"expect\": { \"status\": [200], \"clause\": \"SD-CODE-200\" },\n    \"checks\": [ { \"check\": \"no_such_check\" } ] }\n] }\n",
            )],
            vec![
                "check.json:5:",
                "/cases/0/checks/0/check",
                "unknown variant `no_such_check`",
            ],
        ),
        (
            vec![("a.json", GOOD_CASE), ("b.json", GOOD_CASE)],
            vec![
                "b.json:2:3: duplicate case id `x` (first defined at ",
                "a.json:2:3)",
            ],
        ),
        (
            vec![("clause.json", &unknown_clause)],
            vec!["clause.json:2:3: unknown clause `SD-CODE-299`"],
        ),
        (
            vec![("escape.json", &escape)],
            vec!["escape.json:2:", "unknown field `\\u{1b}[2J`"],
        ),
        (
            vec![("empty.json", "")],
            vec!["empty.json:1:1: invalid JSON"],
        ),
    ];
    for (files, fragments) in table {
        let dir = tempfile::tempdir().expect("tempdir");
        cases_dir(dir.path(), &files);
        let (code, stderr) = run(dir.path(), &["--cases", "cases"]);
        assert_eq!(code, Some(2), "{files:?}: {stderr}");
        for fragment in fragments {
            assert!(
                stderr.contains(fragment),
                "{files:?}: {fragment:?} not in {stderr}"
            );
        }
    }
}

#[test]
fn missing_files_bad_urls_and_bad_flags_exit_2_issue_5() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("garbage.pem"), "not a certificate\n").expect("write");
    let table: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--cases", "no-such-dir"], "could not read no-such-dir"),
        (vec!["--schemas", "no-such-dir"], "no-such-dir"),
        (
            vec!["--target", "http//missing-colon", "--project-id", "p"],
            "is not a URL",
        ),
        (
            vec!["--target", "file:///etc/passwd", "--project-id", "p"],
            "http or https",
        ),
        (
            vec!["--cacert", "no-such.pem"],
            "--cacert no-such.pem: could not read the file",
        ),
        (
            vec!["--cacert", "garbage.pem"],
            "--cacert garbage.pem: no PEM certificate found",
        ),
        (vec!["--client-cert", "garbage.pem"], "--client-key"),
        (
            vec![
                "--client-cert",
                "garbage.pem",
                "--client-key",
                "garbage.pem",
            ],
            "--client-cert garbage.pem: no PEM certificate found",
        ),
        (vec!["--run-timeout", "0"], "--run-timeout"),
        (vec!["--run-timeout", "inf"], "--run-timeout"),
    ];
    for (args, fragment) in table {
        let (code, stderr) = run(dir.path(), &args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(fragment),
            "{args:?}: {fragment:?} not in {stderr}"
        );
    }
}

#[test]
fn bad_schema_files_exit_2_at_the_real_line_and_column_issue_5() {
    // A schema that does not compile: the position of the offending value.
    let dir = tempfile::tempdir().expect("tempdir");
    let schemas = copy_schemas(dir.path());
    let line = edit(
        &schemas.join("case.schema.json"),
        r#""pattern": "^[a-z0-9][a-z0-9-]*$""#,
        r#""pattern": 42"#,
    );
    let (code, stderr) = run(dir.path(), &["--schemas", "schemas"]);
    assert_eq!(code, Some(2), "{stderr}");
    let want = format!("case.schema.json:{line}:");
    assert!(stderr.contains(&want), "{want} not in {stderr}");
    assert!(stderr.contains("schema does not compile"), "{stderr}");

    // A clause file of the wrong shape: the clause at fault, not 1:1.
    let dir = tempfile::tempdir().expect("tempdir");
    let schemas = copy_schemas(dir.path());
    let line = edit(
        &schemas.join("clauses.json"),
        r#"{ "id": "SD-RESP-5", "text":"#,
        r#"{ "id": "SD-RESP-5", "txet":"#,
    );
    let (code, stderr) = run(dir.path(), &["--schemas", "schemas"]);
    assert_eq!(code, Some(2), "{stderr}");
    let want = format!("clauses.json:{line}:");
    assert!(stderr.contains(&want), "{want} not in {stderr}");
    assert!(stderr.contains("/clauses/7"), "{stderr}");
    assert!(stderr.contains("txet"), "{stderr}");

    // A profile with a field of the wrong type.
    let dir = tempfile::tempdir().expect("tempdir");
    let schemas = copy_schemas(dir.path());
    let profile = schemas.join("profiles").join("lenient.json");
    let text = std::fs::read_to_string(&profile).expect("read");
    let line = edit(&profile, r#""description":"#, r#""description": 7, "was":"#);
    assert!(text.contains("\"description\""));
    let (code, stderr) = run(dir.path(), &["--schemas", "schemas"]);
    assert_eq!(code, Some(2), "{stderr}");
    let want = format!("lenient.json:{line}:");
    assert!(stderr.contains(&want), "{want} not in {stderr}");
    assert!(stderr.contains("/description"), "{stderr}");
}
