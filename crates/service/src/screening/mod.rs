//! Screening parties against sanctions and denial lists: loading list versions, the index
//! over the current ones, screening a case's parties when it is submitted, re-screening
//! everything in scope after a list changes, and caseworkers resolving matches.
//!
//! The index is built once per set of current list versions (and denials) and kept in
//! [`ScreeningCache`]; a list load or a new refusal changes the key and the next use rebuilds.

use std::sync::Arc;

use probity_domain::screening::{
    MatchVerdict, RescreenReason, MAY_LOAD_LISTS, MAY_RESOLVE_MATCHES, MAY_SEE_LISTS,
};
use probity_screening::{
    lists, BadLines, EntryKind, EntryName, Index, ListEntry, ListError, ListKind, Match, NameKind,
    Query, Scratch, SkippedLine, DEFAULT_THRESHOLD,
};
use probity_store::screening as store;
use probity_store::{from_micros, to_micros};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::Actor;
use crate::command::Command;
use crate::{Ctx, ServiceError, ServiceResult};

pub use store::{ChangeRow, ListVersionRow, MatchRow, OpenMatchRow, RunRow};

mod matches;
mod rescreen;
mod reviews;

pub(crate) use matches::decision_facts;
pub use matches::{matches_of_case, open_matches, resolve, OpenMatches};
pub(crate) use rescreen::screen_case_in_tx;
pub use rescreen::{rescreen_all, Progress, RescreenReport};
pub use reviews::ReviewedLicence;

/// The index over the current lists, shared by a context's clones.
#[derive(Default)]
pub struct ScreeningCache {
    current: tokio::sync::Mutex<Option<Arc<Loaded>>>,
}

/// An index and the list versions it was built from.
pub struct Loaded {
    key: String,
    pub index: Index,
    /// (list name, version id), in the index's list order.
    pub versions: Vec<(String, String)>,
}

impl Loaded {
    fn version_of(&self, list: &str) -> Option<&str> {
        self.versions
            .iter()
            .find(|(l, _)| l == list)
            .map(|(_, v)| v.as_str())
    }
}

/// The index over the current versions, rebuilt when a list or the denials changed.
pub async fn loaded(ctx: &Ctx) -> ServiceResult<Arc<Loaded>> {
    let versions = store::current_versions(ctx.store.pool()).await?;
    let (refused, latest) = store::denials_key(ctx.store.pool()).await?;
    let mut key: String = versions
        .iter()
        .map(|v| format!("{}:{};", v.list, v.id))
        .collect();
    key.push_str(&format!("denials:{refused}:{latest}"));
    let mut slot = ctx.screening.current.lock().await;
    if let Some(current) = slot.as_ref().filter(|l| l.key == key) {
        return Ok(current.clone());
    }
    let denials = store::denials(ctx.store.pool()).await?;
    let mut lists: Vec<(ListKind, String, Vec<ListEntry>)> = Vec::new();
    for v in &versions {
        let kind = ListKind::parse(&v.list).map_err(ServiceError::Internal)?;
        let rows = store::entries(ctx.store.pool(), &v.id).await?;
        let entries = rows
            .iter()
            .map(|r| serde_json::from_str::<ListEntry>(&r.entry_json))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                ServiceError::Internal(format!("a stored list entry does not read back: {e}"))
            })?;
        lists.push((kind, v.id.clone(), entries));
    }
    if !denials.is_empty() {
        lists.push((
            ListKind::Denials,
            "denials".into(),
            denials.iter().map(denial_entry).collect(),
        ));
    }
    let built = crate::auth::off_the_runtime(move || {
        let index = Index::build(lists.iter().map(|(k, _, e)| (k.clone(), &e[..])));
        let versions = lists
            .iter()
            .map(|(k, v, _)| (k.name().to_owned(), v.clone()))
            .collect();
        Loaded {
            key,
            index,
            versions,
        }
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("could not build the screening index: {e}")))?;
    let built = Arc::new(built);
    *slot = Some(built.clone());
    Ok(built)
}

fn denial_entry(d: &store::DenialRow) -> ListEntry {
    ListEntry {
        entry_id: format!("{} {}", d.reference, d.role),
        kind: EntryKind::Unknown,
        names: vec![EntryName {
            name: d.name.clone(),
            kind: NameKind::Primary,
        }],
        dates_of_birth: vec![],
        countries: probity_domain::CountryCode::parse(&d.country)
            .map(|c| vec![c.name().to_owned()])
            .unwrap_or_default(),
        addresses: vec![],
        programmes: vec!["refused licence application".into()],
        listed_on: None,
        remarks: format!(
            "{} of refused application {}",
            d.role.replace('_', " "),
            d.reference
        ),
    }
}

