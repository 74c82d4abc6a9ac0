//! Protected disclosure, end to end: made by anyone without an account, sealed with age to
//! oversight's X25519 key before it is stored (the private identity is a file given to the
//! server, never in the database), read back and added to with the receipt code alone, and
//! answered by oversight only. Nothing about the discloser is kept: no address, no agent, no
//! account, and dates without a time of day; the receipt is not in the audit chain, whose
//! events carry times (oversight's answers are).
use std::io::BufRead;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use age::x25519::{Identity, Recipient};
use probity_domain::{
    check_addition, check_disclosure_answer, DisclosureId, DisclosureInput, DisclosureStatus,
    ReceiptCode, Role, Upload,
};
use probity_store::disclosures as store;
use rand::RngCore;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::attachments::{self, AttachmentView};
use crate::auth::{dummy_hash, hash_password, off_the_runtime, verify_password, Actor};
use crate::command::Command;
use crate::{Ctx, ServiceError, ServiceResult};

/// Working days oversight has to answer (as for a dissent).
pub const ANSWER_WORKING_DAYS: u32 = 10;
/// Failed receipt-code lookups allowed per minute, across all visitors (none is told apart).
pub const FAILED_LOOKUPS_PER_MINUTE: u32 = 20;

/// Oversight's key: the public recipient every disclosure is sealed to, and the private
/// identity when this process holds it (to read, answer and show answers to the discloser).
pub struct OversightKeys {
    recipient: Recipient,
    identity: Option<Identity>,
}

/// Why a key could not be read (said to the operator who gave it).
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not read the oversight identity file: {0}")]
    Read(#[from] std::io::Error),
    #[error("the oversight identity file holds no AGE-SECRET-KEY-1… line")]
    NoIdentity,
    #[error("the oversight identity is not a valid age X25519 identity")]
    BadIdentity,
    #[error("the oversight recipient is not a valid age X25519 recipient (age1…)")]
    BadRecipient,
}

impl OversightKeys {
    /// From an age identity file (as `age-keygen` writes: comments, then the key line).
    pub fn from_identity_file(path: &std::path::Path) -> Result<OversightKeys, KeyError> {
        let file = std::io::BufReader::new(std::fs::File::open(path)?);
        for line in file.lines() {
            let line = line?;
            let line = line.trim();
            if line.starts_with("AGE-SECRET-KEY-1") {
                let identity = Identity::from_str(line).map_err(|_| KeyError::BadIdentity)?;
                return Ok(OversightKeys {
                    recipient: identity.to_public(),
                    identity: Some(identity),
                });
            }
        }
        Err(KeyError::NoIdentity)
    }

    /// Seal only: disclosures are taken and stored, and read where the identity is held.
    pub fn from_recipient(recipient: &str) -> Result<OversightKeys, KeyError> {
        Ok(OversightKeys {
            recipient: Recipient::from_str(recipient.trim()).map_err(|_| KeyError::BadRecipient)?,
            identity: None,
        })
    }

    /// A new identity: the keys, and the identity file's text (for `keygen`, the demo and tests).
    pub fn generate() -> (OversightKeys, String) {
        use age::secrecy::ExposeSecret;
        let identity = Identity::generate();
        let recipient = identity.to_public();
        let text = format!(
            "# Probity oversight identity: reads protected disclosures. Keep it off the database host.\n\
             # public key: {recipient}\n{}\n",
            identity.to_string().expose_secret()
        );
        (
            OversightKeys {
                recipient,
                identity: Some(identity),
            },
            text,
        )
    }

    pub fn recipient(&self) -> String {
        self.recipient.to_string()
    }

    pub(crate) fn seal(&self, plain: &str) -> ServiceResult<String> {
        age::encrypt_and_armor(&self.recipient, plain.as_bytes())
            .map_err(|e| ServiceError::Internal(format!("sealing a disclosure: {e}")))
    }

