package io.switchboard.sip.routing;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A {@link RoutingState} in memory: for tests, and as the write-through cache of the stored one. */
public final class MemoryRoutingState implements RoutingState {
    private final Map<String, Integer> turns = new HashMap<>();
    private final Map<String, Instant> lastCalls = new HashMap<>();
    private final Map<String, Long> answered = new HashMap<>();

    @Override
    public synchronized int takeTurn(String rule, int size) {
        int turn = Math.floorMod(turns.getOrDefault(rule, 0), size);
        turns.put(rule, (turn + 1) % size);
        return turn;
    }

    @Override
    public synchronized Optional<Instant> lastCall(String targetKey) {
        return Optional.ofNullable(lastCalls.get(targetKey));
    }

    @Override
    public synchronized long answeredCalls(String targetKey) {
        return answered.getOrDefault(targetKey, 0L);
    }

    @Override
    public synchronized void answered(String targetKey, Instant at) {
        lastCalls.put(targetKey, at);
        answered.merge(targetKey, 1L, Long::sum);
    }
}
