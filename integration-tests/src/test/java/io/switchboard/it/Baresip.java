package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One baresip user agent for the telephony tests: a process of its own on a loopback address, no sound
 * device (a WAV of a tone as its microphone, baresip's sndfile recording each call), one SIP account,
 * driven over {@code ctrl_tcp} (dial, accept, hang up, call events). The PBX fixture's extensions and a
 * user's SIP phone are both made of it; what differs is the account line (where it registers, with which
 * password, whether it answers by itself).
 */
final class Baresip implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/baresip");
    private static final Path MODULES = Path.of("/usr/lib/baresip/modules");
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String host;
    private final int toneHz;
    private final Path home;
    private final Path recordings;
    private final Path log;
    private final Process process;
    private Control control;

    private Baresip(String name, String host, int toneHz, Path home, Path log, Process process) {
        this.name = name;
        this.host = host;
        this.toneHz = toneHz;
        this.home = home;
        this.recordings = home.resolve("recordings");
        this.log = log;
        this.process = process;
    }

    /**
     * Starts baresip named {@code name} with its files in {@code home} and its output in {@code log}: SIP on
     * {@code host} (a free port), RTP on {@code host} in [{@code rtpPortMin}, +999], a {@code toneHz} tone
     * as its microphone for {@code toneSeconds}, and {@code account} (baresip's account line) as its one
     * account; {@code options} go on its command line ({@code -s}: every SIP message into the log).
     * Returns once its control socket answers; registering is the caller's to await.
     */
    static Baresip start(String name, Path home, Path log, String host, int toneHz, int toneSeconds, int rtpPortMin,
                         String account, String... options) throws Exception {
        if (!Files.isExecutable(BINARY)) throw new AssertionError(BINARY + " is missing: .ci/run installs Debian's baresip");
        Files.createDirectories(home.resolve("recordings"));
        Path tone = home.resolve("tone-" + toneHz + "hz.wav");
        CompanyPbx.writeTone(tone, toneHz, toneSeconds);
        // baresip listens for SIP on UDP and TCP at the port and for SIP over TLS at the port + 1.
        int sipPort = CompanyPbx.freePort(host, 1);
        int ctrlPort = CompanyPbx.freePort(host, 0);
        Files.writeString(home.resolve("config"), """
                # Written by the integration tests: no sound device, the tone file as microphone.
                poll_method epoll
                sip_listen @HOST@:@SIPPORT@
                net_interface @HOST@
                call_local_timeout 120
                call_max_calls 4
                audio_path @HOME@
                audio_source aufile,@TONE@
                audio_level no
                ausrc_format s16
                auplay_format s16
                auenc_format s16
                audec_format s16
                rtp_ports @RTPMIN@-@RTPMAX@
                rtcp_mux no
                jitter_buffer_delay 1-5
                module_path @MODULES@
                module g711.so
                module sndfile.so
                module aufile.so
                module_tmp account.so
                module_app menu.so
                module_app ctrl_tcp.so
                ctrl_tcp_listen @HOST@:@CTRLPORT@
                snd_path @RECORDINGS@
                ringback_disabled yes
                statmode_default off
                """.replace("@HOST@", host).replace("@SIPPORT@", Integer.toString(sipPort))
                .replace("@HOME@", home.toString()).replace("@TONE@", tone.toString())
                .replace("@RTPMIN@", Integer.toString(rtpPortMin)).replace("@RTPMAX@", Integer.toString(rtpPortMin + 999))
                .replace("@MODULES@", MODULES.toString()).replace("@CTRLPORT@", Integer.toString(ctrlPort))
                .replace("@RECORDINGS@", home.resolve("recordings").toString()));
        Files.writeString(home.resolve("accounts"), account + "\n");
        Files.writeString(home.resolve("contacts"), "");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-f", home.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        Baresip b = new Baresip(name, host, toneHz, home, log, p);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        try {
            while (b.control == null) {
                if (!p.isAlive()) throw b.failure("baresip " + name + " exited with " + p.exitValue() + " at start");
                try {
                    b.control = b.new Control(new Socket(host, ctrlPort));
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw b.failure("baresip " + name + " did not open ctrl_tcp within " + STARTUP.toSeconds() + " s");
                    }
                    Thread.sleep(50);
                }
            }
        } catch (Throwable t) {
            b.close();
            throw t;
        }
        return b;
    }

    String name() { return name; }

    /** The loopback address it binds (SIP, RTP). */
    String host() { return host; }

    /** The frequency of the tone it plays into every call. */
    int toneHz() { return toneHz; }

    Path home() { return home; }

    boolean isAlive() { return process.isAlive(); }

    /** Runs a ctrl_tcp command (menu's: dial, accept, hangup, uareg, ...); its answer, which must be ok. */
    JsonNode command(String command, String params) throws Exception {
        return control.command(command, params);
    }

    /**
     * The next not yet awaited event of {@code type} (CALL_INCOMING, CALL_RINGING, CALL_ESTABLISHED,
     * CALL_CLOSED, REGISTER_OK, ...): the event's JSON ({@code type}, {@code peeruri}, {@code param}, ...).
     */
    JsonNode awaitEvent(String type, Duration timeout) throws Exception {
        try {
            return control.awaitEvent(type, timeout);
        } catch (TimeoutException e) {
            throw failure(name + " saw no " + type + " within " + timeout.toMillis() + " ms; its events: " + control.eventTypes());
        }
    }

    /** All events reported so far (their JSON), oldest first, awaited or not. */
    List<JsonNode> eventLog() {
        return control.eventLog();
    }

    /** The types of all events reported so far, oldest first. */
    List<String> events() {
        return control.eventTypes();
    }

    /**
     * What it heard, one WAV per call (sndfile's decoded stream: 8 kHz mono 16-bit), oldest first.
     * sndfile names them by the second the call started, so two calls starting within the same second
     * share a file.
     */
    List<Path> recordings() throws IOException {
        return recordingFiles("-dec.wav");
    }

    /** What it sent (its tone after the encoder's input), one WAV per call, oldest first. */
    List<Path> sentRecordings() throws IOException {
        return recordingFiles("-enc.wav");
    }

    /** The recording of what it heard in its latest call. */
    Path lastRecording() throws IOException {
        List<Path> all = recordings();
        if (all.isEmpty()) throw failure(name + " recorded nothing in " + recordings);
        return all.get(all.size() - 1);
    }

    private List<Path> recordingFiles(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(recordings)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted(Comparator.comparing((Path p) -> p.toFile().lastModified())
                            .thenComparing(p -> p.getFileName().toString()))
                    .collect(Collectors.toList());
        }
    }

    /** Everything it printed. */
    String log() throws IOException {
        return Files.readString(log);
    }

    Path logFile() { return log; }

    /** The last {@code lines} of its log, headed by its name and path. */
    String tail(int lines) {
        return "--- baresip " + name + " (" + log + ")\n" + tail(log, lines);
    }

    /** Throws when the process is gone. */
    void checkAlive() {
        if (!process.isAlive()) throw failure("baresip " + name + " exited with " + process.exitValue());
    }

    AssertionError failure(String message) {
        return new AssertionError(message + "\n" + tail(40));
    }

    /**
     * SIGTERM: baresip un-registers on its way out (its UNREGISTERING event still arrives).
     * {@link #awaitExit} or {@link #close} waits for it.
     */
    void terminate() {
        process.destroy();
    }

    /** Waits up to {@code grace} for the process to end after {@link #terminate}; true when it did by itself. */
    boolean awaitExit(Duration grace) throws InterruptedException {
        return process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, then SIGKILL when it is still there after 3 s. */
    @Override
    public void close() throws InterruptedException {
        terminate();
        if (!awaitExit(Duration.ofSeconds(3))) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        if (control != null) control.close();
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                    .map(l -> l + "\n").collect(Collectors.joining());
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(no log: " + e + ")\n";
        }
    }

    /**
     * baresip's ctrl_tcp: netstring-framed JSON both ways. Commands {@code {"command","params","token"}}
     * are answered by {@code {"response":true,"ok",...,"token"}}; events {@code {"event":true,"type",...}}
     * arrive unasked on every connection.
     */
    private final class Control {
        private final Socket socket;
        private final OutputStream out;
        private final AtomicLong tokens = new AtomicLong();
        private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final List<JsonNode> events = new ArrayList<>();
        private final List<JsonNode> consumed = new ArrayList<>();

        Control(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            Thread reader = new Thread(this::read, "baresip-" + name + "-ctrl");
            reader.setDaemon(true);
            reader.start();
        }

        JsonNode command(String command, String params) throws Exception {
            String token = name + "-" + tokens.incrementAndGet();
            ObjectNode json = JSON.createObjectNode().put("command", command).put("token", token);
            if (params != null) json.put("params", params);
            byte[] body = JSON.writeValueAsBytes(json);
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pending.put(token, answer);
            synchronized (out) {
                out.write((body.length + ":").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.write(',');
                out.flush();
            }
            JsonNode response;
            try {
                response = answer.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw failure("baresip " + name + " did not answer " + json);
            } finally {
                pending.remove(token);
            }
            if (!response.path("ok").asBoolean()) throw failure("baresip " + name + " refused " + json + ": " + response);
            return response;
        }

        synchronized JsonNode awaitEvent(String type, Duration timeout) throws InterruptedException, TimeoutException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                for (JsonNode event : events) {
                    if (type.equals(event.path("type").asText()) && !containsIdentity(consumed, event)) {
                        consumed.add(event);
                        return event;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new TimeoutException();
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        synchronized List<JsonNode> eventLog() {
            return List.copyOf(events);
        }

        synchronized List<String> eventTypes() {
            return events.stream().map(e -> e.path("type").asText()).collect(Collectors.toList());
        }

        private boolean containsIdentity(List<JsonNode> list, JsonNode node) {
            for (JsonNode n : list) if (n == node) return true;
            return false;
        }

        private synchronized void event(JsonNode event) {
            events.add(event);
            notifyAll();
        }

        private void read() {
            try (InputStream in = socket.getInputStream()) {
                while (true) {
                    int length = 0;
                    int c;
                    while ((c = in.read()) != ':') {
                        if (c < 0) return;
                        if (c < '0' || c > '9') throw new IOException("bad netstring length from baresip " + name);
                        length = length * 10 + (c - '0');
                    }
                    byte[] body = in.readNBytes(length);
                    if (body.length < length || in.read() != ',') return;
                    JsonNode json = JSON.readTree(body);
                    if (json.path("response").asBoolean()) {
                        CompletableFuture<JsonNode> f = pending.get(json.path("token").asText());
                        if (f != null) f.complete(json);
                    } else if (json.path("event").asBoolean()) {
                        event(json);
                    }
                }
            } catch (IOException closed) {
                // the socket was closed (fixture closing or baresip gone)
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
