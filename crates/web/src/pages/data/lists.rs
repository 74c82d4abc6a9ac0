//! The lists behind a view: the current view as CSV, the licences behind a row (drill-down),
//! and the whole table as open data.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use probity_service::analytics::engine::{self, Measures};
use probity_service::analytics::{self, LicenceSummary, StatsParams};

use super::qs;
use crate::auth::MaybeUser;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

/// The current view's rows as CSV.
pub async fn view_csv(
    State(s): State<AppState>,
    Query(p): Query<StatsParams>,
) -> Result<Response, AppError> {
    let a = analytics::stats(&s.ctx, &p).await?;
    let cols = a.columns();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&cols)
        .map_err(|e| AppError::internal("statistics CSV", e))?;
    for row in &a.rows {
        let v = serde_json::to_value(row).map_err(|e| AppError::internal("statistics row", e))?;
        let cells: Vec<String> = cols
            .iter()
            .map(|c| match &v[*c] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        w.write_record(&cells)
            .map_err(|e| AppError::internal("statistics CSV", e))?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::internal("statistics CSV", e.error()))?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        "probity-statistics.csv",
        body,
    ))
}

pub(crate) fn attachment(content_type: &str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "data_licences.html")]
struct LicencesPage {
    nav: Nav,
    total: Measures,
    licences: Vec<LicenceRow>,
    filters: Vec<(String, String)>,
    back: String,
}

/// A licence with what CAAT publishes beside it: where its goods are incorporated into
/// onward destinations, and its footnotes.
pub struct LicenceRow {
    l: LicenceSummary,
    incorporated_into: String,
    notes: Vec<String>,
}

const DRILL_LIMIT: usize = 200;

pub async fn drill_down(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(p): Query<StatsParams>,
) -> Result<Response, AppError> {
    let (t, licences) = analytics::licences(&s.ctx, &p, DRILL_LIMIT).await?;
    let groups = licences
        .iter()
        .filter(|l| l.source == engine::Source::Caat)
        .map(|l| l.licence)
        .collect();
    let mut details = analytics::licence_details(&s.ctx, &groups).await?;
    let licences = licences
        .into_iter()
        .map(|l| {
            let d = match l.source {
                engine::Source::Caat => details.remove(&l.licence).unwrap_or_default(),
                _ => Default::default(),
            };
            LicenceRow {
                incorporated_into: d
                    .destinations
                    .iter()
                    .map(|(name, code)| format!("{name} ({code})"))
                    .collect::<Vec<_>>()
                    .join(", "),
                notes: d
                    .notes
                    .into_iter()
                    .map(|(id, n)| match id {
                        Some(id) => format!("Licence {id}: {n}"),
                        None => n,
                    })
                    .collect(),
                l,
            }
        })
        .collect();
    let total = analytics::run(&t, &p.to_query()?)?.total;
    let filters = serde_json::to_value(&p)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())).filter(|(_, v)| !v.is_empty()))
        .collect();
    page(LicencesPage {
        nav: Nav::for_user(user.as_ref()),
        total,
        licences,
        filters,
        back: qs(&p),
    })
}

/// The whole table as open data.
pub async fn download(
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let t = analytics::table(&s.ctx).await?;
    let mut body = Vec::new();
    let ct = match file.as_str() {
        "licences.csv" => {
            engine::export::write_csv(&t, &mut body)
                .map_err(|e| AppError::internal("open data export", e))?;
            "text/csv; charset=utf-8"
        }
        "licences.json" => {
            engine::export::write_json(&t, &mut body)
                .map_err(|e| AppError::internal("open data export", e))?;
            "application/json"
        }
        "licences.parquet" => {
            engine::export_parquet::write_parquet(
                &t,
                &mut body,
                &[("producer", "Probity open data")],
            )
            .map_err(|e| AppError::internal("open data export", e))?;
            "application/vnd.apache.parquet"
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(attachment(ct, &file, body))
}
