package io.switchboard.sip.trunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sip.SipSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trunks on a real PostgreSQL with the real migrations. */
class TrunkServiceTest {
    private static EmbeddedPostgres postgres;
    @TempDir static Path home;
    private static TrunkService trunks;

    private static final AccountPrincipal ACME = new AccountPrincipal("acct_acme", "acme", "business", "s1");
    private static final AccountPrincipal GLOBEX = new AccountPrincipal("acct_globex", "globex", "business", "s2");
    private static final AccountPrincipal ALICE = new AccountPrincipal("acct_alice", "alice", "person", "s3");

    @BeforeAll
    static void start() throws Exception {
        postgres = SipSchema.start();
        trunks = new TrunkService(new TrunkStore(postgres.getPostgresDatabase(), SecretBox.fromKeyFile(home.resolve("k"))),
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) postgres.close();
    }

    private static TrunkViews.NewTrunk register(String name) {
        return new TrunkViews.NewTrunk(name, "register", "127.0.0.2", 5060, "udp", "acme", "pbx-pass-1", "pbx.local", 1, null, 4);
    }

    @Test
    void aCompanyAddsListsAndDeletesItsTrunksAndThePasswordStaysInside() throws Exception {
        TrunkViews.TrunkView main = trunks.create(ACME, register("main"));
        TrunkViews.TrunkView peer = trunks.create(ACME, new TrunkViews.NewTrunk("backup", "peer", "PBX.Example.com", null, "tcp",
                null, null, null, 20, 2, null));
        assertEquals("unregistered", main.status());
        assertEquals("unreachable", peer.status());
        assertEquals("pbx.example.com", peer.host());
        assertEquals(5060, peer.port());
        assertEquals(List.of("main", "backup"), trunks.list(ACME).stream().map(TrunkViews.TrunkView::name).toList(),
                "by priority");
        assertTrue(trunks.list(GLOBEX).isEmpty(), "another company sees none of them");
        assertEquals(Set.of("main", "backup"), trunks.names("acct_acme"));
        assertFalse(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(trunks.list(ACME)).contains("pbx-pass-1"),
                "no answer carries the password");
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT password_sealed FROM sip.trunks WHERE name = 'main'")) {
            r.next();
            assertFalse(r.getString(1).contains("pbx-pass-1"), "sealed in the database");
        }
        assertEquals("pbx-pass-1", new TrunkStore(postgres.getPostgresDatabase(), SecretBox.fromKeyFile(home.resolve("k")))
                .find("acct_acme", main.id()).orElseThrow().password(), "and opened again for digest auth");

        assertEquals(409, assertThrows(ApiException.class, () -> trunks.create(ACME, register("main"))).status());
        assertEquals(404, assertThrows(ApiException.class, () -> trunks.delete(GLOBEX, main.id())).status(),
                "someone else's trunk id");
        trunks.delete(ACME, main.id());
        assertEquals(List.of("backup"), trunks.list(ACME).stream().map(TrunkViews.TrunkView::name).toList());
        assertEquals(404, assertThrows(ApiException.class, () -> trunks.delete(ACME, main.id())).status());
        trunks.delete(ACME, peer.id());
    }

    @Test
    void onlyBusinessesHaveTrunksAndEveryFaultIsNamed() {
        assertEquals(403, assertThrows(ApiException.class, () -> trunks.create(ALICE, register("x"))).status());
        assertEquals(403, assertThrows(ApiException.class, () -> trunks.list(ALICE)).status());
        List<TrunkViews.NewTrunk> bad = List.of(
                new TrunkViews.NewTrunk("Main", "register", "h", null, null, "u", "p", null, null, null, null),
                new TrunkViews.NewTrunk("m", "forward", "h", null, null, null, null, null, null, null, null),
                new TrunkViews.NewTrunk("m", "peer", "bad host!", null, null, null, null, null, null, null, null),
                new TrunkViews.NewTrunk("m", "peer", "-h", null, null, null, null, null, null, null, null),
                new TrunkViews.NewTrunk("m", "peer", "h", 70000, null, null, null, null, null, null, null),
                new TrunkViews.NewTrunk("m", "peer", "h", null, "tls", null, null, null, null, null, null),
                new TrunkViews.NewTrunk("m", "register", "h", null, null, null, "p", null, null, null, null),
                new TrunkViews.NewTrunk("m", "register", "h", null, null, "u", null, null, null, null, null),
                new TrunkViews.NewTrunk("m", "register", "h", null, null, "u u", "p", null, null, null, null),
                new TrunkViews.NewTrunk("m", "peer", "h", null, null, "u", "p", null, null, null, null),
                new TrunkViews.NewTrunk("m", "peer", "h", null, null, null, null, null, -1, null, null),
                new TrunkViews.NewTrunk("m", "peer", "h", null, null, null, null, null, null, 0, null),
                new TrunkViews.NewTrunk("m", "peer", "h", null, null, null, null, null, null, null, 0));
        for (TrunkViews.NewTrunk b : bad) {
            ApiException e = assertThrows(ApiException.class, () -> trunks.create(ACME, b), b.toString());
            assertEquals(400, e.status());
            assertEquals("invalid_trunk", e.code());
        }
        assertTrue(trunks.list(ACME).isEmpty(), "nothing stored");
        TrunkViews.TrunkView ipv6 = trunks.create(ACME, new TrunkViews.NewTrunk("v6", "peer", "[::1]", null, null, null, null,
                null, null, null, null));
        assertNull(ipv6.maxChannels());
        trunks.delete(ACME, ipv6.id());
    }
}
