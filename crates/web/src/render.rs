//! Shared page furniture: the navigation bar, formatting helpers, rendering.
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use probity_service::auth::Role;
use time::OffsetDateTime;

use crate::auth::CurrentUser;
use crate::AppError;

/// What the layout needs to know about the visitor.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub signed_in: bool,
    pub name: String,
    pub role: String,
    pub csrf: String,
    pub links: Vec<(&'static str, &'static str)>,
    /// The address being shown (path and query), to mark its link as the current page.
    pub current: String,
}

impl Nav {
    /// Whether `href` is the page shown, or the section it belongs to: a link with a query
    /// (a queue) only when the query is the same, a plain path also for the pages under it.
    pub fn is_current(&self, href: &str) -> bool {
        if href.contains('?') {
            return self.current == href;
        }
        let path = self.current.split('?').next().unwrap_or_default();
        path == href || (href != "/" && path.starts_with(&format!("{href}/")))
    }

    pub fn for_user(user: Option<&CurrentUser>) -> Nav {
        let mut nav = Self::links_for(user);
        nav.current = crate::request_id::location().unwrap_or_default();
        nav
    }

    fn links_for(user: Option<&CurrentUser>) -> Nav {
        let Some(u) = user else {
            return Nav {
                links: vec![
                    ("/register/decisions", "Public register"),
                    ("/reviews", "Reviews"),
                    ("/data", "Data"),
                    ("/statistics", "Statistics"),
                ],
                ..Nav::default()
            };
        };
        if u.must_enrol {
            // Nothing else is open until a second factor is set up.
            return Nav {
                signed_in: true,
                name: u.actor.display_name.clone(),
                role: u.actor.role.label().to_string(),
                csrf: u.csrf.clone(),
                links: vec![("/account/two-factor", "Set up two-factor sign-in")],
                ..Nav::default()
            };
        }
        let mut links: Vec<(&'static str, &'static str)> = match u.actor.role {
            Role::Exporter => vec![
                ("/cases", "Our applications"),
                ("/applications/new", "Apply for a licence"),
                ("/account/tokens", "API tokens"),
            ],
            Role::Caseworker => vec![("/cases?queue=new", "Case queues")],
            Role::Adviser => vec![("/cases?queue=awaiting_my_advice", "Awaiting my advice")],
            Role::DecisionMaker => vec![("/cases?queue=for_decision", "For decision")],
            Role::Policy | Role::Oversight => vec![("/cases", "All cases")],
            Role::Admin => vec![("/admin/users", "Users")],
        };
        if probity_domain::screening::MAY_SEE_LISTS.contains(&u.actor.role) {
            links.push(("/screening/lists", "Sanctions lists"));
        }
        match u.actor.role {
            Role::Policy => links.push(("/assessments", "Assessments")),
            Role::Exporter => links.push(("/notifications", "Notifications")),
            _ => {}
        }
        if u.actor.role == Role::Oversight {
            links.push(("/oversight/audit", "Audit chain"));
            links.push(("/oversight/openings", "Register openings"));
        }
        links.push(("/account", "Your account"));
        links.push(("/register/decisions", "Public register"));
        links.push(("/reviews", "Reviews"));
        links.push(("/data", "Data"));
        Nav {
            signed_in: true,
            name: u.actor.display_name.clone(),
            role: u.actor.role.label().to_string(),
            csrf: u.csrf.clone(),
            links,
            ..Nav::default()
        }
    }
}

pub fn page<T: Template>(t: T) -> Result<Response, AppError> {
    match t.render() {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => Err(AppError::internal("page template", e)),
    }
}

