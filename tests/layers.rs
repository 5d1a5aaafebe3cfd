//! The crate's top-level modules form layers, each importing only layers
//! below it: the one-line architecture in `docs/architecture.md`, checked.
//!
//! Reads `src/**/*.rs`, collects every `crate::<module>` path outside test
//! code (`#[cfg(test)]` items and the files they declare), and fails naming
//! the edge that closes a cycle or points upwards. It reads text only, so it
//! needs no build of the application.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Bottom first. A module may import modules of lower layers only; modules of
/// one layer are siblings and do not import each other.
const LAYERS: &[&[&str]] = &[
    &["domain"],
    &["brand", "markup", "metrics"],
    &["solana", "analysis", "card"],
    &["storage", "testing"],
    &["config"],
    &["email"],
    &["service"],
    &["jobs", "ui"],
    &["server"],
    &["cli"],
];

/// `from -> {to}` over top-level modules.
type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn the_top_level_modules_import_only_layers_below_them() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo")).join("src");
    let graph = graph_of(&read_sources(&root));
    let problems = problems(&graph);
    assert!(problems.is_empty(), "{}\nmodule graph:\n{}", problems.join("\n"), render(&graph));
    println!("{}", render(&graph));
}

#[test]
fn a_cycle_is_reported_with_the_edges_that_close_it() {
    let graph = graph_of(&[
        ("jobs/worker.rs".into(), "use crate::service::state::AppState;".into()),
        ("service/state.rs".into(), "pub accepted: crate::jobs::accepted::Accepted,".into()),
    ]);
    let problems = problems(&graph);
    assert!(problems.iter().any(|p| p.contains("cycle: jobs -> service -> jobs")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("service -> jobs")), "{problems:?}");
}

#[test]
fn an_upward_import_is_reported_even_without_a_cycle() {
    let graph = graph_of(&[("email/mailer.rs".into(), "use crate::server::settings::Settings;".into())]);
    assert_eq!(problems(&graph), ["email -> server points upwards (email is in layer 5, server in layer 8)"]);
}

#[test]
fn imports_in_test_code_comments_and_strings_are_not_edges() {
    let source = r#"
//! See [`crate::server::api`].
use crate::domain::WalletAddress;
const PATH: &str = "crate::server";
#[cfg(test)]
mod tests {
    use crate::server::startup;
    fn braces() -> &'static str { "}{" }
}
#[cfg(test)]
mod testkit;
"#;
    let graph = graph_of(&[
        ("storage/mod.rs".into(), source.into()),
        ("storage/testkit.rs".into(), "use crate::server::http;".into()),
        ("storage/tests/queue.rs".into(), "use crate::cli;".into()),
    ]);
    assert_eq!(render(&graph), "storage -> domain\n");
}

#[test]
fn a_module_missing_from_the_layers_is_reported() {
    let graph = graph_of(&[("plugins/mod.rs".into(), "use crate::domain::JobId;".into())]);
    assert_eq!(problems(&graph), ["plugins is in no layer: add it to LAYERS in tests/layers.rs"]);
}

/// Every `.rs` file under `root`, as (path relative to `root`, text).
fn read_sources(root: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under src").to_string_lossy().replace('\\', "/");
                files.push((rel, std::fs::read_to_string(&path).expect("read source")));
            }
        }
    }
    files.sort();
    files
}

fn graph_of(files: &[(String, String)]) -> Graph {
    let test_only = test_only_files(files);
    let mut graph = Graph::new();
    for (path, text) in files {
        let top = top_module(path);
        if top == "main" || top == "lib" || test_only.contains(path) || is_test_path(path) {
            continue;
        }
        let code = without_test_items(&code_only(text));
        graph.entry(top.clone()).or_default();
        for target in crate_paths(&code) {
            if target != top {
                graph.get_mut(&top).expect("inserted").insert(target);
            }
        }
    }
    graph
}

fn top_module(path: &str) -> String {
    let first = path.split('/').next().unwrap_or(path);
    first.strip_suffix(".rs").unwrap_or(first).to_string()
}

