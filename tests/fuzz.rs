//! A short, fixed-seed pass of the fuzzer (`src/fuzz.rs`): statements from the
//! grammar and mutations of the golden scripts, none of which may panic or
//! hang. The long run is `cargo run --release --bin sockplay-fuzz`.

use sockplay::fuzz::{Fuzzer, Rng, corpus, mutate, statement};

#[test]
fn a_fixed_seed_pass_finds_no_panic_and_no_hang() {
    let scripts = [
        include_str!("scripts/misuse.sp"),
        include_str!("scripts/bigints.sp"),
        include_str!("scripts/limits.sp"),
        include_str!("scripts/edges.sp"),
        include_str!("scripts/bytes-repr.sp"),
        include_str!("scripts/blocks.sp"),
    ];
    let corpus = corpus(&scripts);
    assert!(
        corpus.len() > 100,
        "the corpus has the golden scripts' steps"
    );
    let mut rng = Rng::new(42);
    let mut fuzzer = Fuzzer::new();
    let mut findings = Vec::new();
    for _ in 0..3000 {
        let line = if rng.below(2) == 0 {
            statement(&mut rng)
        } else {
            mutate(&mut rng, &corpus)
        };
        if let Some(f) = fuzzer.run(&line) {
            findings.push(format!("{f:?}: {line:?}"));
        }
    }
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
