//! Case lists (queues): filtering happens in SQL on indexed columns so a page stays fast at
//! hundreds of thousands of cases, and a count stops at a cap so it costs the same at any size.
use sqlx::AnyConnection;

use crate::StoreError;

/// Which cases a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueFilter<'a> {
    /// An organisation's cases, drafts included.
    Organisation(&'a str),
    /// Submitted cases referred to a team.
    ReferredTo(&'a str),
    /// Open cases referred to a team that has not yet advised on them.
    AwaitingAdviceFrom(&'a str),
    /// Open cases assigned to a user whose requested advice is all in, not yet consolidated.
    AdviceReturnedTo(&'a str),
    /// Submitted and waiting for a caseworker.
    New,
    /// Open cases assigned to a user.
    AssignedTo(&'a str),
    AwaitingExporter,
    /// Under final review or awaiting countersignature.
    ForDecision,
    /// Finalised or withdrawn.
    Closed,
    /// Everything but drafts.
    NotDraft,
}

impl<'a> QueueFilter<'a> {
    /// The condition (on `cases c`) and its one parameter, always `$1`.
    fn sql(self) -> (&'static str, &'a str) {
        match self {
            QueueFilter::Organisation(org) => ("c.organisation_id = $1", org),
            QueueFilter::ReferredTo(team) => (
                "c.id IN (SELECT case_id FROM advice_requests WHERE team_id = $1) \
                 AND c.status <> 'draft'",
                team,
            ),
            QueueFilter::AwaitingAdviceFrom(team) => (
                "c.id IN (SELECT r.case_id FROM advice_requests r WHERE r.team_id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM advice a WHERE a.case_id = r.case_id \
                 AND a.team_id = r.team_id AND a.superseded_at IS NULL)) \
                 AND c.status = 'under_review'",
                team,
            ),
            QueueFilter::AdviceReturnedTo(user) => (
                "c.assigned_to = $1 AND c.status = 'under_review' \
                 AND EXISTS (SELECT 1 FROM advice_requests r WHERE r.case_id = c.id) \
                 AND NOT EXISTS (SELECT 1 FROM advice_requests r WHERE r.case_id = c.id \
                 AND NOT EXISTS (SELECT 1 FROM advice a WHERE a.case_id = r.case_id \
                 AND a.team_id = r.team_id AND a.superseded_at IS NULL)) \
                 AND c.final_advice_json IS NULL",
                user,
            ),
            QueueFilter::New => ("c.status = $1", "submitted"),
            QueueFilter::AssignedTo(user) => (
                "c.assigned_to = $1 AND c.status IN ('under_review','awaiting_exporter',\
                 'under_final_review','awaiting_countersign')",
                user,
            ),
            QueueFilter::AwaitingExporter => ("c.status = $1", "awaiting_exporter"),
            QueueFilter::ForDecision => (
                "c.status IN ($1, 'awaiting_countersign')",
                "under_final_review",
            ),
            QueueFilter::Closed => ("c.status IN ($1, 'withdrawn')", "finalised"),
            QueueFilter::NotDraft => ("c.status <> $1", "draft"),
        }
    }
}

/// One line of a case list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseSummaryRow {
    pub id: String,
    pub reference: Option<String>,
    pub kind: String,
    pub licence_type: String,
    pub status: String,
    pub organisation: String,
    pub destinations: String,
    pub total_value_minor: i64,
    pub outcome: Option<String>,
    pub submitted_at: Option<i64>,
    pub updated_at: i64,
    /// For a draft: the application as saved (JSON), to say what it still lacks.
    pub draft_json: Option<String>,
}

/// A search across a list: reference, exporter and party names (a substring, any case), or
/// a destination (the code found from what was typed, if any).
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Lower-case text to find; empty searches nothing.
    pub text: String,
    /// The country the text names, if it names one.
    pub destination: Option<String>,
}

impl Search {
    /// `AND (…)` over `cases c` / `organisations o`, values numbered from `$from`.
    fn sql(&self, from: usize) -> (String, Vec<String>) {
        if self.text.is_empty() {
            return (String::new(), Vec::new());
        }
        let like = format!("%{}%", escape_like(&self.text));
        let (t, d) = (from, from + 1);
        (
            format!(
                " AND (LOWER(COALESCE(c.reference, '')) LIKE ${t} ESCAPE '\\' \
                 OR LOWER(o.name) LIKE ${t} ESCAPE '\\' \
                 OR EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id \
                 AND LOWER(p.name) LIKE ${t} ESCAPE '\\') \
                 OR EXISTS (SELECT 1 FROM case_destinations cd WHERE cd.case_id = c.id \
                 AND cd.country = ${d}))"
            ),
            vec![like, self.destination.clone().unwrap_or_default()],
        )
    }
}

/// `%`, `_` and the escape itself taken literally in a LIKE pattern.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The order of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Most recently updated first.
    #[default]
    Updated,
    /// Longest waiting first (submitted earliest).
    Oldest,
    Reference,
    /// Highest value first.
    Value,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Updated, Sort::Oldest, Sort::Reference, Sort::Value];

    /// The name in a query string (`sort=oldest`).
    pub fn name(self) -> &'static str {
        match self {
            Sort::Updated => "updated",
            Sort::Oldest => "oldest",
            Sort::Reference => "reference",
            Sort::Value => "value",
        }
    }

    pub fn parse(name: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.name() == name)
    }

    fn sql(self) -> &'static str {
        match self {
            Sort::Updated => "c.updated_at DESC, c.id DESC",
            // Drafts have no submission time: they come last.
            Sort::Oldest => {
                "CASE WHEN c.submitted_at IS NULL THEN 1 ELSE 0 END, c.submitted_at, c.id"
            }
            Sort::Reference => "c.reference, c.id",
            Sort::Value => "c.total_value_minor DESC, c.id",
        }
    }
}

