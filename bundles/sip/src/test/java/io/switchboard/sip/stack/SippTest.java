package io.switchboard.sip.stack;

import static io.switchboard.sip.stack.RawSip.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SIPp, a SIP tool of its own, probing the stack with OPTIONS (src/test/resources/sipp/options.xml). */
class SippTest {
    private static final Path SIPP = Path.of("/usr/bin/sipp");

    /** {@code u1}: one UDP socket, {@code t1}: one TCP connection; 20 probes, each answered 200. */
    @ParameterizedTest
    @ValueSource(strings = {"u1", "t1"})
    void everyProbeIsAnswered(String transport) throws Exception {
        assumeTrue(Files.isExecutable(SIPP), "sipp is not installed (Debian package sip-tester)");
        SipStackComponent sip = SipStackAccess.startOnFreePort(LOOPBACK);
        int port = SipStackAccess.port(sip);
        try {
            Path scenario = Path.of(SippTest.class.getResource("/sipp/options.xml").toURI());
            Path out = Files.createTempFile("sipp", ".out");
            Path errors = Files.createTempFile("sipp", ".errors");
            Process sipp = new ProcessBuilder(SIPP.toString(), "127.0.0.1:" + port, "-sf", scenario.toString(),
                    "-t", transport, "-i", "127.0.0.1", "-p", Integer.toString(RawSip.freePort()),
                    "-m", "20", "-r", "20", "-timeout", "20", "-timeout_error", "-nostdin",
                    "-trace_err", "-error_file", errors.toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!sipp.waitFor(30, TimeUnit.SECONDS)) sipp.destroyForcibly();
            assertEquals(0, sipp.waitFor(), () -> "sipp failed:\n" + read(out) + "\n" + read(errors));
        } finally {
            sip.deactivate();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
