use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::ConnectOptions;
use sqlx::{AnyPool, Executor};

use crate::{migrate, StoreError, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }
}

/// Strip any password from a URL before it is shown or logged.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// A connection pool on one of the two backends.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// PostgreSQL's url, for the connections `COPY` needs ([`crate::bulk_copy`]).
    postgres_url: Option<SecretUrl>,
}

/// A connection url, which may hold a password: never printed.
#[derive(Clone)]
struct SecretUrl(std::sync::Arc<str>);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

/// Pool size and timeouts. The defaults are the values Probity always used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    /// Connections open at most; `None`: 8 on SQLite (one writer at a time anyway), 16 on
    /// PostgreSQL.
    pub max_connections: Option<u32>,
    /// How long a request waits for a free connection before it fails.
    pub acquire_timeout: Duration,
    /// SQLite only: how long a writer waits for the write lock before it fails.
    pub busy_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_connections: None,
            acquire_timeout: Duration::from_secs(30),
            busy_timeout: Duration::from_secs(30),
        }
    }
}

/// Bounds a setting must lie in: a pool of 0 serves nothing, a timeout of 0 fails every
/// wait, and past these maxima a setting is a typo rather than a choice.
pub const MAX_POOL_CONNECTIONS: u32 = 1000;
pub const MAX_POOL_TIMEOUT: Duration = Duration::from_secs(3600);

impl PoolConfig {
    /// Connections for `backend`.
    pub fn connections(&self, backend: Backend) -> u32 {
        self.max_connections.unwrap_or(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        })
    }

    /// Refuses settings that cannot work, naming the setting.
    pub fn validate(&self) -> Result<(), StoreError> {
        let bad = |what: &str, limit: String| {
            Err(StoreError::PoolConfig(format!("{what} must be {limit}")))
        };
        if let Some(n) = self.max_connections {
            if n == 0 || n > MAX_POOL_CONNECTIONS {
                return bad(
                    "the pool's maximum connections",
                    format!("between 1 and {MAX_POOL_CONNECTIONS} (got {n})"),
                );
            }
        }
        for (what, d) in [
            ("the connection acquire timeout", self.acquire_timeout),
            ("the SQLite busy timeout", self.busy_timeout),
        ] {
            if d < Duration::from_millis(1) || d > MAX_POOL_TIMEOUT {
                return bad(
                    what,
                    format!(
                        "between 1 ms and {} s (got {} ms)",
                        MAX_POOL_TIMEOUT.as_secs(),
                        d.as_millis()
                    ),
                );
            }
        }
        Ok(())
    }
}

