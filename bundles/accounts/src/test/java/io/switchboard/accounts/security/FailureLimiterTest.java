package io.switchboard.accounts.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.accounts.MutableClock;
import io.switchboard.accounts.security.FailureLimiter.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FailureLimiterTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FailureLimiter limiter = new FailureLimiter(new Policy(5, Duration.ofMinutes(15)), clock);

    @Test
    void limitsAfterMaxFailuresWithRetryAfter() {
        for (int i = 0; i < 4; i++) {
            limiter.recordFailure("alice");
            clock.advance(Duration.ofSeconds(10));
        }
        assertEquals(OptionalLong.empty(), limiter.retryAfterSeconds("alice"));
        limiter.recordFailure("alice");
        OptionalLong retry = limiter.retryAfterSeconds("alice");
        assertTrue(retry.isPresent());
        // The first failure was 40 s ago; it leaves the 15-minute window in 860 s.
        assertEquals(15 * 60 - 40, retry.getAsLong());
        assertEquals(OptionalLong.empty(), limiter.retryAfterSeconds("bob"));
    }

    @Test
    void windowExpiryFreesTheKey() {
        for (int i = 0; i < 5; i++) limiter.recordFailure("alice");
        assertTrue(limiter.retryAfterSeconds("alice").getAsLong() > 0);
        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        assertEquals(1, limiter.retryAfterSeconds("alice").getAsLong());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(OptionalLong.empty(), limiter.retryAfterSeconds("alice"));
    }

    @Test
    void slidingWindowCountsOnlyRecentFailures() {
        for (int i = 0; i < 4; i++) limiter.recordFailure("alice");
        clock.advance(Duration.ofMinutes(10));
        limiter.recordFailure("alice");
        assertTrue(limiter.retryAfterSeconds("alice").isPresent());
        clock.advance(Duration.ofMinutes(5));
        // The four old failures expired; one recent one remains.
        assertEquals(OptionalLong.empty(), limiter.retryAfterSeconds("alice"));
        for (int i = 0; i < 3; i++) limiter.recordFailure("alice");
        assertEquals(OptionalLong.empty(), limiter.retryAfterSeconds("alice"));
        limiter.recordFailure("alice");
        assertTrue(limiter.retryAfterSeconds("alice").isPresent());
    }

    @Test
    void resetClearsAKey() {
        for (int i = 0; i < 5; i++) limiter.recordFailure("alice");
        limiter.reset("alice");
        assertEquals(OptionalLong.empty(), limiter.retryAfterSeconds("alice"));
    }

    @Test
    void policyChangesApply() {
        for (int i = 0; i < 3; i++) limiter.recordFailure("alice");
        assertEquals(OptionalLong.empty(), limiter.retryAfterSeconds("alice"));
        limiter.setPolicy(new Policy(3, Duration.ofMinutes(15)));
        assertTrue(limiter.retryAfterSeconds("alice").isPresent());
    }

    @Test
    void memoryStaysBounded() {
        FailureLimiter small = new FailureLimiter(new Policy(5, Duration.ofMinutes(5)), clock, 100);
        for (int i = 0; i < 1_000; i++) small.recordFailure("10.0.0." + i);
        assertTrue(small.trackedKeys() <= 100, "tracked " + small.trackedKeys());
    }
}
