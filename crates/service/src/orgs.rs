//! Exporter organisations and departmental teams.
use probity_domain::{check_text, organisation_text, CountryCode, Name, OrganisationId, TeamId};
use probity_store::to_micros;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::auth::{Actor, Role};
use crate::rows::audit_event;
use crate::{Ctx, ServiceError, ServiceResult};

#[derive(Debug, Clone, Deserialize, Default)]
pub struct NewOrganisation {
    pub name: String,
    pub registration_number: String,
    pub address: String,
    pub country: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub registration_number: String,
    pub address: String,
    pub country: String,
}

pub async fn create_organisation(
    ctx: &Ctx,
    by: Option<&Actor>,
    new: &NewOrganisation,
) -> ServiceResult<OrganisationId> {
    if let Some(by) = by {
        by.require(&[Role::Admin], "register organisations")?;
    }
    let name = crate::parse_text::<Name>("name", &new.name)?;
    let name = name.as_str();
    let reg = check_text(
        &new.registration_number,
        organisation_text::REGISTRATION_NUMBER,
    )
    .map_err(|e| ServiceError::field("registration_number", e.to_string()))?;
    let address = check_text(&new.address, organisation_text::ADDRESS)
        .map_err(|e| ServiceError::field("address", e.to_string()))?;
    let country = CountryCode::parse(&new.country)
        .map_err(|e| ServiceError::field("country", e.to_string()))?;
    let id = OrganisationId::new();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    sqlx::query(
        "INSERT INTO organisations (id, name, registration_number, address, country, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6)",
    )
    .bind(id.to_string())
    .bind(name)
    .bind(reg)
    .bind(address)
    .bind(country.as_str())
    .bind(to_micros(now))
    .execute(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation => {
            ServiceError::field("registration_number", "already registered")
        }
        _ => e.into(),
    })?;
    audit_event(
        &mut tx,
        by,
        now,
        "organisation.create",
        ("organisation", &id.to_string()),
        serde_json::json!({ "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get_organisation(ctx: &Ctx, id: OrganisationId) -> ServiceResult<Organisation> {
    let row = sqlx::query(
        "SELECT id, name, registration_number, address, country FROM organisations WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(ctx.store.pool())
    .await?
    .ok_or(ServiceError::NotFound("organisation"))?;
    Ok(Organisation {
        id,
        name: row.try_get(1)?,
        registration_number: row.try_get(2)?,
        address: row.try_get(3)?,
        country: row.try_get(4)?,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamKind {
    Licensing,
    Advisory,
    Policy,
    Oversight,
    Admin,
}

impl TeamKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TeamKind::Licensing => "licensing",
            TeamKind::Advisory => "advisory",
            TeamKind::Policy => "policy",
            TeamKind::Oversight => "oversight",
            TeamKind::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub kind: String,
}

pub async fn create_team(
    ctx: &Ctx,
    by: Option<&Actor>,
    name: &str,
    kind: TeamKind,
) -> ServiceResult<TeamId> {
    if let Some(by) = by {
        by.require(&[Role::Admin], "create teams")?;
    }
    let name = crate::parse_text::<Name>("name", name)?;
    let name = name.as_str();
    let id = TeamId::new();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    sqlx::query("INSERT INTO teams (id, name, kind, created_at) VALUES ($1,$2,$3,$4)")
        .bind(id.to_string())
        .bind(name)
        .bind(kind.as_str())
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
    audit_event(
        &mut tx,
        by,
        now,
        "team.create",
        ("team", &id.to_string()),
        serde_json::json!({ "name": name, "kind": kind.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn list_teams(ctx: &Ctx) -> ServiceResult<Vec<Team>> {
    let rows = sqlx::query("SELECT id, name, kind FROM teams ORDER BY name")
        .fetch_all(ctx.store.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Team {
                id: r
                    .try_get::<String, _>(0)?
                    .parse()
                    .map_err(|_| ServiceError::NotFound("team"))?,
                name: r.try_get(1)?,
                kind: r.try_get(2)?,
            })
        })
        .collect()
}

pub async fn list_organisations(ctx: &Ctx) -> ServiceResult<Vec<Organisation>> {
    let rows = sqlx::query(
        "SELECT id, name, registration_number, address, country FROM organisations ORDER BY name",
    )
    .fetch_all(ctx.store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Organisation {
                id: r
                    .try_get::<String, _>(0)?
                    .parse()
                    .map_err(|_| ServiceError::NotFound("organisation"))?,
                name: r.try_get(1)?,
                registration_number: r.try_get(2)?,
                address: r.try_get(3)?,
                country: r.try_get(4)?,
            })
        })
        .collect()
}
