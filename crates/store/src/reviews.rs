//! Reviews: the licences and pending applications a finding or embargo touches, selected in
//! one pass, and the outcome recorded for each. Opening and deciding run inside a command
//! transaction; the conditional update in [`decide_item`] makes "two reviewers at once" end
//! with exactly one outcome.
use std::collections::HashSet;

use sqlx::{Any, AnyConnection, Executor};

use crate::bulk::{self, Value};
use crate::StoreError;

/// Licence statuses a review acts on: in force (a suspended licence is already held).
pub const IN_FORCE: &str = "('issued', 'reinstated')";
/// Case statuses of an application still to be decided.
pub const PENDING: &str =
    "('submitted', 'under_review', 'awaiting_exporter', 'under_final_review', 'awaiting_countersign')";

/// What a rule is evaluated against, for one licence or pending application.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubjectRow {
    /// The licence (for an application: empty).
    pub licence_id: String,
    pub licence_number: String,
    pub licence_status: String,
    pub case_id: String,
    pub organisation_id: String,
    /// Comma-separated ISO codes, as `cases.destinations` keeps them.
    pub destinations: String,
    pub end_user_type: Option<String>,
    pub end_use: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRatingRow {
    pub case_id: String,
    pub rating: String,
}

/// What the SQL pre-selection narrows by before the domain's rule decides: any of these
/// destinations and, when given, any of these ratings (a superset of what the rule matches).
#[derive(Debug, Clone, Default)]
pub struct Preselect {
    pub destinations: Vec<String>,
    /// (rating, exact): exact matches the rating alone, else also its sub-items (`rating.…`).
    pub ratings: Vec<(String, bool)>,
}

impl Preselect {
    /// `AND EXISTS …`: the case in `case_column` has goods with one of the ratings (nothing
    /// when the rule names none), values numbered from `$from`. Checked per candidate case
    /// (an index probe on its goods), so the pattern test is exact and needs no
    /// collation-dependent range.
    fn ratings_clause(&self, case_column: &str, from: usize) -> (String, Vec<String>) {
        let mut values = Vec::new();
        if self.ratings.is_empty() {
            return (String::new(), values);
        }
        let mut alternatives = Vec::new();
        for (rating, exact) in &self.ratings {
            values.push(rating.clone());
            alternatives.push(format!("pr.rating = ${}", from + values.len() - 1));
            if !exact {
                values.push(format!("{rating}.%"));
                alternatives.push(format!("pr.rating LIKE ${}", from + values.len() - 1));
            }
        }
        let sql = format!(
            " AND EXISTS (SELECT 1 FROM goods_lines pg \
             JOIN goods_ratings pr ON pr.goods_line_id = pg.id \
             WHERE pg.case_id = {case_column} AND ({}))",
            alternatives.join(" OR ")
        );
        (sql, values)
    }
}

/// `FROM case_destinations d CROSS JOIN licences l` and the conditions that make `l` the
/// licences in force on `$1` to the destinations bound from `$2`. SQLite always puts the
/// left table of a CROSS JOIN in the outer loop, so it walks the destination's cases and
/// probes the in-force index, never every licence in force (it keeps no statistics to
/// know better); PostgreSQL plans it as any inner join.
fn in_force_to(destinations: usize) -> (String, String) {
    (
        "FROM case_destinations d CROSS JOIN licences l".to_string(),
        format!(
            "WHERE d.country IN ({}) AND l.case_id = d.case_id \
             AND l.status IN {IN_FORCE} AND l.valid_until > $1",
            bulk::in_list(2, destinations)
        ),
    )
}

/// One row per (subject, rating), as the single pre-selection query returns them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct SubjectRatingRow {
    licence_id: String,
    licence_number: String,
    licence_status: String,
    case_id: String,
    organisation_id: String,
    destinations: String,
    end_user_type: Option<String>,
    end_use: String,
    rating: Option<String>,
}

