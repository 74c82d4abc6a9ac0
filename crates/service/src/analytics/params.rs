//! Statistics parameters as people type them (CLI flags, query strings) → a validated
//! [`Query`]; and the answer's JSON shape, which is a contract:
//!
//! ```json
//! { "filters": {...}, "group_by": ["destination"],
//!   "total": {"licences": 3, "value_gbp": 100, "refused": 1, "criteria_citations": 2},
//!   "rows": [{"destination": "IL", "destination_name": "Israel",
//!             "licences": 3, "value_gbp": 100, "refused": 1, "criteria_citations": 2}] }
//! ```

use probity_analytics::ratings::RatingKind;
use probity_analytics::{
    Decision, Destination, Dim, LicenceType, Measures, OrderBy, Query, QueryError, QueryResult,
    QueryRow, RatingFilter, Source, Table,
};
use std::sync::Arc;

use probity_domain::FieldError;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::{ServiceError, ServiceResult};

/// How `rating` matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingMatch {
    /// The rating and its sub-items (`ML1` matches `ML1`, `ML1a`, `ML1.b`, not `ML10`), or a
    /// family (`ML`, `5A`).
    #[default]
    Prefix,
    /// Exactly this rating.
    Exact,
}

/// Filters, grouping and order, as text. Every field is optional and an empty string is the
/// same as absent (HTML forms send empty fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatsParams {
    /// ISO code, destination name or region (`IL`, `Israel`, `Middle East and North Africa`).
    pub destination: Option<String>,
    /// `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`: the first day), inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`: the last day), inclusive.
    pub to: Option<String>,
    pub rating: Option<String>,
    /// `prefix` (default) or `exact`.
    pub rating_match: Option<String>,
    /// `military`, `dual-use`, `national` or `other`.
    pub kind: Option<String>,
    pub licence_type: Option<String>,
    /// `granted`, `refused`, `revoked`, … (or the record kinds `grant`, `refusal`, …).
    pub decision: Option<String>,
    pub criterion: Option<String>,
    /// `caat` (imported history) or `probity`.
    pub source: Option<String>,
    /// Comma-separated dimensions.
    pub group_by: Option<String>,
    /// `keys` (default), `value`, `licences` or `refused`.
    pub order: Option<String>,
    pub limit: Option<String>,
    /// Comma-separated licence groups to leave out, `caat:51396` (`caat:` may be omitted).
    pub exclude_licence: Option<String>,
    /// `true` leaves out rows flagged as outliers at import.
    pub exclude_outliers: Option<String>,
}

/// The filters applied, normalised (echoed in the answer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filters {
    pub destination: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rating: Option<String>,
    pub rating_match: RatingMatch,
    pub kind: Option<String>,
    pub licence_type: Option<String>,
    pub decision: Option<String>,
    pub criterion: Option<String>,
    pub source: Option<String>,
    pub exclude_licences: Vec<String>,
    pub exclude_outliers: bool,
    pub order: String,
    pub limit: Option<usize>,
}

/// The answer to a statistics query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsAnswer {
    pub filters: Filters,
    pub group_by: Vec<&'static str>,
    pub total: Measures,
    pub rows: Vec<QueryRow>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `YYYY-MM-DD`, strictly.
pub fn iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[..4].parse().ok()?;
    let m: u8 = s[5..7].parse().ok()?;
    let d: u8 = s[8..].parse().ok()?;
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// A date bound: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` meaning its first (`end` false) or last day.
pub fn parse_date(s: &str, end: bool) -> Option<Date> {
    let s = s.trim();
    if let Some(d) = iso_date(s) {
        return Some(d);
    }
    let (y, m) = match s.len() {
        4 => (s.parse::<i32>().ok()?, if end { 12 } else { 1 }),
        7 if s.as_bytes()[4] == b'-' => (s[..4].parse().ok()?, s[5..].parse::<u8>().ok()?),
        _ => return None,
    };
    if !(1000..=9999).contains(&y) {
        return None;
    }
    let month = Month::try_from(m).ok()?;
    let day = if end { month.length(y) } else { 1 };
    Date::from_calendar_date(y, month, day).ok()
}

fn fmt_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Decisions by their table name or the public record kind that produces them.
fn parse_decision(s: &str) -> Option<Decision> {
    let t = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    let alias = match t.as_str() {
        "grant" | "issued" | "approved" => "granted",
        "refusal" => "refused",
        "nlr" => "no-licence-required",
        "suspension" => "suspended",
        "reinstatement" => "reinstated",
        "revocation" => "revoked",
        "surrender" => "surrendered",
        "expiry" => "expired",
        "exhaustion" => "exhausted",
        "retention" => "retained",
        other => other,
    };
    Decision::parse(alias)
}

fn parse_licence_type(s: &str) -> Option<LicenceType> {
    match s.trim().to_ascii_lowercase().as_str() {
        "siel" => Some(LicenceType::StandardIndividual),
        "oiel" => Some(LicenceType::OpenIndividual),
        "ogel" => Some(LicenceType::OpenGeneral),
        other => LicenceType::parse(other),
    }
}

