//! The log's follow-up task for witnessing: after each checkpoint, submit it to every
//! configured witness (C2SP tlog-witness `add-checkpoint`), keep the cosignatures, and let the
//! served checkpoint carry them once the quorum is reached. A 409 answer tells the size the
//! witness holds; the next round sends a consistency proof from there.

use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use probity_service::register::witnessing::{self as wit, WitnessConfig, WitnessPolicy};
use probity_service::Ctx;

const ROUND: Duration = Duration::from_millis(500);
const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_RESPONSE: usize = 64 * 1024;

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The policy from `--witness` and `--witness-quorum` (default: every witness), or `None`.
pub fn policy(witnesses: &[String], quorum: Option<usize>) -> Result<Option<WitnessPolicy>> {
    if witnesses.is_empty() {
        if quorum.is_some() {
            return Err(anyhow!("--witness-quorum needs at least one --witness"));
        }
        return Ok(None);
    }
    let configs = witnesses
        .iter()
        .map(|w| {
            w.parse::<WitnessConfig>()
                .map_err(|e| anyhow!("--witness {e}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let k = quorum.unwrap_or(configs.len());
    WitnessPolicy::new(configs, k)
        .map(Some)
        .map_err(|e| anyhow!("{e}"))
}

/// One POST; (status, content type, body).
async fn post(client: &HttpsClient, url: &str, body: Vec<u8>) -> Result<(u16, String, Vec<u8>)> {
    let req = hyper::Request::post(url)
        .body(Full::new(Bytes::from(body)))
        .with_context(|| format!("bad URL {url}"))?;
    let resp = tokio::time::timeout(TIMEOUT, client.request(req))
        .await
        .map_err(|_| anyhow!("timed out posting to {url}"))?
        .with_context(|| format!("could not post to {url}"))?;
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = tokio::time::timeout(
        TIMEOUT,
        Limited::new(resp.into_body(), MAX_RESPONSE).collect(),
    )
    .await
    .map_err(|_| anyhow!("timed out reading {url}"))?
    .map_err(|e| anyhow!("could not read {url}: {e}"))?
    .to_bytes()
    .to_vec();
    Ok((status, ctype, body))
}

/// One round: submit the latest checkpoint where needed, then assemble.
pub async fn round(ctx: &Ctx, policy: &WitnessPolicy, client: &HttpsClient) -> Result<usize> {
    let subs = wit::submissions(ctx, policy)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    for s in subs {
        let w = &policy.witnesses[s.witness];
        let url = format!("{}/add-checkpoint", w.url);
        match post(client, &url, s.body).await {
            Ok((200, _, body)) => {
                if let Err(e) =
                    wit::record_cosignature(ctx, policy, s.witness, s.checkpoint_size, &body).await
                {
                    tracing::warn!(witness = %w.name, error = %e, "bad cosignature");
                }
            }
            Ok((409, ctype, body)) if ctype.starts_with("text/x.tlog.size") => {
                let text = String::from_utf8_lossy(&body);
                match text.trim_end_matches('\n').parse::<u64>() {
                    Ok(size) => wit::record_witness_size(ctx, policy, s.witness, size)
                        .await
                        .map_err(|e| anyhow!("{e}"))?,
                    Err(_) => tracing::warn!(witness = %w.name, "unreadable 409 answer"),
                }
            }
            Ok((status, _, body)) => tracing::warn!(
                witness = %w.name,
                status,
                answer = %String::from_utf8_lossy(&body).trim(),
                "witness refused the checkpoint"
            ),
            Err(e) => tracing::debug!(witness = %w.name, error = %e, "witness unreachable"),
        }
    }
    wit::assemble(ctx, policy).await.map_err(|e| anyhow!("{e}"))
}

/// Starts the follow-up task.
pub fn spawn(ctx: Ctx, policy: WitnessPolicy) -> Result<()> {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .context("could not load the system's TLS root certificates")?
        .https_or_http()
        .enable_http1()
        .build();
    let client: HttpsClient = Client::builder(TokioExecutor::new()).build(connector);
    println!(
        "register witnesses: {} of {} ({})",
        policy.quorum,
        policy.witnesses.len(),
        policy
            .witnesses
            .iter()
            .map(|w| w.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    tokio::spawn(async move {
        loop {
            if let Err(e) = round(&ctx, &policy, &client).await {
                tracing::warn!(error = %e, "witness round failed");
            }
            tokio::time::sleep(ROUND).await;
        }
    });
    Ok(())
}