/// Fold rows (one per subject and rating, in any order) into subjects ordered by `key` and
/// their ratings. Sorting here rather than in SQL lets the database stream the join.
pub(crate) fn fold(
    rows: Vec<SubjectRatingRow>,
    key: impl Fn(&SubjectRow) -> &str,
) -> (Vec<SubjectRow>, Vec<CaseRatingRow>) {
    let mut subjects: Vec<SubjectRow> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut ratings = Vec::new();
    for r in rows {
        if let Some(rating) = &r.rating {
            ratings.push(CaseRatingRow {
                case_id: r.case_id.clone(),
                rating: rating.clone(),
            });
        }
        let subject = SubjectRow {
            licence_id: r.licence_id,
            licence_number: r.licence_number,
            licence_status: r.licence_status,
            case_id: r.case_id,
            organisation_id: r.organisation_id,
            destinations: r.destinations,
            end_user_type: r.end_user_type,
            end_use: r.end_use,
        };
        if seen.insert(key(&subject).to_string()) {
            subjects.push(subject);
        }
    }
    subjects.sort_by(|a, b| key(a).cmp(key(b)));
    (subjects, ratings)
}

/// Licences in force on `now` (microseconds) that the pre-selection admits, with their
/// cases' ratings (one query): what the domain's rule is then evaluated over. A case sent to
/// two of the destinations comes twice; [`fold`] keeps it once.
pub async fn licences_for(
    conn: &mut AnyConnection,
    pre: &Preselect,
    now: i64,
) -> Result<(Vec<SubjectRow>, Vec<CaseRatingRow>), StoreError> {
    let (from, filter) = in_force_to(pre.destinations.len());
    let (ratings, rating_values) = pre.ratings_clause("l.case_id", 2 + pre.destinations.len());
    let sql = format!(
        "SELECT l.id AS licence_id, l.number AS licence_number, l.status AS licence_status, \
         l.case_id, l.organisation_id, c.destinations, c.end_user_type, \
         c.end_use_statement AS end_use, r.rating \
         {from} JOIN cases c ON c.id = l.case_id \
         LEFT JOIN goods_lines g ON g.case_id = l.case_id \
         LEFT JOIN goods_ratings r ON r.goods_line_id = g.id \
         {filter}{ratings}"
    );
    let mut q = sqlx::query_as::<_, SubjectRatingRow>(&sql).bind(now);
    for v in pre.destinations.iter().chain(&rating_values) {
        q = q.bind(v.as_str());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    Ok(fold(rows, |s| s.licence_id.as_str()))
}

/// Applications still to be decided that the pre-selection admits, with their ratings.
pub async fn pending_for(
    conn: &mut AnyConnection,
    pre: &Preselect,
) -> Result<(Vec<SubjectRow>, Vec<CaseRatingRow>), StoreError> {
    // Pending applications are few beside a destination's history: walk them (the
    // `cases_pending` index) and check the destination per case.
    let (ratings, rating_values) = pre.ratings_clause("c.id", 1 + pre.destinations.len());
    let sql = format!(
        "SELECT '' AS licence_id, COALESCE(c.reference, '') AS licence_number, \
         c.status AS licence_status, c.id AS case_id, c.organisation_id, c.destinations, \
         c.end_user_type, c.end_use_statement AS end_use, r.rating FROM cases c \
         LEFT JOIN goods_lines g ON g.case_id = c.id \
         LEFT JOIN goods_ratings r ON r.goods_line_id = g.id \
         WHERE c.kind = 'application' AND c.status IN {PENDING} \
         AND EXISTS (SELECT 1 FROM case_destinations pd \
         WHERE pd.case_id = c.id AND pd.country IN ({})){ratings}",
        bulk::in_list(1, pre.destinations.len())
    );
    let mut q = sqlx::query_as::<_, SubjectRatingRow>(&sql);
    for v in pre.destinations.iter().chain(&rating_values) {
        q = q.bind(v.as_str());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    Ok(fold(rows, |s| s.case_id.as_str()))
}

/// Licences in force on `now` to any of `destinations`.
pub async fn count_in_force(
    conn: &mut AnyConnection,
    destinations: &[String],
    now: i64,
) -> Result<i64, StoreError> {
    let (from, filter) = in_force_to(destinations.len());
    // A licence to two of the destinations is one licence.
    let count = if destinations.len() > 1 {
        "COUNT(DISTINCT l.id)"
    } else {
        "COUNT(*)"
    };
    let sql = format!("SELECT CAST({count} AS BIGINT) {from} {filter}");
    let mut q = sqlx::query_scalar(&sql).bind(now);
    for d in destinations {
        q = q.bind(d.as_str());
    }
    Ok(q.fetch_one(conn).await?)
}

/// What a rule is evaluated against for one case (licence fields empty).
pub async fn case_subject(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Option<(SubjectRow, Vec<CaseRatingRow>)>, StoreError> {
    let row: Option<SubjectRow> = sqlx::query_as(
        "SELECT '' AS licence_id, COALESCE(c.reference, '') AS licence_number, \
         c.status AS licence_status, c.id AS case_id, c.organisation_id, c.destinations, \
         c.end_user_type, c.end_use_statement AS end_use FROM cases c WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let ratings = sqlx::query_as(
        "SELECT g.case_id, r.rating FROM goods_ratings r \
         JOIN goods_lines g ON g.id = r.goods_line_id WHERE g.case_id = $1",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some((row, ratings)))
}

/// Refresh the planner's statistics of a review's rows after they were written in bulk
/// (PostgreSQL plans the worklist's and the outcomes' statements from them; until autovacuum
/// catches up it would take a just-filled table for an empty one). SQLite keeps none.
pub async fn refresh_statistics(store: &crate::Store) -> Result<(), StoreError> {
    if store.backend() == crate::Backend::Postgres {
        for table in ["review_items", "review_flags"] {
            sqlx::query(&format!("ANALYZE {table}"))
                .execute(store.pool())
                .await?;
        }
    }
    Ok(())
}

pub struct NewReview<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub destination: &'a str,
    pub criterion: Option<&'a str>,
    pub assessment_id: Option<&'a str>,
    pub embargo_id: Option<&'a str>,
    pub reinstates: Option<&'a str>,
    pub title: &'a str,
    /// The scope rule's JSON; none for a screening review, whose entry chose its licences.
    pub rule_json: Option<&'a str>,
    /// For a screening review: (list, entry id, entry name).
    pub listed: Option<(&'a str, &'a str, &'a str)>,
    pub in_force: i64,
    pub opened_by: &'a str,
    pub opened_at: i64,
}

pub async fn insert_review(conn: &mut AnyConnection, r: &NewReview<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO reviews (id, kind, destination, criterion, assessment_id, embargo_id, \
         reinstates, title, rule_json, listed_list, listed_entry, listed_name, in_force, \
         opened_by, opened_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
    )
    .bind(r.id)
    .bind(r.kind)
    .bind(r.destination)
    .bind(r.criterion)
    .bind(r.assessment_id)
    .bind(r.embargo_id)
    .bind(r.reinstates)
    .bind(r.title)
    .bind(r.rule_json)
    .bind(r.listed.map(|l| l.0))
    .bind(r.listed.map(|l| l.1))
    .bind(r.listed.map(|l| l.2))
    .bind(r.in_force)
    .bind(r.opened_by)
    .bind(r.opened_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// One licence matched at opening.
pub struct NewItem {
    pub licence_id: String,
    pub licence_number: String,
    pub case_id: String,
    pub organisation_id: String,
    pub ratings: String,
    pub reason: String,
    pub exclusion: Option<String>,
}

pub async fn insert_items(
    conn: &mut AnyConnection,
    review_id: &str,
    items: &[NewItem],
) -> Result<u64, StoreError> {
    let rows: Vec<Vec<Value<'_>>> = items
        .iter()
        .map(|i| {
            vec![
                Value::Text(review_id),
                Value::Text(&i.licence_id),
                Value::Text(&i.licence_number),
                Value::Text(&i.case_id),
                Value::Text(&i.organisation_id),
                Value::Text(&i.ratings),
                Value::Text(&i.reason),
                Value::OptText(i.exclusion.as_deref()),
            ]
        })
        .collect();
    bulk::insert_rows(
        conn,
        "review_items",
        &[
            "review_id",
            "licence_id",
            "licence_number",
            "case_id",
            "organisation_id",
            "ratings",
            "reason",
            "exclusion",
        ],
        &rows,
        &mut |_| {},
    )
    .await
}

/// Pending applications matched at opening: (case id, reason).
pub async fn insert_flags(
    conn: &mut AnyConnection,
    review_id: &str,
    flags: &[(String, String)],
) -> Result<u64, StoreError> {
    let rows: Vec<Vec<Value<'_>>> = flags
        .iter()
        .map(|(case, reason)| {
            vec![
                Value::Text(review_id),
                Value::Text(case),
                Value::Text(reason),
            ]
        })
        .collect();
    bulk::insert_rows(
        conn,
        "review_flags",
        &["review_id", "case_id", "reason"],
        &rows,
        &mut |_| {},
    )
    .await
}

/// A review with its counts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: String,
    pub kind: String,
    pub destination: String,
    pub criterion: Option<String>,
    pub assessment_id: Option<String>,
    pub embargo_id: Option<String>,
    pub reinstates: Option<String>,
    pub title: String,
    pub rule_json: Option<String>,
    pub listed_list: Option<String>,
    pub listed_entry: Option<String>,
    pub listed_name: Option<String>,
    pub in_force: i64,
    pub opened_by_name: String,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub closing_note: Option<String>,
    pub licences: i64,
    pub decided: i64,
    pub suspended: i64,
    pub revoked: i64,
    pub kept: i64,
    pub reinstated: i64,
    pub kept_suspended: i64,
    pub applications: i64,
    pub overridden: i64,
}

const REVIEW_SELECT: &str = "SELECT r.id, r.kind, r.destination, r.criterion, r.assessment_id, \
     r.embargo_id, r.reinstates, r.title, r.rule_json, r.listed_list, r.listed_entry, r.listed_name, r.in_force, \
     u.display_name AS opened_by_name, \
     r.opened_at, r.closed_at, r.closing_note, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM review_items i WHERE i.review_id = r.id) AS licences, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM review_items i WHERE i.review_id = r.id AND i.outcome IS NOT NULL) AS decided, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM review_items i WHERE i.review_id = r.id AND i.outcome = 'suspend') AS suspended, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM review_items i WHERE i.review_id = r.id AND i.outcome = 'revoke') AS revoked, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM review_items i WHERE i.review_id = r.id AND i.outcome = 'keep') AS kept, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM review_items i WHERE i.review_id = r.id AND i.outcome = 'reinstate') AS reinstated, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM review_items i WHERE i.review_id = r.id AND i.outcome = 'keep_suspended') AS kept_suspended, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM review_flags f WHERE f.review_id = r.id) AS applications, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM review_flags f WHERE f.review_id = r.id AND f.overridden_at IS NOT NULL) AS overridden \
     FROM reviews r JOIN users u ON u.id = r.opened_by";

/// What deciding needs of a review, without its counts (which walk every item).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewHead {
    pub id: String,
    pub kind: String,
    pub criterion: Option<String>,
    pub title: String,
    pub closed_at: Option<i64>,
}

pub async fn review_head<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<ReviewHead>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, kind, criterion, title, closed_at FROM reviews WHERE id = $1")
            .bind(id)
            .fetch_optional(ex)
            .await?,
    )
}

pub async fn review<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<ReviewRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{REVIEW_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?)
}

