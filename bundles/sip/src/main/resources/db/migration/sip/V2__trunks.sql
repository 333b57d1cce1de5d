-- A company's SIP trunks to its PBX. The password is sealed (AES-GCM, key under $SWITCHBOARD_HOME/conf).
CREATE TABLE trunks (
    id              text        PRIMARY KEY,
    company_id      text        NOT NULL,
    name            text        NOT NULL,
    mode            text        NOT NULL CHECK (mode IN ('register', 'peer')),
    host            text        NOT NULL,
    port            int         NOT NULL CHECK (port BETWEEN 1 AND 65535),
    transport       text        NOT NULL CHECK (transport IN ('udp', 'tcp')),
    username        text,
    password_sealed text,
    realm           text,
    priority        int         NOT NULL,
    weight          int         NOT NULL,
    max_channels    int,
    created_at      timestamptz NOT NULL,
    UNIQUE (company_id, name)
);