fn names<T: std::fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl StatsParams {
    /// Validate and compile. Every problem is reported, each against its field.
    pub fn to_query(&self) -> ServiceResult<Query> {
        self.compile().map(|(q, _)| q)
    }

    fn compile(&self) -> ServiceResult<(Query, Filters)> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut err = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_string(),
                message,
            })
        };
        let mut q = Query::default();
        let mut f = Filters::default();
        if let Some(d) = given(&self.destination) {
            match Destination::parse(d) {
                Ok(dest) => {
                    f.destination = Some(match &dest {
                        Destination::Code(c) => c.clone(),
                        Destination::Name(n) => n.clone(),
                        Destination::Region(r) => r.name().to_string(),
                    });
                    q.destination = Some(dest);
                }
                Err(_) => err(
                    "destination",
                    format!("unknown country, ISO code or region: {d:?}"),
                ),
            }
        }
        for (field, value, end) in [("from", &self.from, false), ("to", &self.to, true)] {
            if let Some(s) = given(value) {
                match parse_date(s, end) {
                    Some(d) if end => q.to = Some(d),
                    Some(d) => q.from = Some(d),
                    None => err(field, format!("{s:?} is not a date: use YYYY-MM-DD")),
                }
            }
        }
        if let (Some(a), Some(b)) = (q.from, q.to) {
            if a > b {
                err(
                    "to",
                    format!(
                        "the date range is reversed: from {} is after to {}",
                        fmt_date(a),
                        fmt_date(b)
                    ),
                );
            }
        }
        f.from = q.from.map(fmt_date);
        f.to = q.to.map(fmt_date);
        match given(&self.rating_match) {
            None | Some("prefix") => {}
            Some("exact") => f.rating_match = RatingMatch::Exact,
            Some(other) => err("rating_match", format!("{other:?}: use prefix or exact")),
        }
        if let Some(r) = given(&self.rating) {
            f.rating = Some(r.to_string());
            q.rating = Some(match f.rating_match {
                RatingMatch::Prefix => RatingFilter::Prefix(r.to_string()),
                RatingMatch::Exact => RatingFilter::Exact(r.to_string()),
            });
        }
        if let Some(k) = given(&self.kind) {
            match RatingKind::parse(k) {
                Some(kind) => {
                    q.kind = Some(kind);
                    f.kind = Some(kind.name().to_string());
                }
                None => err(
                    "kind",
                    format!("unknown kind {k:?}: use {}", names(&RatingKind::ALL)),
                ),
            }
        }
        if let Some(t) = given(&self.licence_type) {
            match parse_licence_type(t) {
                Some(lt) => {
                    q.licence_type = Some(lt);
                    f.licence_type = Some(lt.name().to_string());
                }
                None => err(
                    "licence_type",
                    format!(
                        "unknown licence type {t:?}: use {}",
                        names(LicenceType::ALL)
                    ),
                ),
            }
        }
        if let Some(d) = given(&self.decision) {
            match parse_decision(d) {
                Some(dec) => {
                    q.decision = Some(dec);
                    f.decision = Some(dec.name().to_string());
                }
                None => err(
                    "decision",
                    format!("unknown decision {d:?}: use {}", names(Decision::ALL)),
                ),
            }
        }
        if let Some(c) = given(&self.criterion) {
            q.criterion = Some(c.to_string());
            f.criterion = Some(c.to_string());
        }
        if let Some(s) = given(&self.source) {
            match Source::parse(s) {
                Some(src) => {
                    q.source = Some(src);
                    f.source = Some(src.name().to_string());
                }
                None => err(
                    "source",
                    format!("unknown source {s:?}: use caat or probity"),
                ),
            }
        }
        if let Some(g) = given(&self.group_by) {
            for part in g.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
                match Dim::parse(part) {
                    Some(d) if q.group_by.contains(&d) => {
                        err("group_by", format!("{part:?} is given twice"))
                    }
                    Some(d) => q.group_by.push(d),
                    None => err(
                        "group_by",
                        format!(
                            "unknown dimension {part:?}: use {}",
                            Dim::ALL.map(Dim::name).join(", ")
                        ),
                    ),
                }
            }
        }
        f.order = given(&self.order).unwrap_or("keys").to_string();
        q.order_by = match f.order.as_str() {
            "keys" => OrderBy::Keys,
            "value" => OrderBy::ValueDesc,
            "licences" => OrderBy::LicencesDesc,
            "refused" => OrderBy::RefusedDesc,
            other => {
                err(
                    "order",
                    format!("unknown order {other:?}: use keys, value, licences or refused"),
                );
                OrderBy::Keys
            }
        };
        if let Some(l) = given(&self.limit) {
            match l.parse::<usize>() {
                Ok(n) if n > 0 => q.limit = Some(n),
                _ => err("limit", format!("{l:?} is not a positive whole number")),
            }
        }
        f.limit = q.limit;
        if let Some(x) = given(&self.exclude_licence) {
            for part in x.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
                let (src, id) = part.split_once(':').unwrap_or(("caat", part));
                match (Source::parse(src), id.trim().parse::<u64>()) {
                    (Some(s), Ok(id)) => {
                        q.exclude_licences.push((s, id));
                        f.exclude_licences.push(format!("{}:{id}", s.name()));
                    }
                    _ => err(
                        "exclude_licence",
                        format!("{part:?}: use SOURCE:ID, for example caat:51396"),
                    ),
                }
            }
        }
        if let Some(x) = given(&self.exclude_outliers) {
            match x.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => q.exclude_outliers = true,
                "0" | "false" | "no" | "off" => {}
                _ => err("exclude_outliers", format!("{x:?}: use true or false")),
            }
        }
        f.exclude_outliers = q.exclude_outliers;
        if errors.is_empty() {
            Ok((q, f))
        } else {
            Err(ServiceError::Validation(probity_domain::ValidationErrors(
                errors,
            )))
        }
    }
}

