//! Official statistics (`/statistics`, with CSV downloads) and the Atom feed of new decision
//! records (`/register/feed.atom`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use probity_service::analytics::{self, Cell, OfficialTables, Period};
use probity_service::records::{self, PublishedRecord};
use probity_service::ServiceError;
use serde::Deserialize;

use super::charts::thousands;
use super::lists::attachment;
use crate::auth::MaybeUser;
use crate::render::{page_with_status, Nav};
use crate::{AppError, AppState};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    /// `2014` or `2014-Q3`.
    period: Option<String>,
}

fn period(q: &PeriodQuery) -> Result<Option<Period>, AppError> {
    match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Period::parse(s).map(Some).ok_or_else(|| {
            ServiceError::field(
                "period",
                format!("{s:?}: use a year (2014) or a quarter (2014-Q3)"),
            )
            .into()
        }),
    }
}

pub struct TableView {
    id: &'static str,
    title: String,
    note: String,
    header: Vec<String>,
    rows: Vec<Vec<(String, bool)>>,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    nav: Nav,
    label: String,
    periods: Vec<String>,
    tables: Vec<TableView>,
    sources: super::sources::SourcesView,
    accountability: probity_service::accountability::Accountability,
    accountability_columns: [&'static str; 13],
    /// No decision at all in the period: said, with the years that have some.
    empty: bool,
    years: Vec<i32>,
    /// A period typed that is not one (the default period is shown instead).
    problem: Option<String>,
}

fn view(t: &OfficialTables) -> Vec<TableView> {
    t.tables
        .iter()
        .map(|tb| TableView {
            id: tb.id,
            title: tb.title.clone(),
            note: tb.note.clone(),
            header: tb.header.clone(),
            rows: tb
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Cell::Text(s) => (s.clone(), false),
                            Cell::Num(n) => (thousands(*n), true),
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}

pub async fn statistics(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    // A period that is not one is explained above the default period, not a bare error page.
    let (p, problem) = match period(&q) {
        Ok(p) => (p, None),
        Err(_) => (
            None,
            Some(format!(
                "“{}” is not a period: choose a year (2014) or a quarter (2014-Q3)",
                q.period.as_deref().unwrap_or_default().trim()
            )),
        ),
    };
    let t = analytics::table(&s.ctx).await?;
    let tables = analytics::official_tables(&t, p)?;
    let empty = tables.tables.iter().all(|tb| {
        tb.rows
            .iter()
            .flatten()
            .all(|c| !matches!(c, Cell::Num(n) if *n != 0))
    });
    let prov = analytics::provenance(&s.ctx).await?;
    let sources = super::sources::view(&prov, &destination_codes(&tables));
    let mut periods = Vec::new();
    for y in tables.years.iter().rev() {
        periods.push(y.to_string());
        for q in 1..=4 {
            periods.push(format!("{y}-Q{q}"));
        }
    }
    let status = if problem.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    page_with_status(
        StatisticsPage {
            nav: Nav::for_user(user.as_ref()),
            label: tables.period.label(),
            periods,
            tables: view(&tables),
            sources,
            accountability: probity_service::accountability::counts(&s.ctx).await?,
            accountability_columns: probity_service::accountability::COLUMNS,
            empty,
            years: tables.years.clone(),
            problem,
        },
        status,
    )
}

/// The destination codes in the tables (their `code` column), for the notes that apply.
fn destination_codes(t: &OfficialTables) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for tb in &t.tables {
        if let Some(i) = tb.header.iter().position(|h| h == "code") {
            for r in &tb.rows {
                if let Some(Cell::Text(c)) = r.get(i) {
                    out.insert(c.clone());
                }
            }
        }
    }
    out
}

/// `/statistics/{table}.csv?period=…`
pub async fn statistics_csv(
    State(s): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let id = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let p = period(&q)?;
    let t = analytics::table(&s.ctx).await?;
    let tables = analytics::official_tables(&t, p)?;
    let table = tables
        .tables
        .iter()
        .find(|tb| tb.id == id)
        .ok_or(AppError::NotFound)?;
    let name = format!("probity-{id}-{}.csv", tables.period.label());
    Ok(attachment(
        "text/csv; charset=utf-8",
        &name,
        table.to_csv()?.into_bytes(),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FeedQuery {
    destination: Option<String>,
}

pub struct EntryView {
    seq: i64,
    title: String,
    updated: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "feed.atom.xml", escape = "html")]
struct Feed {
    title: String,
    self_link: String,
    id: String,
    updated: String,
    entries: Vec<EntryView>,
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn entry(r: &PublishedRecord) -> EntryView {
    let rec = &r.record;
    let places: Vec<String> = rec
        .destinations
        .iter()
        .map(|d| format!("{} ({})", d.name(), d.as_str()))
        .collect();
    let kind = rec.kind.as_str().replace('_', " ");
    let mut summary = format!(
        "{kind} of a {} to {}. Goods: {}.",
        rec.licence_type.label().to_lowercase(),
        places.join(", "),
        rec.goods_summary
    );
    if !rec.ratings.is_empty() {
        let ratings: Vec<String> = rec
            .ratings
            .iter()
            .map(|v| {
                format!(
                    "{} (£{}.{:02})",
                    v.rating,
                    thousands((v.value_minor / 100).into()),
                    v.value_minor.rem_euclid(100)
                )
            })
            .collect();
        summary.push_str(&format!(" Ratings: {}.", ratings.join(", ")));
    }
    if !rec.criteria.is_empty() {
        let c: Vec<&str> = rec.criteria.iter().map(|c| c.as_str()).collect();
        summary.push_str(&format!(" Criteria: {}.", c.join(", ")));
    }
    if let Some(reason) = &rec.reason {
        summary.push_str(&format!(" Reason: {reason}"));
    }
    let kind_title = crate::render::capitalised(&kind);
    EntryView {
        seq: r.seq,
        title: format!(
            "{kind_title}: {} — {}",
            places.join(", "),
            rec.licence_number
                .as_ref()
                .map_or_else(|| rec.case_reference.to_string(), |n| n.to_string())
        ),
        updated: rfc3339(rec.decided_at),
        summary,
    }
}

/// The newest decision records as an Atom feed, optionally for one destination.
pub async fn feed(
    State(s): State<AppState>,
    Query(q): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let destination = q
        .destination
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let page = records::list_public(&s.ctx, destination, 1, 50).await?;
    let updated = page
        .records
        .iter()
        .map(|r| r.record.decided_at)
        .max()
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (title, self_link, id) = match destination {
        Some(d) => {
            let d = d.to_ascii_uppercase();
            (
                format!("Probity: licensing decisions for {d}"),
                format!("/register/feed.atom?destination={d}"),
                format!("urn:probity:register:decisions:{d}"),
            )
        }
        None => (
            "Probity: licensing decisions".to_string(),
            "/register/feed.atom".to_string(),
            "urn:probity:register:decisions".to_string(),
        ),
    };
    let body = Feed {
        title,
        self_link,
        id,
        updated: rfc3339(updated),
        entries: page.records.iter().map(entry).collect(),
    }
    .render()
    .map_err(|e| AppError::internal("feed template", e))?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

/// `GET /api/v1/accountability`: dissent and disclosure counts per quarter.
pub async fn accountability_json(State(s): State<AppState>) -> Result<Response, AppError> {
    let a = probity_service::accountability::counts(&s.ctx).await?;
    Ok(axum::Json(a).into_response())
}

/// `GET /accountability.csv`: the same counts as CSV.
pub async fn accountability_csv(State(s): State<AppState>) -> Result<Response, AppError> {
    let a = probity_service::accountability::counts(&s.ctx).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"accountability.csv\"",
            ),
        ],
        probity_service::accountability::csv(&a),
    )
        .into_response())
}
