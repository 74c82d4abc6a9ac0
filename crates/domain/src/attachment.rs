//! Evidence attached to a dissent or a protected disclosure: files with a size limit and an
//! allow-list of types. The type is decided from the file's own bytes (its signature), and
//! the name's extension must agree, so a renamed executable is not a "PDF". Files are only
//! ever offered back as downloads with the type decided here, never rendered inline.
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::FieldError;

/// The largest single attachment.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// The most attachments one filing (or one addition) may carry.
pub const MAX_ATTACHMENTS: usize = 5;
/// Longest kept file name (characters).
const MAX_NAME_CHARS: usize = 120;

/// The kinds of file accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentType {
    Pdf,
    Png,
    Jpeg,
    Text,
    Csv,
    /// Office Open XML word processing (.docx) — zip based, macro-free by format.
    Docx,
    /// Office Open XML spreadsheet (.xlsx).
    Xlsx,
    /// OpenDocument text (.odt).
    Odt,
}

impl AttachmentType {
    pub const ALL: [AttachmentType; 8] = [
        AttachmentType::Pdf,
        AttachmentType::Png,
        AttachmentType::Jpeg,
        AttachmentType::Text,
        AttachmentType::Csv,
        AttachmentType::Docx,
        AttachmentType::Xlsx,
        AttachmentType::Odt,
    ];

    pub fn media_type(self) -> &'static str {
        match self {
            AttachmentType::Pdf => "application/pdf",
            AttachmentType::Png => "image/png",
            AttachmentType::Jpeg => "image/jpeg",
            AttachmentType::Text => "text/plain; charset=utf-8",
            AttachmentType::Csv => "text/csv; charset=utf-8",
            AttachmentType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            AttachmentType::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            AttachmentType::Odt => "application/vnd.oasis.opendocument.text",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentType::Pdf => "pdf",
            AttachmentType::Png => "png",
            AttachmentType::Jpeg => "jpeg",
            AttachmentType::Text => "text",
            AttachmentType::Csv => "csv",
            AttachmentType::Docx => "docx",
            AttachmentType::Xlsx => "xlsx",
            AttachmentType::Odt => "odt",
        }
    }

    /// The extensions a file of this type may be named with.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            AttachmentType::Pdf => &["pdf"],
            AttachmentType::Png => &["png"],
            AttachmentType::Jpeg => &["jpg", "jpeg"],
            AttachmentType::Text => &["txt"],
            AttachmentType::Csv => &["csv"],
            AttachmentType::Docx => &["docx"],
            AttachmentType::Xlsx => &["xlsx"],
            AttachmentType::Odt => &["odt"],
        }
    }

    /// The type the name's extension claims, if it is one accepted.
    fn from_extension(name: &str) -> Option<AttachmentType> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.extensions().contains(&ext.as_str()))
    }

    /// Whether `bytes` carry this type's signature.
    fn matches(self, bytes: &[u8]) -> bool {
        const ZIP: &[u8] = b"PK\x03\x04";
        match self {
            AttachmentType::Pdf => bytes.starts_with(b"%PDF-"),
            AttachmentType::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            AttachmentType::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            AttachmentType::Text | AttachmentType::Csv => is_plain_text(bytes),
            AttachmentType::Docx | AttachmentType::Xlsx => {
                bytes.starts_with(ZIP) && contains(bytes, b"[Content_Types].xml")
            }
            AttachmentType::Odt => {
                bytes.starts_with(ZIP)
                    && contains(&bytes[..bytes.len().min(200)], b"opendocument.text")
            }
        }
    }

    pub fn parse(s: &str) -> Option<AttachmentType> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// UTF-8 without control characters other than tab, carriage return, line feed and form feed.
fn is_plain_text(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(text).is_ok_and(|s| {
        s.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n' | '\x0C'))
    })
}

/// The accepted types, for messages and forms.
pub const ACCEPTED_TYPES_TEXT: &str =
    "PDF, PNG, JPEG, plain text (.txt), CSV, Word (.docx), Excel (.xlsx) or OpenDocument text (.odt)";

/// A file as uploaded: the name the browser gave, and its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A checked attachment: a safe name, a type decided from its bytes, and its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub kind: AttachmentType,
    pub bytes: Vec<u8>,
    /// Lowercase hex SHA-256 of the bytes, shown so that a copy can be checked against it.
    pub sha256: String,
}

/// The last path component, without control characters or quotes, trimmed and shortened.
fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.chars().count() <= MAX_NAME_CHARS {
        return trimmed.to_string();
    }
    // Keep the extension when shortening.
    let (stem, ext) = trimmed.rsplit_once('.').unwrap_or((trimmed, ""));
    let keep = MAX_NAME_CHARS.saturating_sub(ext.chars().count() + 1);
    format!("{}.{ext}", stem.chars().take(keep).collect::<String>())
}

/// A size for people, never rounded down: "812 bytes", "48 KB", "7.2 MB".
pub fn human_size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!(
            "{:.1} MB",
            (b as f64 * 10.0 / (1024.0 * 1024.0)).ceil() / 10.0
        ),
    }
}

/// Check one upload against the limit and the allow-list.
pub fn check_attachment(field: &str, upload: Upload) -> Result<Attachment, FieldError> {
    let problem = |message: String| FieldError {
        field: field.to_string(),
        message,
    };
    let name = clean_name(&upload.name);
    let shown = if name.is_empty() { "the file" } else { &name };
    if upload.bytes.is_empty() {
        return Err(problem(format!(
            "“{shown}” is empty: attach the file itself"
        )));
    }
    if upload.bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(problem(format!(
            "“{shown}” is {}, over the limit of {} for one attachment",
            human_size(upload.bytes.len()),
            human_size(MAX_ATTACHMENT_BYTES)
        )));
    }
    let Some(kind) = AttachmentType::from_extension(&name) else {
        return Err(problem(format!(
            "“{shown}” is not a type we accept: attach {ACCEPTED_TYPES_TEXT}"
        )));
    };
    if !kind.matches(&upload.bytes) {
        return Err(problem(format!(
            "“{shown}” is named .{} but its contents are not a {} file; attach {ACCEPTED_TYPES_TEXT}",
            name.rsplit_once('.').map_or("", |(_, e)| e),
            kind.as_str().to_uppercase()
        )));
    }
    let sha256 = Sha256::digest(&upload.bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Attachment {
        name,
        kind,
        bytes: upload.bytes,
        sha256,
    })
}

/// Check every upload of one filing: each must pass, and there may be at most
/// [`MAX_ATTACHMENTS`]. Every problem is reported, one per file.
pub fn check_attachments(
    field: &str,
    uploads: Vec<Upload>,
) -> Result<Vec<Attachment>, Vec<FieldError>> {
    let mut problems = Vec::new();
    if uploads.len() > MAX_ATTACHMENTS {
        problems.push(FieldError {
            field: field.to_string(),
            message: format!(
                "{} files were attached; attach at most {MAX_ATTACHMENTS} (combine them, or add the rest later)",
                uploads.len()
            ),
        });
    }
    let mut good = Vec::new();
    for u in uploads {
        match check_attachment(field, u) {
            Ok(a) => good.push(a),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(good)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
#[path = "attachment_tests.rs"]
mod tests;
