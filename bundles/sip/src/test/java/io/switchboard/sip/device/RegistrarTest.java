package io.switchboard.sip.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sip.Loopback;
import io.switchboard.sip.SipSchema;
import io.switchboard.sip.stack.RawSip;
import io.switchboard.sip.stack.RequestHandler;
import io.switchboard.sip.stack.SipStackAccess;
import io.switchboard.sip.stack.SipStackComponent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;
import javax.sip.message.Response;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registrar on a real stack (127.0.0.1) and a real PostgreSQL with the real migrations, against
 * SIPp playing the phone on 127.0.0.3 (src/test/resources/sipp/phone-*.xml, digests by SIPp's
 * [authentication]), baresip on 127.0.0.6 as a real softphone, and a phone written by hand on 127.0.0.5
 * for broken requests, replays and INVITEs.
 * The domain is sip.test, reached at 127.0.0.1: the phones' request-URI and To name the domain.
 */
class RegistrarTest {
    private static final Path SIPP = Path.of("/usr/bin/sipp");
    private static final String DOMAIN = "sip.test";
    private static final InetAddress HAND = address(5);
    private static final Path BARESIP = Path.of("/usr/bin/baresip");
    private static final InetAddress BARESIP_ADDRESS = address(6);

    private static EmbeddedPostgres postgres;
    private static DataSource db;
    private static SipStackComponent sip;
    private static InetSocketAddress registrarAddress;

    @TempDir Path dir;
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    private final List<AutoCloseable> closing = new ArrayList<>();
    private SipDeviceService devices;
    private DeviceRegistry registry;

    @BeforeAll
    static void startAll() throws Exception {
        postgres = SipSchema.start();
        db = postgres.getPostgresDatabase();
        sip = SipStackAccess.startOnFreePort(Loopback.STACK);
        registrarAddress = new InetSocketAddress(Loopback.STACK, SipStackAccess.port(sip));
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (sip != null) SipStackAccess.stop(sip);
        if (postgres != null) postgres.close();
    }

