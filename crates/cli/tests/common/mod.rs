//! Helpers shared by the tests that run the real `probity` binary (register, monitor,
//! witness): running a command, expecting success or a failure, and a demo server.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_probity");

/// Kills (and reaps) the child when dropped, also when a test panics.
pub struct Kill(pub Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("PROBITY_LOG", "warn")
        .output()
        .expect("run probity")
}

/// Run and expect success; returns stdout.
pub fn ok(args: &[&str]) -> String {
    let out = run(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "probity {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Run and expect exit code 1 with `needle` on stdout; returns stdout.
pub fn fails(args: &[&str], needle: &str) -> String {
    let out = run(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "probity {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(needle),
        "probity {args:?} said {stdout:?}, want {needle:?}"
    );
    stdout
}

/// `probity demo` with `applications` applications on a free port, signing with `key`;
/// returns the guard and the base URL.
pub fn demo(dir: &Path, key: &Path, applications: u32) -> (Kill, String) {
    let mut child = Command::new(BIN)
        .args(["demo", "--applications", &applications.to_string()])
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .arg("--register-key")
        .arg(key)
        .env("PROBITY_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start probity demo");
    let stdout = child.stdout.take().expect("stdout");
    let guard = Kill(child);
    (guard, listening_url(stdout))
}

/// Wait (up to 300 s) for the `listening on <url>` line a server prints, and keep draining
/// its stdout so it never blocks on a full pipe.
pub fn listening_url(stdout: impl std::io::Read + Send + 'static) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(300))
        .expect("the server did not start within 300 s")
}

/// The shared data folder `sub` (e.g. `caat-uk`): under `PROBITY_SHARED_DATA` (scripts/test.sh
/// exports it), else under `../shared/data` beside the repository. Panics saying where it
/// looked when absent: the tests that need it never pass without it.
pub fn shared_data(sub: &str) -> std::path::PathBuf {
    let base = match std::env::var_os("PROBITY_SHARED_DATA") {
        Some(d) if !d.is_empty() => std::path::PathBuf::from(d),
        _ => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    let dir = base.join(sub);
    assert!(
        dir.exists(),
        "shared test data not found at {} (set PROBITY_SHARED_DATA to the shared/data folder, \
         as scripts/test.sh does); these tests refuse to pass without it",
        dir.display()
    );
    dir
}
