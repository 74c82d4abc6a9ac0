//! The notification delivery hook: with `probity serve --notify-command PATH`, PATH runs once
//! per notification due, the notification as one JSON object on its standard input
//! (`probity_service::notification_delivery::Outgoing`; docs/notifications.md). Exit status 0
//! means delivered; anything else, or no answer within the time limit, is a failed attempt
//! retried later, its exit status and first line of standard error kept for the operator.
//! Recipients' addresses go to the hook only, never to the log.
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use probity_service::notification_delivery::{self, Outgoing};
use probity_service::Ctx;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::task::JoinHandle;

use crate::lifecycle::Shutdown;

/// How often the due notifications are looked for.
const POLL: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct NotifyHook {
    command: PathBuf,
    timeout: Duration,
}

impl NotifyHook {
    /// A hook running `command`, which must be an executable file; each run may take up to
    /// `timeout`.
    pub fn new(command: &Path, timeout: Duration) -> Result<NotifyHook> {
        let meta = std::fs::metadata(command)
            .with_context(|| format!("--notify-command {}: no such file", command.display()))?;
        if !meta.is_file() {
            bail!("--notify-command {}: not a file", command.display());
        }
        if meta.permissions().mode() & 0o111 == 0 {
            bail!(
                "--notify-command {}: not executable (chmod +x it)",
                command.display()
            );
        }
        if timeout.is_zero() {
            bail!("--notify-timeout must be more than 0 seconds");
        }
        Ok(NotifyHook {
            command: command.to_path_buf(),
            timeout,
        })
    }

    /// Offer one notification: Ok when the hook exits 0.
    async fn offer(&self, n: &Outgoing) -> Result<(), String> {
        let json = serde_json::to_vec(n).map_err(|e| format!("could not encode: {e}"))?;
        let mut child = Command::new(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("could not start the hook: {}", e.kind()))?;
        let mut stdin = child.stdin.take().ok_or("the hook has no standard input")?;
        let mut stderr = child
            .stderr
            .take()
            .ok_or("the hook has no standard error")?;
        let run = async {
            // A hook that exits without reading is judged by its exit status alone.
            let _ = stdin.write_all(&json).await;
            drop(stdin);
            let mut err = Vec::new();
            let _ = stderr.read_to_end(&mut err).await;
            (child.wait().await, err)
        };
        match tokio::time::timeout(self.timeout, run).await {
            Err(_) => Err(format!(
                "no answer within {} s (stopped)",
                self.timeout.as_secs()
            )),
            Ok((Err(e), _)) => Err(format!("could not wait for the hook: {}", e.kind())),
            Ok((Ok(status), _)) if status.success() => Ok(()),
            Ok((Ok(status), err)) => {
                let first = String::from_utf8_lossy(&err)
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim()
                    .to_string();
                Err(if first.is_empty() {
                    format!("the hook failed ({status})")
                } else {
                    format!("the hook failed ({status}): {first}")
                })
            }
        }
    }
}

/// What one round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
}

/// Offer every notification due now, one after another.
pub async fn run_once(ctx: &Ctx, hook: &NotifyHook) -> Result<Round> {
    let mut round = Round::default();
    for n in notification_delivery::due(ctx).await? {
        match hook.offer(&n).await {
            Ok(()) => {
                notification_delivery::delivered(ctx, &n.id).await?;
                round.delivered += 1;
            }
            Err(error) => {
                let next = notification_delivery::failed(ctx, &n.id, n.attempt, &error).await?;
                tracing::warn!(notification = %n.id, attempt = n.attempt, %error, retry_at = %next,
                    "notification hook failed");
                round.failed += 1;
            }
        }
    }
    Ok(round)
}

