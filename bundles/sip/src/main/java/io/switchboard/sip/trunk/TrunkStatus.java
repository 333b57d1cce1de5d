package io.switchboard.sip.trunk;

import java.time.Instant;

/**
 * Where a trunk stands now: {@code registered}, {@code unregistered} or {@code failed} (register mode),
 * {@code reachable} or {@code unreachable} (peer mode), with the last error in words (never a secret).
 */
public record TrunkStatus(String status, String lastError, Instant since) {
    public static final String REGISTERED = "registered";
    public static final String UNREGISTERED = "unregistered";
    public static final String FAILED = "failed";
    public static final String REACHABLE = "reachable";
    public static final String UNREACHABLE = "unreachable";

    public static TrunkStatus initial(Trunk t, Instant now) {
        return new TrunkStatus(t.mode() == Trunk.Mode.REGISTER ? UNREGISTERED : UNREACHABLE, null, now);
    }
}
