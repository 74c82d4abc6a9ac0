//! `kill -TERM` on `probity serve` under load: every request that got an answer got a whole
//! one (a request in flight at the signal included), the process exits 0 within 10 s, and
//! from shutdown on connections are refused.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use common::{listening_url, ok, Kill, BIN};

/// What became of one request.
#[derive(Debug)]
enum Outcome {
    /// A complete response: status and body.
    Answered(u16, Vec<u8>),
    /// The connection was refused: the server no longer listens.
    Refused,
    /// Accepted, then closed before a single byte of response (not answered).
    Unanswered,
    /// Part of a response, then an error or the end: what must never happen.
    Broken(String),
}

/// One request on its own connection (`Connection: close`), the body sent in two parts with
/// `pause` between them (the request is in flight during the pause).
fn request(
    addr: SocketAddr,
    head: &str,
    body: &[u8],
    pause: Option<(Duration, mpsc::Sender<()>)>,
) -> Outcome {
    let mut s = match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
        Ok(s) => s,
        // A reset during the handshake is the listener closing with the connection still
        // unaccepted in its backlog: refused too, not a response cut short.
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset
            ) =>
        {
            return Outcome::Refused
        }
        Err(e) => return Outcome::Broken(format!("connect: {e}")),
    };
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    let sent = s
        .write_all(head.as_bytes())
        .and_then(|()| s.write_all(first));
    if let Some((pause, headers_sent)) = pause {
        let _ = headers_sent.send(());
        std::thread::sleep(pause);
    }
    if sent.and_then(|()| s.write_all(rest)).is_err() {
        return Outcome::Unanswered;
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if got.is_empty() => {
                return match e.kind() {
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => {
                        Outcome::Unanswered
                    }
                    _ => Outcome::Broken(format!("read before any byte: {e}")),
                }
            }
            Err(e) => return Outcome::Broken(format!("after {} bytes: {e}", got.len())),
        }
    }
    if got.is_empty() {
        return Outcome::Unanswered;
    }
    parse(&got)
}

/// A whole HTTP/1.1 response: status line, headers, and exactly Content-Length bytes of body
/// (or a chunked body up to its last chunk).
fn parse(raw: &[u8]) -> Outcome {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Outcome::Broken(format!("no end of headers in {} bytes", raw.len()));
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
    let body = &raw[end + 4..];
    let status = head
        .strip_prefix("http/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse::<u16>().ok());
    let Some(status) = status else {
        return Outcome::Broken(format!("bad status line: {head}"));
    };
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
    };
    if let Some(len) = header("content-length:") {
        let len: usize = len.parse().unwrap_or(usize::MAX);
        if body.len() != len {
            return Outcome::Broken(format!("body of {} bytes, announced {len}", body.len()));
        }
    } else if header("transfer-encoding:").as_deref() == Some("chunked") {
        if !body.ends_with(b"0\r\n\r\n") {
            return Outcome::Broken("chunked body without its last chunk".into());
        }
    } else {
        return Outcome::Broken(format!("neither length nor chunking: {head}"));
    }
    if header("x-request-id:").is_none() {
        return Outcome::Broken("no x-request-id".into());
    }
    Outcome::Answered(status, body.to_vec())
}

fn get(addr: SocketAddr, path: &str) -> Outcome {
    let head = format!("GET {path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n");
    request(addr, &head, b"", None)
}

