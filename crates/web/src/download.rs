//! Evidence files given back as downloads: never rendered inline (a file is sandboxed even if
//! a browser tried), with a name encoded per RFC 6266 / RFC 8187 so that any file name,
//! quotes and non-ASCII included, arrives intact and cannot break the header.
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use probity_service::attachments::FileDownload;

/// `filename="…"` in ASCII with anything else replaced, then `filename*=UTF-8''…` exact.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut exact = String::new();
    for b in name.bytes() {
        // RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            exact.push(b as char);
        } else {
            exact.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{exact}")
}

pub fn file_response(f: FileDownload) -> Response {
    let disposition = HeaderValue::from_str(&content_disposition(&f.name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(f.media_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            ),
        ],
        f.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn names_are_quoted_safely_and_kept_exactly() {
        assert_eq!(
            content_disposition("report 2024.pdf"),
            "attachment; filename=\"report 2024.pdf\"; filename*=UTF-8''report%202024.pdf"
        );
        // RFC 8187 §3.2.3's example: "£ rates" → UTF-8 bytes C2 A3.
        assert_eq!(
            content_disposition("£ rates.txt"),
            "attachment; filename=\"_ rates.txt\"; filename*=UTF-8''%C2%A3%20rates.txt"
        );
        assert_eq!(
            content_disposition("a\"b\\c.txt"),
            "attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b%5Cc.txt"
        );
    }
}
