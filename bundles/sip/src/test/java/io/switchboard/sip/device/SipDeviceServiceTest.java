package io.switchboard.sip.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sip.SipSchema;
import io.switchboard.sip.trunk.Digest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SIP phones of an account on a real PostgreSQL with the real migrations. */
class SipDeviceServiceTest {
    private static final AccountPrincipal ALICE = new AccountPrincipal("acct_alice_d", "alice", "person", "s1");
    private static final AccountPrincipal BOB = new AccountPrincipal("acct_bob_d", "bob", "person", "s2");
    private static final AccountPrincipal CAROL = new AccountPrincipal("acct_carol_d", "carol", "person", "s4");
    private static final AccountPrincipal BOT = new AccountPrincipal("acct_bot_d", "helper_bot", "bot", "s3");
    private static EmbeddedPostgres postgres;
    private static SipDeviceService devices;

    @BeforeAll
    static void start() throws Exception {
        postgres = SipSchema.start();
        devices = new SipDeviceService(new SipDeviceStore(postgres.getPostgresDatabase()), "sip.example.com", 5070, Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) postgres.close();
    }

    @Test
    void aPhoneGetsCredentialsOnceAndOnlyItsHashIsKept() throws Exception {
        SipDeviceService.Created desk = devices.create(ALICE, " Desk phone ");
        assertEquals("Desk phone", desk.name());
        assertTrue(desk.username().matches("alice\\.[a-z2-7]{6}"), desk.username());
        assertTrue(desk.password().length() >= 20, "a long random password");
        assertEquals("sip:sip.example.com:5070", desk.registrar());
        assertEquals("sip.example.com", desk.realm());

        SipDevice stored = new SipDeviceStore(postgres.getPostgresDatabase()).byUsername(desk.username()).orElseThrow();
        assertEquals(Digest.ha1(desk.username(), "sip.example.com", desk.password()), stored.ha1());
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT * FROM sip.devices")) {
            while (r.next()) {
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    assertFalse(String.valueOf(r.getString(i)).contains(desk.password()), "the password is not stored");
                }
            }
        }
        assertEquals(1, devices.list(ALICE).devices().size());
        assertFalse(devices.list(ALICE).toString().contains(desk.password()), "listed without the password");
        assertTrue(devices.list(CAROL).devices().isEmpty());

        assertEquals(404, assertThrows(ApiException.class, () -> devices.delete(CAROL, desk.id())).status(), "someone else's phone");
        devices.delete(ALICE, desk.id());
        assertTrue(devices.list(ALICE).devices().isEmpty());
        assertEquals(404, assertThrows(ApiException.class, () -> devices.delete(ALICE, desk.id())).status());
    }

    @Test
    void limitsAndRefusals() {
        assertEquals(403, assertThrows(ApiException.class, () -> devices.create(BOT, "x")).status());
        assertEquals(400, assertThrows(ApiException.class, () -> devices.create(BOB, " ")).status());
        assertEquals(400, assertThrows(ApiException.class, () -> devices.create(BOB, null)).status());
        assertEquals(400, assertThrows(ApiException.class, () -> devices.create(BOB, "x".repeat(65))).status());
        for (int i = 0; i < SipDeviceService.MAX_DEVICES; i++) devices.create(BOB, "phone " + i);
        assertEquals(409, assertThrows(ApiException.class, () -> devices.create(BOB, "one more")).status());
        assertEquals(SipDeviceService.MAX_DEVICES, devices.list(BOB).devices().size());
    }
}