    @BeforeEach
    void start() {
        assertTrue(Files.isExecutable(SIPP), "sipp is not installed: .ci/run installs Debian's package sip-tester");
        devices = new SipDeviceService(new SipDeviceStore(db), DOMAIN, registrarAddress.getPort(), clock);
        registry = new DeviceRegistry(sip, db, DOMAIN, clock);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) c.close();
        if (registry != null) registry.deactivate();
    }

    private record Phone(AccountPrincipal owner, SipDeviceService.Created created) {
        String user() {
            return created.username();
        }
    }

    private Phone phone(String handle) {
        AccountPrincipal owner = new AccountPrincipal("acct_" + UUID.randomUUID(), handle, "person", "s");
        return new Phone(owner, devices.create(owner, "desk"));
    }

    // --- SIPp as the phone

    @Test
    void aPhoneRegistersWithItsPasswordAndRemovesItsContactWithExpiresZero() throws Exception {
        Phone alice = phone("alice");
        Sipp sipp = sipp("phone-register.xml", "u1", alice.user(), alice.created().password());
        sipp.assertPassed();
        assertTrue(registry.bindings(alice.owner().accountId()).isEmpty(), "Expires 0 removed the contact");
        assertEquals(0, rows(alice.created().id()));
    }

    @Test
    void expiresUnderAMinuteGets423ThenTheBindingKeepsWhereThePhoneIsAndOutlivesTheRegistrar() throws Exception {
        Phone bob = phone("bob");
        Sipp sipp = sipp("phone-423.xml", "u1", bob.user(), bob.created().password());
        sipp.assertPassed();

        List<Binding> bound = registry.bindings(bob.owner().accountId());
        assertEquals(1, bound.size(), bound::toString);
        Binding b = bound.get(0);
        assertEquals("sip:" + bob.user() + "@127.0.0.3:" + sipp.port, b.contact());
        assertEquals("127.0.0.3", b.sourceAddress());
        assertEquals(sipp.port, b.sourcePort());
        assertEquals("UDP", b.transport());
        assertEquals(bob.created().id(), b.deviceId());
        assertEquals(bob.owner().accountId(), b.accountId());
        assertEquals(3, b.cseq(), "the REGISTER that got the 200");
        assertEquals(clock.instant().plusSeconds(60), b.expiresAt());
        devices.setRegistry(registry);
        SipDeviceService.View listedPhone = devices.list(bob.owner()).devices().get(0);
        assertTrue(listedPhone.registered(), "GET /api/v1/sip-devices shows the phone registered");
        assertEquals(b.expiresAt().toString(), listedPhone.registeredUntil());

        // a new registrar on the same database (a bundle update, a restart) knows the binding and lists it
        registry.deactivate();
        registry = new DeviceRegistry(sip, db, DOMAIN, clock);
        assertEquals(bound, registry.bindings(bob.owner().accountId()));
        RawPhone hand = hand(bob);
        clock.advance(Duration.ofSeconds(20));
        String listed = hand.registerAuthorized("");
        assertEquals(200, RawSip.parse(listed).status(), listed);
        assertEquals(List.of("<sip:" + bob.user() + "@127.0.0.3:" + sipp.port + ">;expires=40"), RawPhone.contacts(listed));
        assertEquals(bound, registry.bindings(bob.owner().accountId()), "listing changes nothing");

        // expired: not returned, then swept
        clock.advance(Duration.ofSeconds(40));
        assertTrue(registry.bindings(bob.owner().accountId()).isEmpty());
        devices.setRegistry(registry);
        assertFalse(devices.list(bob.owner()).devices().get(0).registered(), "expired: not registered");
        assertEquals(null, devices.list(bob.owner()).devices().get(0).registeredUntil());
        assertEquals(1, rows(bob.created().id()));
        registry.sweep();
        assertEquals(0, rows(bob.created().id()));
    }

    @Test
    void overTcpTheBindingSaysTcp() throws Exception {
        Phone tcp = phone("tina");
        sipp("phone-423.xml", "t1", tcp.user(), tcp.created().password()).assertPassed();
        List<Binding> bound = registry.bindings(tcp.owner().accountId());
        assertEquals(1, bound.size(), bound::toString);
        assertEquals("TCP", bound.get(0).transport());
        assertEquals("127.0.0.3", bound.get(0).sourceAddress());
    }

    @Test
    void aWrongPasswordIsChallengedAgainAndBindsNothing() throws Exception {
        Phone carol = phone("carol");
        sipp("phone-refused.xml", "u1", carol.user(), "not-" + carol.created().password()).assertPassed();
        assertTrue(registry.bindings(carol.owner().accountId()).isEmpty());
        assertEquals(0, rows(carol.created().id()));
    }

    @Test
    void anUnknownUserIsChallengedAgainAndBindsNothing() throws Exception {
        sipp("phone-refused.xml", "u1", "mallory.abcdef", "whatever").assertPassed();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM sip.device_bindings WHERE contact LIKE '%mallory%'"); ResultSet r = s.executeQuery()) {
            r.next();
            assertEquals(0, r.getInt(1));
        }
    }

    @Test
    void baresipRegistersAndUnregistersWhenItStops() throws Exception {
        assertTrue(Files.isExecutable(BARESIP), "baresip is not installed: .ci/run installs Debian's package baresip");
        Phone judy = phone("judy");
        Path home = Files.createDirectories(dir.resolve("baresip"));
        int port = Loopback.freePort(BARESIP_ADDRESS);
        Files.writeString(home.resolve("config"), "poll_method epoll\nsip_listen " + BARESIP_ADDRESS.getHostAddress() + ":" + port
                + "\nmodule_path /usr/lib/baresip/modules\nmodule g711.so\nmodule_tmp account.so\n");
        // the domain is not in DNS: the registrar's address is the outbound proxy
        Files.writeString(home.resolve("accounts"), "<sip:" + judy.user() + "@" + DOMAIN + ">;auth_pass="
                + judy.created().password() + ";outbound=\"sip:" + registrarAddress.getAddress().getHostAddress() + ":"
                + registrarAddress.getPort() + "\";regint=600\n");
        Files.writeString(home.resolve("contacts"), "");
        Path log = dir.resolve("baresip.log");
        Process baresip = new ProcessBuilder(BARESIP.toString(), "-f", home.toString(), "-s", "-t", "60")
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        closing.add(baresip::destroyForcibly);

        List<Binding> bound = awaitBindings(judy, 1, log);
        assertTrue(bound.get(0).contact().matches("sip:" + Pattern.quote(judy.user()) + "[^@]*@"
                + Pattern.quote(BARESIP_ADDRESS.getHostAddress() + ":" + port) + "(;.*)?"), bound::toString);
        assertEquals(BARESIP_ADDRESS.getHostAddress(), bound.get(0).sourceAddress());
        assertEquals(port, bound.get(0).sourcePort());
        assertTrue(Duration.between(clock.instant(), bound.get(0).expiresAt()).toSeconds() > 500, bound::toString);

        baresip.destroy(); // SIGTERM: baresip un-registers on its way out
        awaitBindings(judy, 0, log);
        assertTrue(baresip.waitFor(10, TimeUnit.SECONDS), "baresip ended");
    }

    private List<Binding> awaitBindings(Phone phone, int count, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            List<Binding> bound = registry.bindings(phone.owner().accountId());
            if (bound.size() == count) return bound;
            if (System.nanoTime() > deadline) throw new AssertionError(count + " binding(s) expected, " + bound + "\n" + read(log));
            Thread.sleep(50);
        }
    }

    // --- a phone written by hand

    @Test
    void expiriesAreCappedContactsAddUpAndContactStarRemovesThemAll() throws Exception {
        Phone dave = phone("dave");
        RawPhone hand = hand(dave);
        String a = "<sip:" + dave.user() + "@127.0.0.5:" + hand.port() + ">";
        String b = "<sip:" + dave.user() + "@127.0.0.5:" + hand.port() + ";transport=udp;ob>";

        String first = hand.registerAuthorized("Contact: " + a + "\r\nExpires: 7200\r\n");
        assertEquals(200, RawSip.parse(first).status(), first);
        assertEquals(List.of(a + ";expires=3600"), RawPhone.contacts(first), "at most an hour");

        String second = hand.registerAuthorized("Contact: " + b + ";expires=120\r\nExpires: 3000\r\n");
        assertEquals(List.of(a + ";expires=3600", b + ";expires=120"), RawPhone.contacts(second));
        Binding made = registry.bindings(dave.owner().accountId()).get(1);
        assertEquals("127.0.0.5", made.sourceAddress());
        assertEquals(hand.port(), made.sourcePort());
        assertEquals(hand.callId, made.callId());

        // RFC 3261 10.3 step 7: the same Call-ID with an older CSeq changes nothing
        long newest = hand.cseq;
        hand.cseq = newest - 2;
        String older = hand.registerAuthorized("Contact: " + b + ";expires=0\r\n");
        assertEquals(400, RawSip.parse(older).status(), older);
        hand.cseq = newest;
        assertEquals(2, registry.bindings(dave.owner().accountId()).size());

        List<String> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) eleven.add("Contact: <sip:" + dave.user() + "@127.0.0.5:" + (6000 + i) + ">\r\n");
        String tooMany = hand.registerAuthorized(String.join("", eleven));
        assertEquals(403, RawSip.parse(tooMany).status(), tooMany);
        // nine more make eleven with the two bound: refused as a whole
        String nineMore = hand.registerAuthorized(String.join("", eleven.subList(2, 11)));
        assertEquals(403, RawSip.parse(nineMore).status(), nineMore);
        assertEquals(2, registry.bindings(dave.owner().accountId()).size());

        String[] wrongStars = {"Contact: *\r\nExpires: 300\r\n", "Contact: *\r\n", "Contact: *\r\nContact: " + a + "\r\nExpires: 0\r\n"};
        for (String wrong : wrongStars) {
            String refused = hand.registerAuthorized(wrong);
            assertEquals(400, RawSip.parse(refused).status(), wrong + "\n" + refused);
        }
        assertEquals(2, registry.bindings(dave.owner().accountId()).size());

        String removed = hand.registerAuthorized("Contact: *\r\nExpires: 0\r\n");
        assertEquals(200, RawSip.parse(removed).status(), removed);
        assertEquals(List.of(), RawPhone.contacts(removed));
        assertTrue(registry.bindings(dave.owner().accountId()).isEmpty());
        assertEquals(0, rows(dave.created().id()));
    }

    @Test
    void replayedAndOldCredentialsAreChallengedWithStale() throws Exception {
        Phone erin = phone("erin");
        RawPhone hand = hand(erin);
        String contact = "Contact: <sip:" + erin.user() + "@127.0.0.5:" + hand.port() + ">\r\n";
        assertEquals(200, RawSip.parse(hand.registerAuthorized(contact)).status());

        // the same nonce count again, on a new CSeq: a replay
        hand.nc--;
        String replay = hand.exchange(hand.register(hand.authorization("Authorization", "REGISTER", "sip:" + DOMAIN) + contact));
        assertEquals(401, RawSip.parse(replay).status(), replay);
        assertTrue(RawSip.parse(replay).headers().get("www-authenticate").contains("stale=true"), replay);

        // a nonce over five minutes old with the right password: stale; with a wrong one: not
        clock.advance(Duration.ofMinutes(5));
        String old = hand.exchange(hand.register(hand.authorization("Authorization", "REGISTER", "sip:" + DOMAIN) + contact));
        assertEquals(401, RawSip.parse(old).status(), old);
        assertTrue(RawSip.parse(old).headers().get("www-authenticate").contains("stale=true"), old);
        RawPhone wrong = new RawPhone(HAND, registrarAddress, erin.user(), "guess", DOMAIN);
        closing.add(wrong);
        wrong.nonce = hand.nonce;
        String guessed = wrong.exchange(wrong.register(wrong.authorization("Authorization", "REGISTER", "sip:" + DOMAIN) + contact));
        assertEquals(401, RawSip.parse(guessed).status(), guessed);
        assertFalse(RawSip.parse(guessed).headers().get("www-authenticate").contains("stale"), guessed);

        // the new nonce works
        hand.challengedBy(old);
        assertEquals(200, RawSip.parse(hand.registerAuthorized(contact)).status());
    }

    @Test
    void brokenRegistersGetA4xxWriteNothingAndTheRegistrarGoesOn() throws Exception {
        Phone frank = phone("frank");
        Phone grace = phone("grace");
        RawPhone hand = hand(frank);
        String contact = "Contact: <sip:" + frank.user() + "@127.0.0.5:" + hand.port() + ">\r\n";

        // no To: the stack drops it before anyone sees it (it cannot answer without a To)
        hand.send(hand.request("REGISTER", "sip:" + DOMAIN, null, contact));
        assertTrue(RawSip.silent(hand.socket, 500), "no answer to a REGISTER without To");
        // a To that does not parse: the stack's own 400
        String badTo = hand.exchange(hand.request("REGISTER", "sip:" + DOMAIN, "<sip:" + frank.user() + "@", contact));
        assertEquals(400, RawSip.parse(badTo).status(), badTo);

        String[] challenged = {
            "Authorization: Digest ,,,=\"\r\n",
            "Authorization: garbage\r\n",
            "Authorization: Digest username=\"" + frank.user() + "\", realm=\"" + DOMAIN + "\", nonce=\"x\", uri=\"sip:"
                    + DOMAIN + "\", response=\"00\", qop=auth, nc=zz, cnonce=\"c\"\r\n",
            "Authorization: Basic " + "Zm9vOmJhcg==\r\n",
        };
        for (String authorization : challenged) {
            String answer = hand.exchange(hand.register(authorization + contact));
            RawSip.Received r = RawSip.parse(answer);
            assertEquals(401, r.status(), authorization + "\n" + answer);
            assertTrue(r.headers().get("www-authenticate").contains("realm=\"" + DOMAIN + "\""), answer);
        }
        // credentials for another realm (computed right for it) are none for ours
        hand.challengedBy(hand.exchange(hand.register(contact)));
        String otherRealm = hand.authorization("Authorization", "REGISTER", "sip:" + DOMAIN).replace("realm=\"" + DOMAIN, "realm=\"other.test");
        assertEquals(401, RawSip.parse(hand.exchange(hand.register(otherRealm + contact))).status());

        String[] refused = {
            "Contact: <sip:" + frank.user() + "@\r\n",
            "Contact: <sip:" + frank.user() + "@127.0.0.5>\r\nExpires: soon\r\n",
            "Contact: <tel:+4930123456>\r\n",
            "Contact: <sip:" + frank.user() + "@127.0.0.5>;expires=soon\r\n",
        };
        for (String broken : refused) {
            String answer = hand.registerAuthorized(broken);
            assertEquals(400, RawSip.parse(answer).status(), broken + "\n" + answer);
        }

        // someone else's address-of-record: known, but not allowed
        String other = hand.exchange(hand.request("REGISTER", "sip:" + DOMAIN, "<sip:" + grace.user() + "@" + DOMAIN + ">",
                hand.authorization("Authorization", "REGISTER", "sip:" + DOMAIN) + contact));
        assertEquals(403, RawSip.parse(other).status(), other);
        // another domain is not ours to take: refused by the stack as before
        String elsewhere = hand.exchange(hand.request("REGISTER", "sip:other.test", "<sip:" + frank.user() + "@other.test>",
                contact));
        assertEquals(403, RawSip.parse(elsewhere).status(), elsewhere);

        assertEquals(0, rows(frank.created().id()), "nothing written");
        assertEquals(0, rows(grace.created().id()), "nothing written");
        String fine = hand.registerAuthorized(contact);
        assertEquals(200, RawSip.parse(fine).status(), fine);
        assertEquals(1, registry.bindings(frank.owner().accountId()).size());
    }

    @Test
    void deletingAPhoneDeletesItsBindings() throws Exception {
        Phone heidi = phone("heidi");
        RawPhone hand = hand(heidi);
        assertEquals(200, RawSip.parse(hand.registerAuthorized("Contact: <sip:heidi@127.0.0.5:" + hand.port() + ">\r\n")).status());
        assertEquals(1, rows(heidi.created().id()));
        devices.delete(heidi.owner(), heidi.created().id());
        assertEquals(0, rows(heidi.created().id()));
        assertTrue(registry.bindings(heidi.owner().accountId()).isEmpty());
        // and the phone's credentials are gone with it
        String after = hand.registerAuthorized("Contact: <sip:heidi@127.0.0.5:" + hand.port() + ">\r\n");
        assertEquals(401, RawSip.parse(after).status(), after);
    }

    @Test
    void anInviteFromAPhoneIsChallengedWith407ThenItsDeviceIsKnown() throws Exception {
        Phone ivan = phone("ivan");
        List<Optional<SipDevice>> seen = new CopyOnWriteArrayList<>();
        RequestHandler invites = event -> {
            if (!Request.INVITE.equals(event.getRequest().getMethod())) return false;
            Optional<SipDevice> device = registry.authenticate(event);
            seen.add(device);
            if (device.isPresent()) busy(event);
            return true;
        };
        sip.addRequestHandler(invites);
        try (RawPhone hand = hand(ivan)) {
            String uri = "sip:bob@" + DOMAIN;
            String contact = "Contact: <sip:" + ivan.user() + "@127.0.0.5:" + hand.port() + ">\r\n";
            String challenge = hand.exchange(hand.request("INVITE", uri, "<" + uri + ">", contact));
            RawSip.Received r = RawSip.parse(challenge);
            assertEquals(407, r.status(), challenge);
            String offered = r.headers().get("proxy-authenticate");
            assertTrue(offered.startsWith("Digest ") && offered.contains("realm=\"" + DOMAIN + "\"")
                    && offered.contains("qop=\"auth\"") && offered.contains("algorithm=MD5"), offered);
            hand.send(ack(hand, uri, challenge));
            hand.challengedBy(challenge);

            String wrong = hand.exchange(hand.request("INVITE", uri, "<" + uri + ">",
                    hand.authorization("Proxy-Authorization", "INVITE", uri).replace("response=\"", "response=\"0") + contact));
            assertEquals(407, RawSip.parse(wrong).status(), wrong);
            hand.send(ack(hand, uri, wrong));

            String known = hand.exchange(hand.request("INVITE", uri, "<" + uri + ">",
                    hand.authorization("Proxy-Authorization", "INVITE", uri) + contact));
            assertEquals(486, RawSip.parse(known).status(), "answered by the handler once the phone is known: " + known);
            hand.send(ack(hand, uri, known));
        } finally {
            sip.removeRequestHandler(invites);
        }
        assertEquals(3, seen.size());
        assertEquals(Optional.empty(), seen.get(0));
        assertEquals(Optional.empty(), seen.get(1));
        assertEquals(ivan.created().id(), seen.get(2).orElseThrow().id());
        assertEquals(ivan.owner().accountId(), seen.get(2).orElseThrow().accountId());
    }

    private static void busy(RequestEvent event) {
        try {
            ServerTransaction t = sip.provider().getNewServerTransaction(event.getRequest());
            Response busy = sip.messageFactory().createResponse(Response.BUSY_HERE, event.getRequest());
            ((javax.sip.header.ToHeader) busy.getHeader("To")).setTag("busy");
            t.sendResponse(busy);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ACK of a non-2xx final response: the INVITE's branch, the response's To. */
    private static String ack(RawPhone hand, String uri, String response) {
        RawSip.Received r = RawSip.parse(response);
        return "ACK " + uri + " SIP/2.0\r\nVia: " + r.headers().get("via") + "\r\nMax-Forwards: 70\r\nFrom: "
                + r.headers().get("from") + "\r\nTo: " + r.headers().get("to") + "\r\nCall-ID: " + hand.callId
                + "\r\nCSeq: " + hand.cseq + " ACK\r\nContent-Length: 0\r\n\r\n";
    }

    // --- helpers

    private RawPhone hand(Phone phone) throws Exception {
        RawPhone hand = new RawPhone(HAND, registrarAddress, phone.user(), phone.created().password(), DOMAIN);
        closing.add(hand);
        return hand;
    }

    private static int rows(String deviceId) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM sip.device_bindings WHERE device_id = ?")) {
            s.setString(1, deviceId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    /** One run of a phone scenario, finished. */
    private record Sipp(int port, int exit, String output) {
        void assertPassed() {
            assertEquals(0, exit, () -> "sipp failed:\n" + output);
        }
    }

    /** Runs {@code scenario} as the phone on 127.0.0.3 over {@code transport} (u1 or t1) to the registrar, to its end. */
    private Sipp sipp(String scenario, String transport, String user, String password) throws Exception {
        String text = Files.readString(Path.of(RegistrarTest.class.getResource("/sipp/" + scenario).toURI()))
                .replace("{{user}}", user).replace("{{password}}", password).replace("{{domain}}", DOMAIN);
        Path file = dir.resolve(scenario);
        Files.writeString(file, text);
        int port = Loopback.freePort(Loopback.SIPP);
        Path out = dir.resolve("sipp.out");
        Path messages = dir.resolve("sipp.messages");
        Path errors = dir.resolve("sipp.errors");
        Process p = new ProcessBuilder(SIPP.toString(), "-sf", file.toString(), "-i", Loopback.SIPP.getHostAddress(),
                "-p", Integer.toString(port), "-t", transport, "-m", "1", "-timeout", "20", "-timeout_error", "-nostdin",
                "-trace_msg", "-message_file", messages.toString(), "-trace_err", "-error_file", errors.toString(),
                registrarAddress.getAddress().getHostAddress() + ":" + registrarAddress.getPort())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        closing.add(p::destroyForcibly);
        int exit = p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        if (exit == -1) p.destroyForcibly();
        return new Sipp(port, exit, read(out) + "\n--- errors\n" + read(errors) + "\n--- messages\n" + read(messages));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file.getFileName() + ")";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static InetAddress address(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
