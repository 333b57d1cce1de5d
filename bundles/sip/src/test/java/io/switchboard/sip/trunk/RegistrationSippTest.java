package io.switchboard.sip.trunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchboard.sip.Loopback;
import io.switchboard.sip.stack.SipRuntime;
import io.switchboard.sip.stack.SipStackAccess;
import io.switchboard.sip.stack.SipStackComponent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What kamailio does not do on request: SIPp (Debian's sip-tester) on 127.0.0.3 as a registrar answering
 * 423 Interval Too Brief, or calling a fresh answer's nonce stale. Its scenarios
 * (src/test/resources/sipp/register-*.xml) check what we send; a check that fails makes SIPp exit non-zero.
 */
class RegistrationSippTest {
    private static final Path SIPP = Path.of("/usr/bin/sipp");
    private static final TrunkTimings TIMINGS = new TrunkTimings(3600, Duration.ofSeconds(30), Duration.ofSeconds(30),
            Duration.ofSeconds(60), SipRuntime.DEFAULT_T1, Duration.ofSeconds(2));

    @TempDir Path dir;
    private SipStackComponent sip;
    private ScheduledExecutorService timer;
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private int port;
    private Path out;

    @BeforeEach
    void start() throws Exception {
        assertTrue(Files.isExecutable(SIPP), "sipp is not installed: .ci/run installs Debian's package sip-tester");
        sip = SipStackAccess.startOnFreePort(Loopback.STACK);
        timer = Executors.newScheduledThreadPool(2);
    }

    @AfterEach
    void stop() {
        if (timer != null) timer.shutdownNow();
        if (sip != null) SipStackAccess.stop(sip);
    }

    @Test
    void a423IsAnsweredWithTheMinExpiresAsked() throws Exception {
        Process sipp = sipp("register-423.xml");
        Registration registration = registration();
        registration.start();
        awaitReported("registered");
        registration.stop().get(5, TimeUnit.SECONDS);
        assertEquals(List.of("registered null"), reported, "registered at the first try after the 423");
        assertSippPassed(sipp);
    }

    @Test
    void aStaleNonceIsAnsweredAgainWithTheNewOne() throws Exception {
        Process sipp = sipp("register-stale.xml");
        Registration registration = registration();
        registration.start();
        awaitReported("registered");
        registration.stop().get(5, TimeUnit.SECONDS);
        assertEquals(List.of("registered null"), reported, "stale is no wrong password");
        assertSippPassed(sipp);
        String log = Files.readString(dir.resolve("sipp.log"));
        assertEquals(3, log.lines().filter("auth=true"::equals).count(), "each digest right for its nonce:\n" + log);
    }

    private Registration registration() {
        Trunk trunk = new Trunk("trk_sipp", "acct_acme", "sipp", Trunk.Mode.REGISTER, Loopback.SIPP.getHostAddress(), port,
                Trunk.Transport.UDP, "acme", "pbx-secret", null, 10, 1, null, Instant.now());
        return new Registration(trunk, sip, timer, TIMINGS, (status, lastError) -> reported.add(status + " " + lastError));
    }

    /** SIPp as a UAS on 127.0.0.3 for one call (all REGISTERs of a trunk share a Call-ID), ready to receive. */
    private Process sipp(String scenario) throws Exception {
        port = Loopback.freePort(Loopback.SIPP);
        out = dir.resolve("sipp.out");
        Path file = Path.of(RegistrationSippTest.class.getResource("/sipp/" + scenario).toURI());
        Process sipp = new ProcessBuilder(SIPP.toString(), "-sf", file.toString(), "-i", Loopback.SIPP.getHostAddress(),
                "-p", Integer.toString(port), "-t", "u1", "-m", "1", "-timeout", "20", "-timeout_error", "-nostdin",
                "-trace_err", "-error_file", dir.resolve("sipp.errors").toString(),
                "-trace_logs", "-log_file", dir.resolve("sipp.log").toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        // until it listens, a REGISTER would meet a closed port
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!listening(port)) {
            if (!sipp.isAlive() || System.nanoTime() > deadline) fail("sipp did not start:\n" + read(out));
            Thread.sleep(50);
        }
        return sipp;
    }

    private static boolean listening(int port) throws IOException {
        return Loopback.udpBound(Loopback.SIPP, port);
    }

    private void awaitReported(String status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reported.stream().noneMatch(r -> r.startsWith(status + " "))) {
            if (System.nanoTime() > deadline) fail("not " + status + " within 10 s: " + reported + "\n" + read(out));
            Thread.sleep(50);
        }
    }

    private void assertSippPassed(Process sipp) throws Exception {
        if (!sipp.waitFor(10, TimeUnit.SECONDS)) sipp.destroyForcibly();
        assertEquals(0, sipp.waitFor(), () -> "sipp failed:\n" + read(out) + "\n" + read(dir.resolve("sipp.errors")));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file.getFileName() + ")";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
