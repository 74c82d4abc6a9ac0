//! The rows of a review: each matched licence with its outcome, the flagged pending
//! applications, and the notifications sent to exporters.
use sqlx::{Any, AnyConnection, Executor};

use crate::bulk::{self, Value};
use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub licence_id: String,
    pub licence_number: String,
    pub licence_status: String,
    pub case_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub ratings: String,
    pub reason: String,
    pub exclusion: Option<String>,
    pub outcome: Option<String>,
    pub exemption: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub record_seq: Option<i64>,
}

const ITEM_SELECT: &str = "SELECT i.licence_id, i.licence_number, l.status AS licence_status, \
     i.case_id, i.organisation_id, o.name AS organisation_name, i.ratings, i.reason, i.exclusion, i.outcome, \
     i.exemption, u.display_name AS decided_by_name, i.decided_at, i.record_seq \
     FROM review_items i JOIN licences l ON l.id = i.licence_id \
     JOIN organisations o ON o.id = i.organisation_id \
     LEFT JOIN users u ON u.id = i.decided_by";

/// Which items of a review a worklist shows (and a bulk action acts on).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum OutcomeFilter {
    #[default]
    All,
    Pending,
    Decided,
    Is(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFilter {
    pub outcome: OutcomeFilter,
    /// Items with a rating starting with this text (case as stored, upper).
    pub rating_prefix: Option<String>,
    pub organisation_id: Option<String>,
    /// Some(true): only licences under an exclusion; Some(false): only those without.
    pub excluded: Option<bool>,
}

impl ItemFilter {
    /// The WHERE clause after `i.review_id = $1`, and its values from `$2`.
    fn clause(&self) -> (String, Vec<String>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        match &self.outcome {
            OutcomeFilter::All => {}
            OutcomeFilter::Pending => sql.push_str(" AND i.outcome IS NULL"),
            OutcomeFilter::Decided => sql.push_str(" AND i.outcome IS NOT NULL"),
            OutcomeFilter::Is(o) => {
                values.push(o.clone());
                sql.push_str(&format!(" AND i.outcome = ${}", values.len() + 1));
            }
        }
        if let Some(p) = &self.rating_prefix {
            // Ratings are stored as " ML10.a ML4 ": the rating itself, or a sub-item of it
            // (ML10 finds ML10 and ML10.a, never ML100).
            values.push(format!("% {p} %"));
            values.push(format!("% {p}.%"));
            sql.push_str(&format!(
                " AND (i.ratings LIKE ${} OR i.ratings LIKE ${})",
                values.len(),
                values.len() + 1
            ));
        }
        match self.excluded {
            None => {}
            Some(true) => sql.push_str(" AND i.exclusion IS NOT NULL"),
            Some(false) => sql.push_str(" AND i.exclusion IS NULL"),
        }
        if let Some(o) = &self.organisation_id {
            values.push(o.clone());
            sql.push_str(&format!(" AND i.organisation_id = ${}", values.len() + 1));
        }
        (sql, values)
    }
}

pub async fn items<'e>(
    ex: impl Executor<'e, Database = Any>,
    review_id: &str,
    filter: &ItemFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<ItemRow>, StoreError> {
    let (clause, values) = filter.clause();
    let n = values.len();
    let sql = format!(
        "{ITEM_SELECT} WHERE i.review_id = $1{clause} ORDER BY i.licence_number LIMIT ${} OFFSET ${}",
        n + 2,
        n + 3
    );
    let mut q = sqlx::query_as::<_, ItemRow>(&sql).bind(review_id);
    for v in values {
        q = q.bind(v);
    }
    Ok(q.bind(limit).bind(offset).fetch_all(ex).await?)
}

pub async fn count_items<'e>(
    ex: impl Executor<'e, Database = Any>,
    review_id: &str,
    filter: &ItemFilter,
) -> Result<i64, StoreError> {
    let (clause, values) = filter.clause();
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM review_items i WHERE i.review_id = $1{clause}"
    );
    let mut q = sqlx::query_scalar(&sql).bind(review_id);
    for v in values {
        q = q.bind(v);
    }
    Ok(q.fetch_one(ex).await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganisationCountRow {
    pub organisation_id: String,
    pub name: String,
    pub licences: i64,
}

/// The organisations with licences in a review, by name, with how many each.
pub async fn organisations<'e>(
    ex: impl Executor<'e, Database = Any>,
    review_id: &str,
) -> Result<Vec<OrganisationCountRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT i.organisation_id, o.name, CAST(COUNT(*) AS BIGINT) AS licences \
         FROM review_items i JOIN organisations o ON o.id = i.organisation_id \
         WHERE i.review_id = $1 GROUP BY i.organisation_id, o.name ORDER BY o.name, i.organisation_id",
    )
    .bind(review_id)
    .fetch_all(ex)
    .await?)
}

/// The licence ids a filter selects, in licence-number order (for a bulk action).
pub async fn item_ids<'e>(
    ex: impl Executor<'e, Database = Any>,
    review_id: &str,
    filter: &ItemFilter,
) -> Result<Vec<String>, StoreError> {
    let (clause, values) = filter.clause();
    let sql = format!(
        "SELECT i.licence_id FROM review_items i WHERE i.review_id = $1{clause} ORDER BY i.licence_number"
    );
    let mut q = sqlx::query_scalar(&sql).bind(review_id);
    for v in values {
        q = q.bind(v);
    }
    Ok(q.fetch_all(ex).await?)
}

