package io.switchboard.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.accounts.security.FailureLimiter.Policy;
import io.switchboard.accounts.security.PasswordHasher;
import io.switchboard.accounts.store.AccountStore;
import io.switchboard.accounts.store.BlockedAccount;
import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountKind;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The feature's behaviour end to end below HTTP, on a real PostgreSQL. */
class AccountServiceTest {
    private static final String PASSWORD = "correct horse";
    private static TestDatabase db;
    private MutableClock clock;
    private AccountService service;

    @BeforeAll
    static void start() throws Exception {
        db = new TestDatabase();
    }

    @AfterAll
    static void stop() throws Exception {
        if (db != null) db.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        db.clear();
        clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        service = new AccountService(db.dataSource(), AccountsSettings.defaults(), clock);
    }

    @Test
    void registersWithDefaults() {
        AccountInfo a = service.register("Alice", null, PASSWORD, null);
        assertEquals("alice", a.handle());
        assertEquals("alice", a.displayName());
        assertEquals(AccountKind.PERSON, a.kind());
        AccountInfo b = service.register("acme", "  ACME GmbH ", PASSWORD, "business");
        assertEquals("ACME GmbH", b.displayName());
        assertEquals(AccountKind.BUSINESS, b.kind());
        assertEquals(Optional.of(b), service.byHandle("ACME"));
        assertEquals(Optional.of(a), service.byId(a.id()));
    }

    @Test
    void refusesBadRegistrationsAndWritesNothing() throws Exception {
        assertCode(400, "invalid_handle", () -> service.register("\u0430\u0441me", null, PASSWORD, null));
        assertCode(400, "invalid_handle", () -> service.register("admin", null, PASSWORD, null));
        assertCode(400, "weak_password", () -> service.register("alice", null, "short", null));
        assertCode(400, "weak_password", () -> service.register("alice", null, null, null));
        assertCode(400, "weak_password", () -> service.register("alice", null, "x".repeat(1025), null));
        assertCode(400, "invalid_kind", () -> service.register("alice", null, PASSWORD, "bot"));
        assertCode(400, "invalid_display_name", () -> service.register("alice", "", PASSWORD, null));
        assertEquals(0, count("SELECT count(*) FROM accounts.accounts"));
        service.register("alice", null, "x".repeat(1024), null);
        assertCode(409, "handle_taken", () -> service.register("ALICE", null, PASSWORD, "business"));
        assertEquals(1, count("SELECT count(*) FROM accounts.accounts"));
    }

    @Test
    void passwordsAreStoredHashed() throws Exception {
        service.register("alice", null, PASSWORD, null);
        String stored = new AccountStore(db.dataSource()).credentials("alice").orElseThrow().passwordHash().orElseThrow();
        assertTrue(stored.startsWith("pbkdf2_sha256$210000$"), stored);
        assertTrue(!stored.contains(PASSWORD));
    }

    @Test
    void loginAuthenticateAndLogout() throws Exception {
        AccountInfo alice = service.register("alice", "Alice", PASSWORD, null);
        LoginResult phone = service.login("ALICE", PASSWORD, "Phone", "10.0.0.1");
        LoginResult laptop = service.login("alice", PASSWORD, null, "10.0.0.1");
        assertEquals(43, phone.token().length());
        assertNotEquals(phone.token(), laptop.token());
        assertEquals(alice, phone.account());
        assertEquals(0, count("SELECT count(*) FROM accounts.sessions WHERE token_hash = convert_to('" + phone.token() + "', 'UTF8')"));

        AccountPrincipal p = service.authenticate(phone.token()).orElseThrow();
        assertEquals(new AccountPrincipal(alice.id(), "alice", "person", phone.sessionId()), p);

        service.logout(phone.sessionId());
        assertEquals(Optional.empty(), service.authenticate(phone.token()));
        assertTrue(service.authenticate(laptop.token()).isPresent(), "other devices stay logged in");
        assertEquals(Optional.empty(), service.authenticate(null));
        assertEquals(Optional.empty(), service.authenticate("not a token"));
        assertEquals(Optional.empty(), service.authenticate("A".repeat(43)));
    }

