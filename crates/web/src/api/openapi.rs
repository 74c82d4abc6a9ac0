//! The OpenAPI 3.1 description of `/api/v1`, written out by hand (small, and it documents
//! what the handlers in `mod.rs` accept). A test checks every documented path is routed.
use axum::Json;
use serde_json::{json, Value};

/// (method, path, summary, request schema, needs auth)
pub const OPERATIONS: &[(&str, &str, &str, Option<&str>, bool)] = &[
    (
        "get",
        "/decisions",
        "List public decision records, newest first; page 1–100000 and per_page 1–500 (422 beyond); destination: a country code or name (422 when it names no country, or several)",
        None,
        false,
    ),
    (
        "get",
        "/decisions/{seq}",
        "One public decision record",
        None,
        false,
    ),
    (
        "get",
        "/stats",
        "Licensing statistics over imported history and Probity's decisions: filters destination, from, to, rating, rating_match, kind, licence_type, decision, criterion, source, exclude_licence, exclude_outliers; group_by (comma-separated), order, limit. Returns {filters, group_by, total, rows}, each row with its keys and licences, value_gbp, refused, criteria_citations (the same JSON as `probity stats --format json`)",
        None,
        false,
    ),
    (
        "post",
        "/applications",
        "Submit an application (exporter). Submitting makes the exporter's declaration, as the page's check-your-answers step asks: the information is correct and complete, changes will be reported, false information is an offence (its version is recorded with the submission). Supporting documents are added with POST /cases/{id}/documents",
        Some("ApplicationInput"),
        true,
    ),
    (
        "get",
        "/cases",
        "List cases in a queue visible to the caller (queue: all, new, mine, advice_returned, awaiting_exporter, for_decision, awaiting_my_advice, advice, closed, as the role allows); search: reference, exporter, party or destination (name or code); sort: updated, oldest, reference or value; each open case with days_in_queue and target_date (20 working days from submission); page 1–100000 and per_page 1–500 (422 beyond)",
        None,
        true,
    ),
    (
        "get",
        "/cases/{id}",
        "A case with goods, parties, questions, advice, licences",
        None,
        true,
    ),
    (
        "get",
        "/cases/{id}/history",
        "The case's audit events",
        None,
        true,
    ),
    (
        "post",
        "/cases/{id}/assign",
        "Take the case (caseworker)",
        None,
        true,
    ),
    (
        "post",
        "/cases/{id}/questions",
        "Ask the exporter a question (caseworker)",
        Some("Text"),
        true,
    ),
    (
        "post",
        "/cases/{id}/questions/{qid}/answer",
        "Answer a question (exporter)",
        Some("Text"),
        true,
    ),
    (
        "post",
        "/cases/{id}/advice-requests",
        "Refer to advisory teams (caseworker)",
        Some("Text"),
        true,
    ),
    (
        "post",
        "/cases/{id}/advice",
        "Give advice (adviser)",
        Some("AdviceInput"),
        true,
    ),
    (
        "post",
        "/cases/{id}/final-advice",
        "Consolidate final advice (caseworker)",
        Some("Text"),
        true,
    ),
    (
        "post",
        "/cases/{id}/submit-for-decision",
        "Send for decision (caseworker)",
        None,
        true,
    ),
    (
        "post",
        "/cases/{id}/finalise",
        "Decide (decision-maker)",
        Some("DecisionInput"),
        true,
    ),
    (
        "post",
        "/cases/{id}/countersign",
        "Countersign (second decision-maker)",
        Some("Text"),
        true,
    ),
    (
        "post",
        "/cases/{id}/return",
        "Return to caseworker (decision-maker)",
        Some("Text"),
        true,
    ),
    (
        "post",
        "/cases/{id}/withdraw",
        "Withdraw an application (exporter): acts at once (the API has no confirmation step) and needs a reason of 20 to 5000 characters",
        Some("Text"),
        true,
    ),
    (
        "post",
        "/cases/{id}/appeal",
        "Appeal a refusal within 28 days (exporter)",
        Some("Text"),
        true,
    ),
    (
        "get",
        "/licences/{id}",
        "A licence and its lifecycle events",
        None,
        true,
    ),
    (
        "post",
        "/licences/{id}/{action}",
        "suspend | reinstate | revoke | surrender | exhaust",
        Some("Text"),
        true,
    ),
    (
        "get",
        "/documents/{id}",
        "An issued licence, refusal notice or NLR letter",
        None,
        true,
    ),
    (
        "get",
        "/tokens",
        "The caller's API tokens (never their secrets), newest first: {tokens: [ApiToken]}",
        None,
        true,
    ),
    (
        "post",
        "/tokens",
        "Create an API token (exporters; with a signed-in session, not with another token). Answers 201 with the token's secret, shown only this once",
        Some("NewToken"),
        true,
    ),
    (
        "post",
        "/tokens/{id}/revoke",
        "Revoke one of the caller's tokens; it stops working at once",
        None,
        true,
    ),
    (
        "get",
        "/reviews",
        "Reviews of extant licences, newest first, open ones included from the day they open: dates, days open, licences in scope, suspended, revoked, kept; `open=true` for open reviews only; page and per_page",
        None,
        false,
    ),
    (
        "post",
        "/reviews",
        "Open a review on an assessment version or an embargo (policy); with `preview: true`, only say what it would select (and whether the rule matches nothing)",
        Some("OpenReview"),
        true,
    ),
    (
        "get",
        "/reviews/{id}",
        "One review's public account: counts, and once closed the exemptions relied on",
        None,
        false,
    ),
    (
        "get",
        "/reviews/{id}/items",
        "The review's worklist (staff): each licence with why it is in scope and its outcome; filters status (pending, decided, or an outcome), rating (prefix), exclusion (excluded, included), organisation (an exporter's id, as listed in `organisations`); page and per_page",
        None,
        true,
    ),
    (
        "post",
        "/reviews/{id}/outcomes",
        "Record an outcome for listed licences or for every licence a filter selects (caseworkers and decision-makers); each licence gets its own audited, published outcome; licences already decided are reported with the outcome that stands",
        Some("ReviewOutcome"),
        true,
    ),
    (
        "post",
        "/reviews/{id}/close",
        "Close a review once every licence has an outcome (policy)",
        Some("Text"),
        true,
    ),
    (
        "get",
        "/findings",
        "Current destination findings of caution or clear risk: the public summary once released, else how many days it has been unpublished",
        None,
        false,
    ),
    (
        "post",
        "/assessments",
        "Record a new version of a destination assessment (policy); answers its id, version and whether it offers a review",
        Some("AssessmentInput"),
        true,
    ),
    (
        "get",
        "/notifications",
        "What the caller's organisation has been told about its licences (exporters)",
        None,
        true,
    ),
    (
        "get",
        "/accountability",
        "Public counts per quarter (and per destination for dissents): dissents recorded, answered in time or late, escalated (and escalated unanswered), what the answers changed; protected disclosures received, answered, answered late. A count of 1 or 2 is the string \"fewer than 3\"; contents and identities are never published",
        None,
        false,
    ),
    (
        "post",
        "/screen",
        "Screen up to 1,000 names against the current sanctions lists and Probity's denials (staff): {threshold, results: [{query, matches: [{list, entry_id, matched_name, score, explanation}]}]} in input order, as `probity screen` (docs/screening.md); every bad name is named (names[i]) and nothing is screened",
        Some("ScreenRequest"),
        true,
    ),
    (
        "get",
        "/screening/lists",
        "The loaded versions of every list (source, SHA-256, entries, what each added, changed and removed) and the latest re-screens with their progress (staff)",
        None,
        true,
    ),
    (
        "get",
        "/cases/{id}/screening",
        "A case's screening matches, with their explanation and resolution (staff)",
        None,
        true,
    ),
    (
        "post",
        "/cases/{id}/screening/{mid}",
        "Resolve a match as a true match or a false positive, with a reason (caseworkers); 409 when it was resolved already. A true match on a sanctions list for a party of a licence in force puts the licence under review: the answer's `review` names it (id, licence_number, opened), else null",
        Some("MatchResolution"),
        true,
    ),
    (
        "get",
        "/cases/{id}/documents",
        "A case's supporting documents (kind, name, type, size, SHA-256, who uploaded it and when) and the caseworkers' requests for documents (answered by which document, if any); whoever may see the case",
        None,
        true,
    ),
    (
        "post",
        "/cases/{id}/documents",
        "Add a supporting document to the caller's own application (exporters): a draft, or a case not yet decided; answers a request when `request` is given (409 when it was answered already). 201 with its number",
        Some("DocumentUpload"),
        true,
    ),
    (
        "get",
        "/cases/{id}/documents/{number}",
        "A supporting document's file, as an attachment with the type decided at upload; whoever may see the case (404 to anyone else)",
        None,
        true,
    ),
    (
        "post",
        "/cases/{id}/document-requests",
        "Ask the exporter for a document (caseworkers), on a submitted case not yet decided. 201 with the request's number",
        Some("DocumentRequest"),
        true,
    ),
    (
        "get",
        "/dissents",
        "The dissents the caller filed or must answer (oversight: and every escalated one)",
        None,
        true,
    ),
    (
        "post",
        "/dissents",
        "Record a dissent (advisers, caseworkers, decision-makers, policy): numbered points, the criteria concerned and the evidence; a named responder with authority is chosen by rule. Evidence files are attached on the page form (multipart, up to 5 files of 5 MB: PDF, PNG, JPEG, text, CSV, docx, xlsx, odt); the JSON API records text",
        Some("DissentInput"),
        true,
    ),
    (
        "get",
        "/dissents/{id}",
        "One dissent, with the steps the caller may take now (its dissenter, its responder and oversight only; 404 to anyone else)",
        None,
        true,
    ),
    (
        "post",
        "/dissents/{id}/answer",
        "The named responder answers every point: a verdict and reasons citing the criteria or the evidence, and what the answer changed; an answer that leaves a point out is refused with a message per point",
        Some("DissentAnswer"),
        true,
    ),
    (
        "post",
        "/dissents/{id}/accept",
        "The dissenter accepts the answer",
        None,
        true,
    ),
    (
        "post",
        "/dissents/{id}/escalate",
        "The dissenter takes the answer to oversight, with a statement",
        Some("DissentStatement"),
        true,
    ),
    (
        "post",
        "/dissents/{id}/finding",
        "Oversight's final finding on an escalated dissent: upheld or not, reasons, and whether the decision is to be taken again",
        Some("DissentFinding"),
        true,
    ),
];