/// A query the table refused, as a field error.
pub(crate) fn query_error(e: QueryError) -> ServiceError {
    let field = match &e {
        QueryError::UnknownCountry(_) => "destination",
        QueryError::UnknownRating(_) | QueryError::UnknownRatingPrefix(_) => "rating",
        QueryError::UnknownCriterion(_) => "criterion",
        QueryError::ReversedDateRange { .. } => "to",
        QueryError::UnknownLicence(..) => "exclude_licence",
        QueryError::DuplicateDim(_) | QueryError::TooManyGroups => "group_by",
    };
    ServiceError::field(field, e.to_string())
}

impl StatsAnswer {
    /// Compile the parameters, run the query on `t` and shape the answer.
    pub fn on(t: &Table, p: &StatsParams) -> ServiceResult<StatsAnswer> {
        let (q, filters) = p.compile()?;
        let r: QueryResult = t.query(&q).map_err(query_error)?;
        Ok(StatsAnswer::shape(filters, &r))
    }

    /// [`StatsAnswer::on`] through the result cache ([`super::run_cached`]).
    pub fn cached(ctx: &crate::Ctx, t: &Arc<Table>, p: &StatsParams) -> ServiceResult<StatsAnswer> {
        let (q, filters) = p.compile()?;
        let r = super::run_cached(ctx, t, &q)?;
        Ok(StatsAnswer::shape(filters, &r))
    }

    fn shape(filters: Filters, r: &QueryResult) -> StatsAnswer {
        StatsAnswer {
            filters,
            group_by: r.group_by.iter().map(|d| d.name()).collect(),
            total: r.total,
            rows: r.rows.clone(),
        }
    }

    /// The columns of each row, in order: group keys, then measures.
    pub fn columns(&self) -> Vec<&'static str> {
        let mut cols = Vec::new();
        for d in &self.group_by {
            cols.extend_from_slice(match *d {
                "destination" => &["destination", "destination_name"][..],
                "destination-name" => &["published_name", "published_code"][..],
                "licence-type" => &["licence_type"][..],
                "region" => &["region"][..],
                "year" => &["year"][..],
                "quarter" => &["quarter"][..],
                "month" => &["month"][..],
                "rating" => &["rating"][..],
                "kind" => &["kind"][..],
                "decision" => &["decision"][..],
                "criterion" => &["criterion"][..],
                "source" => &["source"][..],
                _ => &[][..],
            });
        }
        cols.extend_from_slice(&["licences", "value_gbp", "refused", "criteria_citations"]);
        cols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(f: impl FnOnce(&mut StatsParams)) -> StatsParams {
        let mut s = StatsParams::default();
        f(&mut s);
        s
    }

    #[test]
    fn dates_accept_days_months_and_years() {
        assert_eq!(parse_date("2014-09-01", false), iso_date("2014-09-01"));
        assert_eq!(parse_date("2014", true), iso_date("2014-12-31"));
        assert_eq!(parse_date("2016-02", true), iso_date("2016-02-29"));
        assert_eq!(parse_date("2014-13-01", false), None);
        assert_eq!(parse_date("yesterday", false), None);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let e = p(|s| {
            s.destination = Some("Atlantis".into());
            s.from = Some("2015-01-01".into());
            s.to = Some("2014-01-01".into());
            s.decision = Some("maybe".into());
            s.group_by = Some("destination,colour".into());
        })
        .to_query()
        .unwrap_err();
        let ServiceError::Validation(v) = e else {
            panic!("{e:?}")
        };
        let fields: Vec<&str> = v.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["destination", "to", "decision", "group_by"]);
    }

    #[test]
    fn empty_fields_are_absent_and_aliases_work() {
        let q = p(|s| {
            s.destination = Some(" ".into());
            s.decision = Some("revocation".into());
            s.licence_type = Some("SIEL".into());
            s.group_by = Some("year, quarter".into());
        })
        .to_query()
        .unwrap();
        assert_eq!(q.destination, None);
        assert_eq!(q.decision, Some(Decision::Revoked));
        assert_eq!(q.licence_type, Some(LicenceType::StandardIndividual));
        assert_eq!(q.group_by, [Dim::Year, Dim::Quarter]);
    }
}