    @Test
    void unknownHandleAndWrongPasswordLookTheSame() {
        service.register("alice", null, PASSWORD, null);
        ApiException wrong = assertCode(401, "invalid_credentials", () -> service.login("alice", "wrong password", null, "a"));
        ApiException unknown = assertCode(401, "invalid_credentials", () -> service.login("nobody", PASSWORD, null, "b"));
        ApiException invalid = assertCode(401, "invalid_credentials", () -> service.login("1 bad", PASSWORD, null, "c"));
        assertEquals(wrong.getMessage(), unknown.getMessage());
        assertEquals(wrong.getMessage(), invalid.getMessage());
        assertCode(401, "invalid_credentials", () -> service.login("alice", null, null, "d"));
        assertCode(401, "invalid_credentials", () -> service.login("alice", "x".repeat(5000), null, "d"));
    }

    @Test
    void failedLoginsPerHandleAreLimitedEvenForTheRightPassword() {
        service.register("alice", null, PASSWORD, null);
        for (int i = 0; i < 5; i++) {
            // Different addresses: only the per-handle limit applies.
            assertCode(401, "invalid_credentials", () -> service.login("alice", "wrong password", null, "10.0.0." + Math.random()));
        }
        ApiException limited = assertCode(429, "rate_limited", () -> service.login("Alice", PASSWORD, null, "10.9.9.9"));
        assertTrue(limited.retryAfterSeconds() > 0 && limited.retryAfterSeconds() <= 900, "" + limited.retryAfterSeconds());
        clock.advance(Duration.ofMinutes(15));
        assertEquals("alice", service.login("alice", PASSWORD, null, "10.9.9.9").account().handle());
    }

    @Test
    void successfulLoginClearsTheHandleCount() {
        service.register("alice", null, PASSWORD, null);
        for (int i = 0; i < 4; i++) {
            assertCode(401, "invalid_credentials", () -> service.login("alice", "wrong password", null, "x" + Math.random()));
        }
        service.login("alice", PASSWORD, null, "y");
        assertCode(401, "invalid_credentials", () -> service.login("alice", "wrong password", null, "z"));
        service.login("alice", PASSWORD, null, "y");
    }

    @Test
    void failedLoginsPerAddressAreLimited() {
        service = new AccountService(db.dataSource(), new AccountsSettings(new Policy(5, Duration.ofMinutes(15)),
                new Policy(3, Duration.ofMinutes(5)), PasswordHasher.MIN_ITERATIONS), clock);
        service.register("alice", null, PASSWORD, null);
        for (String handle : List.of("bob", "carol", "dave")) {
            assertCode(401, "invalid_credentials", () -> service.login(handle, "whatever1", null, "192.0.2.7"));
        }
        ApiException limited = assertCode(429, "rate_limited", () -> service.login("alice", PASSWORD, null, "192.0.2.7"));
        assertEquals(300, limited.retryAfterSeconds());
        assertEquals("alice", service.login("alice", PASSWORD, null, "192.0.2.8").account().handle());
        clock.advance(Duration.ofMinutes(5));
        assertEquals("alice", service.login("alice", PASSWORD, null, "192.0.2.7").account().handle());
    }

    @Test
    void aSessionUnusedFor90DaysEnds() throws Exception {
        service.register("alice", null, PASSWORD, null);
        LoginResult s = service.login("alice", PASSWORD, "phone", "a");
        clock.advance(Duration.ofDays(89));
        assertTrue(service.authenticate(s.token()).isPresent(), "used within 90 days: alive, and touched");
        clock.advance(Duration.ofDays(89));
        assertTrue(service.authenticate(s.token()).isPresent(), "90 days count from the last use");
        clock.advance(Duration.ofDays(91));
        assertTrue(service.authenticate(s.token()).isEmpty(), "unused for 91 days: ended");
        assertEquals(0, count("SELECT count(*) FROM accounts.sessions WHERE id = '" + s.sessionId() + "'"));
    }

