//! Exporter organisations and departmental teams.
use probity_domain::{check_text, organisation_text, CountryCode, Name, OrganisationId, TeamId};
use probity_store::{orgs as repo, to_micros};
use serde::{Deserialize, Serialize};

use crate::auth::{Actor, Role};
use crate::command::audit_event;
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
    let row = repo::OrganisationRow {
        id: id.to_string(),
        name: name.to_string(),
        registration_number: reg.to_string(),
        address: address.to_string(),
        country: country.as_str().to_string(),
    };
    if !repo::insert_organisation(&mut tx, &row, to_micros(now)).await? {
        return Err(ServiceError::field(
            "registration_number",
            "already registered",
        ));
    }
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
    repo::organisation(ctx.store.pool(), &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("organisation"))
        .and_then(Organisation::from_row)
}

impl Organisation {
    fn from_row(r: repo::OrganisationRow) -> ServiceResult<Organisation> {
        Ok(Organisation {
            id: r
                .id
                .parse()
                .map_err(|_| ServiceError::NotFound("organisation"))?,
            name: r.name,
            registration_number: r.registration_number,
            address: r.address,
            country: r.country,
        })
    }
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
    let row = repo::TeamRow {
        id: id.to_string(),
        name: name.to_string(),
        kind: kind.as_str().to_string(),
    };
    repo::insert_team(&mut tx, &row, to_micros(now)).await?;
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
    repo::teams(ctx.store.pool())
        .await?
        .into_iter()
        .map(|r| {
            Ok(Team {
                id: r.id.parse().map_err(|_| ServiceError::NotFound("team"))?,
                name: r.name,
                kind: r.kind,
            })
        })
        .collect()
}

pub async fn list_organisations(ctx: &Ctx) -> ServiceResult<Vec<Organisation>> {
    repo::organisations(ctx.store.pool())
        .await?
        .into_iter()
        .map(Organisation::from_row)
        .collect()
}