/// What loading a list version did.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub list: String,
    pub version: i64,
    pub version_id: String,
    pub entries: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub skipped: Vec<SkippedLine>,
}

impl LoadReport {
    pub fn summary(&self) -> String {
        format!(
            "{} version {}: {} entries ({} added, {} changed, {} removed){}",
            self.list,
            self.version,
            self.entries,
            self.added,
            self.changed,
            self.removed,
            match self.skipped.len() {
                0 => String::new(),
                n => format!("; {n} bad lines skipped"),
            }
        )
    }
}

/// Parse a list file and store it as the list's next version, with what changed. `actor` is
/// `None` when loaded from the command line by the operator.
pub async fn load_list(
    ctx: &Ctx,
    actor: Option<&Actor>,
    kind: ListKind,
    source: &str,
    bytes: Vec<u8>,
    bad: BadLines,
) -> ServiceResult<LoadReport> {
    if let Some(actor) = actor {
        actor.require(MAY_LOAD_LISTS, "load sanctions lists")?;
    }
    let parse_kind = kind.clone();
    let parsed = crate::auth::off_the_runtime(move || lists::parse(&parse_kind, &bytes, bad))
        .await
        .map_err(|e| ServiceError::Internal(format!("could not parse a list: {e}")))?
        .map_err(|e| list_error(&kind, e))?;
    let list = kind.name().to_owned();
    let mut cmd = match actor {
        Some(a) => Command::begin(ctx, a).await?,
        None => Command::system(ctx).await?,
    };
    let previous: Vec<store::FingerprintRow> = match store::current_versions(&mut **cmd)
        .await?
        .into_iter()
        .find(|v| v.list == list)
    {
        Some(v) => store::fingerprints(&mut **cmd, &v.id).await?,
        None => Vec::new(),
    };
    let diff = probity_screening::diff::diff(
        previous
            .iter()
            .map(|r| (r.entry_id.as_str(), r.fingerprint.as_str())),
        &parsed.entries,
    );
    let version_id = Uuid::now_v7().to_string();
    let skipped: String = parsed.skipped.iter().map(|s| format!("{s}\n")).collect();
    let published = parsed.published.map(|d| d.to_string());
    let loaded_at = to_micros(cmd.now);
    let version = store::insert_version(
        &mut cmd,
        &store::NewListVersion {
            id: &version_id,
            list: &list,
            source,
            published: published.as_deref(),
            file_sha256: &parsed.file_sha256,
            entry_count: parsed.entries.len() as i64,
            added: diff.added.len() as i64,
            changed: diff.changed.len() as i64,
            removed: diff.removed.len() as i64,
            skipped: &skipped,
            loaded_at,
            loaded_by: actor.map(|a| a.user_id.to_string()).as_deref(),
        },
    )
    .await?;
    let json: Vec<(String, String)> = parsed
        .entries
        .iter()
        .map(|e| serde_json::to_string(e).map(|j| (e.fingerprint(), j)))
        .collect::<Result<_, _>>()
        .map_err(|e| ServiceError::Internal(format!("could not store a list entry: {e}")))?;
    let rows: Vec<store::EntryRow<'_>> = parsed
        .entries
        .iter()
        .zip(&json)
        .map(|(e, (fp, j))| {
            (
                e.entry_id.as_str(),
                e.primary_name(),
                fp.as_str(),
                j.as_str(),
            )
        })
        .collect();
    store::insert_entries(&mut cmd, &version_id, &rows).await?;
    let changes: Vec<(&str, &str)> = diff
        .added
        .iter()
        .map(|id| (id.as_str(), "added"))
        .chain(diff.changed.iter().map(|id| (id.as_str(), "changed")))
        .chain(diff.removed.iter().map(|id| (id.as_str(), "removed")))
        .collect();
    store::insert_changes(&mut cmd, &version_id, &changes).await?;
    cmd.finish(
        "screening.list_load",
        ("screening_list", &version_id),
        serde_json::json!({
            "list": list, "version": version, "source": source, "sha256": parsed.file_sha256,
            "entries": parsed.entries.len(), "added": diff.added.len(),
            "changed": diff.changed.len(), "removed": diff.removed.len(),
            "skipped": parsed.skipped.len(),
        }),
    )
    .await?;
    Ok(LoadReport {
        list,
        version,
        version_id,
        entries: parsed.entries.len(),
        added: diff.added.len(),
        changed: diff.changed.len(),
        removed: diff.removed.len(),
        skipped: parsed.skipped,
    })
}

