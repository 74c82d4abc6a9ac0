//! Supporting documents of an application: the exporter uploads them (to a draft, or to a
//! case not yet decided, answering a caseworker's request or not); whoever may see the case
//! may list and download them; a caseworker asks for a specific one. Files are checked by the
//! domain (size, an allow-listed type decided from the bytes) and their SHA-256 goes into the
//! audit chain with the upload.
use probity_domain::{
    check_attachment, human_size, may_add_documents, may_remove_documents, may_request_documents,
    AttachmentType, CaseId, DocumentKind, QuestionText, Role, Upload,
};
use probity_store::supporting_documents as store;
use probity_store::{from_micros, to_micros};
use serde::Serialize;
use time::OffsetDateTime;

use crate::applications::own_case;
use crate::attachments::FileDownload;
use crate::auth::Actor;
use crate::casework::{load_case, visible_case};
use crate::command::Command;
use crate::{Ctx, ServiceError, ServiceResult};

/// The form field that carries the file.
pub const FILE_FIELD: &str = "file";

#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub number: i64,
    pub document_kind: DocumentKind,
    pub name: String,
    pub kind: AttachmentType,
    /// "48 KB"
    pub size: String,
    pub sha256: String,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub number: i64,
    pub document_kind: DocumentKind,
    pub note: String,
    pub requested_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// The document that answered it.
    pub fulfilled_by: Option<i64>,
}

/// A case's documents and the requests for them.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CaseDocuments {
    pub documents: Vec<DocumentView>,
    pub requests: Vec<RequestView>,
}

impl CaseDocuments {
    pub fn outstanding(&self) -> impl Iterator<Item = &RequestView> {
        self.requests.iter().filter(|r| r.fulfilled_by.is_none())
    }
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(probity_store::StoreError::Corrupt(what))
}

fn document_kind(s: &str) -> ServiceResult<DocumentKind> {
    s.parse()
        .map_err(|_| corrupt(format!("supporting document kind {s}")))
}

