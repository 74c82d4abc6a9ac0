use std::time::Instant;

use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;

async fn start(limits: Limits) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app =
        Router::new().route(
            "/",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move {
                format!("hello {}", peer.ip())
            }),
        );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

async fn get_root(addr: SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn a_client_trickling_headers_is_cut_off() {
    let limits = Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let (addr, _stop) = start(limits).await;
    assert!(get_root(addr).await.contains("hello 127.0.0.1"));

    let mut s = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    // A valid request whose one header never ends.
    let prefix = b"GET / HTTP/1.1\r\nhost: x\r\nx-slow: ";
    let mut cut_off = false;
    for b in prefix.iter().chain(std::iter::repeat(&b'a')).take(2000) {
        if s.write_all(&[*b]).await.is_err() {
            cut_off = true;
            break;
        }
        // The server never answers a request it has not finished reading: anything it
        // does (end of file, a reset, an error response) means it gave up on us.
        let mut buf = [0u8; 512];
        let waited = tokio::time::timeout(Duration::from_millis(20), s.read(&mut buf)).await;
        if waited.is_ok() {
            cut_off = true;
            break;
        }
        if started.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    let elapsed = started.elapsed();
    assert!(cut_off, "still connected after {elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(2),
        "cut off only after {elapsed:?}"
    );
}

#[tokio::test]
async fn connections_past_the_limit_wait_for_a_free_slot() {
    let limits = Limits {
        header_read_timeout: Duration::from_millis(500),
        max_connections: 1,
        ..Limits::default()
    };
    let (addr, _stop) = start(limits).await;
    // One idle connection holds the only slot until its header deadline passes.
    let _idle = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(5), get_root(addr))
        .await
        .expect("served once the idle connection timed out");
    assert!(answer.contains("hello"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "served at once ({:?}) although the only slot was taken",
        started.elapsed()
    );
}
