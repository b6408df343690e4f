//! Who opens a real-time connection: the auth headers AppSync reads at the handshake, in any of
//! the three places clients put them (AWS's "Building a real-time WebSocket client"): a
//! `header-<base64url JSON>` subprotocol next to `graphql-ws` (Amplify v6), the `header`
//! query parameter (base64 JSON, with `payload=e30=`: older clients), or plain HTTP headers.

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

/// The subprotocol of AppSync's real-time protocol.
pub const PROTOCOL: &str = "graphql-ws";

/// What the handshake carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Handshake {
    /// Whether the client offered `graphql-ws`.
    pub graphql_ws: bool,
    /// The auth headers, names lower-case.
    pub headers: BTreeMap<String, String>,
    /// A `header` that was there but not base64 JSON.
    pub malformed: bool,
}

/// Base64 of either alphabet, padded or not, as JSON headers.
pub fn decode_headers(text: &str) -> Option<BTreeMap<String, String>> {
    let normalized: String = text
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let bytes = URL_SAFE_NO_PAD.decode(normalized).ok()?;
    let Value::Object(map) = serde_json::from_slice(&bytes).ok()? else {
        return None;
    };
    Some(json_headers(&map))
}

/// A JSON object of headers as `name (lower-case) -> text`; non-string values are dropped.
pub fn json_headers(map: &serde_json::Map<String, Value>) -> BTreeMap<String, String> {
    map.iter()
        .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.to_string())))
        .collect()
}

pub fn read(headers: &HeaderMap, query: Option<&str>) -> Handshake {
    let mut out = Handshake {
        graphql_ws: false,
        headers: BTreeMap::new(),
        malformed: false,
    };
    for name in ["authorization", "x-api-key", "host"] {
        if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
            out.headers.insert(name.to_string(), v.to_string());
        }
    }
    let mut encoded = Vec::new();
    for value in headers.get_all("sec-websocket-protocol") {
        for protocol in value.to_str().unwrap_or_default().split(',').map(str::trim) {
            if protocol == PROTOCOL {
                out.graphql_ws = true;
            } else if let Some(h) = protocol.strip_prefix("header-") {
                encoded.push(h.to_string());
            }
        }
    }
    if let Some(query) = query {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            if k == "header" {
                encoded.push(v.into_owned());
            }
        }
    }
    for e in encoded {
        match decode_headers(&e) {
            Some(h) => out.headers.extend(h),
            None => out.malformed = true,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn headers_from_the_subprotocol_the_query_or_http() {
        let json = r#"{"Authorization":"tok","host":"example.com"}"#;
        let mut h = HeaderMap::new();
        h.insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(&format!(
                "graphql-ws, header-{}",
                URL_SAFE_NO_PAD.encode(json)
            ))
            .unwrap(),
        );
        let got = read(&h, None);
        assert!(got.graphql_ws && !got.malformed);
        assert_eq!(got.headers["authorization"], "tok");
        assert_eq!(got.headers["host"], "example.com");

        // Older clients: ?header=<base64>&payload=e30= (standard alphabet, padded, URL-encoded).
        let key = r#"{"host":"h","x-api-key":"da2-k?>"}"#;
        let query = format!(
            "header={}&payload=e30%3D",
            url::form_urlencoded::byte_serialize(STANDARD.encode(key).as_bytes())
                .collect::<String>()
        );
        let mut h = HeaderMap::new();
        h.insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-ws"),
        );
        let got = read(&h, Some(&query));
        assert_eq!(got.headers["x-api-key"], "da2-k?>");

        // Plain HTTP headers, and no graphql-ws offered.
        let mut h = HeaderMap::new();
        h.insert("x-api-key", HeaderValue::from_static("k"));
        let got = read(&h, Some("header=%%%"));
        assert!(!got.graphql_ws);
        assert!(got.malformed);
        assert_eq!(got.headers["x-api-key"], "k");
    }
}
