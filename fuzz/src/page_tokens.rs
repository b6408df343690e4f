//! `page_tokens`: `nextToken`s (`resolvers::paging::TokenKey`), sealed over where a query
//! stopped and bound to the query and the caller.
//!
//! The input is `context \0 token \0 key-material`. Properties:
//! - an arbitrary token opens only if it is exactly what `seal` makes for what it opens to
//!   (a forged, garbled or borrowed token is refused as BadRequest with a clean message,
//!   never a panic, and no two strings open to the same page);
//! - a page key built from the input is sealed and opens back to itself for its own query,
//!   and is refused for another query, under another secret, and with any one character of
//!   the token changed.

use resolvers::paging::{PageKey, TokenKey};

use crate::assert_clean_message;

const SECRET: &str = "fuzz-page-token-secret-0123456789abcdef";
const OTHER_SECRET: &str = "another-page-token-secret-0123456789abcd";

fn refused(key: &TokenKey, context: &str, token: &str, why: &str) {
    match key.open(context, token) {
        Ok(page) => panic!("{why}: {token:?} opened for {context:?} as {page:?}"),
        Err(e) => {
            assert_eq!(e.error_type(), "BadRequest", "{why}: {e}");
            assert_clean_message(why, &e.to_string(), token);
        }
    }
}

pub fn run(data: &[u8]) {
    let key = TokenKey::new(SECRET).expect("a long secret");
    let mut parts = data.splitn(3, |b| *b == 0);
    let context = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let token = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let material = parts.next().unwrap_or_default();

    // Whatever the token, opening it is safe, and only a canonical sealed token opens.
    match key.open(&context, &token) {
        Ok(page) => assert_eq!(
            key.seal(&context, &page).expect("an opened page seals"),
            token,
            "a token that opens is the one seal makes for its page"
        ),
        Err(e) => {
            assert_eq!(e.error_type(), "BadRequest", "{e}");
            assert_clean_message("open", &e.to_string(), &token);
        }
    }
    assert_eq!(key.open_opt(&context, Some("")).expect("empty"), None);

    // A page of our own, from the rest of the input: alternate names and values.
    let mut page = PageKey::new();
    let mut fields = material.split(|b| *b == 0xff);
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        page.insert(
            String::from_utf8_lossy(name).into_owned(),
            String::from_utf8_lossy(value).into_owned(),
        );
    }
    let sealed = key.seal(&context, &page).expect("any page seals");
    assert_eq!(key.open(&context, &sealed).expect("opens"), page);
    assert!(
        sealed.is_ascii() && !sealed.contains(['+', '/', '=']),
        "URL-safe: {sealed}"
    );
    refused(&key, &format!("{context}|other"), &sealed, "another query");
    let other = TokenKey::new(OTHER_SECRET).expect("a long secret");
    refused(&other, &context, &sealed, "another secret");
    if !sealed.is_empty() {
        let at = material.len() % sealed.len();
        let mut changed: Vec<u8> = sealed.clone().into_bytes();
        changed[at] = if changed[at] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(changed).expect("ASCII");
        refused(&key, &context, &changed, "one character changed");
    }
}
