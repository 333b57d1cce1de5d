-- Where each SIP phone registered from (RFC 3261 section 10.3): one row per contact of a device, gone with
-- the device. The source address, port and transport are where the REGISTER came from, which is where a
-- phone behind NAT is reached; Call-ID and CSeq let an older REGISTER be told from a newer one. A row whose
-- expires_at has passed counts for nothing and is swept.
CREATE TABLE device_bindings (
    device_id       text        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    account_id      text        NOT NULL,
    contact         text        NOT NULL,
    source_address  text        NOT NULL,
    source_port     integer     NOT NULL,
    transport       text        NOT NULL,
    call_id         text        NOT NULL,
    cseq            bigint      NOT NULL,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (device_id, contact)
);
CREATE INDEX device_bindings_account ON device_bindings (account_id, expires_at);
CREATE INDEX device_bindings_expiry ON device_bindings (expires_at);