fn schemas() -> Value {
    json!({
        "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "properties": {
            "code": { "type": "string", "enum": ["unauthenticated","forbidden","not_found","validation_failed","conflict","blocked","bad_request","csrf","too_large","two_factor_required","throttled","loading","internal"] },
            "message": { "type": "string" },
            "fields": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } },
            "reasons": { "type": "array", "items": { "type": "string" } } } } } },
        "GoodsLineInput": { "type": "object", "properties": {
            "description": { "type": "string" }, "ratings": { "type": "array", "items": { "type": "string" }, "example": ["ML1a", "5A002.a.1"] },
            "quantity": { "type": "string", "example": "10" }, "unit": { "type": "string", "example": "items" },
            "value": { "type": "string", "description": "GBP, e.g. 125000.00; optional for oiel" }, "incorporated": { "type": "boolean" } } },
        "PartyInput": { "type": "object", "properties": {
            "role": { "type": "string", "enum": ["consignee", "end_user", "ultimate_end_user", "third_party"] },
            "name": { "type": "string" }, "address": { "type": "string" }, "country": { "type": "string", "description": "ISO 3166-1 alpha-2" },
            "end_user_type": { "type": ["string", "null"], "enum": ["government", "armed_forces", "commercial", "individual", "other", null] } } },
        "ApplicationInput": { "type": "object", "required": ["licence_type", "goods", "parties", "end_use_statement"], "properties": {
            "licence_type": { "type": "string", "enum": ["siel", "oiel"] },
            "goods": { "type": "array", "items": { "$ref": "#/components/schemas/GoodsLineInput" } },
            "parties": { "type": "array", "items": { "$ref": "#/components/schemas/PartyInput" } },
            "end_use_statement": { "type": "string" } } },
        "AdviceInput": { "type": "object", "required": ["destination", "kind", "reasons"], "properties": {
            "destination": { "type": "string" }, "kind": { "type": "string", "enum": ["approve", "proviso", "refuse", "no_licence_required"] },
            "proviso": { "type": "string" }, "criteria": { "type": "array", "items": { "type": "string" }, "example": ["2c"] }, "reasons": { "type": "string" } } },
        "DecisionInput": { "type": "object", "required": ["decision", "reasons"], "properties": {
            "decision": { "type": "string", "enum": ["grant", "refuse", "no_licence_required"] },
            "provisos": { "type": "array", "items": { "type": "string" } }, "criteria": { "type": "array", "items": { "type": "string" } },
            "reasons": { "type": "string" }, "conflict_resolution": { "type": "string" }, "countersign": { "type": "boolean" } } },
        "NewToken": { "type": "object", "required": ["name"], "properties": {
            "name": { "type": "string", "maxLength": 100 },
            "scope": { "type": "string", "enum": ["read", "read_write"], "default": "read", "description": "read: GET requests only; read_write: every request the account may make" },
            "expires_in_days": { "type": "integer", "minimum": 1, "maximum": 365, "default": 90 } } },
        "ApiToken": { "type": "object", "properties": {
            "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" },
            "scope": { "type": "string", "enum": ["read", "read_write"] },
            "created_at": { "type": "string", "format": "date-time" }, "expires_at": { "type": "string", "format": "date-time" },
            "last_used_at": { "type": ["string", "null"], "format": "date-time" }, "revoked_at": { "type": ["string", "null"], "format": "date-time" },
            "state": { "type": "string", "enum": ["active", "expired", "revoked"] },
            "token": { "type": "string", "description": "The secret: only in the answer to POST /tokens" } } },
        "Clauses": { "type": "object", "description": "Conditions; an empty one places no condition. Lists are comma- or line-separated", "properties": {
            "destinations": { "type": "string", "example": "IL" }, "rating_kinds": { "type": "string", "example": "military" },
            "ratings": { "type": "string", "example": "ML4, ML5, ML10", "description": "A rating covers its sub-items; =ML10 for that entry alone" },
            "end_user_types": { "type": "string" }, "end_use": { "type": "string", "description": "Phrases the end-use statement mentions (whole words)" } } },
        "AssessmentInput": { "type": "object", "required": ["destination", "criterion", "finding", "evidence", "reasons", "legal_basis", "public_summary"], "properties": {
            "destination": { "type": "string" }, "criterion": { "type": "string", "example": "2c" },
            "finding": { "type": "string", "enum": ["no_concern", "caution", "clear_risk"] },
            "scope": { "$ref": "#/components/schemas/Clauses" },
            "exclusions": { "type": "array", "items": { "allOf": [{ "$ref": "#/components/schemas/Clauses" }], "properties": { "name": { "type": "string" } } } },
            "evidence": { "type": "string" }, "reasons": { "type": "string" }, "legal_basis": { "type": "string" }, "public_summary": { "type": "string" } } },
        "OpenReview": { "type": "object", "properties": {
            "assessment": { "type": "string", "format": "uuid" }, "embargo": { "type": "string", "format": "uuid" }, "preview": { "type": "boolean" } } },
        "ReviewOutcome": { "type": "object", "required": ["outcome", "reason"], "properties": {
            "outcome": { "type": "string", "enum": ["suspend", "revoke", "keep", "reinstate", "keep_suspended"] },
            "reason": { "type": "string", "description": "20 to 5000 characters; for keep, the exemption relied on" },
            "licences": { "type": "array", "items": { "type": "string", "format": "uuid" } },
            "filter": { "type": "object", "properties": { "status": { "type": "string" }, "rating": { "type": "string" }, "exclusion": { "type": "string" }, "organisation": { "type": "string", "format": "uuid" } } } } },
        "DissentInput": { "type": "object", "required": ["subject", "points", "criteria", "evidence"], "properties": {
            "subject": { "type": "string", "enum": ["advice", "final_advice", "decision", "assessment", "review_outcome"] },
            "case": { "type": "string", "format": "uuid", "description": "For advice, final advice and a decision" },
            "subject_ref": { "type": "string", "description": "The advice id, the assessment id, or the review id" },
            "licence": { "type": "string", "format": "uuid", "description": "For a review outcome" },
            "points": { "type": "string", "description": "One point of disagreement per line (10 to 2000 characters each, at most 20)" },
            "criteria": { "type": "array", "items": { "type": "string", "example": "2c" } },
            "evidence": { "type": "string" } } },
        "DissentAnswer": { "type": "object", "required": ["points", "action"], "properties": {
            "points": { "type": "array", "items": { "type": "object", "required": ["number", "verdict", "reasons"], "properties": {
                "number": { "type": "integer" }, "verdict": { "type": "string", "enum": ["accepted", "partly_accepted", "not_accepted"] },
                "reasons": { "type": "string", "description": "40 to 5000 characters, citing one of the dissent's criteria or the evidence" } } } },
            "action": { "type": "string", "enum": ["decision_changed", "advice_or_assessment_updated", "no_change"] } } },
        "ScreenRequest": { "type": "object", "required": ["names"], "properties": {
            "names": { "type": "array", "minItems": 1, "maxItems": 1000, "items": { "type": "object", "required": ["name"], "properties": {
                "name": { "type": "string", "maxLength": 500 },
                "kind": { "type": "string", "enum": ["individual", "entity", "vessel", "aircraft"] },
                "country": { "type": "string", "description": "A country name, or an ISO 3166-1 alpha-2 code" },
                "address": { "type": "string", "description": "Place names in common with the entry's addresses raise the score a little" } } } },
            "threshold": { "type": "number", "minimum": 0, "maximum": 1, "default": 0.8 } } },
        "DocumentUpload": { "type": "object", "required": ["name", "content_base64"], "properties": {
            "document_kind": { "type": "string", "enum": ["end_user_undertaking", "technical_specification", "contract_or_order", "other"], "description": "Required unless `request` is given (the request fixes it)" },
            "request": { "type": "integer", "description": "The number of the caseworker's request this document answers" },
            "name": { "type": "string", "example": "end-user-undertaking.pdf", "description": "The extension must agree with the contents" },
            "content_base64": { "type": "string", "description": "The file, standard base64: PDF, PNG, JPEG, text, CSV, docx, xlsx or odt (decided from the bytes), at most 5 MB" } } },
        "DocumentRequest": { "type": "object", "required": ["document_kind", "note"], "properties": {
            "document_kind": { "type": "string", "enum": ["end_user_undertaking", "technical_specification", "contract_or_order", "other"] },
            "note": { "type": "string", "description": "What is needed and why; the exporter sees it (5 to 5000 characters)" } } },
        "MatchResolution": { "type": "object", "required": ["verdict", "reason"], "properties": {
            "verdict": { "type": "string", "enum": ["true_match", "false_positive"] },
            "reason": { "type": "string", "description": "What was checked: 20 to 5000 characters" } } },
        "DissentStatement": { "type": "object", "required": ["statement"], "properties": { "statement": { "type": "string" } } },
        "DissentFinding": { "type": "object", "required": ["outcome", "finding"], "properties": {
            "outcome": { "type": "string", "enum": ["upheld", "not_upheld"] }, "finding": { "type": "string" }, "retake": { "type": "boolean" } } },
        "Text": { "type": "object", "description": "The text fields an action needs. Reasons for withdrawing, returning and licence actions: 20 to 5000 characters; every text has a maximum; control characters other than line breaks and tabs are refused (422)", "properties": {
            "body": { "type": "string" }, "answer": { "type": "string" }, "reason": { "type": "string" }, "reasons": { "type": "string" },
            "note": { "type": "string" }, "grounds": { "type": "string" }, "teams": { "type": "array", "items": { "type": "string" } } } }
    })
}

pub fn spec() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, body, auth) in OPERATIONS {
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        let mut op = json!({
            "summary": summary,
            "responses": {
                "200": { "description": "OK" },
                "401": { "description": "Not signed in", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "403": { "description": "Not allowed for this role, or a read-only token on a request that changes something" },
                "404": { "description": "Not found, or not visible to the caller" },
                "409": { "description": "Illegal in the case's current state, or blocked" },
                "413": { "description": "The body is larger than 1 MiB", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "422": { "description": "Invalid input, with per-field messages", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "429": { "description": "Too many bad tokens from this address: wait for the number of seconds in Retry-After", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        if let Some(schema) = body {
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
        }
        if *auth {
            op["security"] = json!([{ "bearer": [] }, { "session": [] }]);
        } else {
            op["security"] = json!([]);
        }
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|p| json!({ "name": p, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Probity export licensing API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Applications, casework, decisions, licences and the public register of decisions." },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "An API token created at /account/tokens (exporters), with scope read or read_write and an expiry of at most a year" },
                "session": { "type": "apiKey", "in": "cookie", "name": "probity_session", "description": "A browser session; non-GET requests also need the X-CSRF-Token header" }
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
