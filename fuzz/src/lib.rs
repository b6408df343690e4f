//! The fuzz targets' bodies, one module per target, each a plain `run(&[u8])` that panics
//! when a property fails. `fuzz_targets/` hands them to libFuzzer (`scripts/fuzz`, nightly
//! flags on the stable toolchain); `tests/replay.rs` runs every kept input through them as an
//! ordinary test, so `./scripts/test` catches a regression without libFuzzer.
//!
//! Each target states its properties in its module's comment. Common to all: no panic, no
//! hang, and every refusal a clean error: an `errorType` and a message that says what was
//! wrong without internals ([`assert_clean_message`]).

pub mod appsync_event;
pub mod domain;
pub mod endpoint;
pub mod jwt_scalars;
pub mod page_tokens;
pub mod pool;
pub mod seeds;
pub mod stream;

/// Text a caller must never see in an error message: Rust paths, source locations, panics,
/// the store's own words.
const INTERNALS: &[&str] = &[
    "::",
    ".rs:",
    "panicked",
    "backtrace",
    "dynamodb",
    "DynamoDB",
    "TransactWriteItems",
];

/// A refusal's message: non-empty, and free of [`INTERNALS`] unless the caller's own input
/// (which messages may quote, to say what was wrong) holds the same words.
pub fn assert_clean_message(context: &str, message: &str, input: &str) {
    assert!(
        !message.trim().is_empty(),
        "{context}: an error without a message"
    );
    for word in INTERNALS {
        assert!(
            !message.contains(word) || input.contains(word),
            "{context}: the message leaks internals ({word:?}): {message}"
        );
    }
}

/// The input as text, when it is UTF-8 (what every JSON-speaking target reads).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
