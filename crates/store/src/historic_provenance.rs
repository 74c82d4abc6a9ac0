//! The CAAT files beside the values (migration 0005): incorporation destinations, trade
//! sources, licence footnotes and region footnotes. Inserts are `ON CONFLICT DO NOTHING`, sized
//! per backend by [`crate::bulk`]; reads are small (reference lists, or a page of licences).

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use crate::bulk::{in_list, insert_rows, rows_per_statement, Value};
use crate::{Store, StoreError};

/// An onward destination for incorporation, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationRow {
    pub licence_group: i64,
    pub destination: String,
    pub occurrence: i64,
    pub iso2: String,
    pub iso2_as_published: Option<String>,
    pub line: i64,
}

/// A source country of transit or trade items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeSourceRow {
    pub ref_key: String,
    pub country: String,
    pub occurrence: i64,
    pub licence_group: Option<i64>,
    pub licence_id: Option<i64>,
    pub iso2: String,
    pub iso2_as_published: Option<String>,
    pub licence_count: Option<i64>,
    pub line: i64,
}

/// A footnote on a licence group (or one licence in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceNoteRow {
    pub licence_group: i64,
    pub ordinal: i64,
    pub licence_id: Option<i64>,
    pub note: String,
    pub line: i64,
}

/// An embargo or sanctions note on a destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionNoteRow {
    pub name: String,
    pub ordinal: i64,
    pub iso2: String,
    pub note: String,
    pub line: i64,
}

/// How many rows each file of an import added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProvenanceInserted {
    pub destinations: u64,
    pub trade_sources: u64,
    pub licence_footnotes: u64,
    pub region_footnotes: u64,
}

/// The four files' rows of one import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvenanceRows {
    pub destinations: Vec<DestinationRow>,
    pub trade_sources: Vec<TradeSourceRow>,
    pub licence_notes: Vec<LicenceNoteRow>,
    pub region_notes: Vec<RegionNoteRow>,
}

