//! The crate's modules import one way, down the pipeline: inventory ← estimate ← rules ← audit ←
//! output/report/drift ← cli, and collection → inventory only. A module that reaches up a layer
//! (or two modules of one layer that import each other) fails here, naming the file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom layer up. A module may use the modules of the layers below
/// its own, and those of its own layer as long as no cycle forms.
const LAYERS: &[&[&str]] = &[
    &["error", "time", "input", "parse", "duration", "regions"],
    &["inventory"],
    &["collection", "findings", "baseline"],
    &["waivers"],
    &["estimate"],
    // Settings by section: the estimate's own section (targets, constants, declared automation)
    // is the estimate's type, so settings sit above it and below the rules that read them all.
    &["settings"],
    &["rules"],
    &["audit"],
    &["output", "report", "drift", "organization"],
    &["config", "cli"],
];

/// Modules beside the pipeline, and the only modules that may use them: the audit never calls
/// AWS; the CLI runs the collection and the config file carries its `[collection]` section.
const SIDE: &[(&str, &[&str])] = &[("collection", &["cli", "config"])];

/// Known upward imports that other work removes; each entry says which (none today).
const PENDING: &[(&str, &str, &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/rules/dns/x.rs` → `rules`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The top-level modules a source text names through `crate::` paths, outside comments:
/// `crate::estimate::…`, `$crate::rules::…` and `use crate::{inventory, rules::{x, y}}`.
fn imports(text: &str) -> BTreeSet<String> {
    let code: String =
        text.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let ident = |s: &str| -> String {
        s.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
    };
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let part_of_a_name = rest[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        rest = &rest[at + "crate::".len()..];
        if part_of_a_name {
            continue;
        }
        let Some(group) = rest.strip_prefix('{') else {
            found.insert(ident(rest));
            continue;
        };
        // The first name of each top-level item of the group.
        let (mut depth, mut item_start) = (0usize, true);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => item_start = true,
                c if item_start && !c.is_whitespace() => {
                    found.insert(ident(&group[i..]));
                    item_start = false;
                }
                _ => {}
            }
        }
    }
    found.remove("");
    found
}

/// Module → modules it imports, with one file per edge to name in a failure.
fn import_graph() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut graph: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else { continue };
        let text = std::fs::read_to_string(&file).expect("readable source file");
        let edges = graph.entry(module.clone()).or_default();
        for target in imports(&text) {
            if target != module {
                edges.entry(target).or_insert_with(|| file.clone());
            }
        }
    }
    graph
}

fn pending(from: &str, to: &str) -> bool {
    PENDING.iter().any(|(f, t, _)| *f == from && *t == to)
}

#[test]
fn every_module_has_a_layer() {
    let graph = import_graph();
    let unplaced: Vec<&String> = graph.keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(unplaced.is_empty(), "modules without a layer in tests/it/layers.rs: {unplaced:?}");
}

#[test]
fn imports_point_down_the_pipeline() {
    let graph = import_graph();
    let mut violations = Vec::new();
    for (from, edges) in &graph {
        let Some(from_layer) = layer_of(from) else { continue };
        for (to, file) in edges {
            let Some(to_layer) = layer_of(to) else { continue };
            if to_layer > from_layer && !pending(from, to) {
                violations.push(format!(
                    "{from} (layer {from_layer}) imports {to} (layer {to_layer}) in {}",
                    file.display()
                ));
            }
            if let Some((_, users)) = SIDE.iter().find(|(side, _)| side == to)
                && !users.contains(&from.as_str())
            {
                violations.push(format!(
                    "{from} imports {to}, which only {users:?} may use, in {}",
                    file.display()
                ));
            }
        }
    }
    assert!(violations.is_empty(), "\n{}", violations.join("\n"));
}

#[test]
fn no_two_modules_import_each_other() {
    let graph = import_graph();
    let adjacency: BTreeMap<&str, Vec<&str>> = graph
        .iter()
        .map(|(from, edges)| {
            let to = edges.keys().map(String::as_str).filter(|to| !pending(from, to)).collect();
            (from.as_str(), to)
        })
        .collect();
    // Depth-first search for a back edge; the stack down to it is the cycle.
    fn visit<'g>(
        module: &'g str,
        adjacency: &BTreeMap<&'g str, Vec<&'g str>>,
        stack: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<Vec<&'g str>> {
        if let Some(start) = stack.iter().position(|m| *m == module) {
            let mut cycle = stack[start..].to_vec();
            cycle.push(module);
            return Some(cycle);
        }
        if !done.insert(module) {
            return None;
        }
        stack.push(module);
        for next in adjacency.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, adjacency, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in adjacency.keys() {
        let cycle = visit(module, &adjacency, &mut Vec::new(), &mut done);
        assert!(cycle.is_none(), "import cycle: {}", cycle.unwrap_or_default().join(" → "));
    }
}

#[test]
fn the_scanner_sees_every_import_form() {
    let text = "use crate::inventory::Known;\nuse crate::{\n    estimate,\n    rules::{Rule, resource},\n};\n// crate::cli in a comment\n$crate::findings::Severity";
    let found: Vec<String> = imports(text).into_iter().collect();
    assert_eq!(found, ["estimate", "findings", "inventory", "rules"]);
}
