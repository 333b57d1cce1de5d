package io.switchboard.sip.device;

import java.time.Instant;

/** A SIP phone of an account: it registers as {@code username} with digest credentials (only HA1 is kept). */
public record SipDevice(String id, String accountId, String name, String username, String realm, String ha1,
                        Instant createdAt) {}
