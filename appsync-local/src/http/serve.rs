//! The listener: every connection is served over TLS or not, decided by its first byte (a TLS
//! ClientHello starts with 0x16, an HTTP request with a letter), so one port answers
//! `http://`, `https://`, `ws://` and `wss://` alike. HTTP/1.1 with upgrades (WebSocket), the
//! peer's address given to handlers as axum's `ConnectInfo`. Stops accepting when told to and
//! lets requests in flight finish.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The first byte of every TLS connection (a handshake record).
const TLS_HANDSHAKE: u8 = 0x16;
/// How long a connection may take to send its first byte, or to finish the TLS handshake.
const FIRST_BYTES: Duration = Duration::from_secs(10);

pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<Arc<ServerConfig>>,
    mut stop: watch::Receiver<bool>,
) {
    let acceptor = tls.map(TlsAcceptor::from);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let (app, acceptor, stop) = (app.clone(), acceptor.clone(), stop.clone());
                    connections.spawn(connection(stream, peer, app, acceptor, stop));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // Finished connections, collected as they go.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = async { let _ = stop.wait_for(|s| *s).await; } => break,
        }
    }
    while connections.join_next().await.is_some() {}
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    acceptor: Option<TlsAcceptor>,
    stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let mut first = [0u8; 1];
    let Ok(Ok(n)) = tokio::time::timeout(FIRST_BYTES, stream.peek(&mut first)).await else {
        return;
    };
    match acceptor {
        Some(acceptor) if n == 1 && first[0] == TLS_HANDSHAKE => {
            match tokio::time::timeout(FIRST_BYTES, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => http(tls, peer, app, stop).await,
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        }
        _ => http(stream, peer, app, stop).await,
    }
}

async fn http<I>(io: I, peer: SocketAddr, app: Router, mut stop: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service =
        tower::ServiceExt::map_request(app, move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        });
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
        .with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = async { let _ = stop.wait_for(|s| *s).await; } => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}
