//! Documents given to exporters: licences, refusal notices, NLR letters. Stored as text so
//! what was issued is exactly what is shown and downloaded later.
use probity_domain::{CaseId, CriterionCode, DocumentId, LicenceNumber};
use probity_store::documents::{self as store_docs, DocumentRow};
use probity_store::{from_micros, to_micros};
use serde::Serialize;
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::auth::Actor;
use crate::casework::{corrupt, not_found_as, visible_case, CaseRow};
use crate::{Ctx, ServiceError, ServiceResult};

pub use probity_domain::appeal::{appeal_deadline, APPEAL_WINDOW_DAYS};

pub(crate) async fn write_document(
    conn: &mut AnyConnection,
    case: CaseId,
    kind: &str,
    title: &str,
    body: &str,
    at: OffsetDateTime,
) -> ServiceResult<DocumentId> {
    let id = DocumentId::new();
    let row = DocumentRow {
        id: id.to_string(),
        case_id: case.to_string(),
        kind: kind.to_string(),
        title: title.to_string(),
        body: body.to_string(),
        created_at: to_micros(at),
    };
    store_docs::insert(conn, &row).await?;
    Ok(id)
}

fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
}

async fn header(conn: &mut AnyConnection, case: &CaseRow) -> ServiceResult<String> {
    let org = probity_store::orgs::organisation(conn, &case.organisation_id.to_string())
        .await?
        .ok_or_else(|| corrupt(format!("case {}: its organisation is missing", case.id)))?;
    Ok(format!(
        "Exporter: {}\n          {}\nCase:     {}\nType:     {}\n",
        org.name,
        org.address.replace('\n', "\n          "),
        case.reference.as_deref().unwrap_or(""),
        case.licence_type.label()
    ))
}

async fn goods_text(tx: &mut AnyConnection, case: &CaseRow) -> ServiceResult<String> {
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
    tx: &mut AnyConnection,
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
    tx: &mut AnyConnection,
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

impl TryFrom<DocumentRow> for Document {
    type Error = ServiceError;

    fn try_from(r: DocumentRow) -> ServiceResult<Document> {
        let bad = |what: &str| corrupt(format!("document {}: bad {what}", r.id));
        Ok(Document {
            id: r.id.parse().map_err(|_| bad("id"))?,
            case_id: r.case_id.parse().map_err(|_| bad("case id"))?,
            created_at: from_micros(r.created_at),
            kind: r.kind,
            title: r.title,
            body: r.body,
        })
    }
}

pub async fn for_case(ctx: &Ctx, actor: &Actor, case: CaseId) -> ServiceResult<Vec<Document>> {
    let mut conn = ctx.store.pool().acquire().await?;
    visible_case(&mut conn, actor, case).await?;
    store_docs::for_case(&mut conn, &case.to_string())
        .await?
        .into_iter()
        .map(Document::try_from)
        .collect()
}

pub async fn get(ctx: &Ctx, actor: &Actor, id: DocumentId) -> ServiceResult<Document> {
    let mut conn = ctx.store.pool().acquire().await?;
    let doc: Document = store_docs::by_id(&mut conn, &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("document"))?
        .try_into()?;
    visible_case(&mut conn, actor, doc.case_id)
        .await
        .map_err(not_found_as("document"))?;
    Ok(doc)
}
