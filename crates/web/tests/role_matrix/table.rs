//! The role matrix's table: the callers, and one row per route saying which callers may use
//! it, what they get, and for whom the target must not exist.
use crate::support::At;
use probity_service::testing::PASSWORD;

// Callers, one bit each.
pub const ANON: u16 = 1 << 0;
/// An exporter of the organisation that applied.
pub const EXP: u16 = 1 << 1;
/// An exporter of another organisation.
pub const EXP2: u16 = 1 << 2;
pub const CW: u16 = 1 << 3;
/// An adviser whose team (FCDO) the case was referred to.
pub const ADV: u16 = 1 << 4;
/// An adviser whose team (MOD) was not consulted.
pub const ADV_OUT: u16 = 1 << 5;
pub const DM: u16 = 1 << 6;
pub const POL: u16 = 1 << 7;
pub const OVS: u16 = 1 << 8;
pub const ADM: u16 = 1 << 9;

pub const NOBODY: u16 = 0;
pub const SIGNED_IN: u16 = EXP | EXP2 | CW | ADV | ADV_OUT | DM | POL | OVS | ADM;
pub const EVERYONE: u16 = ANON | SIGNED_IN;
/// Who may read a case referred to FCDO (and its licence and documents).
pub const READERS: u16 = EXP | CW | ADV | DM | POL | OVS;
/// For whom such a case does not exist.
pub const OUTSIDERS: u16 = EXP2 | ADV_OUT | ADM;
/// Who may read a case's audit history.
pub const HISTORY: u16 = CW | DM | POL | OVS;
/// Everyone signed in who has case lists (the administrator has none).
pub const LISTERS: u16 = SIGNED_IN & !ADM;
/// For whom an unsubmitted draft does not exist: everyone but its own organisation.
pub const NOT_OWNER: u16 = SIGNED_IN & !EXP;

pub const CALLERS: [(u16, &str); 10] = [
    (ANON, "anonymous"),
    (EXP, "exporter"),
    (EXP2, "other-org exporter"),
    (CW, "caseworker"),
    (ADV, "adviser (team consulted)"),
    (ADV_OUT, "adviser (team not consulted)"),
    (DM, "decision-maker"),
    (POL, "policy"),
    (OVS, "oversight"),
    (ADM, "admin"),
];

