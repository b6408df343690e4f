//! The harness floor for bench/coldstart: the least any Lambda runtime does (std only, no
//! async runtime, no SDK): GET /runtime/invocation/next, POST an error, then wait to be killed.
//! Its init is what spawning a process and one loopback HTTP round trip cost under
//! bench/runtime_api.py; subtract it from a real binary's init to see that binary's own work.
//! Built by bench/coldstart with plain `rustc -O`; not part of the workspace.

use std::io::{Read, Write};
use std::net::TcpStream;

fn main() {
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API").unwrap();
    let mut s = TcpStream::connect(&api).unwrap();
    write!(
        s,
        "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: {api}\r\n\r\n"
    )
    .unwrap();
    let mut buf = vec![0u8; 65536];
    let mut got = Vec::new();
    let (head_end, len) = loop {
        let n = s.read(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some(i) = text.find("\r\n\r\n") {
            let len: usize = text[..i]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap();
            break (i + 4, len);
        }
    };
    while got.len() < head_end + len {
        let n = s.read(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&got[..head_end]).to_string();
    let id = head
        .lines()
        .find_map(|l| l.strip_prefix("Lambda-Runtime-Aws-Request-Id: "))
        .unwrap()
        .trim()
        .to_string();
    let body = b"{\"errorType\":\"BadRequest\",\"errorMessage\":\"floor\"}";
    let mut s = TcpStream::connect(&api).unwrap();
    write!(s, "POST /2018-06-01/runtime/invocation/{id}/error HTTP/1.1\r\nHost: {api}\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
    s.write_all(body).unwrap();
    let _ = s.read(&mut buf);
    std::thread::sleep(std::time::Duration::from_secs(30));
}
