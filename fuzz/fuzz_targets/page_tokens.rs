#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::page_tokens::run(data));
