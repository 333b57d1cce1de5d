package io.switchboard.sip.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sip.routing.RoutingRules.Member;
import io.switchboard.sip.routing.RoutingRules.Ring;
import io.switchboard.sip.routing.RoutingRules.Rule;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The routing state on a real PostgreSQL with the real migration: it survives a new instance and races;
 * answers written behind the calls are all counted.
 */
class StoredRoutingStateTest {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = io.switchboard.sip.SipSchema.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) postgres.close();
    }

    @Test
    void roundRobinGoesOnWhereItStoppedAfterARestart() {
        RoutingRules rules = new RoutingRules(null, List.of(new Rule("rr", null,
                new Ring("roundrobin", List.of(new Member("1", null, null, null), new Member("2", null, null, null),
                        new Member("3", null, null, null)), 10, 30, null), "hangup")));
        CompiledRouting compiled = RoutingCompiler.compile(rules, Set.of());
        List<String> firsts = new ArrayList<>();
        for (int restart = 0; restart < 4; restart++) {
            // A new state object each time: what it knows comes from the database.
            Router router = new Router(compiled, new StoredRoutingState(postgres.getPostgresDatabase(), "acme_rr"), new SplittableRandom());
            firsts.add(router.route(Instant.now(), t -> false).get(0).targets().get(0).extension());
        }
        assertEquals(List.of("1", "2", "3", "1"), firsts);
    }

    @Test
    void concurrentCallsTakeDifferentTurns() throws Exception {
        StoredRoutingState state = new StoredRoutingState(postgres.getPostgresDatabase(), "acme_race");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> turns = new ArrayList<>();
            for (int i = 0; i < 200; i++) turns.add(pool.submit(() -> state.takeTurn("r", 1000)));
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> f : turns) got.add(f.get());
            Collections.sort(got);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) expected.add(i);
            assertEquals(expected, got, "each call its own turn, none lost");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void answersAreCountedPerCompanyAndTarget() {
        StoredRoutingState acme = new StoredRoutingState(postgres.getPostgresDatabase(), "acme_ans");
        StoredRoutingState other = new StoredRoutingState(postgres.getPostgresDatabase(), "other_ans");
        assertTrue(acme.lastCall("ext:201").isEmpty());
        acme.answered("ext:201", Instant.parse("2026-12-01T10:00:00Z"));
        acme.answered("ext:201", Instant.parse("2026-12-01T09:00:00Z"));
        assertEquals(2, acme.answeredCalls("ext:201"));
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), acme.lastCall("ext:201").orElseThrow(), "the latest, not the last written");
        assertEquals(0, other.answeredCalls("ext:201"));
        assertEquals(1, new StoredRoutingState(postgres.getPostgresDatabase(), "acme_ans").lastCall("ext:201").stream().count());
    }

    // ---- the answers written behind the calls (AnsweredLog): none lost, also when the database was away

    @Test
    void answersFromManyCallsAtOnceAreAllCountedWithTheLatestLastCall() throws Exception {
        AnsweredLog log = new AnsweredLog(postgres.getPostgresDatabase());
        Instant base = Instant.parse("2026-12-01T10:00:00Z");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) log.answered("acme_log", "ext:100", base.plusSeconds(thread * 50L + i));
                    log.answered("acme_log", "ext:101", base);
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
            log.close();
        }
        StoredRoutingState state = new StoredRoutingState(postgres.getPostgresDatabase(), "acme_log");
        assertEquals(400, state.answeredCalls("ext:100"));
        assertEquals(base.plusSeconds(399), state.lastCall("ext:100").orElseThrow());
        assertEquals(8, state.answeredCalls("ext:101"));
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("switchboard-sip-answers")), "its thread ends on close");
    }

    @Test
    void answersCountedWhileTheDatabaseIsAwayAreWrittenWhenItIsBack() throws Exception {
        AtomicBoolean away = new AtomicBoolean(true);
        DataSource db = postgres.getPostgresDatabase();
        DataSource flaky = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (p, method, args) -> {
                    if (method.getName().equals("getConnection") && away.get()) throw new SQLException("database away");
                    try {
                        return method.invoke(db, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        AnsweredLog log = new AnsweredLog(flaky);
        StoredRoutingState state = new StoredRoutingState(db, "acme_away");
        try {
            for (int i = 0; i < 5; i++) log.answered("acme_away", "ext:7", Instant.parse("2026-12-01T10:00:00Z"));
            Thread.sleep(300);
            assertEquals(0, state.answeredCalls("ext:7"), "nothing written while the database is away");
            away.set(false);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (state.answeredCalls("ext:7") < 5 && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(5, state.answeredCalls("ext:7"), "written once it is back, none lost, none twice");
            log.answered("acme_away", "ext:7", Instant.parse("2026-12-01T11:00:00Z"));
        } finally {
            log.close();
        }
        assertEquals(6, state.answeredCalls("ext:7"), "close writes what is left");
        assertTrue(state.lastCall("ext:7").orElseThrow().equals(Instant.parse("2026-12-01T11:00:00Z")));
    }
}
