//! Documents given to exporters: licences, refusal notices, NLR letters. Stored as text so
//! what was issued is exactly what is shown and downloaded later.
use probity_domain::{CaseId, CriterionCode, DocumentId, LicenceNumber};
use probity_store::{from_micros, to_micros, Tx};
use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

use crate::auth::Actor;
use crate::rows::{visible_case, CaseRow};
use crate::{Ctx, ServiceError, ServiceResult};

pub use probity_domain::appeal::{appeal_deadline, APPEAL_WINDOW_DAYS};

pub(crate) async fn write_document(
    tx: &mut Tx,
    case: CaseId,
    kind: &str,
    title: &str,
    body: &str,
    at: OffsetDateTime,
) -> ServiceResult<DocumentId> {
    let id = DocumentId::new();
    sqlx::query("INSERT INTO documents (id, case_id, kind, title, body, created_at) VALUES ($1,$2,$3,$4,$5,$6)")
        .bind(id.to_string())
        .bind(case.to_string())
        .bind(kind)
        .bind(title)
        .bind(body)
        .bind(to_micros(at))
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
}

async fn header(tx: &mut Tx, case: &CaseRow) -> ServiceResult<String> {
    let org: (String, String) =
        sqlx::query_as("SELECT name, address FROM organisations WHERE id = $1")
            .bind(case.organisation_id.to_string())
            .fetch_one(&mut **tx)
            .await?;
    Ok(format!(
        "Exporter: {}\n          {}\nCase:     {}\nType:     {}\n",
        org.0,
        org.1.replace('\n', "\n          "),
        case.reference.as_deref().unwrap_or(""),
        case.licence_type.label()
    ))
}

async fn goods_text(tx: &mut Tx, case: &CaseRow) -> ServiceResult<String> {
    let (goods, parties) = crate::records::load_goods_and_parties(tx, case.id).await?;
    let mut s = String::from("\nGoods\n");
    for (i, g) in goods.iter().enumerate() {
        s.push_str(&format!(
            "  {}. {} — ratings {} — {} {} — value {} {:.2}{}\n",
            i + 1,
            g.description,
            g.ratings.join(", "),
            g.quantity,
            g.unit,
            g.currency,
            g.value_minor as f64 / 100.0,
            if g.incorporated {
                " (to be incorporated)"
            } else {
                ""
            }
        ));
    }
    s.push_str("\nParties\n");
    for p in &parties {
        s.push_str(&format!(
            "  {}: {}, {} ({})\n",
            p.role.replace('_', " "),
            p.name,
            p.address.replace('\n', ", "),
            p.country
        ));
    }
    Ok(s)
}

pub(crate) async fn licence_document(
    ctx: &Ctx,
    tx: &mut Tx,
    case: &CaseRow,
    number: &LicenceNumber,
    provisos: &[String],
    valid_until: OffsetDateTime,
) -> ServiceResult<String> {
    let now = ctx.clock.now();
    let mut s = format!("EXPORT LICENCE {number}\n\n{}", header(tx, case).await?);
    s.push_str(&format!(
        "Issued:   {}\nValid to: {}\n",
        date(now),
        date(valid_until)
    ));
    s.push_str(&goods_text(tx, case).await?);
    if !provisos.is_empty() {
        s.push_str("\nProvisos — this licence is granted on these conditions\n");
        for p in provisos {
            s.push_str(&format!("  - {p}\n"));
        }
    }
    s.push_str("\nThis licence may be suspended or revoked. Its grant is published in the public register.\n");
    Ok(s)
}

pub(crate) async fn refusal_document(
    ctx: &Ctx,
    tx: &mut Tx,
    case: &CaseRow,
    criteria: &[CriterionCode],
    reasons: &str,
    now: OffsetDateTime,
) -> ServiceResult<String> {
    let mut s = format!("NOTICE OF REFUSAL\n\n{}", header(tx, case).await?);
    s.push_str(&format!("Date:     {}\n", date(now)));
    s.push_str(&goods_text(tx, case).await?);
    s.push_str(&format!(
        "\nThe application is refused under the {}:\n",
        ctx.criteria.name
    ));
    for c in criteria {
        let title = ctx
            .criteria
            .criteria
            .iter()
            .find(|k| &k.code == c)
            .map(|k| k.title.to_string())
            .unwrap_or_default();
        s.push_str(&format!("  - Criterion {c}: {title}\n"));
    }
    s.push_str(&format!("\nReasons\n  {}\n", reasons.replace('\n', "\n  ")));
    s.push_str(&format!(
        "\nYou may appeal against this decision until {} ({APPEAL_WINDOW_DAYS} days from today).\n",
        date(appeal_deadline(now))
    ));
    Ok(s)
}

#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub id: DocumentId,
    pub case_id: CaseId,
    pub kind: String,
    pub title: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

fn decode(r: &sqlx::any::AnyRow) -> ServiceResult<Document> {
    Ok(Document {
        id: r
            .try_get::<String, _>(0)?
            .parse()
            .map_err(|_| ServiceError::NotFound("document"))?,
        case_id: r
            .try_get::<String, _>(1)?
            .parse()
            .map_err(|_| ServiceError::NotFound("case"))?,
        kind: r.try_get(2)?,
        title: r.try_get(3)?,
        body: r.try_get(4)?,
        created_at: from_micros(r.try_get(5)?),
    })
}

pub async fn for_case(ctx: &Ctx, actor: &Actor, case: CaseId) -> ServiceResult<Vec<Document>> {
    let mut conn = ctx.store.pool().acquire().await?;
    visible_case(&mut conn, actor, case).await?;
    let rows = sqlx::query("SELECT id, case_id, kind, title, body, created_at FROM documents WHERE case_id = $1 ORDER BY created_at")
        .bind(case.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(decode).collect()
}

pub async fn get(ctx: &Ctx, actor: &Actor, id: DocumentId) -> ServiceResult<Document> {
    let mut conn = ctx.store.pool().acquire().await?;
    let row = sqlx::query(
        "SELECT id, case_id, kind, title, body, created_at FROM documents WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(ServiceError::NotFound("document"))?;
    let doc = decode(&row)?;
    visible_case(&mut conn, actor, doc.case_id)
        .await
        .map_err(|_| ServiceError::NotFound("document"))?;
    Ok(doc)
}
