//! The GOV.UK error summary for every form page: each problem a plain sentence, linked to the
//! field it is about (`#field`, the field's id on the page), shown above the form that keeps
//! what was typed, with the page title starting "Error:" (`_error_summary.html`).
use probity_service::ServiceError;

// The domain writes its messages as phrases; the summary shows them as sentences.
use crate::render::capitalised;

/// One problem in the error summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    pub message: String,
    /// `#id` of the field it is about, when the page has one.
    pub href: Option<String>,
}

impl PageError {
    pub fn plain(message: impl Into<String>) -> PageError {
        PageError {
            message: capitalised(&message.into()),
            href: None,
        }
    }
}

impl From<String> for PageError {
    fn from(message: String) -> PageError {
        PageError::plain(message)
    }
}

impl From<&str> for PageError {
    fn from(message: &str) -> PageError {
        PageError::plain(message)
    }
}

/// The field a problem is about, as a person reads it ("subject_ref" → "Subject ref",
/// "points[2]" → "Points").
fn field_label(root: &str) -> String {
    capitalised(&root.replace('_', " "))
}

/// What a form page says back when the service refuses its input or its timing (shown with
/// the form, whose values are kept); `None` for errors the error page handles. A field's
/// problem names the field unless the message already starts with it, and links to it.
pub(crate) fn form_errors(e: &ServiceError) -> Option<Vec<PageError>> {
    match e {
        ServiceError::Validation(v) => Some(validation_errors(v)),
        ServiceError::Conflict(m) => Some(vec![PageError::plain(m.clone())]),
        ServiceError::Blocked(b) => Some(b.iter().cloned().map(PageError::plain).collect()),
        _ => None,
    }
}

/// Each field's problem, named and linked.
pub(crate) fn validation_errors(v: &probity_domain::ValidationErrors) -> Vec<PageError> {
    v.0.iter()
        .map(|f| {
            let root = f.field.split(['[', '.']).next().unwrap_or_default();
            let label = field_label(root);
            let message =
                if root.is_empty() || f.message.to_lowercase().starts_with(&label.to_lowercase()) {
                    capitalised(&f.message)
                } else {
                    format!("{label}: {}", f.message)
                };
            PageError {
                message,
                href: (!root.is_empty()).then(|| format!("#{root}")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_problem_names_its_field_and_links_to_it() {
        let e = ServiceError::field("evidence", "enter some text");
        let got = form_errors(&e).unwrap();
        assert_eq!(got[0].message, "Evidence: enter some text");
        assert_eq!(got[0].href.as_deref(), Some("#evidence"));
        let e = ServiceError::field("points[2]", "point 3: write at least 10 characters");
        assert_eq!(form_errors(&e).unwrap()[0].href.as_deref(), Some("#points"));
        // A message that already names its field is not prefixed again.
        let e = ServiceError::field("reason", "reason must say why");
        assert_eq!(form_errors(&e).unwrap()[0].message, "Reason must say why");
        let e = ServiceError::Conflict("already answered".into());
        assert_eq!(
            form_errors(&e).unwrap(),
            vec![PageError::plain("Already answered")]
        );
    }
}
