//! The HTTP side of `probity witness serve` (a separate server, not part of the Probity web
//! app): a C2SP tlog-witness server: `POST /add-checkpoint`. The latest cosigned tree head per
//! origin is kept in a state directory, one JSON file per origin (replaced atomically, synced
//! before the answer). Checking the stored size and persisting the new head happen under one
//! lock, so two concurrent requests cannot roll the state back (the race the spec describes).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use probity_service::register::log::merkle::Hash;
use probity_service::register::log::witness::{AddCheckpoint, TreeHead, Witness, WitnessError};
use tokio::sync::Mutex;

/// A request is a checkpoint, up to 63 hashes and a few signatures: small.
const MAX_REQUEST: usize = 64 * 1024;

/// The witness and its state directory.
pub struct WitnessServer {
    witness: Witness,
    dir: PathBuf,
    lock: Mutex<()>,
}

fn origin_file(dir: &Path, origin: &str) -> PathBuf {
    let name: String = origin.bytes().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{name}.json"))
}

fn hex32(s: &str) -> Option<Hash> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl WitnessServer {
    /// A witness keeping its state in `dir` (created if missing).
    pub fn new(witness: Witness, dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(WitnessServer {
            witness,
            dir,
            lock: Mutex::new(()),
        })
    }

    pub fn witness(&self) -> &Witness {
        &self.witness
    }

    /// The latest cosigned head for `origin`.
    pub fn head(&self, origin: &str) -> std::io::Result<Option<TreeHead>> {
        let file = origin_file(&self.dir, origin);
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let bad = || std::io::Error::other(format!("{} is corrupt", file.display()));
        // {"origin", "size", "root" (lowercase hex), "note" (the note cosigned last)}
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|_| bad())?;
        if v["origin"].as_str() != Some(origin) {
            return Err(bad());
        }
        Ok(Some(TreeHead {
            size: v["size"].as_u64().ok_or_else(bad)?,
            root: v["root"].as_str().and_then(hex32).ok_or_else(bad)?,
        }))
    }

    fn store(&self, origin: &str, head: TreeHead, note: &[u8]) -> std::io::Result<()> {
        use std::io::Write as _;
        let file = origin_file(&self.dir, origin);
        let root: String = head.root.iter().map(|b| format!("{b:02x}")).collect();
        let s = serde_json::json!({
            "origin": origin,
            "size": head.size,
            "root": root,
            "note": String::from_utf8_lossy(note),
        });
        let tmp = file.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(serde_json::to_string_pretty(&s)?.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &file)?;
        std::fs::File::open(&self.dir)?.sync_all()
    }

    /// Handles one `add-checkpoint` body: the cosignature line(s) on success.
    pub async fn add_checkpoint(&self, body: &[u8], now: u64) -> Result<String, AddError> {
        let req = AddCheckpoint::parse(body)?;
        let origin = Witness::origin_of(&req)?;
        let _guard = self.lock.lock().await;
        let stored = self.head(&origin)?;
        let (cp, text) = match self.witness.check(&req, stored) {
            Ok(ok) => ok,
            Err(e) => {
                if matches!(
                    e,
                    WitnessError::RootMismatch { .. } | WitnessError::BadProof { .. }
                ) {
                    tracing::warn!(%origin, error = %e, "possible log misbehaviour refused");
                }
                return Err(e.into());
            }
        };
        let line = self.witness.cosign(&text, now)?;
        self.store(
            &origin,
            TreeHead {
                size: cp.size(),
                root: *cp.root(),
            },
            &req.note,
        )?;
        Ok(line)
    }
}

/// A refusal (with the spec's status) or a storage failure (500).
#[derive(Debug)]
pub enum AddError {
    Refused(WitnessError),
    Io(std::io::Error),
}

impl From<WitnessError> for AddError {
    fn from(e: WitnessError) -> Self {
        AddError::Refused(e)
    }
}

impl From<std::io::Error> for AddError {
    fn from(e: std::io::Error) -> Self {
        AddError::Io(e)
    }
}

impl IntoResponse for AddError {
    fn into_response(self) -> Response {
        match self {
            AddError::Refused(e) => {
                let status =
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let (body, ctype) = e.body();
                (
                    status,
                    [(header::CONTENT_TYPE, HeaderValue::from_static(ctype))],
                    body,
                )
                    .into_response()
            }
            AddError::Io(e) => {
                tracing::error!(error = %e, "witness state could not be read or written");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the witness state could not be read or written\n",
                )
                    .into_response()
            }
        }
    }
}

