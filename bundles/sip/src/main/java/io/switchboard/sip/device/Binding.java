package io.switchboard.sip.device;

import java.time.Instant;

/**
 * A registered contact of a SIP phone: {@code contact} is the URI the phone asked to be reached at, and
 * {@code sourceAddress}:{@code sourcePort} over {@code transport} ({@code UDP} or {@code TCP}) is where its
 * REGISTER came from (the received and rport of RFC 3581), where a request to a phone behind NAT must be
 * sent. {@code callId} and {@code cseq} are those of the REGISTER that made or last refreshed it.
 */
public record Binding(String deviceId, String accountId, String contact, String sourceAddress, int sourcePort,
                      String transport, String callId, long cseq, Instant expiresAt) {}