/// How many cases match, counting at most `cap + 1` (so "more than the cap" is visible).
pub async fn count(
    conn: &mut AnyConnection,
    filter: QueueFilter<'_>,
    search: &Search,
    cap: i64,
) -> Result<i64, StoreError> {
    let (cond, param) = filter.sql();
    let (found, values) = search.sql(2);
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM cases c \
         JOIN organisations o ON o.id = c.organisation_id WHERE {cond}{found} LIMIT {}) AS m",
        cap.saturating_add(1)
    );
    let mut q = sqlx::query_scalar(&sql).bind(param);
    for v in &values {
        q = q.bind(v.as_str());
    }
    Ok(q.fetch_one(conn).await?)
}

/// A page of matching cases in the order asked for.
pub async fn page(
    conn: &mut AnyConnection,
    filter: QueueFilter<'_>,
    search: &Search,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Vec<CaseSummaryRow>, StoreError> {
    let (cond, param) = filter.sql();
    let (found, values) = search.sql(4);
    let sql = format!(
        "SELECT c.id AS id, c.reference AS reference, c.kind AS kind, \
         c.licence_type AS licence_type, c.status AS status, o.name AS organisation, \
         c.destinations AS destinations, c.total_value_minor AS total_value_minor, \
         c.outcome AS outcome, c.submitted_at AS submitted_at, c.updated_at AS updated_at, \
         CASE WHEN c.status = 'draft' THEN c.draft_json END AS draft_json \
         FROM cases c JOIN organisations o ON o.id = c.organisation_id \
         WHERE {cond}{found} ORDER BY {} LIMIT $2 OFFSET $3",
        sort.sql()
    );
    let mut q = sqlx::query_as(&sql).bind(param).bind(limit).bind(offset);
    for v in &values {
        q = q.bind(v.as_str());
    }
    Ok(q.fetch_all(conn).await?)
}