/// The items for these licences (inside the deciding transaction).
pub async fn items_by_licence(
    conn: &mut AnyConnection,
    review_id: &str,
    licence_ids: &[String],
) -> Result<Vec<ItemRow>, StoreError> {
    let mut out = Vec::with_capacity(licence_ids.len());
    for chunk in licence_ids.chunks(bulk::rows_per_statement(conn, 1).saturating_sub(1).max(1)) {
        let sql = format!(
            "{ITEM_SELECT} WHERE i.review_id = $1 AND i.licence_id IN ({})",
            bulk::in_list(2, chunk.len())
        );
        let mut q = sqlx::query_as::<_, ItemRow>(&sql).bind(review_id);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Record an outcome unless one stands already; false when another reviewer was first.
pub async fn decide_item(
    conn: &mut AnyConnection,
    review_id: &str,
    licence_id: &str,
    outcome: &str,
    exemption: Option<&str>,
    by: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE review_items SET outcome = $1, exemption = $2, decided_by = $3, decided_at = $4 \
         WHERE review_id = $5 AND licence_id = $6 AND outcome IS NULL",
    )
    .bind(outcome)
    .bind(exemption)
    .bind(by)
    .bind(at)
    .bind(review_id)
    .bind(licence_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_record(
    conn: &mut AnyConnection,
    review_id: &str,
    licence_id: &str,
    seq: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE review_items SET record_seq = $1 WHERE review_id = $2 AND licence_id = $3")
        .bind(seq)
        .bind(review_id)
        .bind(licence_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The stated exemptions of a review and how many licences each kept.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExemptionCount {
    pub exemption: String,
    pub licences: i64,
}

pub async fn exemptions<'e>(
    ex: impl Executor<'e, Database = Any>,
    review_id: &str,
) -> Result<Vec<ExemptionCount>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT exemption, CAST(COUNT(*) AS BIGINT) AS licences FROM review_items \
         WHERE review_id = $1 AND outcome = 'keep' AND exemption IS NOT NULL \
         GROUP BY exemption ORDER BY licences DESC, exemption",
    )
    .bind(review_id)
    .fetch_all(ex)
    .await?)
}

/// Licences a review suspended that are still suspended (for a reinstatement review).
pub async fn still_suspended(
    conn: &mut AnyConnection,
    review_id: &str,
) -> Result<Vec<ItemRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{ITEM_SELECT} WHERE i.review_id = $1 AND i.outcome = 'suspend' AND l.status = 'suspended' \
         ORDER BY i.licence_number"
    ))
    .bind(review_id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlagRow {
    pub review_id: String,
    pub review_title: String,
    pub case_id: String,
    pub case_reference: Option<String>,
    pub case_status: String,
    pub reason: String,
    pub overridden_at: Option<i64>,
    pub override_reason: Option<String>,
}

const FLAG_SELECT: &str = "SELECT f.review_id, r.title AS review_title, f.case_id, \
     c.reference AS case_reference, c.status AS case_status, f.reason, f.overridden_at, \
     f.override_reason FROM review_flags f JOIN reviews r ON r.id = f.review_id \
     JOIN cases c ON c.id = f.case_id";

pub async fn flags<'e>(
    ex: impl Executor<'e, Database = Any>,
    review_id: &str,
) -> Result<Vec<FlagRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{FLAG_SELECT} WHERE f.review_id = $1 ORDER BY c.reference"
    ))
    .bind(review_id)
    .fetch_all(ex)
    .await?)
}

/// Flags on a case from restriction reviews, overridden or not (the deciding command reads
/// these inside its transaction).
pub async fn flags_on_case<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
) -> Result<Vec<FlagRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{FLAG_SELECT} WHERE f.case_id = $1 AND r.kind = 'restriction' ORDER BY r.opened_at"
    ))
    .bind(case_id)
    .fetch_all(ex)
    .await?)
}

pub async fn override_flags(
    conn: &mut AnyConnection,
    case_id: &str,
    by: &str,
    at: i64,
    reason: &str,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE review_flags SET overridden_by = $1, overridden_at = $2, override_reason = $3 \
         WHERE case_id = $4 AND overridden_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(reason)
    .bind(case_id)
    .execute(conn)
    .await?
    .rows_affected())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: String,
    pub subject_type: String,
    pub subject_id: String,
    pub body: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub struct NewNotification {
    pub id: String,
    pub organisation_id: String,
    pub subject_type: &'static str,
    pub subject_id: String,
    pub body: String,
    pub created_at: i64,
}

pub async fn notify(
    conn: &mut AnyConnection,
    notes: &[NewNotification],
) -> Result<u64, StoreError> {
    let rows: Vec<Vec<Value<'_>>> = notes
        .iter()
        .map(|n| {
            vec![
                Value::Text(&n.id),
                Value::Text(&n.organisation_id),
                Value::Text(n.subject_type),
                Value::Text(&n.subject_id),
                Value::Text(&n.body),
                Value::Int(n.created_at),
            ]
        })
        .collect();
    bulk::insert_rows(
        conn,
        "notifications",
        &[
            "id",
            "organisation_id",
            "subject_type",
            "subject_id",
            "body",
            "created_at",
        ],
        &rows,
        &mut |_| {},
    )
    .await
}

pub async fn notifications<'e>(
    ex: impl Executor<'e, Database = Any>,
    organisation_id: &str,
    limit: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, subject_type, subject_id, body, created_at, read_at FROM notifications \
         WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(organisation_id)
    .bind(limit)
    .fetch_all(ex)
    .await?)
}
