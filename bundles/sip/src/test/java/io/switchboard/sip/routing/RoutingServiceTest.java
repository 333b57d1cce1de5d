package io.switchboard.sip.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sip.SipSchema;
import io.switchboard.sip.trunk.SecretBox;
import io.switchboard.sip.trunk.TrunkService;
import io.switchboard.sip.trunk.TrunkServiceAccess;
import io.switchboard.sip.trunk.TrunkViews;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing rules stored and read back on a real PostgreSQL, checked against the company's real trunks. */
class RoutingServiceTest {
    private static final AccountPrincipal ACME = new AccountPrincipal("acct_acme_r", "acme", "business", "s1");
    private static final AccountPrincipal ALICE = new AccountPrincipal("acct_alice_r", "alice", "person", "s2");
    private static EmbeddedPostgres postgres;
    @TempDir static Path home;
    private static TrunkService trunks;
    private static RoutingService routing;

    @BeforeAll
    static void start() throws Exception {
        postgres = SipSchema.start();
        trunks = TrunkServiceAccess.service(postgres.getPostgresDatabase(), SecretBox.fromKeyFile(home.resolve("k")));
        routing = new RoutingService(postgres.getPostgresDatabase(), trunks, Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) postgres.close();
    }

    @Test
    void rulesAreCheckedAgainstTheTrunksStoredAndRouteAfterwards() {
        assertEquals("no_routing", assertThrows(ApiException.class, () -> routing.get(ACME)).code());
        ApiException noTrunk = assertThrows(ApiException.class, () -> routing.put(ACME, RouterTest.officeHours()));
        assertEquals(400, noTrunk.status());
        assertEquals("invalid_routing", noTrunk.code());
        assertTrue(noTrunk.getMessage().startsWith("rules[0].ring.members[0].trunk:"), noTrunk.getMessage());
        assertEquals("no_routing", assertThrows(ApiException.class, () -> routing.get(ACME)).code(), "nothing stored");

        trunks.create(ACME, new TrunkViews.NewTrunk("main", "peer", "127.0.0.2", null, null, null, null, null, null, null, null));
        routing.put(ACME, RouterTest.officeHours());
        assertEquals(RouterTest.officeHours(), routing.get(ACME), "read back as written");
        Router router = routing.router("acct_acme_r").orElseThrow();
        assertEquals(3, router.route(Instant.parse("2026-12-02T09:30:00Z"), t -> false).get(0).targets().size());
        assertTrue(routing.router("acct_nobody").isEmpty());
        assertTrue(routing.hasRules("acct_acme_r"));
        assertTrue(!routing.hasRules("acct_nobody"));

        assertEquals(403, assertThrows(ApiException.class, () -> routing.put(ALICE, RouterTest.officeHours())).status());
        assertEquals(403, assertThrows(ApiException.class, () -> routing.get(ALICE)).status());
    }
}
