//! Evidence files of dissents and disclosures: checked by the domain (size, allow-listed
//! type decided from the bytes), stored with the filing in its transaction, and given back
//! only to those who may read what they belong to. A disclosure's files are sealed to
//! oversight's key, description and content alike.
use probity_domain::{
    check_attachments, human_size, Attachment, AttachmentType, DisclosureId, DissentId, Role,
    Upload,
};
use probity_store::attachments as store;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::auth::Actor;
use crate::disclosures::OversightKeys;
use crate::{Ctx, ServiceError, ServiceResult};

/// The form field (and API field) that carries files.
pub const FIELD: &str = "attachments";

/// A file as listed beside what it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AttachmentView {
    pub number: i64,
    pub name: String,
    pub kind: AttachmentType,
    pub size_bytes: i64,
    /// "48 KB"
    pub size: String,
    pub sha256: String,
}

/// A file to download: its name, its allow-listed media type and its bytes.
#[derive(Debug, Clone)]
pub struct FileDownload {
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Check uploads; every problem reported against the attachments field.
pub(crate) fn check(uploads: Vec<Upload>) -> ServiceResult<Vec<Attachment>> {
    check_attachments(FIELD, uploads).map_err(crate::dissents::problems_to_error)
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(probity_store::StoreError::Corrupt(what))
}

fn kind_of(kind: &str, whose: &str) -> ServiceResult<AttachmentType> {
    AttachmentType::parse(kind).ok_or_else(|| corrupt(format!("{whose}: attachment type {kind}")))
}

pub(crate) async fn save_for_dissent(
    conn: &mut AnyConnection,
    dissent: &str,
    files: &[Attachment],
) -> ServiceResult<()> {
    for (i, f) in files.iter().enumerate() {
        store::insert_for_dissent(
            conn,
            &store::NewDissentAttachment {
                dissent_id: dissent,
                number: i as i64 + 1,
                name: &f.name,
                kind: f.kind.as_str(),
                sha256: &f.sha256,
                content: &f.bytes,
            },
        )
        .await?;
    }
    Ok(())
}

/// What the audit chain says of files: names and digests, so a file can be proven unchanged.
pub(crate) fn audit_summary(files: &[Attachment]) -> serde_json::Value {
    files
        .iter()
        .map(|f| serde_json::json!({ "name": f.name, "sha256": f.sha256 }))
        .collect()
}

pub(crate) async fn of_dissent(
    conn: &mut AnyConnection,
    dissent: &str,
) -> ServiceResult<Vec<AttachmentView>> {
    store::of_dissent(conn, dissent)
        .await?
        .into_iter()
        .map(|r| {
            Ok(AttachmentView {
                kind: kind_of(&r.kind, &format!("dissent {dissent}"))?,
                number: r.number,
                size: human_size(r.size_bytes as usize),
                size_bytes: r.size_bytes,
                name: r.name,
                sha256: r.sha256,
            })
        })
        .collect()
}

/// One of a dissent's files, for its parties and oversight (404 to anyone else).
pub async fn dissent_file(
    ctx: &Ctx,
    actor: &Actor,
    id: DissentId,
    number: i64,
) -> ServiceResult<FileDownload> {
    let mut conn = ctx.store.pool().acquire().await?;
    probity_store::dissents::by_id(&mut *conn, &id.to_string())
        .await?
        .filter(|r| crate::dissents::may_read(actor, r))
        .ok_or(ServiceError::NotFound("dissent"))?;
    let f = store::dissent_file(&mut *conn, &id.to_string(), number)
        .await?
        .ok_or(ServiceError::NotFound("attachment"))?;
    Ok(FileDownload {
        media_type: kind_of(&f.kind, &format!("dissent {id}"))?.media_type(),
        name: f.name,
        bytes: f.content,
    })
}

/// Seal files to oversight and add them to the disclosure's latest message.
pub(crate) async fn save_for_disclosure(
    conn: &mut AnyConnection,
    keys: &OversightKeys,
    disclosure: &str,
    files: &[Attachment],
) -> ServiceResult<()> {
    for f in files {
        let meta = AttachmentView {
            number: 0,
            name: f.name.clone(),
            kind: f.kind,
            size_bytes: f.bytes.len() as i64,
            size: human_size(f.bytes.len()),
            sha256: f.sha256.clone(),
        };
        let meta = serde_json::to_string(&meta)
            .map_err(|e| ServiceError::Internal(format!("describing a file: {e}")))?;
        store::insert_for_disclosure(
            conn,
            &store::NewDisclosureAttachment {
                disclosure_id: disclosure,
                sealed_meta: &keys.seal(&meta)?,
                sealed_content: &keys.seal_bytes(&f.bytes)?,
            },
        )
        .await?;
    }
    Ok(())
}

/// A disclosure's files, described (opened with oversight's identity), with the message each
/// came with.
pub(crate) async fn of_disclosure(
    ctx: &Ctx,
    keys: &OversightKeys,
    disclosure: &str,
) -> ServiceResult<Vec<(i64, AttachmentView)>> {
    store::of_disclosure(ctx.store.pool(), disclosure)
        .await?
        .into_iter()
        .map(|r| {
            let mut view: AttachmentView = serde_json::from_str(&keys.open(&r.sealed_meta)?)
                .map_err(|e| {
                    corrupt(format!(
                        "disclosure {disclosure}: a file's description: {e}"
                    ))
                })?;
            view.number = r.number;
            Ok((r.message_number, view))
        })
        .collect()
}

/// One of a disclosure's files, opened, for oversight only (404 to anyone else).
pub async fn disclosure_file(
    ctx: &Ctx,
    actor: &Actor,
    id: DisclosureId,
    number: i64,
) -> ServiceResult<FileDownload> {
    if actor.role != Role::Oversight {
        return Err(ServiceError::NotFound("disclosure"));
    }
    let keys = crate::disclosures::keys(ctx)?;
    let f = store::disclosure_file(ctx.store.pool(), &id.to_string(), number)
        .await?
        .ok_or(ServiceError::NotFound("attachment"))?;
    let meta: AttachmentView = serde_json::from_str(&keys.open(&f.sealed_meta)?)
        .map_err(|e| corrupt(format!("disclosure {id}: a file's description: {e}")))?;
    Ok(FileDownload {
        name: meta.name,
        media_type: meta.kind.media_type(),
        bytes: keys.open_bytes(&f.sealed_content)?,
    })
}
