package io.switchboard.sip.routing;

import java.time.Instant;
import java.util.Optional;

/**
 * What the strategies remember between calls, per company: the round-robin position of each rule and,
 * per target, its last call and how many calls it answered. Kept in PostgreSQL so it survives restarts.
 */
public interface RoutingState {
    /** The round-robin start for this call (0 ≤ n &lt; size), and moves it on by one for the next. */
    int takeTurn(String rule, int size);

    Optional<Instant> lastCall(String targetKey);

    long answeredCalls(String targetKey);

    /** A target answered a call at {@code at}. */
    void answered(String targetKey, Instant at);
}
