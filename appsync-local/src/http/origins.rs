//! Which web pages may call the endpoint. AppSync itself answers every origin, but this server
//! runs on a developer's machine with a well-known API key: any page open in their browser
//! could otherwise drive it (or pin it with a hostile query). So only its own pages (GraphiQL,
//! served by the endpoint itself) and the front-end origins it is told about are let in.
//! Requests without an `Origin` (curl, Node, the SDKs) are not browsers and pass.
//!
//! The own origins are fixed from the listening address, never taken from the request's
//! `Host`, so a page on a name that resolves to 127.0.0.1 (DNS rebinding) is a stranger too.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::reply::{error_response, ERROR_TYPE_HEADER};
use crate::error::{Error, Result};

/// The local front-end dev servers allowed unless told otherwise: Create React App and
/// Next.js (3000), Vite (5173), Vue CLI and webpack-dev-server (8080).
pub const DEFAULT_FRONT_END_ORIGINS: &[&str] = &[
    "http://localhost:3000",
    "http://127.0.0.1:3000",
    "http://localhost:5173",
    "http://127.0.0.1:5173",
    "http://localhost:8080",
    "http://127.0.0.1:8080",
];

#[derive(Debug, Clone)]
pub struct AllowedOrigins {
    own: BTreeSet<String>,
    configured: BTreeSet<String>,
}

/// `scheme://host[:port]` as browsers send it in `Origin`; anything with a path, a query,
/// credentials or another scheme is refused with the reason.
pub fn parse_origin(text: &str) -> Result<String> {
    let refused = |why: String| Error::Config(format!("{text:?} is not {why}"));
    let url = url::Url::parse(text).map_err(|e| refused(format!("an origin: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refused("an http(s) origin".into()));
    }
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !bare || !url.username().is_empty() || url.password().is_some() || text.ends_with('/') {
        return Err(refused(
            "an origin: give only scheme://host[:port], e.g. http://localhost:5173".into(),
        ));
    }
    Ok(url.origin().ascii_serialization())
}

impl AllowedOrigins {
    /// The server's own origins on `addr`, and `configured` (validated with [`parse_origin`]).
    pub fn new(addr: SocketAddr, configured: &[String]) -> Result<Self> {
        let port = addr.port();
        let mut hosts = vec![match addr {
            SocketAddr::V4(a) => a.ip().to_string(),
            SocketAddr::V6(a) => format!("[{}]", a.ip()),
        }];
        if addr.ip().is_loopback() {
            hosts.extend(["localhost".to_string(), "127.0.0.1".into(), "[::1]".into()]);
        }
        let own = hosts
            .iter()
            .flat_map(|h| ["http", "https"].map(|scheme| format!("{scheme}://{h}:{port}")))
            .collect();
        let configured = configured
            .iter()
            .map(|o| parse_origin(o))
            .collect::<Result<_, _>>()?;
        Ok(Self { own, configured })
    }

    pub fn allows(&self, origin: &HeaderValue) -> bool {
        origin
            .to_str()
            .is_ok_and(|o| self.own.contains(o) || self.configured.contains(o))
    }

    /// The configured origins, for the banner and for refusals.
    pub fn configured(&self) -> impl Iterator<Item = &str> {
        self.configured.iter().map(String::as_str)
    }

    /// CORS answers for the allowed origins (preflight included); others get no CORS headers.
    pub fn cors_layer(self: &Arc<Self>) -> CorsLayer {
        let origins = self.clone();
        CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(move |origin, _| {
                origins.allows(origin)
            }))
            .allow_methods([Method::POST, Method::OPTIONS])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-api-key"),
                HeaderName::from_static("x-amz-user-agent"),
                HeaderName::from_static("x-amz-date"),
            ])
            // A page's script may read these, as AppSync's CORS answers allow (Amplify reads
            // the error type).
            .expose_headers([ERROR_TYPE_HEADER])
            .max_age(Duration::from_secs(86400))
    }
}

/// Refuses a request from a page whose origin is not allowed, before anything reads it: a
/// browser would otherwise still deliver a "simple" cross-origin POST and only hide the answer.
pub async fn refuse_strangers(
    State(origins): State<Arc<AllowedOrigins>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        if !origins.allows(origin) {
            let shown = String::from_utf8_lossy(origin.as_bytes()).into_owned();
            tracing::info!(origin = %shown, "request from a page of another origin refused");
            let allowed: Vec<&str> = origins.configured().collect();
            let message = format!(
                "Origin {shown} may not call this local endpoint. Allowed: its own pages and {}. \
                 Start it with --allow-origin ORIGIN (or GRAPHQL_ALLOW_ORIGINS) to add a front end.",
                if allowed.is_empty() {
                    "no other origin".to_string()
                } else {
                    allowed.join(", ")
                }
            );
            return error_response(StatusCode::FORBIDDEN, "ForbiddenException", &message);
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            parse_origin("http://localhost:5173").unwrap(),
            "http://localhost:5173"
        );
        assert_eq!(
            parse_origin("HTTPS://Example.COM").unwrap(),
            "https://example.com"
        );
        // The default port is left out, as browsers leave it out of Origin.
        assert_eq!(
            parse_origin("http://localhost:80").unwrap(),
            "http://localhost"
        );
        for bad in [
            "*",
            "localhost:3000",
            "http://localhost:3000/",
            "http://localhost:3000/app",
            "http://localhost:3000?x=1",
            "http://user@localhost:3000",
            "file:///tmp/page.html",
            "null",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn own_pages_and_configured_front_ends_only() {
        let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let allowed = AllowedOrigins::new(addr, &["http://localhost:5173".into()]).unwrap();
        let ok = |o: &str| allowed.allows(&HeaderValue::from_str(o).unwrap());
        assert!(ok("http://127.0.0.1:4000"));
        assert!(ok("http://localhost:4000"));
        assert!(ok("http://localhost:5173"));
        assert!(!ok("http://localhost:5174"));
        assert!(!ok("http://evil.example"));
        // A rebound name on the same port is still another origin.
        assert!(!ok("http://evil.example:4000"));
        assert!(!ok("null"));
        assert!(AllowedOrigins::new(addr, &["http://localhost:5173/".into()]).is_err());
        // Listening elsewhere: that address is the own origin, not localhost.
        let lan: SocketAddr = "192.0.2.7:4000".parse().unwrap();
        let allowed = AllowedOrigins::new(lan, &[]).unwrap();
        assert!(allowed.allows(&HeaderValue::from_static("http://192.0.2.7:4000")));
        assert!(!allowed.allows(&HeaderValue::from_static("http://localhost:4000")));
    }
}