/// The documents of a case the actor may see.
pub async fn of_case(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<CaseDocuments> {
    let mut conn = ctx.store.pool().acquire().await?;
    visible_case(&mut conn, actor, id).await?;
    let cid = id.to_string();
    let documents = store::of_case(&mut *conn, &cid)
        .await?
        .into_iter()
        .map(|r| {
            Ok(DocumentView {
                number: r.number,
                document_kind: document_kind(&r.document_kind)?,
                kind: AttachmentType::parse(&r.kind)
                    .ok_or_else(|| corrupt(format!("document type {}", r.kind)))?,
                size: human_size(r.size_bytes as usize),
                name: r.name,
                sha256: r.sha256,
                uploaded_by: r.uploaded_by_name,
                uploaded_at: from_micros(r.uploaded_at),
            })
        })
        .collect::<ServiceResult<_>>()?;
    let requests = store::requests_of_case(&mut *conn, &cid)
        .await?
        .into_iter()
        .map(|r| {
            Ok(RequestView {
                number: r.number,
                document_kind: document_kind(&r.document_kind)?,
                note: r.note,
                requested_by: r.requested_by_name,
                requested_at: from_micros(r.requested_at),
                fulfilled_by: r.fulfilled_by,
            })
        })
        .collect::<ServiceResult<_>>()?;
    Ok(CaseDocuments {
        documents,
        requests,
    })
}

/// What an exporter uploads: the kind chosen (or the request answered) and the file.
pub struct NewUpload {
    pub document_kind: String,
    /// The number of the caseworker's request this answers, if any.
    pub request: Option<i64>,
    pub file: Option<Upload>,
}

/// Add a document to the exporter's own application; returns its number. Every problem
/// with the choice and the file is reported at once, and nothing is stored then.
pub async fn upload(ctx: &Ctx, actor: &Actor, id: CaseId, new: NewUpload) -> ServiceResult<i64> {
    actor.require(&[Role::Exporter], "add documents to applications")?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    own_case(actor, &case)?;
    if !may_add_documents(case.status) {
        return Err(ServiceError::Conflict(format!(
            "this application is {}: documents can no longer be added",
            case.status.label().to_lowercase()
        )));
    }
    let mut problems = Vec::new();
    let chosen = new.document_kind.parse::<DocumentKind>();
    if new.request.is_none() && chosen.is_err() {
        problems.push(probity_domain::FieldError {
            field: "document_kind".into(),
            message: "Choose what the document is".into(),
        });
    }
    let file = match new.file {
        None => {
            problems.push(probity_domain::FieldError {
                field: FILE_FIELD.into(),
                message: "Choose a file to upload".into(),
            });
            None
        }
        Some(u) => match check_attachment(FILE_FIELD, u) {
            Ok(a) => Some(a),
            Err(e) => {
                problems.push(e);
                None
            }
        },
    };
    let Some(file) = file.filter(|_| problems.is_empty()) else {
        return Err(crate::dissents::problems_to_error(problems));
    };
    let cid = id.to_string();
    // A request fixes the kind: the document is what was asked for.
    let kind = match new.request {
        Some(n) => {
            let requests = store::requests_of_case(&mut **cmd, &cid).await?;
            let request = requests.iter().find(|r| r.number == n).ok_or_else(|| {
                ServiceError::field(FILE_FIELD, "That request for a document does not exist")
            })?;
            if request.fulfilled_by.is_some() {
                return Err(ServiceError::Conflict(
                    "that request was already answered with a document".into(),
                ));
            }
            document_kind(&request.document_kind)?
        }
        None => chosen
            .map_err(|_| ServiceError::field("document_kind", "Choose what the document is"))?,
    };
    let uploaded_at = to_micros(cmd.now);
    let number = store::insert(
        &mut cmd,
        &store::NewDocument {
            case_id: &cid,
            document_kind: kind.as_str(),
            name: &file.name,
            kind: file.kind.as_str(),
            sha256: &file.sha256,
            content: &file.bytes,
            uploaded_by: &actor.user_id.to_string(),
            uploaded_at,
        },
    )
    .await?;
    if let Some(n) = new.request {
        store::fulfil_request(&mut cmd, &cid, n, number).await?;
    }
    cmd.finish(
        "application.document_upload",
        ("case", &cid),
        serde_json::json!({
            "number": number, "document_kind": kind.as_str(), "name": file.name,
            "sha256": file.sha256, "request": new.request,
        }),
    )
    .await?;
    Ok(number)
}

/// Take a document off a draft.
pub async fn remove(ctx: &Ctx, actor: &Actor, id: CaseId, number: i64) -> ServiceResult<()> {
    actor.require(&[Role::Exporter], "remove documents from applications")?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    own_case(actor, &case)?;
    if !may_remove_documents(case.status) {
        return Err(ServiceError::Conflict(
            "documents stay with a submitted application: only a draft's can be removed".into(),
        ));
    }
    let cid = id.to_string();
    if !store::delete(&mut cmd, &cid, number).await? {
        return Err(ServiceError::NotFound("document"));
    }
    cmd.finish(
        "application.document_remove",
        ("case", &cid),
        serde_json::json!({ "number": number }),
    )
    .await
}

/// One document's file, for whoever may see the case.
pub async fn download(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    number: i64,
) -> ServiceResult<FileDownload> {
    let mut conn = ctx.store.pool().acquire().await?;
    visible_case(&mut conn, actor, id)
        .await
        .map_err(crate::casework::not_found_as("document"))?;
    let row = store::file(&mut *conn, &id.to_string(), number)
        .await?
        .ok_or(ServiceError::NotFound("document"))?;
    let kind = AttachmentType::parse(&row.kind)
        .ok_or_else(|| corrupt(format!("document type {}", row.kind)))?;
    Ok(FileDownload {
        name: row.name,
        media_type: kind.media_type(),
        bytes: row.content,
    })
}

/// A caseworker asks the exporter for a document; returns the request's number.
pub async fn request(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    document_kind: &str,
    note: &str,
) -> ServiceResult<i64> {
    actor.require(&[Role::Caseworker], "ask exporters for documents")?;
    let kind = document_kind
        .parse::<DocumentKind>()
        .map_err(|_| ServiceError::field("document_kind", "Choose the document you need"))?;
    let note = crate::parse_text::<QuestionText>("note", note)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = visible_case(&mut cmd, actor, id).await?;
    if !may_request_documents(case.status) {
        return Err(ServiceError::Conflict(format!(
            "documents can be asked for only while a submitted case is open; this one is {}",
            case.status.label().to_lowercase()
        )));
    }
    let cid = id.to_string();
    let at = to_micros(cmd.now);
    let user = actor.user_id.to_string();
    let number =
        store::insert_request(&mut cmd, &cid, kind.as_str(), note.as_str(), &user, at).await?;
    cmd.finish(
        "application.document_request",
        ("case", &cid),
        serde_json::json!({ "number": number, "document_kind": kind.as_str(), "note": note.as_str() }),
    )
    .await?;
    Ok(number)
}