    @Test
    void aSessionDeletedElsewhereIsRefusedWithinSeconds() throws Exception {
        service.register("alice", null, PASSWORD, null);
        LoginResult s = service.login("alice", PASSWORD, "phone", "a");
        assertTrue(service.authenticate(s.token()).isPresent());
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement d = c.prepareStatement("DELETE FROM accounts.sessions WHERE id = ?")) {
            d.setString(1, s.sessionId());
            assertEquals(1, d.executeUpdate());
        }
        clock.advance(Duration.ofSeconds(5));
        assertTrue(service.authenticate(s.token()).isPresent(), "remembered for a few seconds");
        clock.advance(Duration.ofSeconds(6));
        assertTrue(service.authenticate(s.token()).isEmpty(), "then looked up again and refused");
    }

    @Test
    void lastSeenIsWrittenAtMostOnceAMinute() throws Exception {
        service.register("alice", null, PASSWORD, null);
        LoginResult s = service.login("alice", PASSWORD, "phone", "a");
        Instant created = lastSeen(s.sessionId());
        assertEquals(clock.instant(), created);
        clock.advance(Duration.ofSeconds(59));
        service.authenticate(s.token());
        assertEquals(created, lastSeen(s.sessionId()));
        clock.advance(Duration.ofSeconds(2));
        service.authenticate(s.token());
        assertEquals(clock.instant(), lastSeen(s.sessionId()));
    }

    @Test
    void oldHashesAreUpgradedAtLogin() throws Exception {
        AccountInfo a = service.register("alice", null, PASSWORD, null);
        new AccountStore(db.dataSource()).replacePasswordHash(a.id(), new PasswordHasher(1000).hash(PASSWORD.toCharArray()));
        service.login("alice", PASSWORD, null, "a");
        String stored = new AccountStore(db.dataSource()).credentials("alice").orElseThrow().passwordHash().orElseThrow();
        assertTrue(stored.startsWith("pbkdf2_sha256$210000$"), stored);
        service.login("alice", PASSWORD, null, "a");
    }

    @Test
    void profileChangesAreValidatedBeforeAnythingIsWritten() {
        AccountInfo a = service.register("alice", "Alice", PASSWORD, null);
        assertCode(400, "invalid_about", () -> service.updateProfile(a.id(), "New Name", "x".repeat(501)));
        assertCode(400, "invalid_display_name", () -> service.updateProfile(a.id(), "bad\u0000", "fine"));
        AccountInfo unchanged = service.me(a.id());
        assertEquals("Alice", unchanged.displayName());
        assertNull(unchanged.about());

        AccountInfo changed = service.updateProfile(a.id(), "Alice L.", "Down the rabbit hole");
        assertEquals("Alice L.", changed.displayName());
        assertEquals("Down the rabbit hole", changed.about());
        assertEquals("Alice L.", service.updateProfile(a.id(), null, null).displayName());
        assertNull(service.updateProfile(a.id(), null, "").about());
        // The new display name is searchable; about is shown but not searched.
        assertEquals(1, service.search("alice l", null, null).size());
        assertEquals(0, service.search("rabbit", null, null).size());
    }

    @Test
    void profilesByHandle() {
        AccountInfo a = service.register("alice", "Alice", PASSWORD, null);
        assertEquals(a, service.profile("ALICE"));
        assertCode(404, "not_found", () -> service.profile("nobody"));
        assertCode(404, "not_found", () -> service.profile("not a handle!"));
        assertCode(404, "not_found", () -> service.profile("\u0430lice"));
        assertCode(404, "not_found", () -> service.me("gone"));
    }

    @Test
    void directoryValidatesItsQuery() {
        service.register("acme", "Acme", PASSWORD, "business");
        service.register("acme_fan", "Acme Fan", PASSWORD, null);
        assertCode(400, "invalid_query", () -> service.search(null, null, null));
        assertCode(400, "invalid_query", () -> service.search("  ", null, null));
        assertCode(400, "invalid_query", () -> service.search("x".repeat(65), null, null));
        assertCode(400, "invalid_query", () -> service.search("%%__", null, null));
        assertCode(400, "invalid_kind", () -> service.search("acme", "robot", null));
        assertCode(400, "invalid_limit", () -> service.search("acme", null, "ten"));
        assertCode(400, "invalid_limit", () -> service.search("acme", null, "0"));
        assertEquals(List.of("acme", "acme_fan"), service.search("@Acme", null, "500").stream().map(AccountInfo::handle).toList());
        assertEquals(1, service.search("acme", null, "1").size());
        assertEquals(List.of("acme"), service.search("acme", "business", null).stream().map(AccountInfo::handle).toList());
        assertEquals(0, service.search("acme%", "bot", null).size());
        assertEquals(2, service.search("a", null, null).size());
    }

    @Test
    void blockingIsOneWayAndIdempotent() throws Exception {
        AccountInfo alice = service.register("alice", "Alice", PASSWORD, null);
        AccountInfo bob = service.register("bob", "Bob", PASSWORD, null);
        Instant first = clock.instant();
        service.block(alice.id(), "BOB");
        assertTrue(service.blocks(alice.id(), bob.id()));
        assertFalse(service.blocks(bob.id(), alice.id()), "a block is one-way");

        clock.advance(Duration.ofMinutes(5));
        service.block(alice.id(), "bob");
        assertEquals(List.of(new BlockedAccount("bob", "Bob", first)), service.blockedBy(alice.id()),
                "blocking again keeps one row and the first time");
        assertEquals(1, count("SELECT count(*) FROM accounts.blocks"));

        service.unblock(alice.id(), "bob");
        assertFalse(service.blocks(alice.id(), bob.id()));
        service.unblock(alice.id(), "bob");
        assertEquals(List.of(), service.blockedBy(alice.id()));
    }

    @Test
    void blockListIsNewestFirstAndOnlyTheBlockers() {
        AccountInfo alice = service.register("alice", "Alice", PASSWORD, null);
        AccountInfo bob = service.register("bob", "Bob", PASSWORD, null);
        service.register("acme", "Acme", PASSWORD, "business");
        service.register("carol", "Carol", PASSWORD, null);
        service.block(alice.id(), "carol");
        clock.advance(Duration.ofSeconds(1));
        service.block(alice.id(), "acme");
        clock.advance(Duration.ofSeconds(1));
        service.block(bob.id(), "alice");
        assertEquals(List.of("acme", "carol"), blockedHandles(alice.id()));
        assertEquals(List.of("alice"), blockedHandles(bob.id()));
        assertEquals(Instant.parse("2026-03-01T10:00:01Z"), service.blockedBy(alice.id()).get(0).blockedAt());
        assertTrue(service.blocks(bob.id(), alice.id()));
        assertFalse(service.blocks(alice.id(), bob.id()));
    }

    @Test
    void blockingNeedsAnotherExistingAccount() throws Exception {
        AccountInfo alice = service.register("alice", "Alice", PASSWORD, null);
        assertCode(404, "not_found", () -> service.block(alice.id(), "nobody"));
        assertCode(404, "not_found", () -> service.block(alice.id(), "not a handle!"));
        assertCode(404, "not_found", () -> service.block(alice.id(), null));
        assertCode(404, "not_found", () -> service.unblock(alice.id(), "nobody"));
        assertCode(400, "invalid_handle", () -> service.block(alice.id(), "ALICE"));
        assertCode(400, "invalid_handle", () -> service.unblock(alice.id(), "alice"));
        assertEquals(0, count("SELECT count(*) FROM accounts.blocks"));
        assertFalse(service.blocks(alice.id(), alice.id()));
        assertFalse(service.blocks(null, alice.id()));
        assertFalse(service.blocks(alice.id(), null));
        assertFalse(service.blocks("unknown", "other"));
    }

    private List<String> blockedHandles(String accountId) {
        return service.blockedBy(accountId).stream().map(BlockedAccount::handle).toList();
    }

    private Instant lastSeen(String sessionId) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT last_seen_at FROM accounts.sessions WHERE id = ?")) {
            s.setString(1, sessionId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getTimestamp(1).toInstant();
            }
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    private static ApiException assertCode(int status, String code, Executable e) {
        ApiException failure = assertThrows(ApiException.class, e);
        assertEquals(status, failure.status(), failure.getMessage());
        assertEquals(code, failure.code());
        return failure;
    }
}