/// Test directories and files by convention (`tests/`, `tests.rs`).
fn is_test_path(path: &str) -> bool {
    path.split('/').any(|part| part == "tests" || part == "tests.rs")
}

/// Files declared by `#[cfg(test)] mod name;`.
fn test_only_files(files: &[(String, String)]) -> BTreeSet<String> {
    let mut test_only = BTreeSet::new();
    for (path, text) in files {
        let code = code_only(text);
        let dir = match path.rsplit_once('/') {
            Some((dir, "mod.rs")) => format!("{dir}/"),
            Some((dir, file)) => format!("{dir}/{}/", file.trim_end_matches(".rs")),
            None if path == "lib.rs" || path == "main.rs" => String::new(),
            None => format!("{}/", path.trim_end_matches(".rs")),
        };
        let mut rest = code.as_str();
        while let Some(at) = rest.find("#[cfg(test)]") {
            rest = &rest[at + "#[cfg(test)]".len()..];
            let item = rest.trim_start();
            let item = item.strip_prefix("pub ").unwrap_or(item);
            if let Some(decl) = item.strip_prefix("mod ")
                && let Some((name, _)) = decl.split_once(';')
                && !name.contains('{')
            {
                let name = name.trim();
                test_only.insert(format!("{dir}{name}.rs"));
                test_only.insert(format!("{dir}{name}/mod.rs"));
            }
        }
    }
    test_only
}

/// The text with comments and the contents of string and char literals
/// blanked, so only code is left to read.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !is_ident(chars.get(i.wrapping_sub(1)))
        {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let close = if next == Some('\\') {
                (i + 2..chars.len().min(i + 12)).find(|&k| chars[k] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(end) => {
                    out.push_str("' '");
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// The code without `#[cfg(test)]` items (a `mod tests { … }`, a test-only
/// function or `use`). Expects [`code_only`] text, so braces balance.
fn without_test_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its first `;` outside braces, or where its
        // first brace block closes.
        let mut depth = 0usize;
        let mut end = item.len();
        for (k, c) in item.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The top-level modules named by `crate::x` and `crate::{x, y::z}` paths.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names in the group: those at brace depth zero.
            let mut depth = 0usize;
            let mut name = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_start = true,
                    c if depth == 0 && at_start && (c.is_alphanumeric() || c == '_') => name.push(c),
                    c if depth == 0 && at_start && !c.is_whitespace() => {
                        if !name.is_empty() {
                            found.insert(std::mem::take(&mut name));
                        }
                        at_start = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                found.insert(name);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && name != "self" {
                found.insert(name);
            }
        }
    }
    found
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Every cycle (as its path) and every import that points sideways or up.
fn problems(graph: &Graph) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(cycle) = find_cycle(graph) {
        problems.push(format!("cycle: {}", cycle.join(" -> ")));
    }
    for (from, targets) in graph {
        let Some(from_layer) = layer_of(from) else {
            problems.push(format!("{from} is in no layer: add it to LAYERS in tests/layers.rs"));
            continue;
        };
        for to in targets {
            match layer_of(to) {
                Some(to_layer) if to_layer < from_layer => {}
                Some(to_layer) => problems.push(format!(
                    "{from} -> {to} points {} ({from} is in layer {from_layer}, {to} in layer {to_layer})",
                    if to_layer == from_layer { "sideways" } else { "upwards" }
                )),
                None => problems.push(format!("{from} -> {to}: {to} is in no layer")),
            }
        }
    }
    problems
}

/// The first cycle found by depth-first search, as `a -> b -> … -> a`.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit<'g>(
        node: &'g str,
        graph: &'g Graph,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[start..].iter().map(|n| n.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn render(graph: &Graph) -> String {
    let mut out = String::new();
    for (from, targets) in graph.iter().filter(|(_, t)| !t.is_empty()) {
        let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
        let _ = writeln!(out, "{from} -> {}", targets.join(", "));
    }
    out
}
