//! Which inputs each target replays: `fuzz/corpus/TARGET` (what runs kept, minimised) and the
//! read-only seed directories `fuzz/targets.txt` names for it (the fixtures, and the named
//! regression inputs). `scripts/fuzz` reads the same file for its long runs.

use std::path::{Path, PathBuf};

/// A target: its name (as in `fuzz_targets/NAME.rs`) and its body.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "appsync_event",
        run: crate::appsync_event::run,
    },
    Target {
        name: "page_tokens",
        run: crate::page_tokens::run,
    },
    Target {
        name: "stream",
        run: crate::stream::run,
    },
    Target {
        name: "domain",
        run: crate::domain::run,
    },
    Target {
        name: "endpoint",
        run: crate::endpoint::run,
    },
    Target {
        name: "jwt_scalars",
        run: crate::jwt_scalars::run,
    },
];

const SEEDS: &str = include_str!("../targets.txt");

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every directory `target` reads inputs from: its corpus first, then its seed directories.
pub fn directories(target: &str) -> Vec<PathBuf> {
    let mut dirs = vec![root().join("fuzz/corpus").join(target)];
    for line in SEEDS.lines().filter(|l| !l.starts_with('#')) {
        let mut words = line.split_whitespace();
        if words.next() == Some(target) {
            dirs.extend(words.map(|d| root().join(d)));
        }
    }
    dirs
}

/// Every input file of `target`, in a stable order.
pub fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = directories(target)
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}
