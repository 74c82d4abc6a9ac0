//! The public analysis browser (`/data`), its drill-down and downloads, and the statistics
//! API (`GET /api/v1/stats`, the same JSON as `probity stats --format json`). Every view is
//! a GET with its filters in the query string, so every view is a permalink.

mod charts;
mod lists;
pub(crate) mod publish;
mod sources;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use probity_service::analytics::engine::{self, Destination, Dim, Key, Measures, Query as Q};
use probity_service::analytics::{self, parse_date, StatsAnswer, StatsParams, Table};
use probity_service::ServiceError;
use serde::Deserialize;

use self::charts::{short, thousands, Unit};
use crate::api::ApiQuery;
use crate::auth::MaybeUser;
use crate::render::{page, Nav};
use crate::{ApiError, AppError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/data", get(browse))
        .route("/data/view.csv", get(lists::view_csv))
        .route("/data/licences", get(lists::drill_down))
        .route("/data/download/{file}", get(lists::download))
        .route("/static/data.css", get(stylesheet))
        .route("/statistics", get(publish::statistics))
        .route("/statistics/{file}", get(publish::statistics_csv))
        .route("/accountability.csv", get(publish::accountability_csv))
        .route("/register/feed.atom", get(publish::feed))
}

/// `GET /api/v1/stats`: the statistics JSON.
pub async fn api_stats(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> Result<Response, ApiError> {
    Ok(Json(analytics::stats(&s.ctx, &p).await?).into_response())
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/data.css"),
    )
}

/// Browser-only parameters (the rest are [`StatsParams`]).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageExtra {
    then_by: Option<String>,
    /// What the charts show: value (default), licences or refused.
    measure: Option<String>,
}

/// A cell of the results table.
pub struct CellView {
    text: String,
    numeric: bool,
    /// Explanation shown on hover (ratings, criteria).
    title: String,
}

pub struct RowView {
    cells: Vec<CellView>,
    /// Drill-down link to the licences behind the row.
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    nav: Nav,
    p: StatsParams,
    then_by: String,
    measure: String,
    errors: Vec<String>,
    total: Measures,
    headers: Vec<String>,
    rows: Vec<RowView>,
    hidden_rows: usize,
    series_svg: String,
    series_title: String,
    series: Vec<(String, String)>,
    bars_svg: String,
    bars_title: String,
    bars: Vec<(String, String)>,
    options: Options,
    query: String,
    licences_link: String,
    coverage: String,
    sources: sources::SourcesView,
}

impl DataPage {
    /// The value of a filter, for the form.
    fn val(&self, name: &str) -> String {
        let p = &self.p;
        let v = match name {
            "destination" => &p.destination,
            "from" => &p.from,
            "to" => &p.to,
            "rating" => &p.rating,
            "rating_match" => &p.rating_match,
            "kind" => &p.kind,
            "licence_type" => &p.licence_type,
            "decision" => &p.decision,
            "criterion" => &p.criterion,
            "source" => &p.source,
            "group_by" => &p.group_by,
            "order" => &p.order,
            "exclude_licence" => &p.exclude_licence,
            "exclude_outliers" => &p.exclude_outliers,
            _ => &None,
        };
        v.clone().unwrap_or_default()
    }
}

/// Choices for the form's selects.
#[derive(Default)]
pub struct Options {
    destinations: Vec<(String, String)>,
    criteria: Vec<(String, String)>,
    dims: Vec<&'static str>,
    decisions: Vec<&'static str>,
    kinds: Vec<&'static str>,
    types: Vec<&'static str>,
}

/// Rows shown on the page; the CSV link has them all.
const MAX_ROWS: usize = 500;

fn options(t: &Table) -> Options {
    Options {
        destinations: t
            .codes()
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect(),
        criteria: t
            .criteria()
            .iter()
            .map(|c| (c.code.clone(), c.description.clone()))
            .collect(),
        dims: Dim::ALL.iter().map(|d| d.name()).collect(),
        decisions: engine::Decision::ALL.iter().map(|d| d.name()).collect(),
        kinds: engine::RatingKind::ALL.iter().map(|k| k.name()).collect(),
        types: engine::LicenceType::ALL.iter().map(|k| k.name()).collect(),
    }
}

fn header_label(col: &str) -> String {
    match col {
        "destination" => "Code".into(),
        "destination_name" => "Destination".into(),
        "published_name" => "Destination as published".into(),
        "published_code" => "Code".into(),
        "licence_type" => "Licence type".into(),
        "value_gbp" => "Value (£)".into(),
        "criteria_citations" => "Criteria cited".into(),
        other => crate::render::capitalised(other),
    }
}

fn qs(p: &StatsParams) -> String {
    serde_urlencoded::to_string(p).unwrap_or_default()
}

