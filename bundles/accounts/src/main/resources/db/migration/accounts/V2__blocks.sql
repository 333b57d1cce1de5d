-- Who blocked whom. Features ask "has A blocked B?" on every call set-up: the primary key answers it.
CREATE TABLE accounts.blocks (
    blocker_id text        NOT NULL REFERENCES accounts.accounts (id) ON DELETE CASCADE,
    blocked_id text        NOT NULL REFERENCES accounts.accounts (id) ON DELETE CASCADE,
    blocked_at timestamptz NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id),
    -- repeats the API rule: nobody blocks themselves
    CHECK (blocker_id <> blocked_id)
);

-- Deleting an account cascades to the rows that block it; without this each delete scans the table.
CREATE INDEX blocks_blocked_idx ON accounts.blocks (blocked_id);
