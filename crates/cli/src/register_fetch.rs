//! Where `probity register` reads a log from: a web server (`http://`, `https://`) serving
//! `/register/…`, or a directory written by `probity register export` (`file://` or a
//! path). Either way a resource is `<base>/register/<path>`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::Semaphore;

/// Largest response accepted: an entry bundle is at most 256 × 65,537 bytes.
const MAX_BODY: usize = 256 * 65_537 + 1024;
const TIMEOUT: Duration = Duration::from_secs(30);
const PARALLEL: usize = 16;

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

#[derive(Clone)]
pub enum Source {
    Http { client: HttpsClient, base: String },
    Dir(PathBuf),
}

impl Source {
    /// Parses `--url`: `http(s)://host[/prefix]`, `file:///dir` or a directory path.
    pub fn new(url: &str) -> Result<Source> {
        if url.starts_with("http://") || url.starts_with("https://") {
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_native_roots()
                .context("could not load the system's TLS root certificates")?
                .https_or_http()
                .enable_http1()
                .build();
            let client = Client::builder(TokioExecutor::new()).build(connector);
            return Ok(Source::Http {
                client,
                base: url.trim_end_matches('/').to_string(),
            });
        }
        let path = url.strip_prefix("file://").unwrap_or(url);
        let dir = PathBuf::from(path);
        if !dir.is_dir() {
            bail!("{url} is neither an http(s) URL nor a directory");
        }
        Ok(Source::Dir(dir))
    }

    /// Fetches `register/<path>`; `None` if it does not exist (HTTP 404).
    pub async fn get(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Source::Dir(dir) => {
                let file = dir.join("register").join(path);
                match tokio::fs::read(&file).await {
                    Ok(data) => Ok(Some(data)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(anyhow!(e).context(format!("could not read {}", file.display()))),
                }
            }
            Source::Http { client, base } => {
                let url = format!("{base}/register/{path}");
                let uri: hyper::Uri = url.parse().with_context(|| format!("bad URL {url}"))?;
                let resp = tokio::time::timeout(TIMEOUT, client.get(uri))
                    .await
                    .map_err(|_| anyhow!("timed out fetching {url}"))?
                    .with_context(|| format!("could not fetch {url}"))?;
                let status = resp.status();
                if status == hyper::StatusCode::NOT_FOUND {
                    return Ok(None);
                }
                let body = tokio::time::timeout(
                    TIMEOUT,
                    Limited::new(resp.into_body(), MAX_BODY).collect(),
                )
                .await
                .map_err(|_| anyhow!("timed out reading {url}"))?
                .map_err(|e| anyhow!("could not read {url}: {e}"))?
                .to_bytes()
                .to_vec();
                if !status.is_success() {
                    let text: String = String::from_utf8_lossy(&body).chars().take(200).collect();
                    bail!("{url} answered {status}: {}", text.trim());
                }
                Ok(Some(body))
            }
        }
    }

    /// Fetches `register/<path>`, which must exist.
    pub async fn require(&self, path: &str) -> Result<Vec<u8>> {
        self.get(path)
            .await?
            .ok_or_else(|| anyhow!("register/{path} does not exist at the source"))
    }

    /// Fetches many resources, several at a time. Missing ones are left out.
    pub async fn get_many(&self, paths: &[String]) -> Result<BTreeMap<String, Vec<u8>>> {
        let permits = Arc::new(Semaphore::new(PARALLEL));
        let mut tasks = tokio::task::JoinSet::new();
        for p in paths {
            let (src, p, permits) = (self.clone(), p.clone(), permits.clone());
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let data = src.get(&p).await;
                (p, data)
            });
        }
        let mut out = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            let (p, data) = done.context("a fetch task failed")?;
            if let Some(d) = data? {
                out.insert(p, d);
            }
        }
        Ok(out)
    }
}
