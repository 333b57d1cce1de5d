package io.switchboard.accounts.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failures per key (a handle, a client address) in a sliding window, in memory. When a key has
 * {@code maxFailures} failures within the window it is limited until the oldest of them leaves the
 * window. Memory stays bounded: expired keys are swept, and past {@code maxKeys} the oldest keys go.
 */
public final class FailureLimiter {
    private final Clock clock;
    private final int maxKeys;
    private volatile Policy policy;
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public record Policy(int maxFailures, Duration window) {
        public Policy {
            if (maxFailures < 1) throw new IllegalArgumentException("maxFailures must be at least 1");
            if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive");
        }
    }

    public FailureLimiter(Policy policy, Clock clock) {
        this(policy, clock, 100_000);
    }

    FailureLimiter(Policy policy, Clock clock, int maxKeys) {
        this.policy = policy;
        this.clock = clock;
        this.maxKeys = maxKeys;
    }

    /** Takes effect for the next check; counted failures are kept. */
    public void setPolicy(Policy policy) {
        this.policy = policy;
    }

    /** Seconds until the key may try again (at least 1), or empty when it is not limited. */
    public OptionalLong retryAfterSeconds(String key) {
        Deque<Instant> list = failures.get(key);
        if (list == null) return OptionalLong.empty();
        Policy p = policy;
        Instant now = clock.instant();
        synchronized (list) {
            prune(list, now, p.window());
            if (list.size() < p.maxFailures()) return OptionalLong.empty();
            // The key is free again once enough of its failures have left the window.
            Instant freeing = list.stream().skip(list.size() - p.maxFailures()).findFirst().orElseThrow();
            long millis = Duration.between(now, freeing.plus(p.window())).toMillis();
            return OptionalLong.of(Math.max(1, (millis + 999) / 1000));
        }
    }

    public void recordFailure(String key) {
        Instant now = clock.instant();
        Policy p = policy;
        if (failures.size() >= maxKeys) sweep(now, p.window());
        Deque<Instant> list = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (list) {
            prune(list, now, p.window());
            list.addLast(now);
            // Older failures beyond the limit change nothing; keep at most maxFailures of them.
            while (list.size() > p.maxFailures()) list.removeFirst();
        }
    }

    public void reset(String key) {
        failures.remove(key);
    }

    int trackedKeys() {
        return failures.size();
    }

    private void sweep(Instant now, Duration window) {
        failures.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                prune(e.getValue(), now, window);
                return e.getValue().isEmpty();
            }
        });
        // Still full of live keys (an attack from many addresses): drop arbitrary ones rather than grow.
        var it = failures.keySet().iterator();
        while (failures.size() >= maxKeys && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private static void prune(Deque<Instant> list, Instant now, Duration window) {
        Instant oldestKept = now.minus(window);
        while (!list.isEmpty() && !list.peekFirst().isAfter(oldestKept)) list.removeFirst();
    }
}
