package io.switchboard.accounts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.accounts.DirectoryText;
import io.switchboard.accounts.TestDatabase;
import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountKind;
import io.switchboard.sdk.api.ApiException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store layer against a real PostgreSQL with the real migration. */
class StoresTest {
    private static TestDatabase db;
    private AccountStore accounts;
    private SessionStore sessions;
    private DirectoryStore directory;
    private BlockStore blocks;

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
        accounts = new AccountStore(db.dataSource());
        sessions = new SessionStore(db.dataSource());
        directory = new DirectoryStore(db.dataSource());
        blocks = new BlockStore(db.dataSource());
    }

    private AccountInfo person(String handle, String name) {
        return accounts.create(handle, name, AccountKind.PERSON, "hash");
    }

    @Test
    void createsAndFindsAccounts() {
        AccountInfo alice = person("alice", "Alice Liddell");
        assertEquals(26, alice.id().length());
        assertEquals("alice", alice.handle());
        assertEquals(AccountKind.PERSON, alice.kind());
        assertNull(alice.about());
        assertFalse(alice.verified());
        assertEquals(Optional.of(alice), accounts.byHandle("ALICE"));
        assertEquals(Optional.of(alice), accounts.byId(alice.id()));
        assertEquals(Optional.empty(), accounts.byHandle("bob"));
        assertEquals("hash", accounts.credentials("alice").orElseThrow().passwordHash().orElseThrow());
    }

    @Test
    void handleDifferingOnlyInCaseIsTaken() throws Exception {
        person("alice", "Alice");
        ApiException e = assertThrows(ApiException.class,
                () -> accounts.create("alice", "Other", AccountKind.BUSINESS, "h"));
        assertEquals(409, e.status());
        assertEquals("handle_taken", e.code());
        // Written around the Java rules, an upper-case twin is still refused by the database.
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThrows(java.sql.SQLException.class, () -> s.execute(
                    "INSERT INTO accounts.accounts (id, handle, display_name, kind) VALUES ('x', 'ALICE', 'A', 'person')"));
        }
        assertEquals(1, countRows("accounts.accounts"));
    }

    @Test
    void concurrentRegistrationsOfOneHandleHaveOneWinner() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Callable<Boolean> task = () -> {
                    go.await();
                    try {
                        person("racer", "Racer");
                        return true;
                    } catch (ApiException e) {
                        assertEquals("handle_taken", e.code());
                        return false;
                    }
                };
                results.add(pool.submit(task));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> f : results) if (f.get()) winners++;
            assertEquals(1, winners);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sessionsAreCreatedFoundTouchedAndRevoked() {
        AccountInfo alice = person("alice", "Alice");
        byte[] hash = new byte[32];
        hash[0] = 7;
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String sessionId = sessions.create(alice.id(), "phone", hash, t0);
        SessionOwner owner = sessions.findByTokenHash(hash).orElseThrow();
        assertEquals(sessionId, owner.sessionId());
        assertEquals(alice.id(), owner.accountId());
        assertEquals("alice", owner.handle());
        assertEquals(t0, owner.lastSeenAt());

        assertFalse(sessions.touch(sessionId, t0.plusSeconds(30), t0.minusSeconds(30)), "not stale yet");
        assertTrue(sessions.touch(sessionId, t0.plusSeconds(90), t0.plusSeconds(30)));
        assertEquals(t0.plusSeconds(90), sessions.findByTokenHash(hash).orElseThrow().lastSeenAt());

        byte[] other = new byte[32];
        String second = sessions.create(alice.id(), null, other, t0);
        assertTrue(sessions.delete(sessionId));
        assertEquals(Optional.empty(), sessions.findByTokenHash(hash));
        assertEquals(second, sessions.findByTokenHash(other).orElseThrow().sessionId(), "other devices stay");
        assertFalse(sessions.delete(sessionId));
    }

    @Test
    void profileUpdatesRewriteDirectoryWords() {
        AccountInfo a = person("bob", "Bob Builder");
        assertEquals(1, search("builder").size());
        AccountInfo updated = accounts.updateProfile(a.id(), "Robert Baumeister", true, "Fixes things").orElseThrow();
        assertEquals("Robert Baumeister", updated.displayName());
        assertEquals("Fixes things", updated.about());
        assertEquals(0, search("builder").size());
        assertEquals(1, search("baum").size());
        AccountInfo kept = accounts.updateProfile(a.id(), null, false, null).orElseThrow();
        assertEquals("Fixes things", kept.about());
        assertNull(accounts.updateProfile(a.id(), null, true, null).orElseThrow().about());
        assertEquals(Optional.empty(), accounts.updateProfile("nope", "X", false, null));
    }

    @Test
    void directoryRanksExactHandleThenHandlePrefixThenDisplayName() {
        person("zed", "Acme Fan Club");
        accounts.create("acme_support", "Zeta Support", AccountKind.BUSINESS, null);
        accounts.create("acme", "Acme Corporation", AccountKind.BUSINESS, null);
        person("bob", "Acmeology Bob");
        person("carol", "Carol");
        List<String> handles = handles(search("acme"));
        assertEquals(List.of("acme", "acme_support", "zed", "bob"), handles);
        // "then others by display name": "Acme Fan Club" < "Acmeology Bob".
    }

    @Test
    void directoryIsAccentInsensitiveAndMatchesLaterWords() {
        accounts.create("cafe_zurich", "Café Zürich", AccountKind.BUSINESS, null);
        person("zoe", "Zoë Müller");
        person("other", "Cafeteria Basel");
        assertEquals(List.of("cafe_zurich"), handles(search("cafe zur")));
        assertEquals(List.of("cafe_zurich"), handles(search("CAFÉ ZÜRICH")));
        assertEquals(List.of("cafe_zurich"), handles(search("zurich")));
        assertEquals(List.of("zoe"), handles(search("mull")));
        assertEquals(List.of("zoe"), handles(search("muller zoe")));
        assertEquals(List.of("cafe_zurich", "other"), handles(search("caf")));
        assertEquals(List.of(), handles(search("cafe bern")));
    }

    @Test
    void directoryFiltersByKindAndLimits() {
        accounts.create("acme", "Acme", AccountKind.BUSINESS, null);
        person("acme_fan", "Acme Fan");
        person("acme_fan2", "Acme Fan Two");
        assertEquals(List.of("acme"), handles(directory.search(List.of("acme"), "acme", Optional.of(AccountKind.BUSINESS), 20)));
        assertEquals(List.of("acme_fan", "acme_fan2"),
                handles(directory.search(List.of("acme"), "acme", Optional.of(AccountKind.PERSON), 20)));
        assertEquals(2, directory.search(List.of("acme"), "acme", Optional.empty(), 2).size());
        assertEquals(List.of(), directory.search(List.of("acme"), "acme", Optional.of(AccountKind.CHANNEL), 20));
    }

    @Test
    void likeWildcardsInQueriesAreLiteral() {
        person("a_b_c", "Zzz");
        person("axbyc", "Abc");
        // Were '_' a wildcard, both would rank as handle prefixes and "Abc" would come first.
        assertEquals(List.of("a_b_c", "axbyc"), handles(directory.search(List.of("a"), "a_b", Optional.empty(), 20)));
        assertEquals("a\\_b\\%c\\\\%", DirectoryStore.likePrefix("a_b%c\\"));
    }

    @Test
    void prefixLookupCanUseTheWordIndex() throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (ResultSet r = s.executeQuery(
                    "EXPLAIN SELECT account_id FROM accounts.directory_words WHERE word LIKE 'caf%'")) {
                while (r.next()) plan.append(r.getString(1)).append('\n');
            }
            assertTrue(plan.toString().contains("directory_words_prefix_idx"), plan.toString());
        }
    }

    @Test
    void blocksAreStoredOncePerPairAndGoWithTheirAccounts() throws Exception {
        AccountInfo alice = person("alice", "Alice");
        AccountInfo bob = person("bob", "Bob");
        AccountInfo carol = person("carol", "Carol");
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        blocks.block(alice.id(), bob.id(), t0);
        blocks.block(alice.id(), bob.id(), t0.plusSeconds(60));
        blocks.block(alice.id(), carol.id(), t0.plusSeconds(1));
        blocks.block(carol.id(), alice.id(), t0.plusSeconds(2));
        assertEquals(List.of(new BlockedAccount("carol", "Carol", t0.plusSeconds(1)), new BlockedAccount("bob", "Bob", t0)),
                blocks.blockedBy(alice.id()));
        assertTrue(blocks.blocks(alice.id(), bob.id()));
        assertFalse(blocks.blocks(bob.id(), alice.id()));

        ApiException gone = assertThrows(ApiException.class, () -> blocks.block(alice.id(), "no-such-id", t0));
        assertEquals(404, gone.status());
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThrows(java.sql.SQLException.class, () -> s.execute("INSERT INTO accounts.blocks "
                    + "(blocker_id, blocked_id, blocked_at) VALUES ('" + bob.id() + "', '" + bob.id() + "', now())"));
            s.execute("DELETE FROM accounts.accounts WHERE id = '" + carol.id() + "'");
        }
        assertEquals(List.of(new BlockedAccount("bob", "Bob", t0)), blocks.blockedBy(alice.id()),
                "a deleted account's blocks go with it, both ways");
        assertEquals(1, countRows("accounts.blocks"));

        assertTrue(blocks.unblock(alice.id(), bob.id()));
        assertFalse(blocks.unblock(alice.id(), bob.id()));
        assertFalse(blocks.blocks(alice.id(), bob.id()));
    }

    @Test
    void blockCheckIsAPrimaryKeyLookup() throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (ResultSet r = s.executeQuery(
                    "EXPLAIN SELECT 1 FROM accounts.blocks WHERE blocker_id = 'a' AND blocked_id = 'b'")) {
                while (r.next()) plan.append(r.getString(1)).append('\n');
            }
            assertTrue(plan.toString().contains("blocks_pkey"), plan.toString());
        }
    }

    private List<AccountInfo> search(String q) {
        List<String> words = DirectoryText.words(q);
        return directory.search(words, q.toLowerCase(), Optional.empty(), 20);
    }

    private static List<String> handles(List<AccountInfo> list) {
        return list.stream().map(AccountInfo::handle).toList();
    }

    private static long countRows(String table) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void idsAreOpaqueAndDistinct() {
        assertFalse(Ids.newId().equals(Ids.newId()));
        assertTrue(Ids.newId().matches("[a-z2-7]{26}"));
    }
}
