//! Public accountability: per quarter (and per destination, for dissents on a case or
//! assessment that names one), how many dissents were recorded, answered in time or late,
//! escalated, and what the answers changed; how many protected disclosures were received,
//! answered and answered late. Contents and identities are never counted in; a count of 1
//! or 2 is shown as "fewer than 3", so that no one can be picked out.
use std::collections::BTreeMap;

use probity_store::{disclosures, dissents, from_micros};
use serde::{Serialize, Serializer};
use time::Date;

use crate::{Ctx, ServiceResult};

/// A published count: 0, or 3 and more, as a number; 1 or 2 as "fewer than 3".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count(pub i64);

impl Count {
    pub fn shown(&self) -> String {
        match self.0 {
            1 | 2 => "fewer than 3".to_string(),
            n => n.to_string(),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            1 | 2 => s.serialize_str("fewer than 3"),
            n => s.serialize_i64(n),
        }
    }
}

/// One row: a quarter, and a destination or all of them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Row {
    /// `2026-Q1`.
    pub quarter: String,
    /// An ISO code, or `all`.
    pub destination: String,
    pub dissents_recorded: Count,
    pub answered_in_time: Count,
    pub answered_late: Count,
    pub escalated: Count,
    pub escalated_unanswered: Count,
    pub decision_changed: Count,
    pub advice_or_assessment_changed: Count,
    pub no_change: Count,
    pub disclosures_received: Count,
    pub disclosures_answered: Count,
    pub disclosures_answered_late: Count,
}

pub const COLUMNS: [&str; 13] = [
    "quarter",
    "destination",
    "dissents_recorded",
    "answered_in_time",
    "answered_late",
    "escalated",
    "escalated_unanswered",
    "decision_changed",
    "advice_or_assessment_changed",
    "no_change",
    "disclosures_received",
    "disclosures_answered",
    "disclosures_answered_late",
];

impl Row {
    /// The cells in [`COLUMNS`] order, as published.
    pub fn cells(&self) -> Vec<String> {
        let mut out = vec![self.quarter.clone(), self.destination.clone()];
        for c in [
            self.dissents_recorded,
            self.answered_in_time,
            self.answered_late,
            self.escalated,
            self.escalated_unanswered,
            self.decision_changed,
            self.advice_or_assessment_changed,
            self.no_change,
            self.disclosures_received,
            self.disclosures_answered,
            self.disclosures_answered_late,
        ] {
            out.push(c.shown());
        }
        out
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Accountability {
    /// Newest quarter first; within one, `all` then destinations.
    pub rows: Vec<Row>,
    pub note: &'static str,
}

const NOTE: &str = "Counts of dissents recorded by officials and of protected disclosures, by \
    the quarter they were made in. A count of 1 or 2 is shown as \"fewer than 3\". Contents and \
    identities are never published.";

fn quarter(d: Date) -> String {
    format!("{}-Q{}", d.year(), (u8::from(d.month()) - 1) / 3 + 1)
}

pub async fn counts(ctx: &Ctx) -> ServiceResult<Accountability> {
    let pool = ctx.store.pool();
    let mut rows: BTreeMap<(String, String), Row> = BTreeMap::new();
    let mut bump = |q: &str, dest: &str, f: &dyn Fn(&mut Row)| {
        let r = rows
            .entry((q.to_string(), dest.to_string()))
            .or_insert_with(|| Row {
                quarter: q.to_string(),
                destination: dest.to_string(),
                ..Row::default()
            });
        f(r);
    };
    for d in dissents::for_counts(pool).await? {
        let q = quarter(from_micros(d.filed_at).date());
        let mut places: Vec<&str> = vec!["all"];
        places.extend(d.destinations.split(',').filter(|c| !c.is_empty()));
        let in_time = d.answered_at.map(|a| a <= d.due_at);
        for place in places {
            bump(&q, place, &|r: &mut Row| {
                r.dissents_recorded.0 += 1;
                match in_time {
                    Some(true) => r.answered_in_time.0 += 1,
                    Some(false) => r.answered_late.0 += 1,
                    None => {}
                }
                if d.escalated_at.is_some() {
                    r.escalated.0 += 1;
                    if d.answered_at.is_none() {
                        r.escalated_unanswered.0 += 1;
                    }
                }
                match d.answer_action.as_deref() {
                    Some("decision_changed") => r.decision_changed.0 += 1,
                    Some("advice_or_assessment_updated") => r.advice_or_assessment_changed.0 += 1,
                    Some("no_change") => r.no_change.0 += 1,
                    _ => {}
                }
            });
        }
    }
    for d in disclosures::for_counts(pool).await? {
        let Ok(on) = Date::parse(
            &d.received_on,
            &time::format_description::well_known::Iso8601::DATE,
        ) else {
            continue;
        };
        bump(&quarter(on), "all", &|r: &mut Row| {
            r.disclosures_received.0 += 1;
            if d.answered_on.is_some() {
                r.disclosures_answered.0 += 1;
            }
            if d.answered_late == 1 {
                r.disclosures_answered_late.0 += 1;
            }
        });
    }
    let mut rows: Vec<Row> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        b.quarter
            .cmp(&a.quarter)
            .then((a.destination != "all").cmp(&(b.destination != "all")))
            .then(a.destination.cmp(&b.destination))
    });
    Ok(Accountability { rows, note: NOTE })
}

/// The counts as CSV (header row, then [`Row::cells`]).
pub fn csv(a: &Accountability) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for r in &a.rows {
        let cells: Vec<String> = r
            .cells()
            .into_iter()
            .map(|c| {
                if c.contains(' ') {
                    format!("\"{c}\"")
                } else {
                    c
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_shown_as_fewer_than_three() {
        assert_eq!(Count(0).shown(), "0");
        assert_eq!(Count(1).shown(), "fewer than 3");
        assert_eq!(Count(2).shown(), "fewer than 3");
        assert_eq!(Count(3).shown(), "3");
        assert_eq!(
            serde_json::to_string(&Count(2)).unwrap(),
            "\"fewer than 3\""
        );
        assert_eq!(serde_json::to_string(&Count(7)).unwrap(), "7");
    }

    #[test]
    fn quarters_are_calendar_quarters() {
        use time::macros::date;
        assert_eq!(quarter(date!(2026 - 03 - 31)), "2026-Q1");
        assert_eq!(quarter(date!(2026 - 04 - 01)), "2026-Q2");
        assert_eq!(quarter(date!(2026 - 12 - 31)), "2026-Q4");
    }
}