    /// Seal binary content (a file), unarmoured.
    pub(crate) fn seal_bytes(&self, plain: &[u8]) -> ServiceResult<Vec<u8>> {
        age::encrypt(&self.recipient, plain)
            .map_err(|e| ServiceError::Internal(format!("sealing a disclosure's file: {e}")))
    }

    pub(crate) fn open_bytes(&self, sealed: &[u8]) -> ServiceResult<Vec<u8>> {
        age::decrypt(self.identity()?, sealed)
            .map_err(|e| ServiceError::Internal(format!("opening a disclosure's file: {e}")))
    }

    fn identity(&self) -> ServiceResult<&Identity> {
        self.identity.as_ref().ok_or_else(|| {
            ServiceError::Conflict(
                "this server does not hold oversight's identity, so it cannot read disclosures \
                 (start it with --oversight-identity)"
                    .into(),
            )
        })
    }

    pub(crate) fn open(&self, sealed: &str) -> ServiceResult<String> {
        let plain = age::decrypt(self.identity()?, sealed.as_bytes())
            .map_err(|e| ServiceError::Internal(format!("opening a disclosure: {e}")))?;
        String::from_utf8(plain)
            .map_err(|_| ServiceError::Internal("a disclosure opened to non-UTF-8 text".into()))
    }
}

/// Failed receipt-code lookups in the current minute, kept in memory only: a limit on
/// guessing must not become a record of visits.
#[derive(Default)]
pub struct LookupGuard(Mutex<(i64, u32)>);

impl LookupGuard {
    fn minute(now: OffsetDateTime) -> i64 {
        now.unix_timestamp() / 60
    }

    fn allows(&self, now: OffsetDateTime) -> bool {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        g.0 != Self::minute(now) || g.1 < FAILED_LOOKUPS_PER_MINUTE
    }

    fn failed(&self, now: OffsetDateTime) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let m = Self::minute(now);
        if g.0 != m {
            *g = (m, 0);
        }
        g.1 += 1;
    }
}

pub(crate) fn keys(ctx: &Ctx) -> ServiceResult<&Arc<OversightKeys>> {
    ctx.disclosure_keys.as_ref().ok_or_else(|| {
        ServiceError::Conflict(
            "this service is not taking disclosures: no oversight key is configured".into(),
        )
    })
}

/// The one answer to a code that does not open a disclosure, whatever the reason.
fn not_recognised() -> ServiceError {
    ServiceError::field(
        "code",
        "that receipt code does not open a disclosure (check it, or try again in a minute)",
    )
}

fn today(ctx: &Ctx) -> Date {
    ctx.clock.now().date()
}

fn due_from(d: Date) -> String {
    probity_domain::working_days::add_working_days(d, ANSWER_WORKING_DAYS).to_string()
}

/// Make a disclosure, with any files; the receipt code is returned once and never again.
pub async fn make(
    ctx: &Ctx,
    input: &DisclosureInput,
    uploads: Vec<Upload>,
) -> ServiceResult<(DisclosureId, ReceiptCode)> {
    let keys = keys(ctx)?.clone();
    let (checked, files) = match (input.check(), attachments::check(uploads)) {
        (Ok(c), Ok(f)) => (c, f),
        (text, files) => {
            let mut problems = text.err().unwrap_or_default();
            if let Err(ServiceError::Validation(more)) = files {
                problems.extend(more.0);
            }
            return Err(crate::dissents::problems_to_error(problems));
        }
    };
    let plain = serde_json::to_string(&checked)
        .map_err(|e| ServiceError::Internal(format!("encoding a disclosure: {e}")))?;
    let sealed = keys.seal(&plain)?;
    let mut random = [0u8; 34];
    rand::rngs::OsRng.fill_bytes(&mut random);
    let code = ReceiptCode::from_random(&random);
    let secret = code.expose().to_string();
    let hash = off_the_runtime(move || hash_password(&secret))
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing a receipt code: {e}")))??;
    let id = DisclosureId::new();
    let on = today(ctx);
    let mut tx = ctx.store.begin_command().await?;
    store::insert(
        &mut tx,
        &store::NewDisclosure {
            id: &id.to_string(),
            lookup: code.lookup(),
            code_hash: &hash,
            received_on: &on.to_string(),
            due_on: &due_from(on),
            sealed: &sealed,
        },
    )
    .await?;
    attachments::save_for_disclosure(&mut tx, &keys, &id.to_string(), &files).await?;
    tx.commit().await?;
    Ok((id, code))
}

