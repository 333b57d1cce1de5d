-- Accounts, sessions and the directory's word index. Every name is qualified with the schema.
CREATE SCHEMA IF NOT EXISTS accounts;

CREATE TABLE accounts.accounts (
    id            text        PRIMARY KEY,
    -- stored lower-case; the check repeats the API rule so no other path can store a look-alike
    handle        text        NOT NULL CHECK (handle ~ '^[a-z][a-z0-9_]{2,31}$'),
    display_name  text        NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 64),
    kind          text        NOT NULL CHECK (kind IN ('person', 'business', 'bot', 'channel')),
    about         text        CHECK (char_length(about) <= 500),
    verified      boolean     NOT NULL DEFAULT false,
    -- "pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>"; null for accounts that cannot log in
    password_hash text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Case-insensitive uniqueness lives in the database, so two concurrent registrations cannot both win.
CREATE UNIQUE INDEX accounts_handle_lower_key ON accounts.accounts (lower(handle));

CREATE TABLE accounts.sessions (
    id           text        PRIMARY KEY,
    account_id   text        NOT NULL REFERENCES accounts.accounts (id) ON DELETE CASCADE,
    -- SHA-256 of the bearer token; the token itself is never stored
    token_hash   bytea       NOT NULL UNIQUE,
    device_name  text,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);

CREATE INDEX sessions_account_idx ON accounts.sessions (account_id);

-- Normalized words (accent-free, lower-case) of each account's handle and display name.
CREATE TABLE accounts.directory_words (
    account_id text NOT NULL REFERENCES accounts.accounts (id) ON DELETE CASCADE,
    word       text NOT NULL,
    PRIMARY KEY (account_id, word)
);

-- text_pattern_ops lets "word LIKE 'pre%'" use the index whatever the database collation.
CREATE INDEX directory_words_prefix_idx ON accounts.directory_words (word text_pattern_ops);
