package io.switchboard.sip.trunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sip.Loopback;
import io.switchboard.sip.SipSchema;
import io.switchboard.sip.stack.SipStackAccess;
import io.switchboard.sip.stack.SipStackComponent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trunks talking to a real PBX: kamailio on 127.0.0.2 as the registrar (digest auth, bindings in memory,
 * at most 10 s granted), the real stack on 127.0.0.1, the trunks stored in a real PostgreSQL and their
 * status read as {@code GET /api/v1/trunks} shows it. Timings are short: retries after 1 s, 2 s, 4 s; T1
 * 50 ms, so a request nobody answers gives up after 3.2 s.
 */
class TrunkKamailioTest {
    private static final String PASSWORD = "pbx-secret-7";
    private static final String WRONG_PASSWORD = "not-the-pbx-secret";
    private static final TrunkTimings FAST = new TrunkTimings(3600, Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(4), Duration.ofMillis(50), Duration.ofSeconds(2));
    private static final AccountPrincipal ACME = new AccountPrincipal("acct_acme", "acme", "business", "s1");
    private static final Pattern CALL_ID = Pattern.compile(" callid=(\\S+) ");
    private static final Pattern CSEQ = Pattern.compile(" cseq=(\\d+) ");
    private static final Pattern NONCE = Pattern.compile("nonce=\"([^\"]+)\"");
    private static final Pattern NC = Pattern.compile("nc=([0-9a-f]{8})");

    @TempDir static Path dir;
    private static Kamailio pbx;
    private static EmbeddedPostgres postgres;
    private static SipStackComponent sip;
    private static int sipPort;
    private static TrunkService trunks;
    private static TrunkSupervisor supervisor;
    private static final ByteArrayOutputStream LOGGED = new ByteArrayOutputStream();
    private static PrintStream stderr;