/// The disclosure a typed code opens, checked against its slow hash (an unknown code costs
/// the same hash, and every failure the same answer).
async fn open_by_code(ctx: &Ctx, code: &str) -> ServiceResult<store::DisclosureRow> {
    let now = ctx.clock.now();
    let guard = &ctx.disclosure_guard;
    if !guard.allows(now) {
        return Err(not_recognised());
    }
    let Ok(code) = ReceiptCode::parse(code) else {
        guard.failed(now);
        return Err(not_recognised());
    };
    let row = store::by_lookup(ctx.store.pool(), code.lookup()).await?;
    let hash = row
        .as_ref()
        .map(|r| r.code_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let secret = code.expose().to_string();
    let matches = off_the_runtime(move || verify_password(&secret, &hash))
        .await
        .unwrap_or(false);
    match row {
        Some(r) if matches => Ok(r),
        _ => {
            guard.failed(now);
            Err(not_recognised())
        }
    }
}

/// One message of a disclosure, opened.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub number: i64,
    /// `discloser` or `oversight`.
    pub author: String,
    pub on_date: String,
    pub text: String,
    /// Files that came with it (names and digests; oversight downloads them).
    pub attachments: Vec<AttachmentView>,
}

/// A disclosure as its discloser (with the code) or oversight sees it.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosureView {
    pub id: String,
    pub status: DisclosureStatus,
    pub received_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub answered_on: Option<String>,
    pub answered_late: bool,
    /// The disclosure as made (the first message), opened.
    pub disclosure: DisclosureInput,
    /// Files given with the disclosure.
    pub attachments: Vec<AttachmentView>,
    /// What followed: additions and answers, opened.
    pub messages: Vec<Message>,
}

fn status_of(r: &store::DisclosureRow) -> ServiceResult<DisclosureStatus> {
    r.status.parse().map_err(|_| {
        ServiceError::Store(probity_store::StoreError::Corrupt(format!(
            "disclosure {}: status",
            r.id
        )))
    })
}

fn overdue(ctx: &Ctx, r: &store::DisclosureRow, status: DisclosureStatus) -> bool {
    status == DisclosureStatus::Open && today(ctx).to_string() > r.due_on
}

async fn view(ctx: &Ctx, r: store::DisclosureRow) -> ServiceResult<DisclosureView> {
    let keys = keys(ctx)?;
    let rows = store::messages(ctx.store.pool(), &r.id).await?;
    let mut messages = Vec::new();
    let mut disclosure = DisclosureInput::default();
    let mut files = attachments::of_disclosure(ctx, keys, &r.id).await?;
    let mut take_files = |number: i64| -> Vec<AttachmentView> {
        let (these, rest) = std::mem::take(&mut files)
            .into_iter()
            .partition(|(m, _)| *m == number);
        files = rest;
        these.into_iter().map(|(_, f)| f).collect()
    };
    let first_files = take_files(1);
    for m in rows {
        let text = keys.open(&m.sealed)?;
        if m.number == 1 {
            disclosure = serde_json::from_str(&text)
                .map_err(|e| ServiceError::Internal(format!("a disclosure's contents: {e}")))?;
            continue;
        }
        messages.push(Message {
            number: m.number,
            author: m.author,
            on_date: m.on_date,
            text,
            attachments: take_files(m.number),
        });
    }
    let status = status_of(&r)?;
    Ok(DisclosureView {
        overdue: overdue(ctx, &r, status),
        id: r.id,
        status,
        received_on: r.received_on,
        due_on: r.due_on,
        answered_on: r.answered_on,
        answered_late: r.answered_late == 1,
        disclosure,
        attachments: first_files,
        messages,
    })
}

