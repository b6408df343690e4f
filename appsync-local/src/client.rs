//! A small keep-alive HTTP/1.1 client for the tests and the benchmark: POSTs GraphQL requests
//! to the local endpoint the way any client would.

use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

pub struct Client {
    addr: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Credential {
    None,
    ApiKey(String),
    Token(String),
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Result<Self, String> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Self { addr, sender })
    }

    /// POSTs `body` to `path`; returns the status and the body parsed as JSON (or as a string).
    pub async fn post(
        &mut self,
        path: &str,
        credential: &Credential,
        body: &Value,
    ) -> Result<(u16, Value), String> {
        let (status, text) = self.post_text(path, credential, body).await?;
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, value))
    }

    /// POSTs `body` to `path`; returns the status and the body as it came.
    pub async fn post_text(
        &mut self,
        path: &str,
        credential: &Credential,
        body: &Value,
    ) -> Result<(u16, String), String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let mut req = hyper::Request::post(path)
            .header("host", self.addr.to_string())
            .header("content-type", "application/json");
        req = match credential {
            Credential::None => req,
            Credential::ApiKey(k) => req.header("x-api-key", k),
            Credential::Token(t) => req.header("authorization", t),
        };
        let req = req
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| e.to_string())?;
        self.send(req).await
    }

    /// POSTs a GraphQL request to /graphql.
    pub async fn graphql(
        &mut self,
        credential: &Credential,
        query: &str,
        variables: Value,
    ) -> Result<(u16, Value), String> {
        self.post(
            "/graphql",
            credential,
            &json!({ "query": query, "variables": variables }),
        )
        .await
    }

    /// GETs `path`; returns the status and the body as text.
    pub async fn get(&mut self, path: &str) -> Result<(u16, String), String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let req = hyper::Request::get(path)
            .header("host", self.addr.to_string())
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?;
        self.send(req).await
    }

    /// Sends one request on the kept-alive connection; returns the status and the body as text.
    async fn send(&mut self, req: hyper::Request<Full<Bytes>>) -> Result<(u16, String), String> {
        let resp = self
            .sender
            .send_request(req)
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }
}
