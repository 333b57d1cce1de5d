package io.switchboard.calls.call;

import java.time.Instant;

/**
 * One call between two accounts, as stored. Immutable: each step makes a new value.
 * {@code reason} says how it ended ({@code declined}, {@code busy}, {@code missed}, {@code cancelled},
 * {@code hangup}); {@code endedBy} is the account that ended it, null when the ring timed out.
 */
public record Call(String id, String callerId, String calleeId, boolean video, CallState state, String reason,
                   String endedBy, Instant startedAt, Instant answeredAt, Instant endedAt) {

    public static Call ringing(String id, String callerId, String calleeId, boolean video, Instant now) {
        return new Call(id, callerId, calleeId, video, CallState.RINGING, null, null, now, null, null);
    }

    public boolean party(String accountId) {
        return callerId.equals(accountId) || calleeId.equals(accountId);
    }

    /** The other party; only for a party. */
    public String peerOf(String accountId) {
        return callerId.equals(accountId) ? calleeId : callerId;
    }

    public Call answered(Instant at) {
        return new Call(id, callerId, calleeId, video, CallState.ANSWERED, null, null, startedAt, at, null);
    }

    public Call ended(CallState end, String why, String by, Instant at) {
        if (end.live()) throw new IllegalArgumentException(end + " is no end");
        return new Call(id, callerId, calleeId, video, end, why, by, startedAt, answeredAt, at);
    }

    public Call withVideo(boolean on) {
        return on == video ? this : new Call(id, callerId, calleeId, on, state, reason, endedBy, startedAt, answeredAt, endedAt);
    }
}