/// The discloser reads their disclosure and the answers, with the code.
pub async fn status(ctx: &Ctx, code: &str) -> ServiceResult<DisclosureView> {
    let r = open_by_code(ctx, code).await?;
    view(ctx, r).await
}

/// The discloser adds information, with any files; the disclosure is open again, with a new
/// due date.
pub async fn add(ctx: &Ctx, code: &str, text: &str, uploads: Vec<Upload>) -> ServiceResult<()> {
    let text = check_addition(text).map_err(|e| ServiceError::field("text", e.to_string()))?;
    let files = attachments::check(uploads)?;
    let r = open_by_code(ctx, code).await?;
    let keys = keys(ctx)?;
    let sealed = keys.seal(text)?;
    let on = today(ctx);
    let mut tx = ctx.store.begin_command().await?;
    store::add_message(&mut tx, &r.id, "discloser", &on.to_string(), &sealed).await?;
    attachments::save_for_disclosure(&mut tx, keys, &r.id, &files).await?;
    store::reopen(&mut tx, &r.id, &due_from(on)).await?;
    tx.commit().await?;
    Ok(())
}

/// A disclosure in oversight's list (nothing opened).
#[derive(Debug, Clone, Serialize)]
pub struct DisclosureSummary {
    pub id: String,
    pub status: DisclosureStatus,
    pub received_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub answered_on: Option<String>,
}

/// Every disclosure, for oversight: open ones first.
pub async fn list(ctx: &Ctx, actor: &Actor) -> ServiceResult<Vec<DisclosureSummary>> {
    actor.require(&[Role::Oversight], "read protected disclosures")?;
    store::all(ctx.store.pool())
        .await?
        .into_iter()
        .map(|r| {
            let status = status_of(&r)?;
            Ok(DisclosureSummary {
                overdue: overdue(ctx, &r, status),
                id: r.id,
                status,
                received_on: r.received_on,
                due_on: r.due_on,
                answered_on: r.answered_on,
            })
        })
        .collect()
}

/// One disclosure, opened, for oversight (404 to anyone else).
/// Disclosures exist for oversight alone: to anyone else, none does.
fn oversight_only(actor: &Actor) -> ServiceResult<()> {
    if actor.role == Role::Oversight {
        Ok(())
    } else {
        Err(ServiceError::NotFound("disclosure"))
    }
}

pub async fn get(ctx: &Ctx, actor: &Actor, id: DisclosureId) -> ServiceResult<DisclosureView> {
    oversight_only(actor)?;
    let r = store::by_id(ctx.store.pool(), &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("disclosure"))?;
    view(ctx, r).await
}

/// Oversight answers what is open, on substance.
pub async fn answer(ctx: &Ctx, actor: &Actor, id: DisclosureId, text: &str) -> ServiceResult<()> {
    oversight_only(actor)?;
    let text =
        check_disclosure_answer(text).map_err(|e| ServiceError::field("answer", e.to_string()))?;
    let sealed = keys(ctx)?.seal(text)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let r = store::by_id(&mut **cmd, &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("disclosure"))?;
    if status_of(&r)? != DisclosureStatus::Open {
        return Err(ServiceError::Conflict(
            "everything in this disclosure is answered; it opens again when the discloser adds to it"
                .into(),
        ));
    }
    let on = today(ctx).to_string();
    let late = on > r.due_on;
    store::add_message(&mut cmd, &r.id, "oversight", &on, &sealed).await?;
    if store::answered(&mut cmd, &r.id, &on, late).await? == 0 {
        return Err(ServiceError::Conflict(
            "this disclosure was answered meanwhile".into(),
        ));
    }
    cmd.finish(
        "disclosure.answer",
        ("disclosure", &r.id),
        serde_json::json!({ "late": late }),
    )
    .await
}