/// Narrow `p` to the rows of one result row (for drill-down); `None` if a key cannot be
/// expressed as a filter (licences citing no criterion).
fn narrow(p: &StatsParams, keys: &[Key]) -> Option<StatsParams> {
    let mut p = p.clone();
    let clamp = |p: &mut StatsParams, a: &str, b: &str| {
        let from = p.from.as_deref().and_then(|f| parse_date(f, false));
        let to = p.to.as_deref().and_then(|t| parse_date(t, true));
        let (a, b) = (parse_date(a, false)?, parse_date(b, true)?);
        p.from = Some(from.map_or(a, |f| f.max(a)).to_string());
        p.to = Some(to.map_or(b, |t| t.min(b)).to_string());
        Some(())
    };
    for k in keys {
        match k {
            Key::Destination { code, .. } => p.destination = Some(code.clone()),
            Key::DestinationName { name, .. } => p.destination = Some(name.clone()),
            Key::Region(r) => p.destination = Some(r.name().to_string()),
            Key::Year(y) => clamp(&mut p, &y.to_string(), &y.to_string())?,
            Key::Quarter { year, quarter } => {
                let first = format!("{year}-{:02}", quarter * 3 - 2);
                let last = format!("{year}-{:02}", quarter * 3);
                clamp(&mut p, &first, &last)?
            }
            Key::Month { year, month } => {
                let m = format!("{year}-{month:02}");
                clamp(&mut p, &m, &m)?
            }
            Key::Rating(r) => {
                p.rating = Some(r.clone());
                p.rating_match = Some("exact".into());
            }
            Key::Kind(k) => p.kind = Some(k.name().to_string()),
            Key::Decision(d) => p.decision = Some(d.name().to_string()),
            Key::Criterion(Some(c)) => p.criterion = Some(c.clone()),
            Key::Criterion(None) => return None,
            Key::Source(s) => p.source = Some(s.name().to_string()),
            Key::LicenceType(l) => p.licence_type = Some(l.name().to_string()),
        }
    }
    p.group_by = None;
    p.order = None;
    p.limit = None;
    Some(p)
}

fn measure_of(m: &Measures, measure: &str) -> i128 {
    match measure {
        "licences" => m.licences.into(),
        "refused" => m.refused.into(),
        _ => m.value_gbp,
    }
}

fn unit_of(measure: &str) -> Unit {
    if measure == "value" {
        Unit::Pounds
    } else {
        Unit::Count
    }
}

fn field_errors(e: ServiceError) -> Result<Vec<String>, AppError> {
    match e {
        ServiceError::Validation(v) => Ok(v
            .0
            .into_iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect()),
        other => Err(other.into()),
    }
}

/// The time step for a chart: years over long ranges, quarters, or months.
fn time_dim(t: &Table, q: &Q) -> Dim {
    let Some((a, b)) = t.date_range() else {
        return Dim::Year;
    };
    let from = q.from.map_or(a, |f| f.max(a));
    let to = q.to.map_or(b, |x| x.min(b));
    match (to - from).whole_days() {
        d if d > 366 * 4 => Dim::Year,
        d if d > 400 => Dim::Quarter,
        _ => Dim::Month,
    }
}

fn key_label(k: &Key) -> String {
    match k {
        Key::Destination { name, .. } | Key::DestinationName { name, .. } => name.clone(),
        Key::Region(r) => r.name().to_string(),
        Key::Year(y) => y.to_string(),
        Key::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
        Key::Month { year, month } => format!("{year}-{month:02}"),
        Key::Rating(r) => r.clone(),
        Key::Kind(k) => k.name().to_string(),
        Key::Decision(d) => d.name().to_string(),
        Key::Criterion(c) => c.clone().unwrap_or_else(|| "none".into()),
        Key::Source(s) => s.name().to_string(),
        Key::LicenceType(l) => l.name().to_string(),
    }
}

fn chart_rows(r: &engine::QueryResult, measure: &str) -> Vec<(String, i128)> {
    r.rows
        .iter()
        .map(|row| {
            let label = row
                .keys
                .iter()
                .map(key_label)
                .collect::<Vec<_>>()
                .join(" · ");
            (label, measure_of(&row.measures, measure))
        })
        .collect()
}