impl Store {
    /// Connect (creating a SQLite file if missing) without migrating.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, &PoolConfig::default()).await
    }

    /// [`Store::connect`] with a pool configuration.
    pub async fn connect_with(url: &str, config: &PoolConfig) -> Result<Store, StoreError> {
        config.validate()?;
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        // No statement log: a statement's line carries its time, and some statements store
        // protected disclosures, whose making must leave no trace. Slow ones still warn.
        let options = AnyConnectOptions::from_str(&url)?.log_statements(log::LevelFilter::Off);
        let pool_options = AnyPoolOptions::new()
            .max_connections(config.connections(backend))
            .acquire_timeout(config.acquire_timeout);
        let pool = match backend {
            Backend::Sqlite => {
                let busy = format!("PRAGMA busy_timeout = {}", config.busy_timeout.as_millis());
                pool_options
                    .after_connect(move |conn, _| {
                        let busy = busy.clone();
                        Box::pin(async move {
                            // WAL lets readers run beside the single writer; the busy timeout
                            // makes a second writer wait instead of failing. FULL: a commit is on disk when it
                            // returns (a signed checkpoint must never be lost after it was served).
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute(busy.as_str()).await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => pool_options.connect_with(options).await?,
        };
        let postgres_url = (backend == Backend::Postgres).then(|| SecretUrl(url.as_str().into()));
        Ok(Store {
            pool,
            backend,
            postgres_url,
        })
    }

    /// [`Store::open`] with a pool configuration.
    pub async fn open_with(url: &str, config: &PoolConfig) -> Result<Store, StoreError> {
        let store = Store::connect_with(url, config).await?;
        migrate::run(&store).await?;
        Ok(store)
    }

    /// Whether the database answers a trivial query (for readiness checks).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Connect and bring the schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect(url).await?;
        migrate::run(&store).await?;
        Ok(store)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The url a PostgreSQL store was opened with (`None` on SQLite).
    pub(crate) fn postgres_url(&self) -> Option<&str> {
        self.postgres_url.as_ref().map(|u| &*u.0)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begin a read-only transaction (consistent snapshot for multi-query reads).
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// Begin a command transaction: takes the command lock first (see crate docs).
    pub async fn begin_command(&self) -> Result<Tx, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE command_lock SET taken = taken + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Accept `sqlite://path`, `sqlite:path` and `sqlite::memory:`; create the parent folder and
/// open in read-write-create mode.
fn sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    if rest.starts_with(":memory:") {
        return Ok("sqlite::memory:".to_string());
    }
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            private_dir(parent).map_err(|source| StoreError::DataDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
    }
    private_file(std::path::Path::new(path)).map_err(|source| StoreError::DataDir {
        path: path.to_string(),
        source,
    })?;
    let query = match query {
        Some(q) if q.contains("mode=") => q.to_string(),
        Some(q) => format!("{q}&mode=rwc"),
        None => "mode=rwc".to_string(),
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Create missing folders readable by the owner only (0700 on unix): the database holds
/// password hashes and confidential case data.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Create a missing database file as 0600 (unix) before SQLite does with the umask's mode;
/// SQLite gives its -wal and -shm files the same mode. An existing file is left as it is.
fn private_file(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_leave_in_urls() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example/probity"),
            "postgres://app@db.example/probity"
        );
        assert_eq!(redact("sqlite://data/p.db"), "sqlite://data/p.db");
    }

    #[test]
    fn pool_settings_outside_their_bounds_are_refused_by_name() {
        assert!(PoolConfig::default().validate().is_ok());
        let cases = [
            (
                PoolConfig {
                    max_connections: Some(0),
                    ..Default::default()
                },
                "maximum connections",
            ),
            (
                PoolConfig {
                    max_connections: Some(MAX_POOL_CONNECTIONS + 1),
                    ..Default::default()
                },
                "maximum connections",
            ),
            (
                PoolConfig {
                    acquire_timeout: Duration::ZERO,
                    ..Default::default()
                },
                "acquire timeout",
            ),
            (
                PoolConfig {
                    busy_timeout: MAX_POOL_TIMEOUT + Duration::from_secs(1),
                    ..Default::default()
                },
                "busy timeout",
            ),
        ];
        for (config, named) in cases {
            let err = config.validate().unwrap_err().to_string();
            assert!(err.contains(named), "{config:?}: {err}");
        }
        assert_eq!(PoolConfig::default().connections(Backend::Sqlite), 8);
        assert_eq!(PoolConfig::default().connections(Backend::Postgres), 16);
    }

    #[tokio::test]
    async fn a_bad_pool_setting_fails_before_connecting() {
        let config = PoolConfig {
            max_connections: Some(0),
            ..Default::default()
        };
        let err = Store::connect_with("sqlite::memory:", &config)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::PoolConfig(_)), "{err}");
    }

    #[test]
    fn rejects_unknown_schemes() {
        assert!(matches!(
            Backend::from_url("mysql://x"),
            Err(StoreError::UnsupportedUrl(_))
        ));
    }

    #[test]
    fn sqlite_urls_open_read_write_create() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nested/p.db");
        let url = sqlite_url(&format!("sqlite://{}", p.display())).unwrap();
        assert!(url.ends_with("?mode=rwc"));
        assert!(p.parent().unwrap().exists());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_data_folder_and_database_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let db = data.join("probity.db");
        let store = Store::open(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&db), 0o600);
        let wal = data.join("probity.db-wal");
        if wal.exists() {
            assert_eq!(mode(&wal), 0o600);
        }
        store.close().await;
    }
}
