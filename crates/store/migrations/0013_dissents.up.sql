-- A named official's disagreement, who must answer it, by when, and what became of it.
CREATE TABLE dissents (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL
        CHECK (subject IN ('advice', 'final_advice', 'decision', 'assessment', 'review_outcome')),
    -- The case, for advice, final advice and decisions.
    case_id TEXT REFERENCES cases (id),
    -- The advice, assessment or review (with `licence_id`) dissented from.
    subject_ref TEXT NOT NULL,
    licence_id TEXT REFERENCES licences (id),
    -- Comma-separated ISO codes: what the public counts are broken down by.
    destinations TEXT NOT NULL,
    dissenter_id TEXT NOT NULL REFERENCES users (id),
    responder_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL
        CHECK (status IN ('open', 'answered', 'accepted', 'escalated', 'concluded')),
    criteria TEXT NOT NULL,
    evidence TEXT NOT NULL,
    -- 1 when the case's decision was already taken when the dissent was filed.
    after_decision BIGINT NOT NULL DEFAULT 0,
    filed_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    answered_at BIGINT,
    answer_action TEXT,
    accepted_at BIGINT,
    escalated_at BIGINT,
    -- 1 when it went to oversight because the deadline passed unanswered.
    escalated_by_deadline BIGINT NOT NULL DEFAULT 0,
    escalation_statement TEXT,
    finding_outcome TEXT CHECK (finding_outcome IN ('upheld', 'not_upheld')),
    finding TEXT,
    retake_ordered BIGINT NOT NULL DEFAULT 0,
    finding_by TEXT REFERENCES users (id),
    finding_at BIGINT,
    CHECK (dissenter_id <> responder_id)
);
CREATE INDEX dissents_by_case ON dissents (case_id, status);
CREATE INDEX dissents_due ON dissents (status, due_at);
CREATE INDEX dissents_by_dissenter ON dissents (dissenter_id, filed_at);
CREATE INDEX dissents_by_responder ON dissents (responder_id, filed_at);
CREATE INDEX dissents_by_filed ON dissents (filed_at);

-- Each numbered point, and its answer once answered.
CREATE TABLE dissent_points (
    dissent_id TEXT NOT NULL REFERENCES dissents (id),
    number BIGINT NOT NULL,
    text TEXT NOT NULL,
    verdict TEXT CHECK (verdict IN ('accepted', 'partly_accepted', 'not_accepted')),
    reasons TEXT,
    PRIMARY KEY (dissent_id, number)
);