async fn browse(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(mut p): Query<StatsParams>,
    Query(x): Query<PageExtra>,
) -> Result<Response, AppError> {
    let t = analytics::table(&s.ctx).await?;
    let prov = analytics::provenance(&s.ctx).await?;
    // First visit: destinations by value.
    if p.group_by.is_none() {
        p.group_by = Some("destination".into());
        p.order.get_or_insert_with(|| "value".into());
    }
    let then_by = x.then_by.clone().unwrap_or_default();
    let first = p.group_by.clone().unwrap_or_default();
    let mut q_params = p.clone();
    if !then_by.trim().is_empty() && then_by.trim() != first.trim() {
        q_params.group_by = Some(format!("{first},{then_by}"));
    }
    let measure = match x.measure.as_deref() {
        Some(m @ ("licences" | "refused")) => m.to_string(),
        _ => "value".to_string(),
    };
    let mut view = DataPage {
        nav: Nav::for_user(user.as_ref()),
        p: p.clone(),
        then_by,
        measure: measure.clone(),
        errors: Vec::new(),
        total: Measures::default(),
        headers: Vec::new(),
        rows: Vec::new(),
        hidden_rows: 0,
        series_svg: String::new(),
        series_title: String::new(),
        series: Vec::new(),
        bars_svg: String::new(),
        bars_title: String::new(),
        bars: Vec::new(),
        options: options(&t),
        query: qs(&q_params),
        licences_link: String::new(),
        coverage: coverage(&t),
        sources: sources::view(&prov, &Default::default()),
    };
    let answer = match StatsAnswer::cached(&s.ctx, &t, &q_params) {
        Ok(a) => a,
        Err(e) => {
            view.errors = field_errors(e)?;
            let mut resp = page(view)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(resp);
        }
    };
    let base = q_params.to_query().map_err(AppError::from)?;
    view.total = answer.total;
    view.licences_link = qs(&narrow(&q_params, &[]).unwrap_or_default());
    let cols = answer.columns();
    view.headers = cols.iter().map(|c| header_label(c)).collect();
    view.hidden_rows = answer.rows.len().saturating_sub(MAX_ROWS);
    // Destination notes apply to the destination filtered on and the destinations listed.
    let mut shown: std::collections::BTreeSet<String> = p.destination.iter().cloned().collect();
    for row in answer.rows.iter().take(MAX_ROWS) {
        let v = serde_json::to_value(row).unwrap_or_default();
        let keys = cols.len() - 4;
        let cells = cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let raw = &v[*c];
                let text = match raw {
                    serde_json::Value::Null => "none".to_string(),
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) if i >= keys => n
                        .as_i64()
                        .map_or_else(|| n.to_string(), |x| thousands(x.into())),
                    other => other.to_string(),
                };
                let title = match *c {
                    "rating" => t
                        .ratings()
                        .iter()
                        .find(|r| r.code == text)
                        .map(|r| r.description.clone()),
                    "criterion" => t
                        .criteria()
                        .iter()
                        .find(|r| r.code == text)
                        .map(|r| r.description.clone()),
                    _ => None,
                };
                if matches!(*c, "destination" | "destination_name" | "published_name") {
                    shown.insert(text.clone());
                }
                CellView {
                    text,
                    numeric: i >= keys,
                    title: title.unwrap_or_default(),
                }
            })
            .collect();
        view.rows.push(RowView {
            cells,
            link: narrow(&q_params, &row.keys).map(|n| qs(&n)),
        });
    }
    view.sources = sources::view(&prov, &shown);
    let unit = unit_of(&measure);
    let mname = match measure.as_str() {
        "licences" => "Licences",
        "refused" => "Refusals",
        _ => "Value",
    };
    // Time series for the same filters.
    let step = time_dim(&t, &base);
    let series = analytics::run_cached(
        &s.ctx,
        &t,
        &Q {
            group_by: vec![step],
            order_by: engine::OrderBy::Keys,
            limit: None,
            ..base.clone()
        },
    )?;
    let points = chart_rows(&series, &measure);
    view.series_title = format!("{mname} by {}", step.name());
    view.series_svg = charts::columns("series", &view.series_title, &points, unit);
    view.series = points
        .iter()
        .map(|(k, v)| (k.clone(), short(*v, unit)))
        .collect();
    // Bars: top destinations, or top ratings within one destination.
    let one_place = matches!(
        base.destination,
        Some(Destination::Code(_) | Destination::Name(_))
    );
    let (dim, what) = if one_place {
        (Dim::Rating, "ratings")
    } else {
        (Dim::Destination, "destinations")
    };
    let order = match measure.as_str() {
        "licences" => engine::OrderBy::LicencesDesc,
        "refused" => engine::OrderBy::RefusedDesc,
        _ => engine::OrderBy::ValueDesc,
    };
    let items = if base.group_by == [dim] && base.limit.is_none() {
        // The table above already has these groups: rank them rather than scan again.
        let mut rows: Vec<(String, i128)> = answer
            .rows
            .iter()
            .map(|r| {
                let label = r.keys.iter().map(key_label).collect::<Vec<_>>().join(" · ");
                (label, measure_of(&r.measures, &measure))
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.1));
        rows.truncate(15);
        rows
    } else {
        let top = analytics::run_cached(
            &s.ctx,
            &t,
            &Q {
                group_by: vec![dim],
                order_by: order,
                limit: Some(15),
                ..base
            },
        )?;
        chart_rows(&top, &measure)
    };
    view.bars_title = format!("Top {} {what} by {}", items.len(), mname.to_lowercase());
    view.bars_svg = charts::bars("bars", &view.bars_title, &items, unit);
    view.bars = items
        .iter()
        .map(|(k, v)| (k.clone(), short(*v, unit)))
        .collect();
    page(view)
}

fn coverage(t: &Table) -> String {
    match t.date_range() {
        Some((a, b)) => format!(
            "{} rows in {} licence groups, dated {a} to {b}",
            thousands(t.len() as i128),
            thousands(t.groups() as i128)
        ),
        None => "no data yet".into(),
    }
}
