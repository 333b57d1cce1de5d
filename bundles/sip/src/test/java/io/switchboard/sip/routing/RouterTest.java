package io.switchboard.sip.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sip.routing.RoutingRules.Member;
import io.switchboard.sip.routing.RoutingRules.Ring;
import io.switchboard.sip.routing.RoutingRules.Rule;
import io.switchboard.sip.routing.RoutingRules.When;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Set<String> TRUNKS = Set.of("main", "backup");

    private static Member ext(String e) { return new Member(e, null, null, null); }

    private static Member handle(String h) { return new Member(null, null, h, null); }

    /** The example of the API contract: office hours ring all, after hours one extension. */
    static RoutingRules officeHours() {
        return new RoutingRules("Europe/Berlin", List.of(
                new Rule("office hours", new When(List.of("mon", "tue", "wed", "thu", "fri"), "09:00", "18:00"),
                        new Ring("ringall", List.of(new Member("201", "main", null, null), ext("202"), handle("alice")), 15, 60, true),
                        "next"),
                new Rule("after hours", null, new Ring("linear", List.of(ext("200")), null, null, null), null)));
    }

    private static Instant berlin(String isoLocal) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(isoLocal), BERLIN).toInstant();
    }

    private static List<String> keys(List<RingStep> steps) {
        return steps.stream().map(s -> String.join("+", s.targets().stream().map(Target::key).toList())).toList();
    }

    private static Router router(RoutingRules rules, RoutingState state) {
        return new Router(RoutingCompiler.compile(rules, TRUNKS), state, new SplittableRandom(7));
    }

    @Test
    void officeHoursRingEveryoneThenFallToTheNextRule() {
        Router r = router(officeHours(), new MemoryRoutingState());
        // Wednesday 10:00 in Berlin: everyone at once for 60 s, then the after-hours rule.
        List<RingStep> steps = r.route(berlin("2026-12-02T10:00"), t -> false);
        assertEquals(List.of("ext:201@main+ext:202+handle:alice", "ext:200"), keys(steps));
        assertEquals(Duration.ofSeconds(60), steps.get(0).timeout());
        assertEquals(Duration.ofSeconds(15), steps.get(1).timeout(), "linear: the member timeout (default 15 s)");
        // Saturday, and a weekday evening: only after hours.
        assertEquals(List.of("ext:200"), keys(r.route(berlin("2026-12-05T10:00"), t -> false)));
        assertEquals(List.of("ext:200"), keys(r.route(berlin("2026-12-02T18:00"), t -> false)), "'to' is exclusive");
        assertEquals(List.of("ext:201@main+ext:202+handle:alice", "ext:200"),
                keys(r.route(berlin("2026-12-02T09:00"), t -> false)), "'from' is inclusive");
    }

    @Test
    void theWindowIsInTheCompanysTimeZone() {
        Router r = router(officeHours(), new MemoryRoutingState());
        // 08:30 UTC is 09:30 in Berlin in winter.
        assertEquals(3, r.route(Instant.parse("2026-12-02T08:30:00Z"), t -> false).get(0).targets().size());
        // 17:30 UTC is 18:30 in Berlin: closed.
        assertEquals(List.of("ext:200"), keys(r.route(Instant.parse("2026-12-02T17:30:00Z"), t -> false)));
    }

    @Test
    void aWindowOverMidnightBelongsToTheDayItOpened() {
        RoutingRules night = new RoutingRules("UTC", List.of(
                new Rule("friday night", new When(List.of("fri"), "22:00", "06:00"), new Ring(null, List.of(ext("300")), null, null, null), "hangup")));
        Router r = router(night, new MemoryRoutingState());
        assertEquals(1, r.route(Instant.parse("2026-12-04T23:00:00Z"), t -> false).size(), "Friday 23:00");
        assertEquals(1, r.route(Instant.parse("2026-12-05T05:59:00Z"), t -> false).size(), "Saturday 05:59");
        assertTrue(r.route(Instant.parse("2026-12-05T22:30:00Z"), t -> false).isEmpty(), "Saturday 22:30");
        assertTrue(r.route(Instant.parse("2026-12-04T05:00:00Z"), t -> false).isEmpty(), "Friday 05:00 is Thursday's night");
    }

    @Test
    void skipBusyLeavesBusyMembersOutAndHangupEndsTheChain() {
        RoutingRules rules = new RoutingRules(null, List.of(
                new Rule("desk", null, new Ring("linear", List.of(ext("201"), ext("202")), 10, 20, true), "hangup"),
                new Rule("never", null, new Ring("linear", List.of(ext("299")), null, null, null), null)));
        Router r = router(rules, new MemoryRoutingState());
        assertEquals(List.of("ext:202"), keys(r.route(Instant.now(), t -> t.key().equals("ext:201"))));
        assertTrue(r.route(Instant.now(), t -> true).isEmpty(), "everyone busy, and hangup: nothing rings");
    }

    @Test
    void theTotalTimeoutCutsTheHunt() {
        RoutingRules rules = new RoutingRules(null, List.of(new Rule("hunt", null,
                new Ring("linear", List.of(ext("1"), ext("2"), ext("3"), ext("4")), 20, 50, null), "hangup")));
        List<RingStep> steps = router(rules, new MemoryRoutingState()).route(Instant.now(), t -> false);
        assertEquals(List.of("ext:1", "ext:2", "ext:3"), keys(steps));
        assertEquals(List.of(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(10)),
                steps.stream().map(RingStep::timeout).toList());
    }

    @Test
    void roundRobinRemembersWhereItWasAcrossRouters() {
        RoutingRules rules = new RoutingRules(null, List.of(new Rule("rr", null,
                new Ring("roundrobin", List.of(ext("1"), ext("2"), ext("3")), 10, 30, null), "hangup")));
        MemoryRoutingState state = new MemoryRoutingState();
        assertEquals(List.of("ext:1", "ext:2", "ext:3"), keys(router(rules, state).route(Instant.now(), t -> false)));
        assertEquals(List.of("ext:2", "ext:3", "ext:1"), keys(router(rules, state).route(Instant.now(), t -> false)));
        assertEquals(List.of("ext:3", "ext:1", "ext:2"), keys(router(rules, state).route(Instant.now(), t -> false)));
        assertEquals(List.of("ext:1", "ext:2", "ext:3"), keys(router(rules, state).route(Instant.now(), t -> false)));
    }

    @Test
    void leastRecentAndFewestCallsFollowWhatWasAnswered() {
        MemoryRoutingState state = new MemoryRoutingState();
        List<Member> members = List.of(ext("1"), ext("2"), ext("3"));
        RoutingRules least = new RoutingRules(null, List.of(new Rule("l", null, new Ring("leastrecent", members, 10, 30, null), "hangup")));
        RoutingRules fewest = new RoutingRules(null, List.of(new Rule("f", null, new Ring("fewestcalls", members, 10, 30, null), "hangup")));
        state.answered("ext:1", Instant.parse("2026-12-01T10:00:00Z"));
        state.answered("ext:1", Instant.parse("2026-12-01T12:00:00Z"));
        state.answered("ext:2", Instant.parse("2026-12-01T11:00:00Z"));
        assertEquals(List.of("ext:3", "ext:2", "ext:1"), keys(router(least, state).route(Instant.now(), t -> false)),
                "never called first, then the oldest last call");
        state.answered("ext:3", Instant.parse("2026-12-01T13:00:00Z"));
        state.answered("ext:3", Instant.parse("2026-12-01T14:00:00Z"));
        state.answered("ext:3", Instant.parse("2026-12-01T15:00:00Z"));
        assertEquals(List.of("ext:2", "ext:1", "ext:3"), keys(router(fewest, state).route(Instant.now(), t -> false)));
    }

    @Test
    void randomOrdersAreFairAndWeightsTilt() {
        RoutingRules plain = new RoutingRules(null, List.of(new Rule("r", null,
                new Ring("random", List.of(ext("1"), ext("2")), 10, 20, null), "hangup")));
        RoutingRules weighted = new RoutingRules(null, List.of(new Rule("w", null, new Ring("weightedrandom",
                List.of(new Member("1", null, null, 3), new Member("2", null, null, 1)), 10, 20, null), "hangup")));
        Router r = router(plain, new MemoryRoutingState());
        Router w = router(weighted, new MemoryRoutingState());
        int plainFirst = 0;
        int weightedFirst = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            if (r.route(Instant.now(), t -> false).get(0).targets().get(0).extension().equals("1")) plainFirst++;
            List<RingStep> steps = w.route(Instant.now(), t -> false);
            assertEquals(2, steps.size(), "every member is tried once");
            if (steps.get(0).targets().get(0).extension().equals("1")) weightedFirst++;
        }
        assertTrue(Math.abs(plainFirst / (double) n - 0.5) < 0.05, "random: " + plainFirst);
        assertTrue(Math.abs(weightedFirst / (double) n - 0.75) < 0.05, "weight 3 of 4 comes first about 3 in 4: " + weightedFirst);
    }
}