    @BeforeAll
    static void start() throws Exception {
        // What we log, kept to look for passwords in it (slf4j-simple writes to the System.err of the moment).
        stderr = System.err;
        System.setErr(new PrintStream(new Tee(stderr, LOGGED), true, StandardCharsets.UTF_8));
        pbx = Kamailio.start(dir, PASSWORD, 10, 60);
        postgres = SipSchema.start();
        sip = SipStackAccess.startOnFreePort(Loopback.STACK);
        sipPort = SipStackAccess.port(sip);
        trunks = new TrunkService(new TrunkStore(postgres.getPostgresDatabase(), SecretBox.fromKeyFile(dir.resolve("key"))),
                Clock.systemUTC());
        supervisor = new TrunkSupervisor(sip, trunks, FAST);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (supervisor != null) supervisor.deactivate();
            if (sip != null) SipStackAccess.stop(sip);
            if (pbx != null) pbx.close();
            if (postgres != null) postgres.close();
        } finally {
            System.setErr(stderr);
        }
        String logged = LOGGED.toString(StandardCharsets.UTF_8);
        assertFalse(logged.contains(PASSWORD) || logged.contains(WRONG_PASSWORD), "a password was logged:\n" + logged);
        assertTrue(logged.contains("registered for"), "the log was captured: " + logged);
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void aRegisterTrunkRegistersAndDeletingItUnregisters(String transport) throws Exception {
        String user = "acme-" + transport;
        TrunkViews.TrunkView trunk = register(transport, user, PASSWORD, null, transport);
        assertEquals("unregistered", trunk.status(), "as created");
        awaitStatus(trunk.id(), "registered", Duration.ofSeconds(10));

        String contact = "sip:" + user + "@127.0.0.1:" + sipPort + ("tcp".equals(transport) ? ";transport=tcp" : "");
        awaitSaved(user, " contacts=1 contact=" + contact + " ");
        List<String> registers = pbx.registers(user);
        assertEquals(2, registers.size(), "challenged once, then registered: " + registers);
        assertTrue(registers.get(0).endsWith(" auth=<null><null>"), "the first REGISTER carries no credentials: " + registers);
        String auth = registers.get(1);
        assertTrue(auth.contains("username=\"" + user + "\"") && auth.contains("realm=\"" + Kamailio.REALM + "\"")
                && auth.contains("qop=auth") && auth.contains("nc=00000001") && auth.contains("cnonce=\""), auth);
        assertTrue(registers.get(0).contains(" expires=3600 "), registers.get(0));

        long t0 = System.nanoTime();
        trunks.delete(ACME, trunk.id());
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1_500), "kamailio answers the un-REGISTER at once");
        registers = pbx.registers(user);
        String unregister = last(registers);
        assertTrue(unregister.contains(" expires=0 "), "deleting un-REGISTERs: " + unregister);
        assertTrue(unregister.contains("nc=00000002"), "with the credentials kamailio took before: " + unregister);
        awaitSaved(user, " contacts=0");
        assertEquals(1, registers.stream().map(r -> group(CALL_ID, r)).distinct().count(), "one Call-ID: " + registers);
        assertEquals(List.of(1, 2, 3), registers.stream().map(r -> Integer.parseInt(group(CSEQ, r))).toList(), "CSeq one up each time");
        assertTrue(view(trunk.id()).isEmpty());
    }

    @Test
    void theRegistrationIsRefreshedBeforeTheGrantedTimeRunsOut() throws Exception {
        String user = "acme-refresh";
        TrunkViews.TrunkView trunk = register("refresh", user, PASSWORD, Kamailio.REALM, "udp");
        awaitStatus(trunk.id(), "registered", Duration.ofSeconds(10));
        // kamailio grants 10 s: the refresh goes out after 5 s
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
        while (pbx.saved(user).size() < 2) {
            assertEquals("registered", view(trunk.id()).orElseThrow().status(), "registered all along");
            if (System.nanoTime() > deadline) fail("no refresh within 12 s:\n" + pbx.text());
            Thread.sleep(100);
        }
        List<String> registers = pbx.registers(user);
        assertEquals(3, registers.size(), "the refresh reuses the nonce, so no new challenge: " + registers);
        assertEquals(group(NONCE, registers.get(1)), group(NONCE, registers.get(2)), "the same nonce");
        assertEquals("00000002", group(NC, registers.get(2)), "its count one up (kamailio checks that it grows)");
        awaitSaved(user, " contacts=1 ");
        assertEquals("registered", view(trunk.id()).orElseThrow().status());
        trunks.delete(ACME, trunk.id());
    }

    @Test
    void aWrongPasswordFailsAndIsRetriedWithBackOffNotInALoop() throws Exception {
        String user = "acme-wrong";
        TrunkViews.TrunkView trunk = register("wrong", user, WRONG_PASSWORD, null, "udp");
        TrunkViews.TrunkView failed = awaitStatus(trunk.id(), "failed", Duration.ofSeconds(10));
        assertTrue(failed.lastError().startsWith("authentication failed") && failed.lastError().contains(user)
                && failed.lastError().contains("\"" + Kamailio.REALM + "\""), failed.lastError());
        assertEquals(2, pbx.registers(user).size(), "one answer to the challenge, not a second: " + pbx.registers(user));
        assertFalse(new ObjectMapper().writeValueAsString(trunks.list(ACME)).contains(WRONG_PASSWORD), "no answer carries it");
        // retries after 1 s and 2 s more, two REGISTERs each; the next one only 4 s after that
        Thread.sleep(3_500);
        int count = pbx.registers(user).size();
        assertTrue(count >= 4 && count <= 6, "retried, but backing off: " + count + " REGISTERs in 3.5 s");
        assertEquals("failed", view(trunk.id()).orElseThrow().status());
        long t0 = System.nanoTime();
        trunks.delete(ACME, trunk.id());
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1_000), "never registered: nothing to undo");
        Thread.sleep(1_500);
        assertEquals(count, pbx.registers(user).size(), "nothing more after the delete");
    }

    @Test
    void proxyChallengesAndChallengesWithoutQopAreAnswered() throws Exception {
        TrunkViews.TrunkView proxied = register("proxied", "proxied", PASSWORD, null, "udp");
        TrunkViews.TrunkView noqop = register("noqop", "noqop", PASSWORD, null, "tcp");
        awaitStatus(proxied.id(), "registered", Duration.ofSeconds(10));
        awaitStatus(noqop.id(), "registered", Duration.ofSeconds(10));
        assertTrue(pbx.lines(l -> l.startsWith("SBT CHALLENGE user=proxied ")).size() >= 1, "kamailio sent a 407");
        String answer = pbx.registers("noqop").get(1);
        assertTrue(answer.contains("response=\"") && !answer.contains("qop=") && !answer.contains("nc="),
                "RFC 2069's form without qop: " + answer);
        trunks.delete(ACME, proxied.id());
        trunks.delete(ACME, noqop.id());
        awaitSaved("proxied", " contacts=0");
    }

    @Test
    void aChallengeOfAnotherRealmGetsNoAnswer() throws Exception {
        String user = "acme-realm";
        TrunkViews.TrunkView trunk = register("realm", user, PASSWORD, "other.test", "udp");
        TrunkViews.TrunkView failed = awaitStatus(trunk.id(), "failed", Duration.ofSeconds(10));
        assertTrue(failed.lastError().contains("\"" + Kamailio.REALM + "\"") && failed.lastError().contains("\"other.test\""),
                failed.lastError());
        List<String> registers = pbx.registers(user);
        assertTrue(registers.stream().allMatch(r -> r.endsWith(" auth=<null><null>")), "never answered: " + registers);
        trunks.delete(ACME, trunk.id());
    }

    @Test
    void aPeerTrunkAnsweringOptionsIsReachable() throws Exception {
        TrunkViews.TrunkView trunk = trunks.create(ACME, new TrunkViews.NewTrunk("peer", "peer", "127.0.0.2", pbx.port, "tcp",
                null, null, null, null, null, null));
        TrunkViews.TrunkView reachable = awaitStatus(trunk.id(), "reachable", Duration.ofSeconds(10));
        assertNull(reachable.lastError());
        // probed every second
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pbx.lines(l -> l.startsWith("SBT REQ OPTIONS user=<null> ")).size() < 2) {
            if (System.nanoTime() > deadline) fail("not probed again:\n" + pbx.text());
            Thread.sleep(100);
        }
        trunks.delete(ACME, trunk.id());
    }

    @Test
    void aPeerTrunkNobodyAnswersIsUnreachable() throws Exception {
        int closed = Loopback.freePort(Loopback.NOBODY);
        TrunkViews.TrunkView udp = trunks.create(ACME, new TrunkViews.NewTrunk("closed-udp", "peer", "127.0.0.4", closed, "udp",
                null, null, null, null, null, null));
        TrunkViews.TrunkView tcp = trunks.create(ACME, new TrunkViews.NewTrunk("closed-tcp", "peer", "127.0.0.4", closed, "tcp",
                null, null, null, null, null, null));
        // unreachable from the start; the probe's outcome brings the reason
        TrunkViews.TrunkView refused = awaitError(tcp.id(), Duration.ofSeconds(5));
        assertEquals("unreachable", refused.status());
        assertTrue(refused.lastError().startsWith("cannot reach 127.0.0.4:" + closed + "/tcp"), refused.lastError());
        TrunkViews.TrunkView silent = awaitError(udp.id(), Duration.ofSeconds(10));
        assertEquals("unreachable", silent.status());
        assertEquals("no answer from 127.0.0.4:" + closed + "/udp", silent.lastError());
        trunks.delete(ACME, udp.id());
        trunks.delete(ACME, tcp.id());
    }

    @Test
    void stoppingUnregistersEveryTrunkAndStartingAgainRegistersTheStoredOnes() throws Exception {
        TrunkViews.TrunkView a = register("stop-a", "acme-stop-a", PASSWORD, null, "udp");
        TrunkViews.TrunkView b = register("stop-b", "acme-stop-b", PASSWORD, null, "tcp");
        awaitStatus(a.id(), "registered", Duration.ofSeconds(10));
        awaitStatus(b.id(), "registered", Duration.ofSeconds(10));

        long t0 = System.nanoTime();
        supervisor.deactivate();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "kamailio answers at once");
        for (String user : List.of("acme-stop-a", "acme-stop-b")) {
            assertTrue(last(pbx.registers(user)).contains(" expires=0 "), pbx.registers(user).toString());
            awaitSaved(user, " contacts=0");
        }
        assertEquals("unregistered", view(a.id()).orElseThrow().status());
        assertEquals("unregistered", view(b.id()).orElseThrow().status());

        supervisor = new TrunkSupervisor(sip, trunks, FAST);
        awaitStatus(a.id(), "registered", Duration.ofSeconds(10));
        awaitStatus(b.id(), "registered", Duration.ofSeconds(10));
        awaitSaved("acme-stop-b", " contacts=1 ");
        trunks.delete(ACME, a.id());
        trunks.delete(ACME, b.id());
    }

    /** A PBX that answers the first REGISTER and then goes silent: the delete waits 2 s for it, no longer. */
    @Test
    void deletingATrunkWhosePbxWentSilentWaitsAtMostTwoSeconds() throws Exception {
        try (DatagramSocket silentPbx = new DatagramSocket(new InetSocketAddress(Loopback.SIPP, 0))) {
            silentPbx.setSoTimeout(5_000);
            TrunkViews.TrunkView trunk = register("silent", "acme-silent", PASSWORD, null, "udp", silentPbx.getLocalPort(), "127.0.0.3");
            DatagramPacket in = new DatagramPacket(new byte[65_535], 65_535);
            silentPbx.receive(in);
            String request = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
            assertTrue(request.startsWith("REGISTER sip:127.0.0.3:" + silentPbx.getLocalPort() + " SIP/2.0\r\n"), request);
            byte[] ok = ok(request).getBytes(StandardCharsets.UTF_8);
            silentPbx.send(new DatagramPacket(ok, ok.length, in.getSocketAddress()));
            awaitStatus(trunk.id(), "registered", Duration.ofSeconds(5));

            long t0 = System.nanoTime();
            trunks.delete(ACME, trunk.id());
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(took >= 1_900 && took < 3_000, "waited for the un-REGISTER's answer for the stop wait: " + took + " ms");
            assertTrue(view(trunk.id()).isEmpty());
            silentPbx.receive(in);
            String unregister = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
            assertTrue(unregister.startsWith("REGISTER ") && unregister.contains("\r\nExpires: 0\r\n"), unregister);
        }
    }

    private static TrunkViews.TrunkView register(String name, String user, String password, String realm, String transport) {
        return register(name, user, password, realm, transport, pbx.port, "127.0.0.2");
    }

    private static TrunkViews.TrunkView register(String name, String user, String password, String realm, String transport,
                                                 int port, String host) {
        return trunks.create(ACME, new TrunkViews.NewTrunk(name, "register", host, port, transport, user, password, realm,
                null, null, null));
    }

    /** A 200 to a REGISTER as a registrar writes it: our contact back, granted 60 s. */
    private static String ok(String request) {
        StringBuilder out = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : request.split("\r\n")) {
            String name = line.contains(":") ? line.substring(0, line.indexOf(':')) : "";
            switch (name) {
                case "Via", "From", "Call-ID", "CSeq" -> out.append(line).append("\r\n");
                case "To" -> out.append(line).append(";tag=pbx\r\n");
                case "Contact" -> out.append(line).append(";expires=60\r\n");
                default -> { }
            }
        }
        return out.append("Content-Length: 0\r\n\r\n").toString();
    }

    private static Optional<TrunkViews.TrunkView> view(String id) {
        return trunks.list(ACME).stream().filter(t -> t.id().equals(id)).findFirst();
    }

    private static TrunkViews.TrunkView awaitStatus(String id, String status, Duration within) throws InterruptedException {
        return await(id, t -> status.equals(t.status()), within, "status " + status);
    }

    private static TrunkViews.TrunkView awaitError(String id, Duration within) throws InterruptedException {
        return await(id, t -> t.lastError() != null, within, "a lastError");
    }

    private static TrunkViews.TrunkView await(String id, Predicate<TrunkViews.TrunkView> done, Duration within,
                                              String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            TrunkViews.TrunkView t = view(id).orElseThrow();
            if (done.test(t)) return t;
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + within.toSeconds() + " s: " + t.status() + " / " + t.lastError() + "\n" + pbx.text());
            }
            Thread.sleep(50);
        }
    }

    /**
     * kamailio's last binding line for {@code user} once it contains {@code fragment}, waiting up to 5 s:
     * kamailio answers from save() and writes the line after, so it may lag behind the 200 we saw.
     */
    private static String awaitSaved(String user, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<String> saved = pbx.saved(user);
            if (!saved.isEmpty() && last(saved).contains(fragment)) return last(saved);
            if (System.nanoTime() > deadline) fail("kamailio's location for " + user + " never showed '" + fragment + "': " + saved);
            Thread.sleep(20);
        }
    }

    private static String last(List<String> lines) {
        assertFalse(lines.isEmpty(), "kamailio logged nothing of it:\n" + pbx.text());
        return lines.get(lines.size() - 1);
    }

    private static String group(Pattern p, String line) {
        Matcher m = p.matcher(line);
        assertTrue(m.find(), p + " in " + line);
        return m.group(1);
    }

    /** Writes to both streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
