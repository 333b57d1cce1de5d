-- Calls between accounts: one row per call, updated as it moves from ringing to its end.
CREATE TABLE calls (
    id            text        PRIMARY KEY,
    caller_id     text        NOT NULL,
    callee_id     text        NOT NULL,
    video         boolean     NOT NULL DEFAULT false,
    state         text        NOT NULL CHECK (state IN ('ringing', 'answered', 'ended', 'declined', 'busy', 'missed', 'cancelled')),
    reason        text,
    ended_by      text,
    started_at    timestamptz NOT NULL,
    answered_at   timestamptz,
    ended_at      timestamptz,
    -- Newest first per account, paged by seq: one index per side.
    seq           bigserial   NOT NULL UNIQUE
);
CREATE INDEX calls_caller ON calls (caller_id, seq DESC);
CREATE INDEX calls_callee ON calls (callee_id, seq DESC);
-- Calls still going: loaded back when the bundle starts again.
CREATE INDEX calls_live ON calls (state) WHERE state IN ('ringing', 'answered');