impl ProvenanceRows {
    pub fn len(&self) -> usize {
        self.destinations.len()
            + self.trade_sources.len()
            + self.licence_notes.len()
            + self.region_notes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Store the four files' rows under `source`, attributed to `run`.
pub async fn insert_all(
    conn: &mut AnyConnection,
    source: &str,
    run: &str,
    p: &ProvenanceRows,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<ProvenanceInserted, StoreError> {
    let (dests, trade) = (&p.destinations, &p.trade_sources);
    let (licence_notes, region_notes) = (&p.licence_notes, &p.region_notes);
    let s = || Value::Text(source);
    let r = || Value::Text(run);
    let rows: Vec<Vec<Value>> = dests
        .iter()
        .map(|d| {
            vec![
                s(),
                Value::Int(d.licence_group),
                Value::Text(&d.destination),
                Value::Int(d.occurrence),
                Value::Text(&d.iso2),
                Value::OptText(d.iso2_as_published.as_deref()),
                Value::Int(d.line),
                r(),
            ]
        })
        .collect();
    let cols = [
        "source",
        "licence_group",
        "destination",
        "occurrence",
        "iso2",
        "iso2_as_published",
        "line",
        "import_run",
    ];
    let destinations = insert_rows(
        conn,
        "historic_incorporation_destinations",
        &cols,
        &rows,
        progress,
    )
    .await?;
    let rows: Vec<Vec<Value>> = trade
        .iter()
        .map(|t| {
            vec![
                s(),
                Value::Text(&t.ref_key),
                Value::Text(&t.country),
                Value::Int(t.occurrence),
                Value::OptInt(t.licence_group),
                Value::OptInt(t.licence_id),
                Value::Text(&t.iso2),
                Value::OptText(t.iso2_as_published.as_deref()),
                Value::OptInt(t.licence_count),
                Value::Int(t.line),
                r(),
            ]
        })
        .collect();
    let cols = [
        "source",
        "ref_key",
        "country",
        "occurrence",
        "licence_group",
        "licence_id",
        "iso2",
        "iso2_as_published",
        "licence_count",
        "line",
        "import_run",
    ];
    let trade_sources = insert_rows(conn, "historic_trade_sources", &cols, &rows, progress).await?;
    let rows: Vec<Vec<Value>> = licence_notes
        .iter()
        .map(|n| {
            vec![
                s(),
                Value::Int(n.licence_group),
                Value::Int(n.ordinal),
                Value::OptInt(n.licence_id),
                Value::Text(&n.note),
                Value::Int(n.line),
                r(),
            ]
        })
        .collect();
    let cols = [
        "source",
        "licence_group",
        "ordinal",
        "licence_id",
        "note",
        "line",
        "import_run",
    ];
    let licence_footnotes =
        insert_rows(conn, "historic_licence_footnotes", &cols, &rows, progress).await?;
    let rows: Vec<Vec<Value>> = region_notes
        .iter()
        .map(|n| {
            vec![
                s(),
                Value::Text(&n.name),
                Value::Int(n.ordinal),
                Value::Text(&n.iso2),
                Value::Text(&n.note),
                Value::Int(n.line),
                r(),
            ]
        })
        .collect();
    let cols = [
        "source",
        "name",
        "ordinal",
        "iso2",
        "note",
        "line",
        "import_run",
    ];
    let region_footnotes =
        insert_rows(conn, "historic_region_footnotes", &cols, &rows, progress).await?;
    Ok(ProvenanceInserted {
        destinations,
        trade_sources,
        licence_footnotes,
        region_footnotes,
    })
}

/// A stored region note.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegionNote {
    pub source: String,
    pub name: String,
    pub iso2: String,
    pub note: String,
}

/// Every region note, by source, name and file order.
pub async fn region_notes(store: &Store) -> Result<Vec<RegionNote>, StoreError> {
    let rows = sqlx::query(
        "SELECT source, name, iso2, note FROM historic_region_footnotes \
         ORDER BY source, name, ordinal",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RegionNote {
                source: r.try_get("source")?,
                name: r.try_get("name")?,
                iso2: r.try_get("iso2")?,
                note: r.try_get("note")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// One import run, for citing where the data came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRecord {
    pub id: String,
    pub source: String,
    pub directory: String,
    pub file_set_hash: String,
    pub files_json: String,
    pub finished_at: i64,
}

/// The first run of each distinct file set, oldest first (later runs of the same files added
/// nothing).
pub async fn first_runs(store: &Store) -> Result<Vec<RunRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, source, directory, file_set_hash, files_json, finished_at \
         FROM historic_import_runs ORDER BY started_at, id",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out: Vec<RunRecord> = Vec::new();
    for r in &rows {
        let run = RunRecord {
            id: r.try_get("id")?,
            source: r.try_get("source")?,
            directory: r.try_get("directory")?,
            file_set_hash: r.try_get("file_set_hash")?,
            files_json: r.try_get("files_json")?,
            finished_at: r.try_get("finished_at")?,
        };
        if !out.iter().any(|o| o.file_set_hash == run.file_set_hash) {
            out.push(run);
        }
    }
    Ok(out)
}

/// Rows per (source, table): what the provenance tables hold.
pub async fn counts(store: &Store) -> Result<BTreeMap<(String, String), i64>, StoreError> {
    let mut out = BTreeMap::new();
    for table in [
        "historic_incorporation_destinations",
        "historic_trade_sources",
        "historic_licence_footnotes",
        "historic_region_footnotes",
    ] {
        let sql =
            format!("SELECT source, CAST(COUNT(*) AS BIGINT) AS n FROM {table} GROUP BY source");
        for r in sqlx::query(&sql).fetch_all(store.pool()).await? {
            out.insert((r.try_get("source")?, table.to_string()), r.try_get("n")?);
        }
    }
    Ok(out)
}

/// The incorporation destinations and footnotes of some licence groups of one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupDetails {
    /// (name, code) in name order.
    pub destinations: Vec<(String, String)>,
    /// (licence id, note) in file order.
    pub notes: Vec<(Option<i64>, String)>,
}

/// [`GroupDetails`] for `groups` (a page of licences: at most a few hundred).
pub async fn group_details(
    store: &Store,
    source: &str,
    groups: &[i64],
) -> Result<BTreeMap<i64, GroupDetails>, StoreError> {
    let mut out: BTreeMap<i64, GroupDetails> = BTreeMap::new();
    let mut conn = store.pool().acquire().await?;
    for chunk in groups.chunks(rows_per_statement(&conn, 1).saturating_sub(1).max(1)) {
        let sql = format!(
            "SELECT licence_group, destination, iso2 FROM historic_incorporation_destinations \
             WHERE source = $1 AND licence_group IN ({}) ORDER BY licence_group, destination, occurrence",
            in_list(2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(source);
        for g in chunk {
            q = q.bind(*g);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let e = out.entry(r.try_get("licence_group")?).or_default();
            e.destinations
                .push((r.try_get("destination")?, r.try_get("iso2")?));
        }
        let sql = format!(
            "SELECT licence_group, licence_id, note FROM historic_licence_footnotes \
             WHERE source = $1 AND licence_group IN ({}) ORDER BY licence_group, ordinal",
            in_list(2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(source);
        for g in chunk {
            q = q.bind(*g);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let e = out.entry(r.try_get("licence_group")?).or_default();
            e.notes.push((r.try_get("licence_id")?, r.try_get("note")?));
        }
    }
    Ok(out)
}

/// The source of the stored value rows, if any (one release per database).
pub async fn values_source(store: &Store) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT source FROM historic_licence_segments LIMIT 1")
            .fetch_optional(store.pool())
            .await?,
    )
}
