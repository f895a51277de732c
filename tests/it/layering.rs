//! The crate's modules flow one way (issue 9): each module may use only the
//! modules to its left in the order written once, in `ARCHITECTURE.md`'s
//! `layers` block. This test reads every `crate::` path in `src/` (`use` lines,
//! grouped `use crate::{..}` lists and inline paths alike; comments and
//! `#[cfg(test)]` code exempt) and fails on an edge against that order,
//! naming the file and line, the way rust-analyzer's tidy tests turn the
//! project's conventions into failing tests.
//!
//! The same reading keeps the rooms small (issue 9): no function over
//! `MAX_FUNCTION_LINES` and no file over `MAX_FILE_LINES` lines of code, but
//! the data tables listed in `DATA_TABLES`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The order of `ARCHITECTURE.md`'s fenced block that starts with ```` ```layers ````.
fn layers() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    parse_layers(&text).unwrap_or_else(|| panic!("{}: no ```layers block", path.display()))
}

fn parse_layers(markdown: &str) -> Option<Vec<String>> {
    let start = markdown.find("```layers\n")? + "```layers\n".len();
    let end = start + markdown[start..].find("```")?;
    let names: Vec<String> = markdown[start..end]
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    (!names.is_empty()).then_some(names)
}

/// One use of a module by another, against the order.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}` uses `{}`, which stands to its right in ARCHITECTURE.md's layers",
            self.file, self.line, self.from, self.to
        )
    }
}

/// The top-level module a file of `src/` belongs to (`main` for the binary).
fn module_of(relative: &Path) -> String {
    let first = relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// Blanks comments, string and char literals (keeping line breaks), so that
/// only code is searched.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && raw_string_at(&chars, i) {
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            // chars[j] is the opening quote.
            out.extend(std::iter::repeat_n(' ', j - i + 1));
            i = j + 1;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    out.extend(std::iter::repeat_n(' ', hashes + 1));
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    out.push(blank(ch));
                }
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && char_literal_len(&chars, i).is_some() {
            let len = char_literal_len(&chars, i).unwrap_or(1);
            out.extend(std::iter::repeat_n(' ', len));
            i += len;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Whether `chars[i]` (an `r`) opens a raw string (`r"`, `r#"`) rather than ending an identifier.
fn raw_string_at(chars: &[char], i: usize) -> bool {
    let starts_token = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    starts_token && chars.get(j) == Some(&'"')
}

/// The length of a char literal at `chars[i]` (a `'`), or `None` for a lifetime.
fn char_literal_len(chars: &[char], i: usize) -> Option<usize> {
    match chars.get(i + 1)? {
        '\\' => {
            let close = (i + 2..chars.len().min(i + 14)).find(|&j| chars[j] == '\'')?;
            Some(close - i + 1)
        }
        _ => (chars.get(i + 2) == Some(&'\'')).then_some(3),
    }
}

/// Blanks every item that `#[cfg(test)]` guards (a `mod tests { .. }`, a
/// `use`, a function), and returns the names of `#[cfg(test)] mod name;`
/// files, which are test code too.
fn without_test_code(code: &str) -> (String, Vec<String>) {
    let mut out: Vec<char> = code.chars().collect();
    let mut test_files = Vec::new();
    let text: String = out.iter().collect();
    let mut search = 0;
    while let Some(found) = text[search..].find("#[cfg(test)]") {
        let at = search + found;
        let start = text[..at].chars().count();
        // The guarded item ends at its `;` or at the `}` matching its first `{`.
        let mut depth = 0usize;
        let mut end = start;
        let mut header = String::new();
        for (k, c) in out.iter().enumerate().skip(start + "#[cfg(test)]".len()) {
            end = k;
            if depth == 0 {
                header.push(*c);
            }
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                ';' if depth == 0 => break,
                _ => {}
            }
        }
        let words: Vec<&str> = header.split_whitespace().collect();
        if let Some(pos) = words.iter().position(|w| *w == "mod")
            && let Some(name) = words.get(pos + 1)
            && name.ends_with(';')
        {
            test_files.push(name.trim_end_matches(';').to_owned());
        }
        for c in out.iter_mut().take(end + 1).skip(start) {
            if *c != '\n' {
                *c = ' ';
            }
        }
        search = at + "#[cfg(test)]".len();
    }
    (out.into_iter().collect(), test_files)
}