/// Reviews newest first; `open_only` keeps those not yet closed.
pub async fn reviews<'e>(
    ex: impl Executor<'e, Database = Any>,
    open_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReviewRow>, StoreError> {
    let filter = if open_only {
        " WHERE r.closed_at IS NULL"
    } else {
        ""
    };
    Ok(sqlx::query_as(&format!(
        "{REVIEW_SELECT}{filter} ORDER BY r.opened_at DESC, r.id LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await?)
}

pub async fn count_reviews<'e>(
    ex: impl Executor<'e, Database = Any>,
    open_only: bool,
) -> Result<i64, StoreError> {
    let filter = if open_only {
        " WHERE closed_at IS NULL"
    } else {
        ""
    };
    Ok(sqlx::query_scalar(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM reviews{filter}"
    ))
    .fetch_one(ex)
    .await?)
}

/// Close a review; false if it was already closed.
pub async fn close(
    conn: &mut AnyConnection,
    id: &str,
    by: &str,
    at: i64,
    note: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE reviews SET closed_by = $1, closed_at = $2, closing_note = $3 \
         WHERE id = $4 AND closed_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Restriction reviews opened on assessments of this destination and criterion.
pub async fn restriction_reviews_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    destination: &str,
    criterion: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM reviews WHERE kind = 'restriction' AND destination = $1 \
         AND criterion = $2 AND assessment_id IS NOT NULL ORDER BY opened_at",
    )
    .bind(destination)
    .bind(criterion)
    .fetch_all(ex)
    .await?)
}
