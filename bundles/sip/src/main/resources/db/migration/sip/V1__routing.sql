-- A company's routing rules, as its owner wrote them (checked before they are stored).
CREATE TABLE routing (
    company_id  text        PRIMARY KEY,
    rules       jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- What the strategies remember between calls: the round-robin turn per rule ...
CREATE TABLE routing_turns (
    company_id  text NOT NULL,
    rule        text NOT NULL,
    turn        int  NOT NULL,
    PRIMARY KEY (company_id, rule)
);

-- ... and per target (ext:201@main, handle:alice) its last answered call and how many it answered.
CREATE TABLE routing_targets (
    company_id  text        NOT NULL,
    target      text        NOT NULL,
    last_call   timestamptz NOT NULL,
    answered    bigint      NOT NULL,
    PRIMARY KEY (company_id, target)
);