/// Every module a file's code names through `crate::` (or `sdconform::` in
/// the binary), with the line it is named on.
fn references(code: &str, prefix: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut search = 0;
    while let Some(pos) = code[search..].find(prefix) {
        let at = search + pos;
        search = at + prefix.len();
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[search..];
        let line = code[..at].matches('\n').count() + 1;
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the names at depth one.
            let mut depth = 1;
            let mut word = String::new();
            let mut expecting = true;
            let mut offset = search + 1;
            for c in group.chars() {
                let ident = c.is_alphanumeric() || c == '_';
                if ident && depth == 1 && expecting {
                    word.push(c);
                } else if !word.is_empty() {
                    let l = code[..offset].matches('\n').count() + 1;
                    found.push((l, std::mem::take(&mut word)));
                    expecting = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => expecting = true,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                offset += c.len_utf8();
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((line, name));
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every file of `src/` but the test-only ones (`#[cfg(test)] mod name;`),
/// with its path below `src` and its code with comments, literals and
/// `#[cfg(test)]` items blanked (line breaks kept).
fn non_test_sources(src: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut sources = Vec::new();
    let mut test_files = BTreeSet::new();
    for path in &files {
        let relative = path.strip_prefix(src).unwrap_or(path).to_path_buf();
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let (code, tests) = without_test_code(&code_only(&text));
        let dir = relative.parent().map(Path::to_path_buf).unwrap_or_default();
        let here = if relative.file_name().is_some_and(|n| n == "mod.rs") {
            dir.clone()
        } else {
            dir.join(relative.file_stem().unwrap_or_default())
        };
        for name in tests {
            test_files.insert(dir.join(format!("{name}.rs")));
            test_files.insert(here.join(format!("{name}.rs")));
        }
        sources.push((relative, code));
    }
    sources.retain(|(relative, _)| !test_files.contains(relative));
    sources
}

/// Every edge of `src/` against `order`; the modules not placed in it.
fn check_tree(src: &Path, order: &[String]) -> (Vec<Violation>, BTreeSet<String>) {
    let rank = |m: &str| order.iter().position(|o| o == m);
    let mut violations = Vec::new();
    let mut unplaced = BTreeSet::new();
    for (relative, code) in non_test_sources(src) {
        let from = module_of(&relative);
        if from == "lib" {
            continue;
        }
        let prefix = if from == "main" {
            "sdconform::"
        } else {
            "crate::"
        };
        let Some(from_rank) = rank(&from) else {
            unplaced.insert(from);
            continue;
        };
        for (line, to) in references(&code, prefix) {
            match rank(&to) {
                None => {
                    unplaced.insert(to);
                }
                Some(to_rank) if to_rank > from_rank => violations.push(Violation {
                    file: format!("src/{}", relative.display()),
                    line,
                    from: from.clone(),
                    to,
                }),
                Some(_) => {}
            }
        }
    }
    (violations, unplaced)
}

#[test]
fn modules_use_only_modules_to_their_left() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let order = layers();
    let (violations, unplaced) = check_tree(&src, &order);
    let mut problems: Vec<String> = violations.iter().map(ToString::to_string).collect();
    problems.extend(
        unplaced
            .iter()
            .map(|m| format!("module `{m}` has no place in ARCHITECTURE.md's layers")),
    );
    assert!(
        problems.is_empty(),
        "the layering is broken:\n{}",
        problems.join("\n")
    );
}

/// Where `token` appears in the non-test code of modules other than `allowed`.
fn uses_outside(src: &Path, token: &str, allowed: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for path in files {
        let relative = path.strip_prefix(src).unwrap_or(&path).to_path_buf();
        if allowed.contains(&module_of(&relative).as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let (code, _) = without_test_code(&code_only(&text));
        for (n, line) in code.lines().enumerate() {
            if line.contains(token) {
                found.push(format!("src/{}:{}: {token}", relative.display(), n + 1));
            }
        }
    }
    found
}

/// ARCHITECTURE.md's invariants that a search can keep: only `app` and `main`
/// print or end the process, only `report` (and `bundle`, for the archive, the
/// key pair and what `verify` unpacks) writes files, only `http` (and the
/// reference server) opens sockets.
#[test]
fn printing_writing_and_the_network_stay_in_their_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rules: [(&str, &[&str]); 13] = [
        ("println!", &["app", "main"]),
        ("eprintln!", &["app", "main"]),
        ("print!(", &["app", "main"]),
        ("eprint!(", &["app", "main"]),
        ("process::exit", &[]),
        ("fs::write", &["report", "bundle"]),
        ("File::create", &["report", "bundle"]),
        (".persist(", &["report", "bundle"]),
        (".persist_noclobber(", &["report", "bundle"]),
        ("create_dir", &["report", "bundle"]),
        ("reqwest::Client", &["http"]),
        ("TcpListener", &["reference"]),
        ("TcpStream", &["http", "reference"]),
    ];
    let problems: Vec<String> = rules
        .iter()
        .flat_map(|(token, allowed)| uses_outside(&src, token, allowed))
        .collect();
    assert!(
        problems.is_empty(),
        "outside the module ARCHITECTURE.md gives it:\n{}",
        problems.join("\n")
    );
}

#[test]
fn an_upward_import_is_named_with_its_file_and_line() {
    // A throwaway tree: `model` (leftmost) reaches up to `report`, once in a
    // grouped `use`, once inline; test code and comments may.
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path();
    std::fs::create_dir_all(src.join("model")).expect("mkdir");
    std::fs::write(
        src.join("model/mod.rs"),
        "//! mentions crate::report in a comment\n\
         use crate::{\n    text,\n    report::model::RunReport,\n};\n\
         fn f() -> u8 { let _ = \"crate::app\"; crate::app::x() }\n\
         #[cfg(test)]\nmod tests {\n    use crate::report::X;\n}\n",
    )
    .expect("write");
    std::fs::write(src.join("report.rs"), "use crate::model::Finding;\n").expect("write");
    std::fs::write(src.join("text.rs"), "use crate::model::Finding;\n").expect("write");
    let order: Vec<String> = ["model", "text", "report", "app"]
        .map(str::to_owned)
        .to_vec();
    let (violations, unplaced) = check_tree(src, &order);
    let shown: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "src/model/mod.rs:3: `model` uses `text`, which stands to its right in ARCHITECTURE.md's layers",
            "src/model/mod.rs:4: `model` uses `report`, which stands to its right in ARCHITECTURE.md's layers",
            "src/model/mod.rs:6: `model` uses `app`, which stands to its right in ARCHITECTURE.md's layers",
        ]
    );
    assert!(unplaced.is_empty(), "{unplaced:?}");
    let (violations, _) = check_tree(src, &["text", "model", "report", "app"].map(str::to_owned));
    assert!(violations.iter().all(|v| v.to != "text"));
}

#[test]
fn a_module_missing_from_the_order_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.rs"), "use crate::b::X;\n").expect("write");
    let (_, unplaced) = check_tree(dir.path(), &["a".to_owned()]);
    assert_eq!(unplaced.into_iter().collect::<Vec<_>>(), ["b"]);
}

