-- A user's own SIP phones. Only the digest HA1 (MD5 of username:realm:password) is kept: enough to check
-- a REGISTER, useless to log in anywhere else, and the password itself is shown once at creation.
CREATE TABLE devices (
    id          text        PRIMARY KEY,
    account_id  text        NOT NULL,
    name        text        NOT NULL,
    username    text        NOT NULL UNIQUE,
    realm       text        NOT NULL,
    ha1         text        NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX devices_account ON devices (account_id);