/// The whole page under another status: a form or query that could not be used is explained
/// on the page itself (with its navigation), under the status that says so.
pub fn page_with_status<T: Template>(
    t: T,
    status: axum::http::StatusCode,
) -> Result<Response, AppError> {
    let mut resp = page(t)?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// `s` with its first letter in capitals ("advice give" → "Advice give").
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub fn money(minor: impl AsMinor, currency: &str) -> String {
    let minor = minor.minor();
    let symbol = match currency {
        "GBP" => "£",
        "EUR" => "€",
        "USD" => "$",
        _ => "",
    };
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let major = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in major.chars().enumerate() {
        if i > 0 && (major.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{symbol}{grouped}.{:02}", abs % 100)
}

/// Templates hand helpers values, references or references to references; these traits
/// accept all of them.
pub trait AsMinor {
    fn minor(&self) -> i64;
}
impl AsMinor for i64 {
    fn minor(&self) -> i64 {
        *self
    }
}
impl<T: AsMinor + ?Sized> AsMinor for &T {
    fn minor(&self) -> i64 {
        (**self).minor()
    }
}

pub trait AsTime {
    fn time(&self) -> OffsetDateTime;
}
impl AsTime for OffsetDateTime {
    fn time(&self) -> OffsetDateTime {
        *self
    }
}
impl<T: AsTime + ?Sized> AsTime for &T {
    fn time(&self) -> OffsetDateTime {
        (**self).time()
    }
}

pub fn gbp(minor: impl AsMinor) -> String {
    money(minor.minor(), "GBP")
}

pub fn date(t: impl AsTime) -> String {
    let t = t.time();
    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
}

pub fn datetime(t: impl AsTime) -> String {
    let t = t.time();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute()
    )
}

pub fn country_name(code: impl AsRef<str>) -> String {
    let code = code.as_ref();
    probity_domain::CountryCode::parse(code)
        .map(|c| format!("{} ({code})", c.name()))
        .unwrap_or_else(|_| code.to_string())
}

/// Advice in words, for the case page.
pub fn advice_label(kind: &probity_domain::AdviceKind) -> String {
    use probity_domain::AdviceKind as K;
    match kind {
        K::Approve => "Approve".into(),
        K::Proviso(p) => format!("Approve with proviso: {p}"),
        K::Refuse(c) => format!("Refuse under criteria {}", join_codes(c)),
        K::NoLicenceRequired => "No licence required".into(),
    }
}

pub fn consolidated_label(c: &probity_domain::Consolidated) -> String {
    use probity_domain::Consolidated as C;
    match c {
        C::Approve => "Approve".into(),
        C::Proviso(p) => format!("Approve with provisos: {}", p.join("; ")),
        C::Refuse(c) => format!("Refuse under criteria {}", join_codes(c)),
        C::NoLicenceRequired => "No licence required".into(),
        C::Conflicting => "Conflicting: advisers disagree".into(),
        C::Empty => "No advice yet".into(),
    }
}

fn join_codes(c: &[probity_domain::CriterionCode]) -> String {
    c.iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A decision awaiting countersignature, from its stored JSON, in words.
pub fn pending_label(v: &serde_json::Value) -> String {
    let d = &v["decision"];
    let list = |key: &str| {
        d[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    match d["outcome"].as_str() {
        Some("grant") if list("provisos").is_empty() => "Grant a licence".into(),
        Some("grant") => format!("Grant a licence with provisos: {}", list("provisos")),
        Some("refuse") => format!("Refuse under criteria {}", list("criteria")),
        Some("no_licence_required") => "No licence required".into(),
        _ => "A decision".into(),
    }
}

/// Attachment limits as the forms state them (the domain enforces them).
pub const MAX_FILES: usize = probity_domain::MAX_ATTACHMENTS;
pub const ACCEPTED_FILES: &str = probity_domain::ACCEPTED_TYPES_TEXT;

pub fn max_file_size() -> String {
    probity_domain::human_size(probity_domain::MAX_ATTACHMENT_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands_and_keeps_pence() {
        assert_eq!(money(123456789, "GBP"), "£1,234,567.89");
        assert_eq!(money(5, "EUR"), "€0.05");
        assert_eq!(money(100000, "USD"), "$1,000.00");
        assert_eq!(money(-250, "GBP"), "-£2.50");
    }

    #[test]
    fn the_header_marks_the_page_shown_and_its_section() {
        let at = |current: &str| Nav {
            current: current.into(),
            ..Nav::default()
        };
        assert!(at("/register/decisions").is_current("/register/decisions"));
        assert!(at("/register/decisions?page=2").is_current("/register/decisions"));
        assert!(at("/reviews/0190/work").is_current("/reviews"));
        assert!(!at("/reviewsx").is_current("/reviews"));
        // A queue is current only with its own query.
        assert!(at("/cases?queue=new").is_current("/cases?queue=new"));
        assert!(!at("/cases?queue=advice").is_current("/cases?queue=new"));
        assert!(!at("/cases").is_current("/cases?queue=new"));
        assert!(!at("/data").is_current("/"));
    }
}