#[derive(Clone, Copy)]
pub enum Payload {
    None,
    /// Form fields (the session's CSRF token is added).
    Form(&'static [(&'static str, &'static str)]),
    /// A JSON body.
    Json(&'static str),
}
pub use Payload::{Form, Json};
pub const NONE: Payload = Payload::None;

pub struct Row {
    pub method: &'static str,
    /// With placeholders {case} {qid} {licence} {doc} {seq}; bodies may also use {fcdo}
    /// (the consulted team's id) and {n} (unique per request).
    pub path: &'static str,
    pub at: Option<At>,
    pub ok: u16,
    pub status: u16,
    pub hidden: u16,
    pub body: Payload,
}

#[allow(clippy::too_many_arguments)]
pub fn row(
    method: &'static str,
    path: &'static str,
    at: Option<At>,
    ok: u16,
    status: u16,
    hidden: u16,
    body: Payload,
) -> Row {
    Row {
        method,
        path,
        at,
        ok,
        status,
        hidden,
        body,
    }
}

/// For public, role-blind endpoints: every caller gets the same answer as an anonymous one
/// (whatever that is: the register's state is not this table's business), never a refusal.
pub const SAME: u16 = 999;

pub const GET: &str = "GET";
pub const POST: &str = "POST";
pub const NO_FIXTURE: Option<At> = None;
pub const DRAFT: Option<At> = Some(At::Draft);
pub const SUBMITTED: Option<At> = Some(At::Submitted);
pub const UNDER_REVIEW: Option<At> = Some(At::UnderReview);
pub const AWAITING_EXPORTER: Option<At> = Some(At::AwaitingExporter);
pub const REFERRED: Option<At> = Some(At::Referred);
pub const ADVISED: Option<At> = Some(At::Advised);
pub const FINAL_ADVICE: Option<At> = Some(At::FinalAdvice);
pub const FOR_DECISION: Option<At> = Some(At::UnderFinalReview);
pub const AWAITING_COUNTERSIGN: Option<At> = Some(At::AwaitingCountersign);
pub const GRANTED: Option<At> = Some(At::Granted);
pub const SUSPENDED: Option<At> = Some(At::Suspended);
pub const REFUSED: Option<At> = Some(At::Refused);
pub const REVIEWED: Option<At> = Some(At::Reviewed);
pub const REVIEW_DECIDED: Option<At> = Some(At::ReviewDecided);
/// Staff who work on reviews.
pub const REVIEW_STAFF: u16 = CW | DM | POL | OVS;
pub const DISSENTED: Option<At> = Some(At::Dissented);
pub const SCREENED: Option<At> = Some(At::Screened);
/// Staff who see sanctions lists and screening runs (the domain's `MAY_SEE_LISTS`).
pub const LIST_READERS: u16 = CW | ADV | ADV_OUT | DM | POL | OVS | ADM;
pub const SCREEN_JSON: &str =
    r#"{"names":[{"name":"Ministry of Defence","kind":"entity","country":"NO"}]}"#;
pub const RESOLVE_JSON: &str = r#"{"verdict":"false_positive","reason":"A different ministry: the listed entry's address and registration differ."}"#;
pub const RESOLVE_FORM: &[(&str, &str)] = &[
    ("verdict", "false_positive"),
    (
        "reason",
        "A different ministry: the listed entry's address and registration differ.",
    ),
];
pub const DISCLOSED: Option<At> = Some(At::Disclosed);
pub const DISCLOSE_FORM: &[(&str, &str)] = &[(
    "what",
    "Advice on a case was rewritten after a meeting with the minister's office.",
)];
/// A code that opens nothing: everyone gets the same refusal.
pub const CODE_FORM: &[(&str, &str)] = &[
    ("code", "not-a-receipt-code"),
    ("text", "More detail on the meeting."),
];
pub const DISSENT_ANSWERED: Option<At> = Some(At::DissentAnswered);
pub const DISSENT_ESCALATED: Option<At> = Some(At::DissentEscalated);
/// Who may record dissents (and so list their own).
pub const DISSENTERS: u16 = CW | ADV | ADV_OUT | DM | POL;
/// Who may record a dissent on the fixture's case: dissenters who can see it.
pub const CASE_DISSENTERS: u16 = CW | ADV | DM | POL;
/// For whom the fixture's dissent (filed by ADV, answered by DM) does not exist.
pub const NOT_DISSENT_PARTIES: u16 = EXP | EXP2 | CW | ADV_OUT | POL | ADM;
pub const DISSENT_FORM: &[(&str, &str)] = &[
    ("subject", "final_advice"),
    ("case", "{case}"),
    (
        "points",
        "The end user diverted similar items before.\nThe strike reports are ignored.",
    ),
    ("criteria", "2c"),
    ("evidence", "UN panel report S/2024/1, paragraphs 40 to 52."),
];
pub const DISSENT_JSON: &str = r#"{"subject":"final_advice","case":"{case}","points":"The end user diverted similar items before.\nThe strike reports are ignored.","criteria":["2c"],"evidence":"UN panel report S/2024/1, paragraphs 40 to 52."}"#;
pub const ANSWER_FORM: &[(&str, &str)] = &[
    ("verdict_1", "not_accepted"),
    (
        "reasons_1",
        "Weighed under criterion 2c against the evidence on file.",
    ),
    ("verdict_2", "not_accepted"),
    (
        "reasons_2",
        "Weighed under criterion 2c against the evidence on file.",
    ),
    ("action", "no_change"),
];
pub const ANSWER_JSON: &str = r#"{"points":[{"number":1,"verdict":"not_accepted","reasons":"Weighed under criterion 2c against the evidence on file."},{"number":2,"verdict":"not_accepted","reasons":"Weighed under criterion 2c against the evidence on file."}],"action":"no_change"}"#;
pub const STATEMENT_FORM: &[(&str, &str)] = &[(
    "statement",
    "The answer does not engage with the panel's findings.",
)];
pub const STATEMENT_JSON: &str =
    r#"{"statement":"The answer does not engage with the panel's findings."}"#;
pub const ANSWER_DISCLOSURE_FORM: &[(&str, &str)] = &[(
    "answer",
    "We have obtained the drafts and are examining the change with the team's head.",
)];
pub const FINDING_FORM: &[(&str, &str)] = &[
    ("outcome", "not_upheld"),
    (
        "finding",
        "The answer weighed the evidence properly; nothing to retake.",
    ),
];
pub const FINDING_JSON: &str = r#"{"outcome":"not_upheld","finding":"The answer weighed the evidence properly; nothing to retake.","retake":false}"#;
/// Staff who read destination assessments in full.
pub const ASSESSMENT_READERS: u16 = CW | ADV | ADV_OUT | DM | POL | OVS;
pub const OUTCOME_FORM: &[(&str, &str)] = &[
    ("outcome", "suspend"),
    ("reason", "Suspended under the review of the destination."),
    ("apply_to", "filter"),
];
pub const ASSESSMENT_FORM: &[(&str, &str)] = &[
    ("destination", "NO"),
    ("criterion", "2c"),
    ("finding", "caution"),
    ("scope_ratings", "ML15"),
    (
        "evidence",
        "Evidence assessed by officials for the role matrix.",
    ),
    (
        "reasons",
        "Reasons written out at length for the role matrix.",
    ),
    ("legal_basis", "Criterion 2(c)"),
    (
        "public_summary",
        "A caution under criterion 2(c) for the role matrix.",
    ),
];
pub const EMBARGO_FORM: &[(&str, &str)] = &[
    // Not a destination the fixtures grant to: an embargo applies to every later grant.
    ("destination", "IS"),
    ("regime", "un"),
    ("reference", "Role matrix resolution {n}"),
    ("starts_on", "2024-01-01"),
    ("goods", "military"),
    (
        "summary",
        "An embargo recorded by the role matrix's policy caller.",
    ),
];
pub const CLOSE_FORM: &[(&str, &str)] = &[("note", "Every licence in scope has an outcome.")];
pub const OUTCOME_JSON: &str = r#"{"outcome":"suspend","reason":"Suspended under the review of the destination.","filter":{}}"#;
pub const OPEN_JSON: &str = r#"{"assessment":"{assessment}"}"#;
pub const CLOSE_JSON: &str = r#"{"note":"Every licence in scope has an outcome."}"#;
pub const ASSESSMENT_JSON: &str = r#"{"destination":"NO","criterion":"2c","finding":"caution","scope":{"ratings":"ML15"},"evidence":"Evidence assessed by officials for the role matrix.","reasons":"Reasons written out at length for the role matrix.","legal_basis":"Criterion 2(c)","public_summary":"A caution under criterion 2(c) for the role matrix."}"#;

pub const APPLICATION_FORM: &[(&str, &str)] = &[
    ("licence_type", "siel"),
    ("goods_count", "1"),
    ("g0_description", "Thermal imaging weapon sights"),
    ("g0_ratings", "ML15b"),
    ("g0_quantity", "40"),
    ("g0_unit", "items"),
    ("g0_value", "356000.00"),
    ("party_count", "2"),
    ("p0_role", "end_user"),
    ("p0_name", "Ministry of Defence"),
    ("p0_address", "Defence procurement, Oslo"),
    ("p0_country", "NO"),
    ("p0_end_user_type", "armed_forces"),
    ("p1_role", "consignee"),
    ("p1_name", "Central Logistics Depot"),
    ("p1_address", "Depot road, Oslo"),
    ("p1_country", "NO"),
    (
        "end_use_statement",
        "For use by the national armed forces on border patrols.",
    ),
    ("action", "save"),
];

pub const APPLICATION_JSON: &str = r#"{"licence_type":"siel",
  "goods":[{"description":"Thermal imaging weapon sights","ratings":["ML15b"],"quantity":"40","unit":"items","value":"356000.00","incorporated":false}],
  "parties":[{"role":"end_user","name":"Ministry of Defence","address":"Defence procurement, Oslo","country":"NO","end_user_type":"armed_forces"},
             {"role":"consignee","name":"Central Logistics Depot","address":"Depot road, Oslo","country":"NO"}],
  "end_use_statement":"For use by the national armed forces on border patrols."}"#;

pub const REASON: &[(&str, &str)] = &[("reason", "Recorded for the role-matrix test.")];
/// The same, posted from the confirmation page (irreversible actions act only then).
pub const CONFIRMED_REASON: &[(&str, &str)] = &[
    ("reason", "Recorded for the role-matrix test."),
    ("confirm", "yes"),
];
/// A small text file, as an exporter's system uploads one.
pub const DOCUMENT_JSON: &str =
    r#"{"document_kind":"other","name":"note.txt","content_base64":"U2hpcHBpbmcgc2NoZWR1bGUu"}"#;
pub const REASON_JSON: &str = r#"{"reason":"Recorded for the role-matrix test."}"#;

/// The routes outside the API: pages (`src/pages/mod.rs`), /healthz and /readyz, the
/// register's files.
#[rustfmt::skip]
pub fn page_rows() -> Vec<Row> {
    vec![
        // row(method, path, case stage, who may, what they get, who gets 404, body)
        row(GET, "/healthz", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/readyz", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/static/style.css", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/static/enhance.js", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/login", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(POST, "/login", NO_FIXTURE, EVERYONE, 303, NOBODY,
            Form(&[("email", "caseworker@ecju.test"), ("password", PASSWORD)])),
        row(GET, "/cases", NO_FIXTURE, LISTERS, 200, NOBODY, NONE),
        row(GET, "/applications/new", NO_FIXTURE, EXP | EXP2, 200, NOBODY, NONE),
        row(POST, "/applications", NO_FIXTURE, EXP | EXP2, 303, NOBODY, Form(APPLICATION_FORM)),
        row(GET, "/applications/{case}/edit", DRAFT, EXP, 200, NOT_OWNER, NONE),
        row(POST, "/applications/{case}", DRAFT, EXP, 303, EXP2, Form(APPLICATION_FORM)),
        row(GET, "/applications/{case}/section/goods", DRAFT, EXP, 200, EXP2, NONE),
        row(GET, "/applications/{case}/check", DRAFT, EXP, 200, EXP2, NONE),
        row(POST, "/applications/{case}/submit", DRAFT, EXP, 303, EXP2, Form(&[("declaration", "yes")])),
        row(GET, "/applications/{case}/confirmation", SUBMITTED, EXP, 200, EXP2, NONE),
        row(GET, "/applications/{case}/documents", DRAFT, EXP, 200, EXP2, NONE),
        // Without a file: the exporter is told to choose one (the upload itself: pages tests).
        row(POST, "/applications/{case}/documents", DRAFT, EXP, 422, EXP2, Form(&[("document_kind", "other")])),
        row(POST, "/applications/{case}/documents/1/remove", DRAFT, EXP, 303, EXP2, NONE),
        row(GET, "/cases/{case}/documents/1", REFERRED, READERS, 200, OUTSIDERS, NONE),
        row(POST, "/cases/{case}/document-requests", UNDER_REVIEW, CW, 303, NOBODY,
            Form(&[("document_kind", "end_user_undertaking"), ("note", "Please send the signed undertaking.")])),
        row(GET, "/cases/{case}", REFERRED, READERS, 200, OUTSIDERS, NONE),
        // The page looks the case up before checking the role, so outsiders get 404; the
        // API checks the role first (403 for every other role, whether the case exists or not).
        row(GET, "/cases/{case}/history", REFERRED, HISTORY, 200, OUTSIDERS, NONE),
        row(POST, "/cases/{case}/assign", SUBMITTED, CW, 303, NOBODY, NONE),
        row(POST, "/cases/{case}/ask", UNDER_REVIEW, CW, 303, NOBODY,
            Form(&[("body", "Please send the end-user undertaking.")])),
        row(POST, "/cases/{case}/advice-request", UNDER_REVIEW, CW, 303, NOBODY,
            Form(&[("teams", "{fcdo}"), ("note", "Please advise.")])),
        row(POST, "/cases/{case}/advice", REFERRED, ADV, 303, ADV_OUT,
            Form(&[("destination", "NO"), ("kind", "approve"), ("reasons", "No concerns under any criterion.")])),
        row(POST, "/cases/{case}/final-advice", ADVISED, CW, 303, NOBODY,
            Form(&[("reasons", "Consolidated from the FCDO advice.")])),
        row(POST, "/cases/{case}/submit-for-decision", FINAL_ADVICE, CW, 303, NOBODY, NONE),
        row(POST, "/cases/{case}/finalise", FOR_DECISION, DM, 303, NOBODY,
            Form(&[("decision", "grant"), ("reasons", "Granted on the consolidated advice.")])),
        row(POST, "/cases/{case}/countersign", AWAITING_COUNTERSIGN, DM, 303, NOBODY,
            Form(&[("note", "Agreed.")])),
        row(POST, "/cases/{case}/return", FOR_DECISION, DM, 303, NOBODY, Form(REASON)),
        row(POST, "/cases/{case}/withdraw", SUBMITTED, EXP, 303, EXP2, Form(CONFIRMED_REASON)),
        row(POST, "/cases/{case}/appeal", REFUSED, EXP, 303, EXP2,
            Form(&[("grounds", "The end user has given new undertakings since the refusal.")])),
        row(POST, "/cases/{case}/no-such-action", SUBMITTED, NOBODY, 0, SIGNED_IN, NONE),
        row(POST, "/cases/{case}/questions/{qid}/answer", AWAITING_EXPORTER, EXP, 303, EXP2,
            Form(&[("answer", "The undertaking is attached.")])),
        row(GET, "/licences/{licence}", GRANTED, READERS, 200, OUTSIDERS, NONE),
        row(POST, "/licences/{licence}/suspend", GRANTED, DM | POL, 303, NOBODY, Form(CONFIRMED_REASON)),
        row(POST, "/licences/{licence}/reinstate", SUSPENDED, DM | POL, 303, NOBODY, Form(REASON)),
        row(POST, "/licences/{licence}/revoke", GRANTED, DM | POL, 303, NOBODY, Form(CONFIRMED_REASON)),
        row(POST, "/licences/{licence}/surrender", GRANTED, EXP, 303, EXP2, Form(CONFIRMED_REASON)),
        row(POST, "/licences/{licence}/exhaust", GRANTED, EXP, 303, EXP2, Form(REASON)),
        row(POST, "/licences/{licence}/expire", GRANTED, NOBODY, 0, NOBODY, Form(REASON)),
        row(POST, "/licences/{licence}/no-such-action", GRANTED, NOBODY, 0, SIGNED_IN, Form(REASON)),
        row(GET, "/documents/{doc}", GRANTED, READERS, 200, OUTSIDERS, NONE),
        row(GET, "/documents/{doc}/download", GRANTED, READERS, 200, OUTSIDERS, NONE),
        row(GET, "/register/decisions", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/register/decisions/{seq}", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/admin/users", NO_FIXTURE, ADM | OVS, 200, NOBODY, NONE),
        row(POST, "/admin/users", NO_FIXTURE, ADM, 200, NOBODY,
            Form(&[("email", "new-{n}@ecju.test"), ("display_name", "New caseworker"), ("role", "caseworker"),
                   ("password", PASSWORD), ("organisation_id", ""), ("team_id", "")])),
        row(GET, "/account/tokens", NO_FIXTURE, SIGNED_IN, 200, NOBODY, NONE),
        row(POST, "/account/tokens", NO_FIXTURE, EXP | EXP2, 200, NOBODY, Form(&[("name", "script {n}")])),
        // Nobody's token has this id: every signed-in caller is told it does not exist.
        row(POST, "/account/tokens/00000000-0000-7000-8000-000000000001/revoke", NO_FIXTURE, NOBODY, 0, SIGNED_IN, NONE),
        // Accounts. Without a pending sign-in the second step shows "sign in again".
        row(GET, "/login/two-factor", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(POST, "/login/two-factor", NO_FIXTURE, EVERYONE, 422, NOBODY, Form(&[("code", "123456")])),
        row(GET, "/account", NO_FIXTURE, SIGNED_IN, 200, NOBODY, NONE),
        row(GET, "/account/two-factor", NO_FIXTURE, SIGNED_IN, 200, NOBODY, NONE),
        // Not a code: refused as such (tests/accounts.rs enrols for real).
        row(POST, "/account/two-factor", NO_FIXTURE, SIGNED_IN, 422, NOBODY, Form(&[("code", "not a code")])),
        row(POST, "/account/password", NO_FIXTURE, SIGNED_IN, 200, NOBODY,
            Form(&[("current_password", PASSWORD), ("new_password", "a new passphrase {n}"),
                   ("confirm_password", "a new passphrase {n}")])),
        // {user} is an account no caller uses; disable, then enable it again.
        row(POST, "/admin/users/{user}/disable", NO_FIXTURE, ADM, 303, NOBODY, Form(REASON)),
        row(POST, "/admin/users/{user}/enable", NO_FIXTURE, ADM, 303, NOBODY, Form(REASON)),
        // It has no second factor to reset: the administrator is told so (409), others refused.
        row(POST, "/admin/users/{user}/reset-two-factor", NO_FIXTURE, ADM, 409, NOBODY, Form(REASON)),
        row(POST, "/admin/users/{user}/no-such-action", NO_FIXTURE, NOBODY, 0, SIGNED_IN, Form(REASON)),
        row(GET, "/oversight/audit", NO_FIXTURE, OVS, 200, NOBODY, NONE),
        row(GET, "/oversight/openings", NO_FIXTURE, OVS, 200, NOBODY, NONE),
        // No sequencer runs here, so entry 0 does not exist yet: oversight is told so, everyone
        // else is refused first (tests/register.rs covers a real disclosure).
        row(POST, "/oversight/openings", GRANTED, OVS, 404, NOBODY,
            Form(&[("index", "0"), ("field", ""), ("reason", "Committee inquiry, request {n}")])),
        // The transparency log's files (C2SP tlog-tiles) are public and the same for everyone.
        row(GET, "/register/checkpoint", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        row(GET, "/register/key", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        row(GET, "/register/tile/0/000", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        row(GET, "/register/tile/entries/000", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        row(GET, "/register/proof/0", GRANTED, EVERYONE, SAME, NOBODY, NONE),
        // Open data and statistics are public and the same for everyone.
        row(GET, "/data", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/data/view.csv", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/data/licences", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/data/download/licences.csv", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/static/data.css", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/statistics", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/statistics/decisions.csv", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/accountability.csv", DISSENTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/register/feed.atom", GRANTED, EVERYONE, 200, NOBODY, NONE),
        // Reviews: public accounts, the staff worklist, policy's assessments and embargoes.
        row(GET, "/reviews", REVIEWED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/reviews/{review}", REVIEWED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/reviews/{review}/work", REVIEWED, REVIEW_STAFF, 200, NOBODY, NONE),
        row(POST, "/reviews/{review}/outcomes", REVIEWED, CW | DM, 303, NOBODY, Form(OUTCOME_FORM)),
        row(POST, "/reviews/{review}/close", REVIEW_DECIDED, POL, 303, NOBODY, Form(CLOSE_FORM)),
        row(GET, "/disclose", None, EVERYONE, 200, NOBODY, NONE),
        row(POST, "/disclose", None, EVERYONE, 200, NOBODY, Form(DISCLOSE_FORM)),
        row(GET, "/disclose/status", None, EVERYONE, 200, NOBODY, NONE),
        row(POST, "/disclose/status", None, EVERYONE, 422, NOBODY, Form(CODE_FORM)),
        row(POST, "/disclose/status/add", None, EVERYONE, 422, NOBODY, Form(CODE_FORM)),
        row(GET, "/oversight/disclosures", DISCLOSED, OVS, 200, NOBODY, NONE),
        row(GET, "/oversight/disclosures/{disclosure}", DISCLOSED, OVS, 200, SIGNED_IN & !OVS, NONE),
        row(POST, "/oversight/disclosures/{disclosure}/answer", DISCLOSED, OVS, 303, SIGNED_IN & !OVS, Form(ANSWER_DISCLOSURE_FORM)),
        row(GET, "/oversight/disclosures/{disclosure}/attachments/1", DISCLOSED, OVS, 200, SIGNED_IN & !OVS, NONE),
        row(GET, "/screening/lists", NO_FIXTURE, LIST_READERS, 200, NOBODY, NONE),
        row(POST, "/screening/lists", NO_FIXTURE, POL | ADM, 422, NOBODY, Form(&[("list", "un")])),
        row(GET, "/screening/lists/{version}", SCREENED, LIST_READERS, 200, NOBODY, NONE),
        row(GET, "/screening/matches", SCREENED, LIST_READERS, 200, NOBODY, NONE),
        row(POST, "/cases/{case}/screening/{match}", SCREENED, CW, 303, NOBODY, Form(RESOLVE_FORM)),
        row(GET, "/dissents", DISSENTED, DISSENTERS | OVS, 200, NOBODY, NONE),
        row(GET, "/dissents/new", FOR_DECISION, DISSENTERS, 200, NOBODY, NONE),
        row(POST, "/dissents", FOR_DECISION, CASE_DISSENTERS, 303, ADV_OUT, Form(DISSENT_FORM)),
        row(GET, "/dissents/{dissent}", DISSENTED, ADV | DM | OVS, 200, NOT_DISSENT_PARTIES, NONE),
        row(GET, "/dissents/{dissent}/attachments/1", DISSENTED, ADV | DM | OVS, 200, NOT_DISSENT_PARTIES, NONE),
        row(POST, "/dissents/{dissent}/answer", DISSENTED, DM, 303, NOT_DISSENT_PARTIES, Form(ANSWER_FORM)),
        row(POST, "/dissents/{dissent}/accept", DISSENT_ANSWERED, ADV, 303, NOT_DISSENT_PARTIES, NONE),
        row(POST, "/dissents/{dissent}/escalate", DISSENT_ANSWERED, ADV, 303, NOT_DISSENT_PARTIES, Form(STATEMENT_FORM)),
        row(POST, "/dissents/{dissent}/finding", DISSENT_ESCALATED, OVS, 303, NOT_DISSENT_PARTIES, Form(FINDING_FORM)),
        row(GET, "/notifications", REVIEW_DECIDED, EXP | EXP2, 200, NOBODY, NONE),
        row(GET, "/assessments", REVIEWED, ASSESSMENT_READERS, 200, NOBODY, NONE),
        row(POST, "/assessments", NO_FIXTURE, POL, 303, NOBODY, Form(ASSESSMENT_FORM)),
        row(GET, "/assessments/{assessment}", REVIEWED, ASSESSMENT_READERS, 200, NOBODY, NONE),
        row(POST, "/assessments/{assessment}/publish", REVIEWED, POL, 303, NOBODY, NONE),
        row(GET, "/assessments/{assessment}/review", REVIEWED, POL, 200, NOBODY, NONE),
        row(POST, "/assessments/{assessment}/review", REVIEWED, POL, 303, NOBODY, NONE),
        row(GET, "/embargoes", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(POST, "/embargoes", NO_FIXTURE, POL, 303, NOBODY, Form(EMBARGO_FORM)),
        row(GET, "/embargoes/{embargo}/review", REVIEWED, POL, 200, NOBODY, NONE),
        row(POST, "/embargoes/{embargo}/review", REVIEWED, POL, 303, NOBODY, NONE),
        // Last: signing out ends the sessions the rows above use.
        row(POST, "/logout", NO_FIXTURE, SIGNED_IN, 303, NOBODY, NONE),
    ]
}

/// The API routes of `src/api/mod.rs` (callers authenticate with bearer tokens).
#[rustfmt::skip]
pub fn api_rows() -> Vec<Row> {
    vec![
        // row(method, path, case stage, who may, what they get, who gets 404, body)
        row(GET, "/api/v1/openapi.json", NO_FIXTURE, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/api/v1/stats", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/api/v1/accountability", DISSENTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/api/v1/decisions", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/api/v1/decisions/{seq}", GRANTED, EVERYONE, 200, NOBODY, NONE),
        row(GET, "/api/v1/tokens", NO_FIXTURE, SIGNED_IN, 200, NOBODY, NONE),
        // Exporters call with a token, which may not create tokens; other roles may not at all.
        row(POST, "/api/v1/tokens", NO_FIXTURE, NOBODY, 0, NOBODY, Json(r#"{"name":"script {n}"}"#)),
        row(POST, "/api/v1/tokens/00000000-0000-7000-8000-000000000001/revoke", NO_FIXTURE, NOBODY, 0, SIGNED_IN, NONE),
        row(POST, "/api/v1/applications", NO_FIXTURE, EXP | EXP2, 201, NOBODY, Json(APPLICATION_JSON)),
        row(GET, "/api/v1/cases", NO_FIXTURE, LISTERS, 200, NOBODY, NONE),
        row(GET, "/api/v1/cases/{case}", REFERRED, READERS, 200, OUTSIDERS, NONE),
        row(GET, "/api/v1/cases/{case}/documents", REFERRED, READERS, 200, OUTSIDERS, NONE),
        row(GET, "/api/v1/cases/{case}/documents/1", REFERRED, READERS, 200, OUTSIDERS, NONE),
        row(POST, "/api/v1/cases/{case}/documents", DRAFT, EXP, 201, EXP2, Json(DOCUMENT_JSON)),
        row(POST, "/api/v1/cases/{case}/document-requests", UNDER_REVIEW, CW, 201, NOBODY,
            Json(r#"{"document_kind":"technical_specification","note":"Please send the data sheet."}"#)),
        row(GET, "/api/v1/cases/{case}/history", REFERRED, HISTORY, 200, NOBODY, NONE),
        row(POST, "/api/v1/cases/{case}/assign", SUBMITTED, CW, 200, NOBODY, NONE),
        row(POST, "/api/v1/cases/{case}/questions", UNDER_REVIEW, CW, 201, NOBODY,
            Json(r#"{"body":"Please send the end-user undertaking."}"#)),
        row(POST, "/api/v1/cases/{case}/questions/{qid}/answer", AWAITING_EXPORTER, EXP, 200, EXP2,
            Json(r#"{"answer":"The undertaking is attached."}"#)),
        row(POST, "/api/v1/cases/{case}/advice-requests", UNDER_REVIEW, CW, 200, NOBODY,
            Json(r#"{"teams":["{fcdo}"],"note":"Please advise."}"#)),
        row(POST, "/api/v1/cases/{case}/advice", REFERRED, ADV, 201, ADV_OUT,
            Json(r#"{"destination":"NO","kind":"approve","reasons":"No concerns under any criterion."}"#)),
        row(POST, "/api/v1/cases/{case}/final-advice", ADVISED, CW, 200, NOBODY,
            Json(r#"{"reasons":"Consolidated from the FCDO advice."}"#)),
        row(POST, "/api/v1/cases/{case}/submit-for-decision", FINAL_ADVICE, CW, 200, NOBODY, NONE),
        row(POST, "/api/v1/cases/{case}/finalise", FOR_DECISION, DM, 200, NOBODY,
            Json(r#"{"decision":"grant","reasons":"Granted on the consolidated advice."}"#)),
        row(POST, "/api/v1/cases/{case}/countersign", AWAITING_COUNTERSIGN, DM, 200, NOBODY,
            Json(r#"{"note":"Agreed."}"#)),
        row(POST, "/api/v1/cases/{case}/return", FOR_DECISION, DM, 200, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/cases/{case}/withdraw", SUBMITTED, EXP, 200, EXP2, Json(REASON_JSON)),
        row(POST, "/api/v1/cases/{case}/appeal", REFUSED, EXP, 201, EXP2,
            Json(r#"{"grounds":"The end user has given new undertakings since the refusal."}"#)),
        row(GET, "/api/v1/licences/{licence}", GRANTED, READERS, 200, OUTSIDERS, NONE),
        row(POST, "/api/v1/licences/{licence}/suspend", GRANTED, DM | POL, 200, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/reinstate", SUSPENDED, DM | POL, 200, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/revoke", GRANTED, DM | POL, 200, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/surrender", GRANTED, EXP, 200, EXP2, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/exhaust", GRANTED, EXP, 200, EXP2, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/expire", GRANTED, NOBODY, 0, NOBODY, Json(REASON_JSON)),
        row(POST, "/api/v1/licences/{licence}/no-such-action", GRANTED, NOBODY, 0, SIGNED_IN, Json(REASON_JSON)),
        row(GET, "/api/v1/documents/{doc}", GRANTED, READERS, 200, OUTSIDERS, NONE),
        row(GET, "/api/v1/reviews", REVIEWED, EVERYONE, SAME, NOBODY, NONE),
        row(POST, "/api/v1/reviews", REVIEWED, POL, 200, NOBODY, Json(OPEN_JSON)),
        row(GET, "/api/v1/reviews/{review}", REVIEWED, EVERYONE, SAME, NOBODY, NONE),
        row(GET, "/api/v1/reviews/{review}/items", REVIEWED, REVIEW_STAFF, 200, NOBODY, NONE),
        row(POST, "/api/v1/reviews/{review}/outcomes", REVIEWED, CW | DM, 200, NOBODY, Json(OUTCOME_JSON)),
        row(POST, "/api/v1/reviews/{review}/close", REVIEW_DECIDED, POL, 200, NOBODY, Json(CLOSE_JSON)),
        row(POST, "/api/v1/screen", NO_FIXTURE, LIST_READERS, 200, NOBODY, Json(SCREEN_JSON)),
        row(GET, "/api/v1/screening/lists", NO_FIXTURE, LIST_READERS, 200, NOBODY, NONE),
        row(GET, "/api/v1/cases/{case}/screening", SCREENED, LIST_READERS, 200, NOBODY, NONE),
        row(POST, "/api/v1/cases/{case}/screening/{match}", SCREENED, CW, 200, NOBODY, Json(RESOLVE_JSON)),
        row(GET, "/api/v1/dissents", DISSENTED, DISSENTERS | OVS, 200, NOBODY, NONE),
        row(POST, "/api/v1/dissents", FOR_DECISION, CASE_DISSENTERS, 200, ADV_OUT, Json(DISSENT_JSON)),
        row(GET, "/api/v1/dissents/{dissent}", DISSENTED, ADV | DM | OVS, 200, NOT_DISSENT_PARTIES, NONE),
        row(POST, "/api/v1/dissents/{dissent}/answer", DISSENTED, DM, 200, NOT_DISSENT_PARTIES, Json(ANSWER_JSON)),
        row(POST, "/api/v1/dissents/{dissent}/accept", DISSENT_ANSWERED, ADV, 200, NOT_DISSENT_PARTIES, NONE),
        row(POST, "/api/v1/dissents/{dissent}/escalate", DISSENT_ANSWERED, ADV, 200, NOT_DISSENT_PARTIES, Json(STATEMENT_JSON)),
        row(POST, "/api/v1/dissents/{dissent}/finding", DISSENT_ESCALATED, OVS, 200, NOT_DISSENT_PARTIES, Json(FINDING_JSON)),
        row(GET, "/api/v1/findings", REVIEWED, EVERYONE, SAME, NOBODY, NONE),
        row(POST, "/api/v1/assessments", NO_FIXTURE, POL, 200, NOBODY, Json(ASSESSMENT_JSON)),
        row(GET, "/api/v1/notifications", REVIEW_DECIDED, EXP | EXP2, 200, NOBODY, NONE),
        // The API's fallback: unknown paths are 404 JSON for everyone, signed in or not.
        row(GET, "/api/v1/no-such-endpoint", NO_FIXTURE, NOBODY, 0, EVERYONE, NONE),
    ]
}
