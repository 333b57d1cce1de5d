package io.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A company's PBX on loopback for the SIP trunking tests: Debian's Kamailio as registrar and proxy
 * (digest auth, locations in memory, no database) on {@value #REGISTRAR_HOST}, and two baresip
 * extensions, 201 on 127.0.0.11 and 202 on 127.0.0.12, that register with digest auth, answer every
 * call at once, play a tone (201: 440 Hz, 202: 880 Hz) and record what they hear (baresip's sndfile).
 *
 * <p>Routing in Kamailio: every request but REGISTER from a known user needs proxy auth; a request
 * for a registered user goes to its contacts ({@code lookup("location")}, record-routed); a request
 * from an extension for anyone else goes to whatever registered as {@link #TRUNK_USER} (Switchboard),
 * its request-URI user kept as the dialled name. A known but unregistered user gets 480, and the
 * trunk user calling a non-extension gets 404.
 *
 * <p>Extensions ({@link Baresip} each) are driven over baresip's {@code ctrl_tcp} interface (dial, hang up,
 * call events).
 * Everything the processes print goes to log files in the fixture's directory ({@link #logs()}).
 */
final class CompanyPbx implements AutoCloseable {
    static final String REGISTRAR_HOST = "127.0.0.10";
    static final String REALM = "pbx.local";
    static final String TRUNK_USER = "trunk";
    static final String TRUNK_PASSWORD = "trunk-pw-5071";
    static final int TONE_SECONDS = 90;

    private static final Path KAMAILIO = Path.of("/usr/sbin/kamailio");
    private static final Path KAMCMD = Path.of("/usr/sbin/kamcmd");
    private static final Duration STARTUP = Duration.ofSeconds(15);

    /** The extensions: number, address, digest password, tone frequency, RTP ports. */
    private static final List<ExtensionSpec> SPECS = List.of(
            new ExtensionSpec("201", "127.0.0.11", "ext201-pw", 440, 41000),
            new ExtensionSpec("202", "127.0.0.12", "ext202-pw", 880, 42000));

    private record ExtensionSpec(String number, String host, String password, int toneHz, int rtpPortMin) {}

    private final Path dir;
    private final Path runtimeDir;
    private final int port;
    private final Path kamailioLog;
    private Process kamailio;
    private final Map<String, Extension> extensions = new LinkedHashMap<>();

    private CompanyPbx(Path dir, Path runtimeDir, int port) {
        this.dir = dir;
        this.runtimeDir = runtimeDir;
        this.port = port;
        this.kamailioLog = dir.resolve("kamailio.log");
    }

    /**
     * Starts Kamailio and both extensions with everything under {@code dir}; returns once Kamailio
     * answers on its control socket and both extensions are registered with it.
     */
    static CompanyPbx start(Path dir) throws Exception {
        for (Path binary : List.of(KAMAILIO, KAMCMD, Baresip.BINARY)) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError(binary + " is missing: .ci/run installs Debian's kamailio and baresip");
            }
        }
        Files.createDirectories(dir);
        // The control socket lives in a short path of its own: unix socket paths are limited to 107 bytes.
        Path runtime = Files.createTempDirectory("pbx");
        CompanyPbx pbx = new CompanyPbx(dir.toAbsolutePath(), runtime, freePort(REGISTRAR_HOST, 0));
        try {
            pbx.startKamailio();
            for (ExtensionSpec spec : SPECS) pbx.startExtension(spec);
            for (ExtensionSpec spec : SPECS) pbx.awaitRegistered(spec.number());
            return pbx;
        } catch (Throwable t) {
            pbx.close();
            throw t;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What tests use

    /** The registrar's (and proxy's) address; also the domain of every AOR here. */
    String registrarHost() { return REGISTRAR_HOST; }

    /** Its port, for both UDP and TCP. */
    int registrarPort() { return port; }

    /** {@code host:port}, the domain part of the PBX's SIP URIs. */
    String domain() { return REGISTRAR_HOST + ":" + port; }

    /** The digest realm of its challenges. */
    String realm() { return REALM; }

    /** The user Switchboard registers as (mode "register"). */
    String trunkUser() { return TRUNK_USER; }

    String trunkPassword() { return TRUNK_PASSWORD; }

    /** {@code sip:<user>@<registrar>}: what to call to reach an extension (or any user) through the PBX. */
    String uri(String user) {
        return "sip:" + user + "@" + domain();
    }

    List<String> extensionNumbers() { return List.copyOf(extensions.keySet()); }

    /** The loopback address an extension's baresip binds (SIP, RTP). */
    String extensionHost(String ext) { return extension(ext).spec().host(); }

    /** The frequency of the tone an extension plays into every call. */
    int toneHz(String ext) { return extension(ext).spec().toneHz(); }

    /** The directory of the fixture: configs, logs, recordings. */
    Path directory() { return dir; }

    /** Kamailio's contacts for {@code user} (empty when not registered), from {@code ul.lookup}. */
    List<String> contacts(String user) throws IOException, InterruptedException {
        String out = kamcmd("ul.lookup", "location", "s:" + user);
        return out.lines().map(String::strip).filter(l -> l.startsWith("Address: "))
                .map(l -> l.substring("Address: ".length())).collect(Collectors.toList());
    }

    boolean isRegistered(String user) throws IOException, InterruptedException {
        return !contacts(user).isEmpty();
    }

    void awaitRegistered(String user) throws Exception {
        awaitRegistered(user, Duration.ofSeconds(10));
    }

    /** Polls Kamailio's location table until {@code user} has a contact. */
    void awaitRegistered(String user, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isRegistered(user)) {
            if (System.nanoTime() > deadline) {
                throw failure(user + " did not register with Kamailio within " + timeout.toSeconds() + " s");
            }
            checkAlive();
            Thread.sleep(100);
        }
    }

    /** Polls until {@code user} has no contact any more (unregistered or expired). */
    void awaitUnregistered(String user, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRegistered(user)) {
            if (System.nanoTime() > deadline) throw failure(user + " is still registered after " + timeout.toSeconds() + " s");
            Thread.sleep(100);
        }
    }

    /** Extension {@code ext} dials {@code target}: a full SIP URI, or a user/number at this PBX. */
    void dial(String ext, String target) throws Exception {
        extension(ext).agent().command("dial", target.startsWith("sip:") ? target : uri(target));
    }

    /** Extension {@code ext} hangs up its current call. */
    void hangup(String ext) throws Exception {
        extension(ext).agent().command("hangup", null);
    }

    /**
     * The next not yet awaited baresip event of {@code type} of an extension (CALL_INCOMING,
     * CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED, REGISTER_OK, ...): the event's JSON
     * ({@code type}, {@code peeruri}, {@code param}, ...).
     */
    JsonNode awaitEvent(String ext, String type, Duration timeout) throws Exception {
        try {
            return extension(ext).agent().awaitEvent(type, timeout);
        } catch (AssertionError e) {
            throw failure(e.getMessage().lines().findFirst().orElse(""));
        }
    }

    JsonNode awaitCallEstablished(String ext) throws Exception {
        return awaitEvent(ext, "CALL_ESTABLISHED", Duration.ofSeconds(10));
    }

    /** Waits for the end of the extension's call; its recordings are complete afterwards. */
    JsonNode awaitCallClosed(String ext) throws Exception {
        return awaitEvent(ext, "CALL_CLOSED", Duration.ofSeconds(10));
    }

    /** The types of all events an extension reported so far, oldest first. */
    List<String> events(String ext) {
        return extension(ext).agent().events();
    }

    /** All events an extension reported so far (their JSON), oldest first, awaited or not. */
    List<JsonNode> eventLog(String ext) {
        return extension(ext).agent().eventLog();
    }

    /**
     * What the extension heard, one WAV per call (sndfile's decoded stream: 8 kHz mono 16-bit),
     * oldest first. sndfile names them by the second the call started, so two calls of one
     * extension starting within the same second share a file.
     */
    List<Path> recordings(String ext) throws IOException {
        return extension(ext).agent().recordings();
    }

    /** What the extension sent (its tone after the encoder's input), one WAV per call, oldest first. */
    List<Path> sentRecordings(String ext) throws IOException {
        return extension(ext).agent().sentRecordings();
    }

    /** The recording of what the extension heard in its latest call. */
    Path lastRecording(String ext) throws IOException {
        List<Path> all = recordings(ext);
        if (all.isEmpty()) throw failure(ext + " recorded nothing in " + extension(ext).agent().home());
        return all.get(all.size() - 1);
    }

    /**
     * The SDP of the latest INVITE that reached an extension or the trunk through Kamailio (as Kamailio
     * logged it, a line at a time), lines joined by CRLF; empty when there was none.
     */
    String lastOffer() throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("PBX SDP (\\S+): (.*)").matcher(kamailioLog());
        String callId = null;
        List<String> lines = new ArrayList<>();
        while (m.find()) {
            if (!m.group(1).equals(callId)) {
                callId = m.group(1);
                lines.clear();
            }
            lines.add(m.group(2).strip());
        }
        return String.join("\r\n", lines);
    }

    String kamailioLog() throws IOException {
        return Files.readString(kamailioLog);
    }

    /** Everything baresip printed for an extension. */
    String log(String ext) throws IOException {
        return extension(ext).agent().log();
    }

    /** The tails of all logs, for failure messages. */
    String logs() {
        StringBuilder out = new StringBuilder();
        out.append("--- kamailio (").append(kamailioLog).append(")\n").append(tail(kamailioLog, 60));
        for (Extension e : extensions.values()) {
            out.append(e.agent().tail(40));
        }
        return out.toString();
    }

    /** An AssertionError carrying all logs' tails. */
    AssertionError failure(String message) {
        return new AssertionError(message + "\n" + logs());
    }

    // ---------------------------------------------------------------------------------------------
    // Audio analysis

    /**
     * What a WAV holds: its dominant frequency (10 Hz resolution: the strongest of Goertzel filters
     * on a 10 Hz grid over 100 ms blocks, power averaged over the blocks), its RMS level (16-bit
     * full scale = 32768) and the amplitude found at each grid frequency.
     */
    record Analysis(double dominantHz, double rms, double seconds, double binHz, double[] amplitudes) {
        /** The amplitude (same scale as the samples) of the component nearest {@code hz}. */
        double amplitudeAt(double hz) {
            int bin = (int) Math.round(hz / binHz);
            return bin >= 1 && bin <= amplitudes.length ? amplitudes[bin - 1] : 0;
        }

        /** The dominant component's share of the signal's power (1 = a pure tone). */
        double purity() {
            double a = amplitudeAt(dominantHz);
            return rms == 0 ? 0 : (a * a / 2) / (rms * rms);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%.0f Hz dominant (amplitude %.0f, purity %.2f), RMS %.0f, %.2f s",
                    dominantHz, amplitudeAt(dominantHz), purity(), rms, seconds);
        }
    }

    /** Analyses a 16-bit PCM WAV (the first channel); tolerates a header not yet updated by its writer. */
    static Analysis analyse(Path wav) throws IOException {
        return analyse(wav, 0);
    }

    /** Analyses a 16-bit PCM WAV from {@code fromSecond} on (the first channel). */
    static Analysis analyse(Path wav, double fromSecond) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 12 || b.getInt(0) != 0x46464952 /* RIFF */ || b.getInt(8) != 0x45564157 /* WAVE */) {
            throw new IOException(wav + " is not a WAV file");
        }
        int pos = 12;
        int rate = 0;
        int channels = 0;
        int bits = 0;
        int dataStart = -1;
        int dataLength = 0;
        while (pos + 8 <= b.limit()) {
            int id = b.getInt(pos);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            int body = pos + 8;
            if (id == 0x20746d66 /* "fmt " */) {
                int format = b.getShort(body) & 0xffff;
                channels = b.getShort(body + 2);
                rate = b.getInt(body + 4);
                bits = b.getShort(body + 14);
                if (format != 1 && format != 0xfffe) throw new IOException(wav + ": not PCM (format " + format + ")");
            } else if (id == 0x61746164 /* "data" */) {
                dataStart = body;
                long available = b.limit() - body;
                dataLength = (int) (size == 0 || size > available ? available : size);
                break;
            }
            pos = (int) Math.min(b.limit(), body + size + (size & 1));
        }
        if (dataStart < 0 || rate <= 0 || channels <= 0) throw new IOException(wav + ": no fmt or data chunk");
        if (bits != 16) throw new IOException(wav + ": " + bits + "-bit samples, only 16-bit PCM is analysed");
        int skip = (int) Math.round(fromSecond * rate);
        int frames = Math.max(0, dataLength / (2 * channels) - skip);
        double[] x = new double[frames];
        for (int i = 0; i < frames; i++) x[i] = b.getShort(dataStart + (skip + i) * 2 * channels);
        return analyse(x, rate);
    }

    static Analysis analyse(double[] x, int rate) {
        double sum = 0;
        for (double v : x) sum += v * v;
        double rms = x.length == 0 ? 0 : Math.sqrt(sum / x.length);
        int block = rate / 10; // 100 ms: the Goertzel filters' bins are 10 Hz apart
        double binHz = (double) rate / block;
        int bins = (int) ((rate / 2.0 - binHz / 2) / binHz);
        double[] power = new double[bins];
        int blocks = x.length / block;
        for (int k = 1; k <= bins; k++) {
            double coefficient = 2 * Math.cos(2 * Math.PI * k / block);
            double total = 0;
            for (int n = 0; n < blocks; n++) {
                double s1 = 0;
                double s2 = 0;
                for (int i = n * block, end = i + block; i < end; i++) {
                    double s = x[i] + coefficient * s1 - s2;
                    s2 = s1;
                    s1 = s;
                }
                total += s1 * s1 + s2 * s2 - coefficient * s1 * s2;
            }
            power[k - 1] = blocks == 0 ? 0 : total / blocks;
        }
        double[] amplitudes = new double[bins];
        int best = 0;
        for (int k = 0; k < bins; k++) {
            amplitudes[k] = 2 * Math.sqrt(Math.max(0, power[k])) / block;
            if (amplitudes[k] > amplitudes[best]) best = k;
        }
        double dominant = blocks == 0 ? 0 : (best + 1) * binHz;
        return new Analysis(dominant, rms, (double) x.length / rate, binHz, amplitudes);
    }

    /** A tone as a WAV: 8 kHz, mono, 16-bit PCM, amplitude a quarter of full scale. */
    static void writeTone(Path wav, int hz, int seconds) throws IOException {
        writeTone(wav, hz, seconds, 8000);
    }

    /** A tone as a WAV at {@code rate} Hz (Chromium's fake microphone wants 48 kHz), mono, 16-bit PCM. */
    static void writeTone(Path wav, int hz, int seconds, int rate) throws IOException {
        int frames = rate * seconds;
        ByteBuffer b = ByteBuffer.allocate(44 + frames * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + frames * 2).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.putInt(0x61746164).putInt(frames * 2);
        for (int i = 0; i < frames; i++) b.putShort((short) Math.round(8192 * Math.sin(2 * Math.PI * hz * i / rate)));
        Files.write(wav, b.array());
    }

    // ---------------------------------------------------------------------------------------------
    // Kamailio

    private void startKamailio() throws Exception {
        Path cfg = dir.resolve("kamailio.cfg");
        Files.writeString(cfg, kamailioConfig());
        ProcessBuilder pb = new ProcessBuilder(KAMAILIO.toString(), "-DD", "-E", "-f", cfg.toString(),
                "-Y", runtimeDir.toString(), "-m", "32", "-M", "4")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(kamailioLog.toFile()));
        kamailio = pb.start();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!kamcmdAnswers()) {
            if (!kamailio.isAlive()) throw failure("Kamailio exited with " + kamailio.exitValue() + " at start");
            if (System.nanoTime() > deadline) throw failure("Kamailio did not answer on its ctl socket within " + STARTUP.toSeconds() + " s");
            Thread.sleep(50);
        }
    }

    private boolean kamcmdAnswers() throws IOException, InterruptedException {
        if (!Files.exists(ctlSocket())) return false;
        return kamcmd("core.uptime").contains("uptime");
    }

    private Path ctlSocket() {
        return runtimeDir.resolve("kamailio.ctl");
    }

    /** Runs kamcmd against this Kamailio's ctl socket; its output (errors included). */
    String kamcmd(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(KAMCMD.toString(), "-s", "unix:" + ctlSocket()));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("kamcmd " + String.join(" ", command) + " did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private String kamailioConfig() {
        StringBuilder users = new StringBuilder();
        for (ExtensionSpec spec : SPECS) {
            users.append("    $sht(users=>").append(spec.number()).append(") = \"").append(spec.password()).append("\";\n");
        }
        users.append("    $sht(users=>").append(TRUNK_USER).append(") = \"").append(TRUNK_PASSWORD).append("\";\n");
        return """
                #!KAMAILIO
                # Written by CompanyPbx (integration tests): registrar + proxy, everything in memory.
                debug=2
                log_stderror=yes
                log_color=no
                children=2
                tcp_children=2
                auto_aliases=no
                dns=no
                rev_dns=no
                listen=udp:@HOST@:@PORT@
                listen=tcp:@HOST@:@PORT@

                loadmodule "kex.so"
                loadmodule "corex.so"
                loadmodule "tm.so"
                loadmodule "tmx.so"
                loadmodule "sl.so"
                loadmodule "rr.so"
                loadmodule "pv.so"
                loadmodule "maxfwd.so"
                loadmodule "usrloc.so"
                loadmodule "registrar.so"
                loadmodule "textops.so"
                loadmodule "siputils.so"
                loadmodule "xlog.so"
                loadmodule "sanity.so"
                loadmodule "auth.so"
                loadmodule "htable.so"
                loadmodule "ctl.so"

                modparam("ctl", "binrpc", "unix:@CTL@")
                modparam("htable", "htable", "users=>size=4;")
                modparam("rr", "append_fromtag", 1)
                modparam("registrar", "max_expires", 3600)
                modparam("usrloc", "db_mode", 0)

                # The digest passwords: extensions and the trunk user.
                event_route[htable:mod-init] {
                @USERS@}

                request_route {
                    xlog("L_INFO", "PBX <- $rm $ru from $fu (auth user $au) via $proto:$si:$sp\\n");
                    if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
                    if (!sanity_check()) { exit; }

                    # In-dialog: follow the record-route.
                    if (has_totag()) {
                        if (loose_route()) { route(RELAY); exit; }
                        if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
                        sl_send_reply("404", "Not here"); exit;
                    }
                    if (is_method("CANCEL")) { if (t_check_trans()) { route(RELAY); } exit; }
                    t_check_trans();

                    if (is_method("REGISTER")) { route(REGISTRAR); exit; }
                    if (is_method("OPTIONS") && $rU == $null) { sl_send_reply("200", "OK"); exit; }

                    # Everything else needs proxy authentication by a known user.
                    if (!is_present_hf("Proxy-Authorization")) { proxy_challenge("@REALM@", "0"); exit; }
                    $var(pw) = $sht(users=>$au);
                    if ($var(pw) == $null || !pv_proxy_authenticate("@REALM@", "$var(pw)", "0")) {
                        xlog("L_NOTICE", "PBX: proxy auth failed for $au ($rm $ru)\\n");
                        proxy_challenge("@REALM@", "0"); exit;
                    }
                    consume_credentials();
                    if (is_method("INVITE|SUBSCRIBE")) record_route();
                    if (is_method("INVITE") && has_body("application/sdp")) route(SDP);

                    if (lookup("location")) {
                        xlog("L_INFO", "PBX -> $rm for $tU to $ru\\n");
                        route(RELAY); exit;
                    }
                    if ($sht(users=>$rU) != $null) { sl_send_reply("480", "Not Registered"); exit; }
                    if ($au == "@TRUNK@") { sl_send_reply("404", "No Such Extension"); exit; }
                    # An extension dialled someone outside: out through the trunk, the dialled user kept.
                    $var(dialled) = $rU;
                    if (!lookup("location", "sip:@TRUNK@@@HOST@:@PORT@")) { sl_send_reply("480", "Trunk Not Registered"); exit; }
                    $rU = $var(dialled);
                    xlog("L_INFO", "PBX -> $rm for $var(dialled) out through the trunk to $ru\\n");
                    route(RELAY);
                }

                route[REGISTRAR] {
                    if (!is_present_hf("Authorization")) { www_challenge("@REALM@", "0"); exit; }
                    $var(pw) = $sht(users=>$au);
                    if ($var(pw) == $null || !pv_www_authenticate("@REALM@", "$var(pw)", "0")) {
                        xlog("L_NOTICE", "PBX: digest auth failed for $au\\n");
                        www_challenge("@REALM@", "0"); exit;
                    }
                    if ($au != $tU) { sl_send_reply("403", "Register Only Yourself"); exit; }
                    consume_credentials();
                    if (!save("location")) { sl_reply_error(); exit; }
                    xlog("L_INFO", "PBX: REGISTER $tU contact $ct expires $hdr(Expires)\\n");
                }

                # The offer of an INVITE, a log line per SDP line: "PBX SDP <Call-ID>: <line>".
                route[SDP] {
                    $var(i) = 0;
                    $var(n) = $(rb{line.count});
                    while ($var(i) < $var(n)) {
                        xlog("L_INFO", "PBX SDP $ci: $(rb{line.at,$var(i)}{s.trim})\\n");
                        $var(i) = $var(i) + 1;
                    }
                }

                route[RELAY] {
                    if (!t_relay()) { sl_reply_error(); }
                }
                """.replace("@USERS@", users).replace("@HOST@", REGISTRAR_HOST).replace("@PORT@", Integer.toString(port))
                .replace("@CTL@", ctlSocket().toString()).replace("@REALM@", REALM).replace("@TRUNK@", TRUNK_USER);
    }

    // ---------------------------------------------------------------------------------------------
    // baresip extensions

    private record Extension(ExtensionSpec spec, Baresip agent) {}

    private void startExtension(ExtensionSpec spec) throws Exception {
        String account = "<sip:" + spec.number() + "@" + domain() + ">;auth_pass=" + spec.password()
                + ";answermode=auto;regint=600";
        Baresip agent = Baresip.start(spec.number(), dir.resolve("ext-" + spec.number()),
                dir.resolve("baresip-" + spec.number() + ".log"), spec.host(), spec.toneHz(), TONE_SECONDS,
                spec.rtpPortMin(), account);
        extensions.put(spec.number(), new Extension(spec, agent));
    }

    private Extension extension(String ext) {
        Extension e = extensions.get(ext);
        if (e == null) throw new IllegalArgumentException("no extension " + ext + " (there are " + extensions.keySet() + ")");
        return e;
    }

    private void checkAlive() {
        if (kamailio != null && !kamailio.isAlive()) throw failure("Kamailio exited with " + kamailio.exitValue());
        for (Extension e : extensions.values()) {
            if (!e.agent().isAlive()) throw failure("baresip " + e.spec().number() + " exited");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Plumbing

    /**
     * A port free on {@code host} for UDP and TCP, with {@code extraTcp} following ports free for TCP
     * too (baresip's TLS listener sits at port + 1).
     */
    static int freePort(String host, int extraTcp) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate;
            try (ServerSocket probe = new ServerSocket(0, 1, address)) {
                candidate = probe.getLocalPort();
            }
            if (candidate + extraTcp > 65535) continue;
            List<AutoCloseable> held = new ArrayList<>();
            try {
                held.add(new DatagramSocket(new InetSocketAddress(address, candidate)));
                for (int i = 0; i <= extraTcp; i++) {
                    ServerSocket s = new ServerSocket();
                    held.add(s);
                    s.bind(new InetSocketAddress(address, candidate + i));
                }
                return candidate;
            } catch (IOException taken) {
                // try another
            } finally {
                for (AutoCloseable c : held) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // probe sockets
                    }
                }
            }
        }
        throw new IOException("no free port on " + host);
    }

    private static String tail(Path file, int lines) {
        return Baresip.tail(file, lines);
    }

    /** SIGTERM (baresip unregisters, Kamailio stops its children), then SIGKILL whatever is left. */
    private static void stop(Process process, Duration grace) throws InterruptedException {
        if (process == null) return;
        List<ProcessHandle> family = new ArrayList<>(process.descendants().collect(Collectors.toList()));
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle child : family) {
            while (child.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            if (child.isAlive()) child.destroyForcibly();
        }
    }

    @Override
    public void close() throws Exception {
        // The extensions first, while Kamailio still answers their un-REGISTER.
        for (Extension e : extensions.values()) e.agent().terminate();
        for (Extension e : extensions.values()) e.agent().close();
        stop(kamailio, Duration.ofSeconds(5));
        try (Stream<Path> walk = Files.walk(runtimeDir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir
        }
    }
}
