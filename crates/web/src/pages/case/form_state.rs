//! What the case page shows after a form on it fails: each problem as a plain sentence linked
//! to its field (the GOV.UK error summary), and what was typed, so nothing has to be typed again.
use probity_service::ServiceError;

pub use crate::pages::problems::PageError;
use crate::render::capitalised;

/// The values a failed form posted, and which form it was (the prefix of its fields' ids).
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub form: &'static str,
    pub values: Vec<(&'static str, String)>,
}

impl Typed {
    /// The first value typed for `field` in `form`, or "".
    pub fn value(&self, form: &str, field: &str) -> &str {
        if self.form != form {
            return "";
        }
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Whether `value` was chosen for `field` in `form` (radios, checkboxes, options).
    pub fn chosen(&self, form: &str, field: &str, value: &str) -> bool {
        self.form == form
            && self
                .values
                .iter()
                .any(|(f, v)| *f == field && v.as_str() == value)
    }
}

/// The problems a service error reports, linked to the fields of `form` on the case page
/// (ids `{form}-{field}`); `None` for errors that are not the user's to fix.
pub fn page_errors(e: &ServiceError, form: &str) -> Option<Vec<PageError>> {
    match e {
        ServiceError::Validation(v) => Some(
            v.0.iter()
                .map(|f| PageError {
                    message: capitalised(&f.message),
                    href: (!form.is_empty()).then(|| {
                        // `criteria[2]` and the like link to the field's first control.
                        let field = f.field.split(['[', '.']).next().unwrap_or_default();
                        format!("#{form}-{}", field.replace('_', "-"))
                    }),
                })
                .collect(),
        ),
        ServiceError::Conflict(m) => Some(vec![PageError::plain(m.clone())]),
        ServiceError::Blocked(b) => Some(b.iter().cloned().map(PageError::plain).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_link_to_their_fields_and_read_as_sentences() {
        let e = ServiceError::field("conflict_resolution", "say how the conflict is resolved");
        let errors = page_errors(&e, "dec").unwrap();
        assert_eq!(errors[0].message, "Say how the conflict is resolved");
        assert_eq!(errors[0].href.as_deref(), Some("#dec-conflict-resolution"));
        let e = ServiceError::field("criteria[1]", "unknown criterion");
        assert_eq!(
            page_errors(&e, "adv").unwrap()[0].href.as_deref(),
            Some("#adv-criteria")
        );
    }

    #[test]
    fn typed_values_belong_to_the_form_that_sent_them() {
        let typed = Typed {
            form: "dec",
            values: vec![("decision", "refuse".into()), ("criteria", "2c".into())],
        };
        assert!(typed.chosen("dec", "decision", "refuse"));
        assert!(!typed.chosen("adv", "decision", "refuse"));
        assert_eq!(typed.value("dec", "decision"), "refuse");
        assert_eq!(typed.value("dec", "reasons"), "");
    }
}
