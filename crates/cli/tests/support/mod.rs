//! Helpers for the browser test: the `probity` CLI, the server, ChromeDriver, and a thin layer over
//! fantoccini that finds things the way a person does (by link text, button text and the
//! `<label>` of a field) and waits for pages instead of sleeping.
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

mod audit;
mod browser;
pub use browser::Browser;

/// The `probity` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_probity");

/// How long to wait for a page or an element before giving up.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

/// Chromium and ChromeDriver to drive.
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// PROBITY_CHROMIUM / PROBITY_CHROMEDRIVER, else Debian's paths; a missing browser is a failure
/// with instructions, never a silent pass.
pub fn browser_tools() -> Tools {
    fn pick(var: &str, default: &str, package: &str) -> PathBuf {
        let (path, from_env) = match std::env::var_os(var) {
            Some(v) if !v.is_empty() => (PathBuf::from(v), true),
            _ => (PathBuf::from(default), false),
        };
        if !is_executable(&path) {
            let origin = if from_env {
                format!("{var}={}", path.display())
            } else {
                format!("{var} is unset and {default}")
            };
            panic!(
                "the browser test needs Chromium and ChromeDriver, but {origin} is not an \
                 executable file.\nRun the tests through scripts/test.sh, which installs Debian's \
                 `{package}` package when missing and exports PROBITY_CHROMIUM and \
                 PROBITY_CHROMEDRIVER (or set both to executables yourself)."
            );
        }
        path
    }
    Tools {
        chromium: pick("PROBITY_CHROMIUM", "/usr/bin/chromium", "chromium"),
        chromedriver: pick(
            "PROBITY_CHROMEDRIVER",
            "/usr/bin/chromedriver",
            "chromium-driver",
        ),
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Run `probity ARGS --database-url DB`, feeding `stdin` if given; return its trimmed stdout.
pub fn cli(db: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(BIN)
        .args(args)
        .args(["--database-url", db])
        .env("PROBITY_LOG", "warn")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not run {BIN}: {e}"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        writeln!(pipe, "{input}").expect("write to probity's stdin");
    }
    let out = child.wait_with_output().expect("wait for probity");
    assert!(
        out.status.success(),
        "`probity {}` failed ({}):\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A child process killed (with its process group) when dropped, also when the test panics.
struct Guard {
    child: Child,
    group: bool,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.group {
            // ChromeDriver leads its own process group: take the browser it started with it.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawn `cmd` with stdout piped; return the guard and the first stdout line for which `pick`
/// returns something. Stdout keeps being drained afterwards so the child never blocks on it.
fn spawn_and_read<T: Send + 'static>(
    mut cmd: Command,
    group: bool,
    what: &str,
    pick: impl Fn(&str) -> Option<T> + Send + 'static,
) -> (Guard, T) {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped());
    if group {
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {what}: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let guard = Guard { child, group };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(v) = tx.as_ref().and_then(|_| pick(&line)) {
                let _ = tx.take().expect("sender").send(v);
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(v) => (guard, v),
        Err(_) => panic!("{what} did not say it was ready within 30 s"),
    }
}

/// `probity serve` on a free port of 127.0.0.1, killed on drop.
pub struct Server {
    pub base: String,
    log: PathBuf,
    _guard: Guard,
}

impl Server {
    pub fn start(db: &str, dir: &Path) -> Server {
        let log = dir.join("server.log");
        // Oversight's identity, so that protected disclosures are taken and can be read.
        let identity = dir.join("oversight.key");
        let keygen = Command::new(BIN)
            .args(["disclosure", "keygen", "--out"])
            .arg(&identity)
            .output()
            .expect("run probity disclosure keygen");
        assert!(
            keygen.status.success(),
            "probity disclosure keygen: {}",
            String::from_utf8_lossy(&keygen.stderr)
        );
        let mut cmd = Command::new(BIN);
        // The walk is about licensing, not sign-in: the decision-maker signs in with a
        // password only (web tests cover two-factor sign-in).
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--database-url", db])
            .args(["--two-factor", "optional"])
            .arg("--oversight-identity")
            .arg(&identity)
            .env("PROBITY_LOG", "info,sqlx=warn")
            .stderr(File::create(&log).expect("server log file"));
        let (guard, base) = spawn_and_read(cmd, false, "probity serve", |line| {
            line.strip_prefix("listening on ")
                .map(|url| url.trim().trim_end_matches('/').to_string())
        });
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "unexpected server address {base:?}"
        );
        Server {
            base,
            log,
            _guard: guard,
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

/// ChromeDriver on a port it chose itself, killed (with any browser it left) on drop.
pub struct Driver {
    pub url: String,
    _guard: Guard,
}

impl Driver {
    pub fn start(tools: &Tools, dir: &Path) -> Driver {
        let mut cmd = Command::new(&tools.chromedriver);
        // Port 0: the driver picks a free port and names it on stdout, so there is no race.
        cmd.arg("--port=0")
            .stderr(File::create(dir.join("chromedriver.log")).expect("driver log file"));
        let (guard, port) = spawn_and_read(cmd, true, "chromedriver", |line| {
            line.split("started successfully on port ")
                .nth(1)
                .and_then(|p| p.trim().trim_end_matches('.').parse::<u16>().ok())
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if status_ready(port) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver on port {port} did not report ready on /status within 20 s"
            );
            std::thread::sleep(POLL);
        }
        Driver {
            url: format!("http://127.0.0.1:{port}"),
            _guard: guard,
        }
    }
}

/// GET /status on the driver and look at `value.ready`.
fn status_ready(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!(
        "GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    let body = resp.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => v["value"]["ready"] == serde_json::Value::Bool(true),
        Err(_) => body.replace(' ', "").contains("\"ready\":true"),
    }
}