/// Deliver in the background until shutdown (a round in progress finishes its current
/// notification).
pub fn spawn(ctx: Ctx, hook: NotifyHook, shutdown: Shutdown) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !shutdown.is_requested() {
            match run_once(&ctx, &hook).await {
                Ok(r) if r.delivered + r.failed > 0 => {
                    tracing::info!(
                        delivered = r.delivered,
                        failed = r.failed,
                        "notifications offered"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "notification delivery failed"),
            }
            shutdown.sleep(POLL).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use probity_service::testing::{Backend, TestDb, World};
    use probity_store::{review_items, to_micros};

    use super::*;

    async fn notify(w: &World, body: &str, age: time::Duration) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        let org = w
            .exporter
            .organisation_id
            .expect("an exporter has an organisation");
        let mut conn = w.ctx.store.pool().acquire().await.unwrap();
        review_items::notify(
            &mut conn,
            &[review_items::NewNotification {
                id: id.clone(),
                organisation_id: org.to_string(),
                subject_type: "licence",
                subject_id: "licence-1".into(),
                body: body.into(),
                created_at: to_micros(w.clock.now() - age),
            }],
        )
        .await
        .unwrap();
        id
    }

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(f, "#!/bin/sh\n{body}").unwrap();
        drop(f);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[tokio::test]
    async fn the_hook_gets_each_notification_once_and_failures_are_retried_later() {
        let db = TestDb::new(Backend::Sqlite).await;
        let w = World::new(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox.jsonl");
        let accept = script(
            dir.path(),
            "accept",
            &format!(
                "cat >> '{}'\necho >> '{}'",
                inbox.display(),
                inbox.display()
            ),
        );
        let refuse = script(
            dir.path(),
            "refuse",
            "cat > /dev/null\necho 'smtp: connection refused' >&2\nexit 3",
        );
        let ok = NotifyHook::new(&accept, Duration::from_secs(10)).unwrap();
        let bad = NotifyHook::new(&refuse, Duration::from_secs(10)).unwrap();

        let first = notify(
            &w,
            "Licence L1: suspend under review \"R\".",
            time::Duration::ZERO,
        )
        .await;
        let _stale = notify(&w, "Old news.", time::Duration::days(8)).await;

        // A failing hook: the attempt is recorded with what the hook said, and not repeated
        // before its retry time.
        assert_eq!(
            run_once(&w.ctx, &bad).await.unwrap(),
            Round {
                delivered: 0,
                failed: 1
            }
        );
        let s = notification_delivery::state(&w.ctx, &first).await.unwrap();
        assert!(!s.delivered);
        assert_eq!(s.attempts, 1);
        let error = s.last_error.unwrap_or_default();
        assert!(
            error.contains("connection refused") && error.contains('3'),
            "{error}"
        );
        assert_eq!(run_once(&w.ctx, &ok).await.unwrap(), Round::default());

        // After the delay the working hook takes it, once; the week-old one is never offered.
        w.clock.advance(time::Duration::minutes(2));
        assert_eq!(
            run_once(&w.ctx, &ok).await.unwrap(),
            Round {
                delivered: 1,
                failed: 0
            }
        );
        assert_eq!(run_once(&w.ctx, &ok).await.unwrap(), Round::default());
        assert!(
            notification_delivery::state(&w.ctx, &first)
                .await
                .unwrap()
                .delivered
        );
        let received = std::fs::read_to_string(&inbox).unwrap();
        let lines: Vec<serde_json::Value> = received
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 1, "{received}");
        let n = &lines[0];
        assert_eq!(n["id"], first.as_str());
        assert_eq!(n["attempt"], 2);
        assert_eq!(n["about"]["type"], "licence");
        assert!(n["body"].as_str().unwrap().contains("suspend under review"));
        assert!(
            n["recipients"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == w.exporter.email.as_str()),
            "{n}"
        );
    }

    #[tokio::test]
    async fn a_hook_that_hangs_is_stopped_and_counted_as_failed() {
        let db = TestDb::new(Backend::Sqlite).await;
        let w = World::new(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let hang = script(dir.path(), "hang", "sleep 30");
        let hook = NotifyHook::new(&hang, Duration::from_millis(300)).unwrap();
        let id = notify(&w, "Licence L2.", time::Duration::ZERO).await;
        let started = std::time::Instant::now();
        assert_eq!(
            run_once(&w.ctx, &hook).await.unwrap(),
            Round {
                delivered: 0,
                failed: 1
            }
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        let s = notification_delivery::state(&w.ctx, &id).await.unwrap();
        assert!(s.last_error.unwrap_or_default().contains("no answer"));
    }

    #[test]
    fn a_hook_that_cannot_run_is_refused_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let missing = NotifyHook::new(&dir.path().join("nope"), Duration::from_secs(1));
        assert!(missing.unwrap_err().to_string().contains("no such file"));
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = NotifyHook::new(&plain, Duration::from_secs(1)).unwrap_err();
        assert!(err.to_string().contains("not executable"), "{err}");
        assert!(NotifyHook::new(dir.path(), Duration::from_secs(1)).is_err());
    }
}
