package io.switchboard.sip.routing;

import io.switchboard.sip.routing.CompiledRouting.CompiledRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Turns a company's compiled rules into the ring steps of one call: the first rule whose window
 * matches, its members in the order its strategy gives, and on no answer the next matching rule
 * (while the rule says {@code next}). The caller runs the steps and reports answers to the
 * {@link RoutingState}.
 */
public final class Router {
    private final CompiledRouting routing;
    private final RoutingState state;
    private final RandomGenerator random;

    public Router(CompiledRouting routing, RoutingState state, RandomGenerator random) {
        this.routing = routing;
        this.state = state;
        this.random = random;
    }

    /**
     * The steps for a call arriving at {@code now}; {@code busy} says which targets are in a call (asked
     * only of rules with {@code skipBusy}). Empty when no rule matches or everyone is busy.
     */
    public List<RingStep> route(Instant now, Predicate<Target> busy) {
        List<RingStep> steps = new ArrayList<>();
        int i = routing.firstMatching(0, now);
        while (i >= 0) {
            CompiledRule rule = routing.rules().get(i);
            List<Target> order = order(rule);
            if (rule.skipBusy()) order = order.stream().filter(busy.negate()).toList();
            steps.addAll(steps(rule, order));
            if (!rule.nextOnNoAnswer()) break;
            i = routing.firstMatching(i + 1, now);
        }
        return steps;
    }

    private List<RingStep> steps(CompiledRule rule, List<Target> order) {
        if (order.isEmpty()) return List.of();
        if (rule.strategy() == Strategy.RINGALL) return List.of(new RingStep(rule.name(), order, rule.totalTimeout()));
        List<RingStep> out = new ArrayList<>();
        Duration left = rule.totalTimeout();
        for (Target t : order) {
            if (left.isZero()) break;
            Duration d = rule.memberTimeout().compareTo(left) < 0 ? rule.memberTimeout() : left;
            out.add(new RingStep(rule.name(), List.of(t), d));
            left = left.minus(d);
        }
        return out;
    }

    private List<Target> order(CompiledRule rule) {
        List<Target> members = rule.targets();
        return switch (rule.strategy()) {
            case RINGALL, LINEAR -> members;
            case ROUNDROBIN -> {
                int start = state.takeTurn(rule.name(), members.size());
                List<Target> out = new ArrayList<>(members.subList(start, members.size()));
                out.addAll(members.subList(0, start));
                yield out;
            }
            case LEASTRECENT -> sorted(members, Comparator.comparing(
                    (Target t) -> state.lastCall(t.key()).orElse(Instant.MIN)));
            case FEWESTCALLS -> sorted(members, Comparator.comparingLong((Target t) -> state.answeredCalls(t.key())));
            case RANDOM -> byKey(members, t -> random.nextDouble());
            // Weighted order without replacement: each member draws u^(1/w), highest first.
            case WEIGHTEDRANDOM -> byKey(members, t -> -Math.pow(random.nextDouble(), 1.0 / t.weight()));
        };
    }

    /** Stable: ties keep the written order. */
    private static List<Target> sorted(List<Target> members, Comparator<Target> by) {
        List<Target> out = new ArrayList<>(members);
        out.sort(by);
        return out;
    }

    private static List<Target> byKey(List<Target> members, java.util.function.ToDoubleFunction<Target> key) {
        Map<Target, Double> keys = new java.util.IdentityHashMap<>();
        for (Target t : members) keys.put(t, key.applyAsDouble(t));
        return sorted(members, Comparator.comparingDouble(keys::get));
    }
}