#[test]
fn the_layers_block_is_read_in_order() {
    let md = "text\n```layers\nmodel → exit\n  → app\n```\n";
    assert_eq!(
        parse_layers(md),
        Some(vec!["model".into(), "exit".into(), "app".into()])
    );
}

// Small rooms (issue 9): no function in `src/` over MAX_FUNCTION_LINES and no
// file over MAX_FILE_LINES, counting only lines that hold code (comments,
// blank lines and `#[cfg(test)]` code are free), except the data tables below.

/// The longest a function may be: lines from its `fn` to its closing brace that hold code.
const MAX_FUNCTION_LINES: usize = 80;

/// The longest a file may be: its lines that hold code, test code not counted.
const MAX_FILE_LINES: usize = 600;

/// Functions that are data tables, read as a list, one entry per thing: splitting
/// them would scatter the list, not make a smaller room.
const DATA_TABLES: &[(&str, &str)] = &[
    // One entry per named fuzz strategy.
    ("src/fuzz/strategy.rs", "catalogue"),
    // The reference target's deployments, one JSON object per item.
    ("src/reference/fixture.rs", "deployments"),
    // One arm per fault and exhaustive, so that a new fault must say what it does to
    // the served data (most: nothing).
    ("src/reference/fault.rs", "apply_to_deployments"),
];

/// Files exempt from both limits for now.
const LONG_FILES: &[&str] = &[
    // issue 11: the cloud resolution landed whole while its wiring is under way in
    // another branch; split once that lands (doctor::run, resolve::finish, yaml::on).
    "src/cloud/doctor.rs",
    "src/cloud/resolve.rs",
    "src/cloud/yaml.rs",
];

/// Every function with a body in `code` (blanked by [`code_only`]): its name, the
/// line of its `fn` and how many lines from there to its closing brace hold code.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut line_of = Vec::with_capacity(chars.len());
    let mut line = 1;
    for c in &chars {
        line_of.push(line);
        if *c == '\n' {
            line += 1;
        }
    }
    let lines: Vec<&str> = code.split('\n').collect();
    let mut found = Vec::new();
    for at in 0..chars.len() {
        let keyword = chars[at] == 'f'
            && chars.get(at + 1) == Some(&'n')
            && chars.get(at + 2).is_some_and(|c| c.is_whitespace())
            && (at == 0 || !ident(chars[at - 1]));
        if !keyword {
            continue;
        }
        let mut i = at + 2;
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        let name: String = chars[i..].iter().take_while(|c| ident(**c)).collect();
        if name.is_empty() {
            continue;
        }
        // The body opens at the first `{` outside the parameters' parentheses and
        // brackets; a `;` first means a declaration without one.
        let mut depth = 0usize;
        let mut open = None;
        for (k, c) in chars.iter().enumerate().skip(i + name.len()) {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                '{' if depth == 0 => {
                    open = Some(k);
                    break;
                }
                ';' if depth == 0 => break,
                _ => {}
            }
        }
        let Some(open) = open else {
            continue;
        };
        let mut braces = 0usize;
        let mut close = open;
        for (k, c) in chars.iter().enumerate().skip(open) {
            match c {
                '{' => braces += 1,
                '}' => {
                    braces -= 1;
                    if braces == 0 {
                        close = k;
                        break;
                    }
                }
                _ => {}
            }
        }
        let (first, last) = (line_of[at], line_of[close]);
        let long = lines[first - 1..last]
            .iter()
            .filter(|l| !l.trim().is_empty())
            .count();
        found.push((name, first, long));
    }
    found
}