/// A list refused, in words for whoever loads it (the whole file is named as the field).
fn list_error(kind: &ListKind, e: ListError) -> ServiceError {
    ServiceError::field(
        "file",
        format!("the {} list was not loaded: {e}", kind.name()),
    )
}

/// The longest name screened (a party name's own limit is shorter).
pub const MAX_NAME_CHARS: usize = 500;
/// The most names one API request screens.
pub const MAX_NAMES_PER_REQUEST: usize = 1_000;

/// Staff screen names of their own (the API's `POST /screen`), in input order.
pub async fn screen_for(
    ctx: &Ctx,
    actor: &Actor,
    queries: Vec<NameQuery>,
    threshold: f32,
) -> ServiceResult<Vec<Vec<Match>>> {
    actor.require(MAY_SEE_LISTS, "screen names")?;
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ServiceError::field(
            "threshold",
            "give a number from 0 to 1, such as 0.8",
        ));
    }
    if queries.is_empty() || queries.len() > MAX_NAMES_PER_REQUEST {
        return Err(ServiceError::field(
            "names",
            format!("give from 1 to {MAX_NAMES_PER_REQUEST} names"),
        ));
    }
    screen_names(ctx, queries, threshold).await
}

/// Screens names against the current lists (the `probity screen` contract), in input order.
pub async fn screen_names(
    ctx: &Ctx,
    queries: Vec<NameQuery>,
    threshold: f32,
) -> ServiceResult<Vec<Vec<Match>>> {
    let loaded = loaded(ctx).await?;
    crate::auth::off_the_runtime(move || {
        let mut scratch = Scratch::default();
        queries
            .iter()
            .map(|q| {
                loaded
                    .index
                    .screen_with(&mut scratch, &q.as_query(), threshold)
            })
            .collect()
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("could not screen: {e}")))
}

/// One name to screen, with what else is known.
#[derive(Debug, Clone, Default)]
pub struct NameQuery {
    pub name: String,
    pub kind: Option<EntryKind>,
    pub country: Option<String>,
    pub address: Option<String>,
}

impl NameQuery {
    /// A name as a caller gives it: `kind` a word (individual, entity, vessel, aircraft;
    /// empty for not known), `country` a name or an ISO code ("IR" is matched as "Iran").
    pub fn parse(
        name: &str,
        kind: Option<&str>,
        country: Option<&str>,
        address: Option<&str>,
    ) -> Result<Self, String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("the name is empty".into());
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(format!("a name is at most {MAX_NAME_CHARS} characters"));
        }
        let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => match EntryKind::parse(k) {
                Some(EntryKind::Unknown) => None,
                Some(kind) => Some(kind),
                None => {
                    return Err(format!(
                        "kind {k:?} is not individual, entity, vessel or aircraft"
                    ))
                }
            },
        };
        let country = country.map(str::trim).filter(|c| !c.is_empty()).map(|c| {
            match probity_domain::CountryCode::parse(c) {
                Ok(code) => code.name().to_owned(),
                Err(_) => c.to_owned(),
            }
        });
        let address = address
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned);
        Ok(NameQuery {
            name: name.to_owned(),
            kind,
            country,
            address,
        })
    }

    fn as_query(&self) -> Query<'_> {
        Query {
            name: &self.name,
            kind: self.kind,
            country: self.country.as_deref(),
            date_of_birth: None,
            address: self.address.as_deref(),
        }
    }
}

/// List versions (newest first) and the latest runs, for the lists page.
pub async fn overview(
    ctx: &Ctx,
    actor: &Actor,
) -> ServiceResult<(Vec<ListVersionRow>, Vec<RunRow>)> {
    actor.require(MAY_SEE_LISTS, "see sanctions lists")?;
    Ok((
        store::versions(ctx.store.pool()).await?,
        store::runs(ctx.store.pool(), 10).await?,
    ))
}

/// One version and what it changed.
pub async fn version(
    ctx: &Ctx,
    actor: &Actor,
    id: &str,
) -> ServiceResult<(ListVersionRow, Vec<ChangeRow>)> {
    actor.require(MAY_SEE_LISTS, "see sanctions lists")?;
    let v = store::version(ctx.store.pool(), id)
        .await?
        .ok_or(ServiceError::NotFound("list version"))?;
    let changes = store::changes(ctx.store.pool(), id).await?;
    Ok((v, changes))
}

/// When a stored time was, for pages.
pub fn at(micros: impl std::borrow::Borrow<i64>) -> OffsetDateTime {
    from_micros(*micros.borrow())
}
