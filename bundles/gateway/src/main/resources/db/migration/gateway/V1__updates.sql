-- Every stored client-visible update, per account, with a strictly increasing cursor.
CREATE TABLE gateway.update_cursors (
    account_id  text PRIMARY KEY,
    last_cursor bigint NOT NULL
);

CREATE TABLE gateway.updates (
    account_id text        NOT NULL,
    cursor     bigint      NOT NULL,
    type       text        NOT NULL,
    data       jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, cursor)
);