/// What breaks the size limits in `src`, naming `file:line` and the function;
/// `data_tables` and `long_files` are exempt, and an exemption no longer needed
/// is reported too, so the lists only shrink.
fn oversized(src: &Path, data_tables: &[(&str, &str)], long_files: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut needed: BTreeSet<String> = BTreeSet::new();
    for (relative, code) in non_test_sources(src) {
        let file = format!("src/{}", relative.display());
        let exempt = long_files.contains(&file.as_str());
        let lines = code.lines().filter(|l| !l.trim().is_empty()).count();
        if lines > MAX_FILE_LINES {
            needed.insert(file.clone());
            if !exempt {
                problems.push(format!(
                    "{file}: {lines} lines of code (at most {MAX_FILE_LINES}, not counting comments and test code): split it into files named after what each holds"
                ));
            }
        }
        for (name, line, long) in functions(&code) {
            if long <= MAX_FUNCTION_LINES {
                continue;
            }
            let table = data_tables.contains(&(file.as_str(), name.as_str()));
            needed.insert(if table {
                format!("{file}::{name}")
            } else {
                file.clone()
            });
            if !table && !exempt {
                problems.push(format!(
                    "{file}:{line}: `{name}` is {long} lines of code (at most {MAX_FUNCTION_LINES}): split it into named steps, or list it in DATA_TABLES if it is one"
                ));
            }
        }
    }
    let listed = long_files
        .iter()
        .map(|f| (*f).to_owned())
        .chain(data_tables.iter().map(|(f, n)| format!("{f}::{n}")));
    for entry in listed {
        if !needed.contains(&entry) {
            problems.push(format!(
                "{entry}: within the limits now, so no longer exempt: remove it from the list"
            ));
        }
    }
    problems
}

#[test]
fn functions_and_files_stay_small() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = oversized(&src, DATA_TABLES, LONG_FILES);
    assert!(
        problems.is_empty(),
        "too large (issue 9, small rooms):\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_long_function_is_named_with_its_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path();
    let body = |n: usize| "    let _ = 1;\n".repeat(n);
    // `long` has 81 lines of code with its braces, `short` 80; comments, blank
    // lines, literals and test code do not count, a declaration has no body.
    let text = format!(
        "// fn in_a_comment() {{\n\
         trait T {{\n    fn declared(&self);\n}}\n\
         pub(crate) async fn long(x: [u8; 2]) -> u8 {{\n    // a comment\n\n{}    let _ = \"fn in_a_string() {{\";\n}}\n\
         fn short() {{\n{}}}\n\
         #[cfg(test)]\nmod tests {{\n    fn long_test() {{\n{}    }}\n}}\n",
        body(78),
        body(78),
        body(90),
    );
    std::fs::write(src.join("a.rs"), text).expect("write");
    assert_eq!(
        oversized(src, &[], &[]),
        [
            "src/a.rs:5: `long` is 81 lines of code (at most 80): split it into named steps, or list it in DATA_TABLES if it is one"
        ]
    );
    // A data table may be long; an exemption that is not needed is reported.
    assert_eq!(
        oversized(src, &[("src/a.rs", "long"), ("src/a.rs", "short")], &[]),
        ["src/a.rs::short: within the limits now, so no longer exempt: remove it from the list"]
    );
    // A file over the limit, unless listed.
    std::fs::write(
        src.join("b.rs"),
        format!("fn f() {{}}\n{}", "const X: u8 = 1;\n".repeat(600)),
    )
    .expect("write");
    assert_eq!(
        oversized(src, &[("src/a.rs", "long")], &[]),
        [
            "src/b.rs: 601 lines of code (at most 600, not counting comments and test code): split it into files named after what each holds"
        ]
    );
    assert!(oversized(src, &[("src/a.rs", "long")], &["src/b.rs"]).is_empty());
}