async fn add_checkpoint(State(server): State<Arc<WitnessServer>>, body: Bytes) -> Response {
    let now = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
    match server.add_checkpoint(&body, now).await {
        Ok(line) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            line,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// The witness's HTTP interface: `POST /add-checkpoint`.
pub fn witness_router(server: Arc<WitnessServer>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(server)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt as _;
    use probity_service::register::log::checkpoint::Checkpoint;
    use probity_service::register::log::cosignature::Cosigner;
    use probity_service::register::log::note::{parse_note, sign_note, Ed25519Signer};
    use probity_service::register::log::store::{append_entries, MemoryStore};
    use probity_service::register::log::witness::read_cosignatures;
    use probity_service::register::log::{prove_consistency, tree_hash};
    use tower::ServiceExt as _;

    use super::*;

    const ORIGIN: &str = "example.com/log";

    fn body(store: &MemoryStore, old: u64, n: u64) -> Vec<u8> {
        let signer = Ed25519Signer::from_seed(ORIGIN, &[1; 32]).unwrap();
        let root = tree_hash(n, store).unwrap();
        let cp = Checkpoint::new(ORIGIN, n, root).unwrap();
        AddCheckpoint {
            old_size: old,
            proof: if old == 0 || old >= n {
                vec![]
            } else {
                prove_consistency(old, n, store).unwrap()
            },
            note: sign_note(&cp.to_text(), &[&signer]).unwrap().into_bytes(),
        }
        .to_body()
    }

    async fn post(app: &Router, body: Vec<u8>) -> (u16, String, String) {
        let resp = app
            .clone()
            .oneshot(
                Request::post("/add-checkpoint")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let b = resp.into_body().collect().await.unwrap().to_bytes();
        (status, ctype, String::from_utf8_lossy(&b).into_owned())
    }

    fn server(dir: &Path) -> Arc<WitnessServer> {
        let mut w = Witness::new(Cosigner::from_seed("witness.example/w1", &[7; 32]).unwrap());
        w.add_log(
            Ed25519Signer::from_seed(ORIGIN, &[1; 32])
                .unwrap()
                .verifier(),
        );
        Arc::new(WitnessServer::new(w, dir.to_path_buf()).unwrap())
    }

    #[tokio::test]
    async fn serves_cosignatures_and_refuses_fork_and_rollback_persistently() {
        let tmp = tempfile::tempdir().unwrap();
        let honest = {
            let mut s = MemoryStore::new();
            append_entries(&mut s, 0, &["a", "b", "c", "d", "e"]).unwrap();
            s
        };
        let forked = {
            let mut s = MemoryStore::new();
            append_entries(&mut s, 0, &["a", "b", "X", "d", "e"]).unwrap();
            s
        };
        let srv = server(tmp.path());
        let app = witness_router(srv.clone());

        let (st, _, line) = post(&app, body(&honest, 0, 3)).await;
        assert_eq!(st, 200, "{line}");
        let text = parse_note(&sign_body_note(&honest, 3)).unwrap().text;
        let v = srv.witness().cosigner().verifier();
        assert_eq!(
            read_cosignatures(&v, &text, line.as_bytes()).unwrap().len(),
            1
        );

        // A restarted witness (same directory) remembers size 3.
        let app = witness_router(server(tmp.path()));
        let (st, ctype, b) = post(&app, body(&honest, 0, 4)).await;
        assert_eq!(
            (st, ctype.as_str(), b.as_str()),
            (409, "text/x.tlog.size", "3\n")
        );
        // Fork: same size different root (409), larger size (422).
        assert_eq!(post(&app, body(&forked, 3, 3)).await.0, 409);
        assert_eq!(post(&app, body(&forked, 3, 5)).await.0, 422);
        // Rollback (400), garbage (400), then the honest continuation (200).
        assert_eq!(post(&app, body(&honest, 3, 2)).await.0, 400);
        assert_eq!(post(&app, b"nonsense".to_vec()).await.0, 400);
        assert_eq!(post(&app, body(&honest, 3, 5)).await.0, 200);
        assert_eq!(srv.head(ORIGIN).unwrap().unwrap().size, 5);
    }

    fn sign_body_note(store: &MemoryStore, n: u64) -> Vec<u8> {
        AddCheckpoint::parse(&body(store, 0, n)).unwrap().note
    }
}
