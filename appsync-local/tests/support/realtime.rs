//! A client of AppSync's real-time protocol, as Amplify v6 speaks it (auth headers in a
//! `header-<base64url>` subprotocol next to `graphql-ws`) or as older clients do (`?header=`),
//! over `wss://` trusting the stack's CA, or `ws://`. Every wait is bounded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use appsync_local::Stack;

/// How the connection carries its auth headers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Via {
    /// `Sec-WebSocket-Protocol: graphql-ws, header-<base64url>` (Amplify v6).
    Subprotocol,
    /// `?header=<base64>&payload=e30=`, with `graphql-ws` offered.
    Query,
    /// No subprotocol at all.
    Nothing,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub struct Conn {
    ws: WebSocketStream<Box<dyn Io>>,
    /// What the server chose from the offered subprotocols.
    pub protocol: Option<String>,
}

/// A TLS client that trusts the stack's CA only.
fn tls_connector(stack: &Stack) -> tokio_rustls::TlsConnector {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(stack.tls.ca_pem.as_bytes()).expect("the CA"))
        .expect("a root");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// Opens the real-time endpoint; `headers` are the auth headers (`host` added).
pub async fn connect(
    stack: &Stack,
    tls: bool,
    via: Via,
    headers: Value,
    origin: Option<&str>,
) -> Result<Conn, String> {
    let mut headers = headers;
    headers["host"] = json!(stack.addr.to_string());
    let scheme = if tls { "wss" } else { "ws" };
    let mut url = format!(
        "{scheme}://localhost:{}/graphql/realtime",
        stack.addr.port()
    );
    if via == Via::Query {
        url.push_str(&format!(
            "?header={}&payload=e30=",
            url::form_urlencoded::byte_serialize(STANDARD.encode(headers.to_string()).as_bytes())
                .collect::<String>()
        ));
    }
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    let protocols = match via {
        Via::Subprotocol => Some(format!(
            "graphql-ws, header-{}",
            URL_SAFE_NO_PAD.encode(headers.to_string())
        )),
        Via::Query => Some("graphql-ws".to_string()),
        Via::Nothing => None,
    };
    if let Some(p) = protocols {
        request
            .headers_mut()
            .insert("sec-websocket-protocol", HeaderValue::from_str(&p).unwrap());
    }
    if let Some(o) = origin {
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(o).unwrap());
    }
    let tcp = tokio::net::TcpStream::connect(stack.addr)
        .await
        .map_err(|e| e.to_string())?;
    let io: Box<dyn Io> = if tls {
        let name = ServerName::try_from("localhost").unwrap();
        Box::new(
            tls_connector(stack)
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS: {e}"))?,
        )
    } else {
        Box::new(tcp)
    };
    let (ws, response) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::client_async(request, io),
    )
    .await
    .map_err(|_| "no handshake within 10 s".to_string())?
    .map_err(|e| e.to_string())?;
    let protocol = response
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Ok(Conn { ws, protocol })
}

/// A connection as Amplify v6 opens it for a signed-in user (`wss://`, the token in the
/// header subprotocol), initialised.
pub async fn amplify(stack: &Stack, token: &str) -> Conn {
    let mut ws = connect(stack, true, Via::Subprotocol, token_headers(token), None)
        .await
        .expect("connected over wss");
    ws.init().await;
    ws
}

/// Auth headers for a user-pool token, as Amplify sends them.
pub fn token_headers(token: &str) -> Value {
    json!({ "Authorization": token })
}

impl Conn {
    pub async fn send(&mut self, message: Value) {
        self.try_send(message).await.expect("sent");
    }

    /// Sends, or says why it could not (the server closed the connection).
    pub async fn try_send(&mut self, message: Value) -> Result<(), String> {
        self.ws
            .send(Message::Text(message.to_string().into()))
            .await
            .map_err(|e| e.to_string())
    }

    /// The next protocol message (text, as JSON), `Err` with what came instead (a close, the
    /// end, nothing within `limit`).
    pub async fn next_within(&mut self, limit: Duration) -> Result<Value, String> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return Err("nothing".into()),
                Ok(None) => return Err("end of stream".into()),
                Ok(Some(Err(e))) => return Err(format!("error: {e}")),
                Ok(Some(Ok(Message::Text(t)))) => {
                    return Ok(serde_json::from_str(&t).expect("JSON message"))
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Err(format!(
                        "close {}",
                        frame.map(|f| u16::from(f.code)).unwrap_or(0)
                    ))
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The next message that is not a `ka`, within 5 s.
    pub async fn next(&mut self) -> Value {
        loop {
            let m = self
                .next_within(Duration::from_secs(5))
                .await
                .unwrap_or_else(|e| panic!("expected a message, got {e}"));
            if m["type"] != "ka" {
                return m;
            }
        }
    }

    /// Asserts nothing but `ka` arrives for `d`.
    pub async fn quiet_for(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            match self.next_within(left).await {
                Ok(m) if m["type"] == "ka" => continue,
                Ok(m) => panic!("expected nothing, got {m}"),
                Err(e) if e == "nothing" => return,
                Err(e) => panic!("expected nothing, got {e}"),
            }
        }
    }

    /// `connection_init`; returns the `connection_ack` (asserting it is one).
    pub async fn init(&mut self) -> Value {
        self.send(json!({ "type": "connection_init" })).await;
        let ack = self.next().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        ack
    }

    /// `start` of `query` with `variables`, authorised by `auth`; returns the answer
    /// (`start_ack` or `error`).
    pub async fn start(&mut self, id: &str, query: &str, variables: Value, auth: Value) -> Value {
        self.send(json!({
            "id": id,
            "type": "start",
            "payload": {
                "data": json!({ "query": query, "variables": variables }).to_string(),
                "extensions": { "authorization": auth },
            },
        }))
        .await;
        self.next().await
    }
}
