package io.switchboard.sip.b2bua;

import io.switchboard.sip.Loopback;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SIPp process playing a PBX (a UAS scenario of src/test/resources/sipp/) for one call over UDP on
 * {@code address} and a free port; its message trace is kept for the test to read.
 */
final class Sipp implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/sipp");

    final String address;
    final int port;
    private final Process process;
    private final Path out;
    private final Path messages;
    private final Path errors;

    private Sipp(String address, int port, Process process, Path out, Path messages, Path errors) {
        this.address = address;
        this.port = port;
        this.process = process;
        this.out = out;
        this.messages = messages;
        this.errors = errors;
    }

    /** Starts the scenario and returns once SIPp listens; {@code keys} become [name] in the scenario. */
    static Sipp uas(String scenario, String address, String... keys) throws Exception {
        return uas(Path.of(Sipp.class.getResource("/sipp/" + scenario).toURI()), address, keys);
    }

    /**
     * The scenario with {@code [status] [reason]} of its final response filled in: SIPp reads the status
     * codes it sends when it loads the scenario, so they cannot be keys.
     */
    static Sipp refusing(String scenario, String address, int status, String reason) throws Exception {
        String text = Files.readString(Path.of(Sipp.class.getResource("/sipp/" + scenario).toURI()));
        Path file = Files.createTempFile("sipp-" + status, ".xml");
        Files.writeString(file, text.replace("[status] [reason]", status + " " + reason));
        return uas(file, address);
    }

    static Sipp uas(Path file, String address, String... keys) throws Exception {
        int port = freePort(address);
        Path out = Files.createTempFile("sipp", ".out");
        Path messages = Files.createTempFile("sipp", ".messages");
        Path errors = Files.createTempFile("sipp", ".errors");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-sf", file.toString(), "-t", "u1",
                "-i", address, "-p", Integer.toString(port), "-m", "1", "-timeout", "30", "-timeout_error",
                "-nostdin", "-trace_msg", "-message_file", messages.toString(), "-trace_err", "-error_file",
                errors.toString()));
        for (int i = 0; i + 1 < keys.length; i += 2) command.addAll(List.of("-key", keys[i], keys[i + 1]));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        Sipp sipp = new Sipp(address, port, process, out, messages, errors);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!bound(address, port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                sipp.close();
                throw new IllegalStateException("sipp did not start:\n" + sipp.output());
            }
            Thread.sleep(20);
        }
        return sipp;
    }

    /**
     * SIPp as a UAC from {@code address} playing {@code scenario} (the text of a scenario file) once
     * towards {@code target} ({@code host:port}); {@code service} is the user part it calls. Returns at
     * once: the call runs until {@link #exit}.
     */
    static Sipp uac(String scenario, String address, String target, String service) throws Exception {
        int port = freePort(address);
        Path file = Files.createTempFile("sipp-uac", ".xml");
        Files.writeString(file, scenario);
        Path out = Files.createTempFile("sipp", ".out");
        Path messages = Files.createTempFile("sipp", ".messages");
        Path errors = Files.createTempFile("sipp", ".errors");
        List<String> command = List.of(BINARY.toString(), "-sf", file.toString(), "-t", "u1", "-i", address,
                "-p", Integer.toString(port), "-m", "1", "-s", service, "-timeout", "60", "-timeout_error",
                "-nostdin", "-trace_msg", "-message_file", messages.toString(), "-trace_err", "-error_file",
                errors.toString(), target);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return new Sipp(address, port, process, out, messages, errors);
    }

    /** Waits for the end of its call: 0 when the scenario ran through. */
    int exit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /** What it printed, its errors and the messages it traced, for failure messages. */
    String output() {
        return read(out) + "\n--- errors\n" + read(errors) + "\n--- messages\n" + read(messages);
    }

    /** The requests it received with this method, as text, in their order. */
    List<String> received(String method) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile("message received \\[\\d+\\] bytes :\\s*\\n\\s*(" + method
                + " .*?)(?=\\n-{10,}|\\z)", Pattern.DOTALL).matcher(read(messages));
        while (m.find()) found.add(m.group(1));
        return found;
    }

    /** The first response received with this status (e.g. {@code 200 OK}) to a request with this method. */
    String receivedResponse(String status, String method) {
        Matcher m = Pattern.compile("message received \\[\\d+\\] bytes :\\s*\\n\\s*(SIP/2\\.0 " + status
                + ".*?)(?=\\n-{10,}|\\z)", Pattern.DOTALL).matcher(read(messages));
        while (m.find()) {
            if (Pattern.compile("(?m)^CSeq: *\\d+ " + method).matcher(m.group(1)).find()) return m.group(1);
        }
        throw new AssertionError("no " + status + " to " + method + " received:\n" + output());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private static boolean bound(String address, int port) throws IOException {
        return Loopback.udpBound(InetAddress.getByName(address), port);
    }

    private static int freePort(String address) throws IOException {
        return Loopback.freePort(InetAddress.getByName(address));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
