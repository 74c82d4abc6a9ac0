//! Where the analytics snapshot is kept: `--analytics-snapshot`, else beside a SQLite
//! database file (`probity.db` → `probity.db.analytics`). A PostgreSQL database has no file
//! to sit beside, so it gets a snapshot only when one is named.
use std::path::{Path, PathBuf};

use probity_service::{analytics, Ctx};

pub fn snapshot_path(database_url: &str, explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let file = rest.split('?').next().unwrap_or_default();
    if file.is_empty() || file == ":memory:" {
        return None;
    }
    let mut name = Path::new(file).as_os_str().to_os_string();
    name.push(".analytics");
    Some(PathBuf::from(name))
}

/// Keep `ctx`'s analytics table in the snapshot for this database, if it has a place.
pub fn use_for(ctx: &Ctx, database_url: &str, explicit: Option<&Path>) -> Option<PathBuf> {
    let path = snapshot_path(database_url, explicit)?;
    analytics::use_snapshot(ctx, path.clone());
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_sits_beside_a_sqlite_file_or_where_it_is_named() {
        let p = |u: &str| snapshot_path(u, None);
        assert_eq!(
            p("sqlite://data/probity.db"),
            Some("data/probity.db.analytics".into())
        );
        assert_eq!(
            p("sqlite:probity.db?mode=rwc"),
            Some("probity.db.analytics".into())
        );
        assert_eq!(
            p("sqlite:///var/lib/p.db"),
            Some("/var/lib/p.db.analytics".into())
        );
        assert_eq!(p("sqlite::memory:"), None);
        assert_eq!(p("postgres://u@h/db"), None);
        let named = Path::new("/srv/stats.snapshot");
        assert_eq!(
            snapshot_path("postgres://u@h/db", Some(named)),
            Some(named.into())
        );
    }
}
