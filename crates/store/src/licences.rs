//! Licences and their lifecycle events.
use sqlx::AnyConnection;

use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LicenceRow {
    pub id: String,
    pub number: String,
    pub case_id: String,
    pub organisation_id: String,
    pub licence_type: String,
    pub status: String,
    pub provisos_json: String,
    pub issued_at: i64,
    pub valid_until: i64,
}

const SELECT: &str = "SELECT id, number, case_id, organisation_id, licence_type, status, \
     provisos_json, issued_at, valid_until FROM licences";

/// Insert a newly issued licence (its `updated_at` is its issue time).
pub async fn insert(conn: &mut AnyConnection, l: &LicenceRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO licences (id, number, case_id, organisation_id, licence_type, status, \
         provisos_json, issued_at, valid_until, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$8)",
    )
    .bind(&l.id)
    .bind(&l.number)
    .bind(&l.case_id)
    .bind(&l.organisation_id)
    .bind(&l.licence_type)
    .bind(&l.status)
    .bind(&l.provisos_json)
    .bind(l.issued_at)
    .bind(l.valid_until)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<LicenceRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

pub async fn for_case(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Vec<LicenceRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE case_id = $1 ORDER BY issued_at, id"
    ))
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}

/// Live or suspended licences whose validity ended at or before `at`.
pub async fn due_to_expire(
    conn: &mut AnyConnection,
    at: i64,
) -> Result<Vec<LicenceRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE status IN ('issued','reinstated','suspended') AND valid_until <= $1"
    ))
    .bind(at)
    .fetch_all(conn)
    .await?)
}

pub async fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE licences SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(at)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A lifecycle event to record.
pub struct NewLicenceEvent<'a> {
    pub licence_id: &'a str,
    pub action: &'a str,
    pub from_status: &'a str,
    pub to_status: &'a str,
    pub actor_id: Option<&'a str>,
    pub reason: &'a str,
    pub at: i64,
}

pub async fn insert_event(
    conn: &mut AnyConnection,
    e: NewLicenceEvent<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO licence_events (id, licence_id, action, from_status, to_status, actor_id, \
         reason, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(e.licence_id)
    .bind(e.action)
    .bind(e.from_status)
    .bind(e.to_status)
    .bind(e.actor_id)
    .bind(e.reason)
    .bind(e.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A lifecycle event as shown, with the actor's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LicenceEventRow {
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub actor: Option<String>,
    pub reason: String,
    pub at: i64,
}

/// A licence's lifecycle, oldest first.
pub async fn events(
    conn: &mut AnyConnection,
    licence_id: &str,
) -> Result<Vec<LicenceEventRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT e.action AS action, e.from_status AS from_status, e.to_status AS to_status, \
         u.display_name AS actor, e.reason AS reason, e.at AS at FROM licence_events e \
         LEFT JOIN users u ON u.id = e.actor_id WHERE e.licence_id = $1 ORDER BY e.at, e.id",
    )
    .bind(licence_id)
    .fetch_all(conn)
    .await?)
}

/// A review holding a licence, and the outcome it recorded for it so far.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LicenceReviewRow {
    pub review_id: String,
    pub title: String,
    pub kind: String,
    pub outcome: Option<String>,
    pub closed_at: Option<i64>,
}

/// Every review that holds the licence, oldest first.
pub async fn reviews_of(
    conn: &mut AnyConnection,
    licence_id: &str,
) -> Result<Vec<LicenceReviewRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT r.id AS review_id, r.title, r.kind, i.outcome, r.closed_at \
         FROM review_items i JOIN reviews r ON r.id = i.review_id \
         WHERE i.licence_id = $1 ORDER BY r.opened_at, r.id",
    )
    .bind(licence_id)
    .fetch_all(conn)
    .await?)
}
