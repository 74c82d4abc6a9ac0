//! Advice rows as the consolidation and the decision commands read them. Callers pass the
//! connection of their command transaction: what a command decides on is read in the
//! transaction that writes the decision (ARCHITECTURE.md, "Decide inside the transaction").
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreError;

/// A team a case was referred to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedTeam {
    pub id: String,
    pub name: String,
}

/// One piece of current (not superseded) advice on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentAdvice {
    pub id: String,
    pub level: String,
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub author: String,
    pub destination: String,
    pub kind_json: String,
    pub reasons: String,
    pub created_at: i64,
}

impl CurrentAdvice {
    fn from_row(r: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: r.try_get("id")?,
            level: r.try_get("level")?,
            team_id: r.try_get("team_id")?,
            team_name: r.try_get("team_name")?,
            author: r.try_get("author")?,
            destination: r.try_get("destination")?,
            kind_json: r.try_get("kind_json")?,
            reasons: r.try_get("reasons")?,
            created_at: r.try_get("created_at")?,
        })
    }
}

/// The teams a case was referred to, by name.
pub async fn requested_teams(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Vec<RequestedTeam>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.id AS id, t.name AS name FROM advice_requests r \
         JOIN teams t ON t.id = r.team_id WHERE r.case_id = $1 ORDER BY t.name, t.id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(RequestedTeam {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// Every current piece of advice on a case, oldest first.
pub async fn current_advice(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Vec<CurrentAdvice>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id AS id, a.level AS level, a.team_id AS team_id, t.name AS team_name, \
         u.display_name AS author, a.destination AS destination, a.kind_json AS kind_json, \
         a.reasons AS reasons, a.created_at AS created_at \
         FROM advice a JOIN users u ON u.id = a.user_id LEFT JOIN teams t ON t.id = a.team_id \
         WHERE a.case_id = $1 AND a.superseded_at IS NULL ORDER BY a.created_at, a.id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(CurrentAdvice::from_row)
        .collect::<Result<_, _>>()?)
}

/// The final advice of a case, as the caseworker consolidated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalAdvice<'a> {
    pub json: &'a str,
    pub reasons: &'a str,
    /// `AdviceFingerprint` of the advice set it was consolidated from.
    pub fingerprint: &'a str,
}

/// Record (`Some`) or clear (`None`: the advice changed, consolidate again) the final advice.
pub async fn set_final_advice(
    conn: &mut AnyConnection,
    case_id: &str,
    advice: Option<FinalAdvice<'_>>,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cases SET final_advice_json = $1, final_advice_reasons = $2, \
         final_advice_fingerprint = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(advice.as_ref().map(|a| a.json))
    .bind(advice.as_ref().map(|a| a.reasons))
    .bind(advice.as_ref().map(|a| a.fingerprint))
    .bind(at)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The fingerprint stored with a case's final advice (`None`: no final advice, or one
/// consolidated before fingerprints were kept).
pub async fn final_advice_fingerprint(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Option<String>, StoreError> {
    let row =
        sqlx::query("SELECT final_advice_fingerprint AS fingerprint FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        Some(r) => r.try_get("fingerprint")?,
        None => None,
    })
}
