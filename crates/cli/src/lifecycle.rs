//! The life of a serving process (`serve`, `demo`, `witness serve`): SIGTERM or SIGINT asks
//! for a graceful shutdown. The HTTP server stops accepting and lets requests in flight
//! finish; the background loops finish what they are doing (the sequencer its current batch:
//! a batch is never cut off, though one cut off would only roll back) and stop; then the
//! process exits 0.
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use probity_service::register::sequencer::POLL_INTERVAL;
use probity_service::register::Sequencer;
use probity_service::Ctx;
use probity_web::health::{Health, Heartbeat};
use probity_web::{build_router, AppState};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Serve until SIGTERM or SIGINT, then drain requests in flight and stop the background
/// loops (the sequencer after its current batch) before exiting 0.
pub async fn run_server(
    ctx: Ctx,
    listen: SocketAddr,
    secure_cookies: bool,
    sequencer: Option<Sequencer>,
    notify: Option<crate::notify_hook::NotifyHook>,
    shutdown: Shutdown,
) -> Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("could not listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let mut health = Health::default();
    // Requests never wait for the statistics to load: /data and the stats API say they are
    // loading, and /readyz is not ready, until the table is built.
    probity_service::analytics::load_in_background(&ctx);
    let mut tasks = vec![
        spawn_expiry(ctx.clone(), shutdown.clone()),
        spawn_dissent_deadlines(ctx.clone(), shutdown.clone()),
    ];
    if let Some(hook) = notify {
        tasks.push(crate::notify_hook::spawn(
            ctx.clone(),
            hook,
            shutdown.clone(),
        ));
    }
    if let Some(sequencer) = sequencer {
        let heartbeat = Heartbeat::new();
        health = health.with_sequencer(heartbeat.clone());
        tasks.push(spawn_sequencer(
            sequencer,
            ctx.clone(),
            heartbeat,
            shutdown.clone(),
        ));
    }
    let app = build_router(AppState {
        ctx: ctx.clone(),
        secure_cookies,
        health,
    });
    println!("listening on http://{addr}");
    // Drain, then the background loops: within 10 s of the signal in all (an orchestrator's
    // usual grace period), even when a request or a batch overruns.
    let limits = crate::http_server::Limits {
        drain: Duration::from_secs(8),
        ..Default::default()
    };
    crate::http_server::serve(listener, app, limits, shutdown.requested()).await?;
    join_all(tasks, Duration::from_secs(2)).await;
    ctx.store.close().await;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Becomes `true` once shutdown is asked for.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// Installs the SIGTERM and SIGINT handlers (from now on those signals no longer kill
    /// the process outright) and returns the flag they raise.
    pub fn on_signals() -> Result<Shutdown> {
        let mut term = signal(SignalKind::terminate()).context("could not handle SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("could not handle SIGINT")?;
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            tracing::info!(signal = name, "shutting down: finishing requests in flight");
            eprintln!("{name}: shutting down");
            let _ = tx.send(true);
        });
        Ok(Shutdown(rx))
    }

    /// Resolves once shutdown is asked for.
    pub async fn requested(mut self) {
        // An error means the sender is gone, which only happens after it sent.
        let _ = self.0.wait_for(|stop| *stop).await;
    }

    pub(crate) fn is_requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Sleeps for `d`, or less if shutdown is asked for meanwhile.
    pub(crate) async fn sleep(&self, d: Duration) {
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            () = self.clone().requested() => {}
        }
    }
}

/// Marks the heartbeat stopped when the loop ends, however it ends (a panic too).
struct StopOnDrop(Arc<Heartbeat>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// The register sequencer in the background: one batch after another while there is work,
/// polling when idle, backing off after a failure; beats `heartbeat` every round.
pub fn spawn_sequencer(
    sequencer: Sequencer,
    ctx: Ctx,
    heartbeat: Arc<Heartbeat>,
    shutdown: Shutdown,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let _stop = StopOnDrop(heartbeat.clone());
        while !shutdown.is_requested() {
            // Not raced against shutdown: the batch runs to its commit.
            let result = sequencer.run_once(&ctx).await;
            heartbeat.beat();
            match result {
                Ok(n) if n > 0 => tracing::info!(appended = n, "register: appended entries"),
                Ok(_) => shutdown.sleep(POLL_INTERVAL).await,
                Err(e) => {
                    tracing::error!(error = %e, "register sequencer failed; retrying");
                    shutdown.sleep(POLL_INTERVAL * 10).await;
                }
            }
        }
        tracing::info!("register sequencer stopped");
    })
}

/// Licence expiry by date, hourly (and once at start); a run in progress finishes.
pub fn spawn_expiry(ctx: Ctx, shutdown: Shutdown) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !shutdown.is_requested() {
            match probity_service::licences::expire_due(&ctx).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "expired licences past their end date"),
                Err(e) => tracing::error!(error = %e, "licence expiry job failed"),
            }
            shutdown.sleep(Duration::from_secs(3600)).await;
        }
    })
}

/// Dissents past their deadline go to oversight: checked every five minutes (and at start).
pub fn spawn_dissent_deadlines(ctx: Ctx, shutdown: Shutdown) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !shutdown.is_requested() {
            match probity_service::dissent_steps::escalate_overdue(&ctx).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    escalated = n,
                    "dissents past their deadline sent to oversight"
                ),
                Err(e) => tracing::error!(error = %e, "dissent deadline job failed"),
            }
            shutdown.sleep(Duration::from_secs(300)).await;
        }
    })
}

/// Waits for background loops to stop, for at most `limit`.
pub async fn join_all(tasks: Vec<JoinHandle<()>>, limit: Duration) {
    let all = async {
        for t in tasks {
            if let Err(e) = t.await {
                tracing::error!(error = %e, "a background task failed");
            }
        }
    };
    if tokio::time::timeout(limit, all).await.is_err() {
        tracing::warn!("background tasks still running after {limit:?}; exiting anyway");
    }
}
