package io.switchboard.sip.trunk;

import java.time.Instant;

/**
 * Where a trunk stands now: {@code registered}, {@code unregistered} or {@code failed} (register mode),
 * {@code reachable} or {@code unreachable} (peer mode), with the last error in words (never a secret).
 */
public record TrunkStatus(String status, String lastError, Instant since) {

    public static TrunkStatus initial(Trunk t, Instant now) {
        return new TrunkStatus(t.mode() == Trunk.Mode.REGISTER ? "unregistered" : "unreachable", null, now);
    }
}
