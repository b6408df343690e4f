//! Every kept input of every fuzz target (its corpus, the fixtures it is seeded from, the
//! named regression inputs) through the target's body: what libFuzzer checks during a run,
//! as an ordinary test on stable Rust, so CI catches a regression without libFuzzer.

use std::panic::{catch_unwind, AssertUnwindSafe};

use fuzz_targets::seeds::{inputs, TARGETS};

#[test]
fn every_kept_input_still_holds_every_property() {
    let mut failures = Vec::new();
    for target in TARGETS {
        let files = inputs(target.name);
        assert!(!files.is_empty(), "{}: no inputs to replay", target.name);
        for file in &files {
            let data = std::fs::read(file).expect("readable input");
            if catch_unwind(AssertUnwindSafe(|| (target.run)(&data))).is_err() {
                failures.push(format!("{}: {}", target.name, file.display()));
            }
        }
        eprintln!("{}: {} inputs replayed", target.name, files.len());
    }
    assert!(
        failures.is_empty(),
        "inputs that break a property (the panic above says which):\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_target_has_its_libfuzzer_entry_point() {
    for target in TARGETS {
        let path =
            fuzz_targets::seeds::root().join(format!("fuzz/fuzz_targets/{}.rs", target.name));
        let text = std::fs::read_to_string(&path).expect("fuzz_targets/NAME.rs");
        assert!(
            text.contains(&format!("fuzz_targets::{}::run", target.name)),
            "{} does not call its body",
            path.display()
        );
    }
}

/// What is kept in the repository stays small: each input at most [`MAX_INPUT_BYTES`], each
/// target's corpus at most [`MAX_CORPUS_BYTES`] (`scripts/fuzz cmin TARGET` before committing
/// one; a crash is minimised with `tmin` before it becomes a named seed).
#[test]
fn kept_inputs_are_small() {
    const MAX_INPUT_BYTES: u64 = 64 * 1024;
    const MAX_CORPUS_BYTES: u64 = 1024 * 1024;
    for target in TARGETS {
        let mut corpus = 0;
        for (i, dir) in fuzz_targets::seeds::directories(target.name)
            .iter()
            .enumerate()
        {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let len = entry.metadata().expect("metadata").len();
                assert!(
                    len <= MAX_INPUT_BYTES,
                    "{}: {len} bytes",
                    entry.path().display()
                );
                // The first directory is the corpus; the others are seeds and fixtures.
                if i == 0 {
                    corpus += len;
                }
            }
        }
        assert!(
            corpus <= MAX_CORPUS_BYTES,
            "fuzz/corpus/{}: {corpus} bytes; minimise it (scripts/fuzz cmin {})",
            target.name,
            target.name
        );
    }
}
