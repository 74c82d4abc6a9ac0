//! A case's audit history as a person reads it: who acted by name, what happened in words,
//! the event's details as a summary list (the raw data one click away), and hashes short
//! with a copy button.
use probity_store::audit::AuditEvent;

/// One event, ready to show.
pub struct HistoryRow {
    pub seq: i64,
    pub at: time::OffsetDateTime,
    pub who: String,
    pub role: String,
    pub what: String,
    pub details: Vec<(String, String)>,
    pub raw: String,
    pub hash: String,
}

impl HistoryRow {
    pub fn new(e: AuditEvent, name: Option<String>) -> HistoryRow {
        let who = match (&e.actor_id, name) {
            (None, _) => "The system".to_string(),
            (Some(_), Some(n)) => n,
            (Some(id), None) => format!("A removed user ({id})"),
        };
        HistoryRow {
            seq: e.seq,
            at: e.at,
            who,
            role: e.actor_role.replace('_', " "),
            what: describe(&e.action),
            details: details(&e.detail),
            raw: serde_json::to_string_pretty(&e.detail).unwrap_or_default(),
            hash: e.hash,
        }
    }

    /// The first 12 hex digits: enough to tell events apart and find one.
    pub fn short_hash(&self) -> &str {
        self.hash.get(..12).unwrap_or(&self.hash)
    }
}

/// What an audit action means, in words (an action this list does not know is shown as its
/// code made readable, so a new action is never hidden).
pub fn describe(action: &str) -> String {
    let known = match action {
        "application.save_draft" => "Draft saved",
        "application.submit" => "Application submitted",
        "application.withdraw" => "Application withdrawn by the exporter",
        "case.assign" => "Case taken by a caseworker",
        "case.reassign" => "Case taken over from a colleague",
        "case.ask_exporter" => "Question sent to the exporter",
        "case.exporter_responds" => "The exporter answered",
        "advice.request" => "Advice requested from advisory teams",
        "advice.give" => "Advice given",
        "advice.consolidate_final" => "Final advice consolidated",
        "case.submit_for_decision" => "Sent for a decision",
        "case.finalise" => "Decision recorded",
        "case.finalise_for_countersign" => {
            "Decision recorded, for a second decision-maker to countersign"
        }
        "case.finalise_refused" => "A decision was refused by the system",
        "case.countersign" => "Decision countersigned",
        "case.return" => "Returned to the caseworker",
        "case.appealed" => "Appealed",
        "appeal.lodge" => "Appeal lodged",
        "screening.screen" => "Parties screened against the sanctions lists",
        "screening.resolve" => "Screening match resolved",
        "dissent.file" => "Dissent filed",
        "dissent.answer" => "Dissent answered",
        "dissent.answer_refused" => "An answer to a dissent was refused as incomplete",
        "dissent.escalate_overdue" => "Dissent escalated to oversight: its deadline passed",
        "dissent.finding" => "Oversight's finding on a dissent",
        "review.override_flag" => "A review flag was overridden for a grant",
        "review.add_licence" => "Licence added to a review",
        "licence.issue" => "Licence issued",
        "licence.suspend" => "Licence suspended",
        "licence.reinstate" => "Licence reinstated",
        "licence.revoke" => "Licence revoked",
        "licence.surrender" => "Licence surrendered",
        "licence.expire" => "Licence expired",
        "licence.exhaust" => "Licence used up",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    crate::render::capitalised(&action.replace(['.', '_'], " "))
}

/// The top level of an event's detail as (label, value) pairs.
fn details(detail: &serde_json::Value) -> Vec<(String, String)> {
    let serde_json::Value::Object(map) = detail else {
        return if detail.is_null() {
            Vec::new()
        } else {
            vec![("Data".into(), value(detail))]
        };
    };
    map.iter()
        .map(|(k, v)| (crate::render::capitalised(&k.replace('_', " ")), value(v)))
        .collect()
}

fn value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "none".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
            items.iter().map(value).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_as_words_and_unknown_ones_are_not_hidden() {
        assert_eq!(
            describe("advice.request"),
            "Advice requested from advisory teams"
        );
        assert_eq!(describe("widget.polish_all"), "Widget polish all");
        let d = details(&serde_json::json!({"teams": ["FCDO", "MOD"], "note_text": null, "n": 3}));
        assert!(d.contains(&("Teams".into(), "FCDO, MOD".into())));
        assert!(d.contains(&("Note text".into(), "none".into())));
        assert!(d.contains(&("N".into(), "3".into())));
    }
}
