//! An HTTP client for the local endpoint as any client would call it (reqwest, keep-alive).
//! Shared by the tests and the `appsync-local-bench` example.

use std::net::SocketAddr;

use serde_json::{json, Value};

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Credential {
    None,
    ApiKey(String),
    Token(String),
}

/// One client: its own connection pool, so separate clients use separate connections.
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("http://{addr}"),
        }
    }

    /// POSTs `body` to `path` with the credential and any extra headers; the status and
    /// the body as it came.
    pub async fn post_text(
        &self,
        path: &str,
        credential: &Credential,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Result<(u16, String), String> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(body);
        req = match credential {
            Credential::None => req,
            Credential::ApiKey(k) => req.header("x-api-key", k),
            Credential::Token(t) => req.header("authorization", t),
        };
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        Ok((status, resp.text().await.map_err(|e| e.to_string())?))
    }

    /// POSTs a GraphQL request to /graphql; the status and the body as JSON (or a string).
    pub async fn graphql(
        &self,
        credential: &Credential,
        query: &str,
        variables: Value,
    ) -> Result<(u16, Value), String> {
        let body = json!({ "query": query, "variables": variables });
        let (status, text) = self.post_text("/graphql", credential, &[], &body).await?;
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, value))
    }

    /// GETs `path`: the status and the body as text.
    pub async fn get(&self, path: &str) -> Result<(u16, String), String> {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        Ok((status, resp.text().await.map_err(|e| e.to_string())?))
    }
}
