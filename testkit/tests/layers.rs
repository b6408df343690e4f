//! Layers import downward only: within every crate of the workspace, no two sibling modules
//! reach each other, directly or round a longer loop. ARCHITECTURE.md draws each crate as a
//! stack of layers; this keeps the drawing true as code moves.
//!
//! A file's paths are read with `syn` (`use` trees and every `crate::`/`super::`/`self::` path
//! in items, types and expressions). A path names the deepest module the crate has along it;
//! an edge joins the two modules' children of their nearest common ancestor, so a parent using
//! its own child (or a child its parent) is not an edge. Test-only items (`#[cfg(test)]`) are
//! left out: a unit test may reach across layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

type ModPath = Vec<String>;

/// A sibling edge: under `parent`, module `from` uses module `to`, seen in `file`.
#[derive(Debug, Clone)]
struct Edge {
    parent: ModPath,
    from: String,
    to: String,
    file: PathBuf,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit sits in the workspace")
        .to_path_buf()
}

/// The crates' `src/` folders, from the workspace's member list.
fn crate_sources(root: &Path) -> Vec<PathBuf> {
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .expect("Cargo.toml is TOML");
    manifest["workspace"]["members"]
        .as_array()
        .expect("a members list")
        .iter()
        .filter_map(|m| m.as_str())
        .map(|m| root.join(m).join("src"))
        .filter(|p| p.is_dir())
        .collect()
}

/// Every `.rs` file of a crate's library/binary tree with its module path; `src/bin/*` are
/// crate roots of their own and `src/main.rs` is the binary's root.
fn modules(src: &Path) -> BTreeMap<PathBuf, ModPath> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(src).unwrap();
            if rel.starts_with("bin") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let mut parts: ModPath = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            out.insert(path, parts);
        }
    }
    out
}

/// Collects the module-qualified paths a file uses, resolved against the file's module.
struct Uses<'a> {
    here: &'a [String],
    found: Vec<ModPath>,
}

impl Uses<'_> {
    fn resolve(&self, segments: &[String]) -> Option<ModPath> {
        let (first, rest) = segments.split_first()?;
        match first.as_str() {
            "crate" => Some(rest.to_vec()),
            "self" => Some([self.here, rest].concat()),
            "super" => {
                let mut base = self.here.to_vec();
                base.pop()?;
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                Some([base.as_slice(), rest].concat())
            }
            _ => None,
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.record(prefix);
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                self.record(prefix);
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.record(prefix),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    fn record(&mut self, segments: &[String]) {
        if let Some(p) = self.resolve(segments) {
            self.found.push(p);
        }
    }
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.record(&segments);
        syn::visit::visit_path(self, path);
    }
}

/// The longest prefix of `path` that is a module of the crate.
fn module_of(path: &[String], known: &BTreeSet<ModPath>) -> ModPath {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| known.contains(p))
        .unwrap_or_default()
}

fn edges(src: &Path) -> Vec<Edge> {
    let files = modules(src);
    let known: BTreeSet<ModPath> = files.values().cloned().collect();
    let mut out = Vec::new();
    for (file, here) in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let parsed = syn::parse_file(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
        let mut uses = Uses {
            here,
            found: Vec::new(),
        };
        uses.visit_file(&parsed);
        for target in uses.found {
            let target = module_of(&target, &known);
            let common = here.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common == here.len() || common == target.len() {
                continue; // one is the other's ancestor
            }
            out.push(Edge {
                parent: here[..common].to_vec(),
                from: here[common].clone(),
                to: target[common].clone(),
                file: file.clone(),
            });
        }
    }
    out
}

/// Sibling loops: for each parent, the groups of children that reach each other.
fn loops(edges: &[Edge]) -> Vec<(ModPath, BTreeSet<String>)> {
    let mut by_parent: BTreeMap<&ModPath, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    for e in edges {
        by_parent
            .entry(&e.parent)
            .or_default()
            .entry(&e.from)
            .or_default()
            .insert(&e.to);
    }
    let mut out = Vec::new();
    for (parent, graph) in by_parent {
        let reach = |start: &str| {
            let mut seen = BTreeSet::new();
            let mut todo = vec![start];
            while let Some(n) = todo.pop() {
                for &next in graph.get(n).into_iter().flatten() {
                    if seen.insert(next) {
                        todo.push(next);
                    }
                }
            }
            seen
        };
        let mut grouped = BTreeSet::new();
        for &node in graph.keys() {
            if grouped.contains(node) || !reach(node).contains(node) {
                continue;
            }
            let group: BTreeSet<String> = reach(node)
                .into_iter()
                .filter(|other| reach(other).contains(node))
                .map(str::to_string)
                .collect();
            grouped.extend(group.iter().cloned());
            out.push((parent.clone(), group));
        }
    }
    out
}

#[test]
fn no_two_modules_of_a_crate_import_each_other() {
    let root = workspace_root();
    let sources = crate_sources(&root);
    assert!(
        sources.len() >= 5,
        "the workspace's crates are found: {sources:?}"
    );
    let mut report = Vec::new();
    let mut edges_seen = 0;
    for src in &sources {
        let edges = edges(src);
        edges_seen += edges.len();
        for (parent, group) in loops(&edges) {
            let seen: Vec<String> = edges
                .iter()
                .filter(|e| e.parent == parent && group.contains(&e.from) && group.contains(&e.to))
                .map(|e| format!("{} -> {} ({})", e.from, e.to, e.file.display()))
                .collect();
            report.push(format!(
                "{} under `{}`: {}",
                src.display(),
                parent.join("::"),
                seen.join("; ")
            ));
        }
    }
    // The reader must see the crates' layering at all, or the test proves nothing.
    assert!(
        edges_seen > 100,
        "only {edges_seen} imports between modules were read"
    );
    assert!(
        report.is_empty(),
        "modules that import each other:\n{}",
        report.join("\n")
    );
}

#[test]
fn a_loop_between_siblings_is_found_and_a_parent_child_use_is_not() {
    let edge = |parent: &[&str], from: &str, to: &str| Edge {
        parent: parent.iter().map(|s| s.to_string()).collect(),
        from: from.into(),
        to: to.into(),
        file: PathBuf::from("x.rs"),
    };
    let found = loops(&[
        edge(&[], "a", "b"),
        edge(&[], "b", "c"),
        edge(&[], "c", "a"),
        edge(&[], "c", "d"),
        edge(&["a"], "x", "y"),
    ]);
    assert_eq!(
        found,
        vec![(
            Vec::new(),
            ["a", "b", "c"].map(String::from).into_iter().collect()
        )]
    );

    let known: BTreeSet<ModPath> = [vec![], vec!["a".to_string()], vec!["a".into(), "b".into()]]
        .into_iter()
        .collect();
    let path = |s: &str| s.split("::").map(String::from).collect::<ModPath>();
    assert_eq!(module_of(&path("a::b::Thing::new"), &known), path("a::b"));
    assert_eq!(module_of(&path("a::Other"), &known), path("a"));

    let here = path("a::b");
    let uses = Uses {
        here: &here,
        found: Vec::new(),
    };
    assert_eq!(uses.resolve(&path("super::c::D")), Some(path("a::c::D")));
    assert_eq!(uses.resolve(&path("super::super::e")), Some(path("e")));
    assert_eq!(uses.resolve(&path("self::f")), Some(path("a::b::f")));
    assert_eq!(uses.resolve(&path("std::fmt")), None);
}
