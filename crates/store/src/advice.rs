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
    /// The caseworker's note to the team with the request.
    pub note: String,
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
        "SELECT t.id AS id, t.name AS name, r.note AS note FROM advice_requests r \
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
                note: r.try_get("note")?,
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

/// Whether a team exists and is an advisory team.
pub async fn is_advisory_team(conn: &mut AnyConnection, team_id: &str) -> Result<bool, StoreError> {
    let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM teams WHERE id = $1")
        .bind(team_id)
        .fetch_optional(conn)
        .await?;
    Ok(kind.as_deref() == Some("advisory"))
}

/// Whether a case was referred to a team.
pub async fn is_referred(
    conn: &mut AnyConnection,
    case_id: &str,
    team_id: &str,
) -> Result<bool, StoreError> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT team_id FROM advice_requests WHERE case_id = $1 AND team_id = $2",
    )
    .bind(case_id)
    .bind(team_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Refer a case to a team (the caller checks it was not referred already).
pub async fn insert_request(
    conn: &mut AnyConnection,
    case_id: &str,
    team_id: &str,
    requested_by: &str,
    note: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO advice_requests (case_id, team_id, requested_by, requested_at, note) \
         VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(case_id)
    .bind(team_id)
    .bind(requested_by)
    .bind(at)
    .bind(note)
    .execute(conn)
    .await?;
    Ok(())
}

/// An adviser's advice on one destination of a case.
pub struct NewUserAdvice<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    pub team_id: &'a str,
    pub user_id: &'a str,
    pub destination: &'a str,
    pub kind_json: &'a str,
    pub reasons: &'a str,
    pub at: i64,
}

/// Record an adviser's advice, superseding their earlier advice on the same destination.
pub async fn replace_user_advice(
    conn: &mut AnyConnection,
    a: NewUserAdvice<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE advice SET superseded_at = $1 WHERE case_id = $2 AND user_id = $3 \
         AND destination = $4 AND level = 'user' AND superseded_at IS NULL",
    )
    .bind(a.at)
    .bind(a.case_id)
    .bind(a.user_id)
    .bind(a.destination)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO advice (id, case_id, level, team_id, user_id, destination, kind_json, \
         reasons, created_at) VALUES ($1,$2,'user',$3,$4,$5,$6,$7,$8)",
    )
    .bind(a.id)
    .bind(a.case_id)
    .bind(a.team_id)
    .bind(a.user_id)
    .bind(a.destination)
    .bind(a.kind_json)
    .bind(a.reasons)
    .bind(a.at)
    .execute(conn)
    .await?;
    Ok(())
}