#[test]
fn sigterm_under_load_answers_every_accepted_request_whole_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("register.key");
    let key_s = key.to_str().unwrap();
    ok(&[
        "register",
        "keygen",
        "--name",
        "shutdown.test/register",
        "--out",
        key_s,
    ]);
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &db])
        .args(["--register-key", key_s])
        .env("PROBITY_LOG", "warn")
        .env("PROBITY_LOG_FORMAT", "json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start probity serve");
    let stdout = child.stdout.take().unwrap();
    let mut server = Kill(child);
    let url = listening_url(stdout);
    let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();

    // Ready once the statistics have loaded (not ready before: a load balancer waits), with
    // the sequencer running.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match get(addr, "/readyz") {
            Outcome::Answered(200, body) => {
                let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(j["checks"]["sequencer"], "ok", "{j}");
                assert_eq!(j["checks"]["analytics"], "ok", "{j}");
                break;
            }
            Outcome::Answered(503, body) if Instant::now() < deadline => {
                let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(j["failed"], serde_json::json!(["analytics"]), "{j}");
                std::thread::sleep(Duration::from_millis(50));
            }
            other => panic!("/readyz: {other:?}"),
        }
    }

    // Load: threads firing requests until the server refuses them.
    let signalled = Arc::new(AtomicBool::new(false));
    let mut load = Vec::new();
    for n in 0..8 {
        let signalled = signalled.clone();
        let path = ["/readyz", "/register/decisions", "/healthz", "/login"][n % 4];
        load.push(std::thread::spawn(move || {
            let mut outcomes = Vec::new();
            let start = Instant::now();
            loop {
                let o = get(addr, path);
                // Read after the answer: a request sent just before the signal may be
                // answered after it, by a server already shutting down.
                let after_signal = signalled.load(Ordering::SeqCst);
                let refused = matches!(o, Outcome::Refused);
                outcomes.push((after_signal, o));
                if refused || start.elapsed() > Duration::from_secs(60) {
                    return outcomes;
                }
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(500));

    // A request in flight at the signal: headers sent, the body still coming.
    let (headers_sent, wait_headers) = mpsc::channel();
    let body = b"email=nobody%40example.test&password=not-the-password".to_vec();
    let head = format!(
        "POST /login HTTP/1.1\r\nhost: t\r\ncontent-type: application/x-www-form-urlencoded\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let slow = std::thread::spawn(move || {
        request(
            addr,
            &head,
            &body,
            Some((Duration::from_millis(1500), headers_sent)),
        )
    });
    wait_headers.recv().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let pid = server.0.id().to_string();
    signalled.store(true, Ordering::SeqCst);
    let sent_at = Instant::now();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success(), "kill -TERM {pid}");

    let exit = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent_at.elapsed() < Duration::from_secs(10),
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0), "exit status after SIGTERM: {exit:?}");

    match slow.join().unwrap() {
        Outcome::Answered(status, _) => assert!(status < 500, "in-flight request got {status}"),
        other => panic!("the request in flight at the signal: {other:?}"),
    }
    let mut answered = 0;
    for t in load {
        let outcomes = t.join().unwrap();
        assert!(
            matches!(outcomes.last(), Some((_, Outcome::Refused))),
            "a load thread never saw the server refuse: {:?}",
            outcomes.last()
        );
        for (after_signal, o) in outcomes {
            match o {
                // Once shutdown began the sequencer may have stopped: not ready, rightly.
                Outcome::Answered(503, body) if after_signal => {
                    let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    assert_eq!(j["failed"], serde_json::json!(["sequencer"]), "{j}");
                    answered += 1;
                }
                Outcome::Answered(status, body) => {
                    assert!(
                        status < 500,
                        "a request got {status}: {}",
                        String::from_utf8_lossy(&body)
                    );
                    answered += 1;
                }
                Outcome::Broken(why) => panic!("a response was cut short: {why}"),
                Outcome::Refused | Outcome::Unanswered => {
                    assert!(
                        after_signal,
                        "refused or unanswered before the signal: {o:?}"
                    )
                }
            }
        }
    }
    assert!(
        answered > 20,
        "only {answered} requests answered under load"
    );
    assert!(
        matches!(get(addr, "/healthz"), Outcome::Refused),
        "connections must be refused after shutdown"
    );
}

#[test]
fn sigint_stops_the_demo_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, url) = common::demo(dir.path(), &dir.path().join("register.key"), 1);
    let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    assert!(matches!(get(addr, "/healthz"), Outcome::Answered(200, _)));
    let pid = server.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let sent_at = Instant::now();
    let exit = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(sent_at.elapsed() < Duration::from_secs(10), "still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0), "{exit:?}");
    assert!(matches!(get(addr, "/healthz"), Outcome::Refused));
}
