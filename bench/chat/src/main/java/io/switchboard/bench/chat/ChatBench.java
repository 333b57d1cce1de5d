package io.switchboard.bench.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Chat load against two servers in one run, the same load on each: Switchboard and a raw relay
 * (the physical limit of relaying the same frames over the same HTTP and WebSocket paths). Both run
 * side by side as processes of their own and take turns, phase by phase.
 * <ol>
 *   <li>N users in pairs, one socket each; open-loop 1:1 sends at stepped rates; delivery latency
 *       from the scheduled send to the receiver's frame; server CPU per step; database writes;</li>
 *   <li>group fan-out: bursts into groups of 10, 100, 1000 members, frames delivered per second;</li>
 *   <li>idle sockets: resident memory and live heap per authenticated idle connection.</li>
 * </ol>
 * Arguments: {@code <switchboard.jar> <benchmarks.md> [--quick] [--users=N] [--rates=a,b,..]
 * [--step-seconds=S] [--idle=N] [--only=relay|switchboard] [--write|--no-write] [--keep-stepping]
 * [--send=socket|http] [--timeline]} ({@code --keep-stepping}: run every step, not only up to the first one
 * over the bound; {@code --timeline}: log each step's 100 ms slots whose worst latency is over 50 ms; {@code --send}: messages go as {@code message.send} frames on the sender's socket, the default,
 * or as {@code PUT …/messages/{clientMsgId}} over HTTP, the same way to both servers).
 */
public final class ChatBench {
    /** Sends in flight at once during a group burst. */
    static final int GROUP_WINDOW = 32;
    private static final long QUIET_WAIT_NANOS = 20_000_000_000L;
    private static final long QUIET_BUDGET_NANOS = 90_000_000_000L;
    /** A failed step during which other processes used more than this many cores is run once more. */
    static final double OTHERS_RETRY_CORES = 0.25;
    /** Warm-up ends once the JIT compiler threads use less than this through a round. */
    static final double JIT_SETTLED_CORES = 0.05;
    private static final long DRAIN_NANOS = 15_000_000_000L;
    private static final long GROUP_TIMEOUT_NANOS = 60_000_000_000L;

    /** What to run; {@code --quick} is a smoke run of a minute or two. */
    record Settings(boolean quick, int users, int[] rates, int stepSeconds, int[] groupSizes, int groupFrames,
                    int idleSockets, List<String> targets, boolean write, boolean keepStepping, boolean http,
                    boolean timeline, boolean randomOrder) {
        /**
         * Warm-up runs at a rate the hot paths reach the JIT's top tier at: after rounds at 500 msgs/s the
         * compiler still used 0.15 to 0.20 cores through the first step at 4000 or 5000.
         */
        int warmupRate() { return quick ? 500 : 2000; }

        int warmupSeconds() { return quick ? 4 : 10; }

        int warmupRounds() { return quick ? 3 : 12; }

        /**
         * Each step first sends at its rate for this long without counting it. A JVM that meets a
         * higher rate for the first time leaves compiled code for paths it never took before (more
         * buffers in its pools, longer queues) and runs them slower until they are compiled again:
         * 0.5 to 2 s of 100 to 250 ms at the start of a step, in a run where the same rates passed
         * with a p99 of 10 to 18 ms in every later step (2026-12-07, logs of the JIT compiler).
         * Measured from a standing start, a 10-s step charged that to the rate.
         */
        int leadInSeconds() { return quick ? 1 : 2; }

        static Settings parse(List<String> args) {
            boolean quick = args.contains("--quick");
            int users = quick ? 40 : 1000;
            int[] rates = quick ? new int[] {200, 1000} : new int[] {500, 1000, 2000, 3000, 3500, 4000, 4500, 5000, 5500, 6000, 6500, 7000, 7500,
                    8000, 9000, 10000, 11000, 12500, 15000, 17500, 20000, 22500, 25000, 30000, 35000, 40000, 50000, 60000};
            int stepSeconds = quick ? 3 : 10;
            int idle = quick ? 1000 : 10_000;
            List<String> targets = List.of("relay", "switchboard");
            boolean write = !quick;
            boolean keepStepping = false;
            boolean http = false;
            boolean randomOrder = false;
            for (String a : args) {
                String v = a.substring(a.indexOf('=') + 1);
                if (a.startsWith("--users=")) users = Integer.parseInt(v);
                else if (a.startsWith("--rates=")) rates = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                else if (a.startsWith("--step-seconds=")) stepSeconds = Integer.parseInt(v);
                else if (a.startsWith("--idle=")) idle = Integer.parseInt(v);
                else if (a.startsWith("--only=")) targets = List.of(v);
                else if (a.equals("--write")) write = true;
                else if (a.equals("--no-write")) write = false;
                else if (a.equals("--keep-stepping")) keepStepping = true;
                else if (a.startsWith("--send=") && (v.equals("socket") || v.equals("http"))) http = v.equals("http");
                else if (a.startsWith("--order=") && (v.equals("rotation") || v.equals("random"))) randomOrder = v.equals("random");
                else if (!a.equals("--quick") && !a.equals("--timeline")) throw new IllegalArgumentException("unknown argument " + a);
            }
            if (users < 4 || users % 2 != 0) throw new IllegalArgumentException("--users must be even and at least 4");
            int cap = users;
            int[] groups = IntStream.of(10, 100, 1000).map(g -> Math.min(g, cap)).distinct().toArray();
            return new Settings(quick, users, rates, stepSeconds, groups, quick ? 10_000 : 100_000, idle, targets, write,
                    keepStepping, http, args.contains("--timeline"), randomOrder);
        }
    }

    private final Settings settings;
    private final List<Subject> subjects = new ArrayList<>();
    private int phases;

    private ChatBench(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[1]);
        Settings settings = Settings.parse(List.of(args).subList(2, args.length));
        Path work = Files.createTempDirectory("switchboard-chat-bench");
        // A copy: a build in the same tree may replace the jar while the server still loads classes from it.
        Path jar = Files.copy(Path.of(args[0]), work.resolve("switchboard.jar"));
        ChatBench bench = new ChatBench(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll));
        System.out.printf("Chat bench: %d users, steps %s msgs/s of %d s, groups %s, %d idle sockets, sends over %s;"
                        + " work dir %s%n", settings.users(), Arrays.toString(settings.rates()), settings.stepSeconds(),
                Arrays.toString(settings.groupSizes()), settings.idleSockets(), settings.http() ? "HTTP" : "the socket", work);
        System.out.println("The load generator shares the machine's " + Runtime.getRuntime().availableProcessors()
                + " cores with the servers under test; both servers run side by side and take turns.");

        List<Results> results = new ArrayList<>();
        if (settings.targets().contains("relay")) results.add(bench.add(new RelayTarget(work)));
        if (settings.targets().contains("switchboard")) results.add(bench.add(new SwitchboardTarget(work, jar)));
        try {
            bench.measure();
        } finally {
            bench.stopAll();
        }
        Results relay = results.stream().filter(r -> r.target.equals("relay")).findFirst().orElse(null);
        Results switchboard = results.stream().filter(r -> r.target.equals("switchboard")).findFirst().orElse(null);
        String report = Report.markdown(settings, switchboard, relay);
        System.out.println();
        System.out.println(report);
        if (settings.write()) {
            Report.writeSection(out, report);
            System.out.println("Written to " + out);
        }
        deleteTree(work);
    }

    /** Starts and prepares a server; one without chat is stopped and reported as skipped. */
    private Results add(Target target) throws Exception {
        Subject s = new Subject(target);
        s.quietBudgetNanos = QUIET_BUDGET_NANOS;
        subjects.add(s);
        try {
            s.prepare(settings.users(), settings.groupSizes());
        } catch (Api.ChatUnavailable e) {
            s.results.skipped = e.getMessage();
            log(target.name + ": skipped: " + e.getMessage());
            subjects.remove(s);
            s.close();
        }
        return s.results;
    }

    /**
     * Every phase runs on each server in turn, so what else runs on the machine meanwhile falls on
     * both alike; the other server idles during each turn.
     */
    private void measure() throws Exception {
        for (Subject s : subjects) warmUp(s);
        Thread.sleep(subjects.stream().mapToLong(s -> s.target.statsDelayMillis()).max().orElse(0) + 1000);
        for (Subject s : subjects) s.db0 = s.target.dbCounters();

        for (int rate : settings.rates()) {
            for (Subject s : subjects) {
                if (!s.stepping) continue;
                Results.Step step = null;
                for (int attempt = 1; attempt <= 2; attempt++) {
                    awaitQuiet(s);
                    step = step(s, rate, settings.stepSeconds(), settings.leadInSeconds());
                    s.results.steps.add(step);
                    logStep(s.target, step);
                    // The machine is shared: a step spoilt by someone else's work gets one more try.
                    if (step.passed() || step.machine().others() <= OTHERS_RETRY_CORES) break;
                }
                s.stepping = step.passed() || settings.keepStepping();
            }
        }
        Thread.sleep(subjects.stream().mapToLong(s -> s.target.statsDelayMillis()).max().orElse(0));
        for (Subject s : subjects) {
            if (s.db0 == null) continue;
            s.results.db = s.target.dbCounters().minus(s.db0);
            s.results.dbMessages = s.results.steps.stream().mapToLong(Results.Step::ok).sum() + s.results.leadInMessages;
        }

        for (int g = 0; g < settings.groupSizes().length; g++) {
            for (Subject s : subjects) {
                Subject.Group group = s.groups.get(g);
                int messages = Math.max(10, settings.groupFrames() / group.members().size());
                awaitQuiet(s);
                Results.Fanout f = fanout(s, group, messages);
                s.results.fanouts.add(f);
                log(String.format("%s: group of %d: %d messages, %d/%d frames in %.2f s = %.0f frames/s, p99 %.1f ms",
                        s.target.name, f.members(), f.messages(), f.frames(), f.expected(), f.seconds(),
                        f.framesPerSecond(), f.p99()));
            }
        }

        for (Subject s : subjects) {
            s.fleet.phase(null);
            s.results.idle = idle(s);
            log(String.format("%s: %d idle sockets: %+.1f kB RSS and %+.1f kB live heap each", s.target.name,
                    s.results.idle.sockets(), s.results.idle.rssPerSocketKb(), s.results.idle.heapPerSocketKb()));
        }
    }

    /**
     * The server's JIT compiles the hot paths first, for a minute or more on a large server: warm-up
     * rounds, not counted, until its compiler threads are nearly idle through a round.
     */
    private void warmUp(Subject s) throws Exception {
        Results r = s.results;
        for (int round = 1; round <= settings.warmupRounds(); round++) {
            double jit0 = ProcStats.compilerCpuSeconds(s.target.pid());
            long t1 = System.nanoTime();
            Results.Step warm = step(s, settings.warmupRate(), settings.warmupSeconds(), 0);
            r.warmupJitCores = (ProcStats.compilerCpuSeconds(s.target.pid()) - jit0) / ((System.nanoTime() - t1) / 1e9);
            r.warmupRounds = round;
            log(String.format("%s: warm-up round %d, %d msgs/s for %d s: p99 %.1f ms, CPU %.3f s/1000 msgs, JIT %.2f cores",
                    s.target.name, round, warm.rate(), warm.seconds(), warm.p99(), warm.cpuPerThousand(), r.warmupJitCores));
            if (r.warmupJitCores < JIT_SETTLED_CORES) break;
        }
    }

    /**
     * Waits for a second in which other processes on the machine use less than
     * {@link #OTHERS_RETRY_CORES}, for at most {@link #QUIET_WAIT_NANOS} at a time and
     * {@link #QUIET_BUDGET_NANOS} per server.
     */
    private static void awaitQuiet(Subject s) throws InterruptedException {
        Target target = s.target;
        long t0 = System.nanoTime();
        long deadline = t0 + Math.min(QUIET_WAIT_NANOS, s.quietBudgetNanos);
        Results.Cpu last;
        do {
            Results.CpuSample a = Results.CpuSample.of(target);
            Thread.sleep(1000);
            last = Results.Cpu.between(a, Results.CpuSample.of(target));
        } while (last.others() > OTHERS_RETRY_CORES && System.nanoTime() < deadline);
        long waited = System.nanoTime() - t0;
        s.quietBudgetNanos = Math.max(0, s.quietBudgetNanos - Math.max(0, waited - 1_000_000_000L));
        if (waited > 2_000_000_000L) {
            log(String.format("%s: waited %.0f s for other processes to calm down (now %.2f cores)", target.name,
                    waited / 1e9, last.others()));
        }
    }

    private static void logStep(Target target, Results.Step s) {
        log(String.format("%s: %6d msgs/s: sent %d, accepted %d, failed %d, lost %d, p50 %.1f ms, p99 %.1f ms,"
                        + " p99.9 %.1f ms, CPU %.3f s/1000 msgs; cores: server %.2f (JIT %.2f), bench %.2f, others %.2f%s", target.name,
                s.rate(), s.sent(), s.ok(), s.failed(), s.lost(), s.p50(), s.p99(), s.p999(), s.cpuPerThousand(),
                s.machine().server(), s.jitCores(), s.machine().bench(), s.machine().others(),
                s.passed() ? "" : "  (over the bound)"));
    }

    /**
     * Open loop: message i is due at start + i/rate whatever happened to the earlier ones. The
     * lead-in ({@link Settings#leadInSeconds}) runs on the same schedule right before the measured
     * part, as a phase of its own whose frames are not counted.
     */
    private Results.Step step(Subject s, int rate, int seconds, int leadInSeconds) throws Exception {
        Target target = s.target;
        long start = System.nanoTime() + 5_000_000;
        Phase lead = null;
        if (leadInSeconds > 0) {
            lead = new Phase(++phases, rate * leadInSeconds);
            s.fleet.phase(lead);
            sendOnSchedule(s, lead, rate, start);
            start += leadInSeconds * 1_000_000_000L;
        }
        int id = ++phases;
        int total = rate * seconds;
        Phase p = new Phase(id, total);
        double jvm0 = target.jvmCpuSeconds();
        double jit0 = ProcStats.compilerCpuSeconds(target.pid());
        Results.CpuSample cpu0 = Results.CpuSample.of(target);
        long startMillis = System.currentTimeMillis() + (start - System.nanoTime()) / 1_000_000;
        s.fleet.phase(p);
        sendOnSchedule(s, p, rate, start);
        drain(s, () -> p.deliveredCount() >= p.okCount(), System.nanoTime() + DRAIN_NANOS);
        if (lead != null) s.results.leadInMessages += lead.okCount(); // stored too: they count in the writes per message
        double jvm = target.jvmCpuSeconds() - jvm0;
        Results.CpuSample cpu1 = Results.CpuSample.of(target);
        Histogram h = p.latency();
        double jitCores = (ProcStats.compilerCpuSeconds(target.pid()) - jit0) / ((System.nanoTime() - start) / 1e9);
        if (settings.timeline()) {
            log(String.format("%s: from %tT.%<tL, 100 ms slots over 50 ms:%s", target.name, startMillis,
                    p.slowSlots(50_000)));
        }
        return new Results.Step(rate, seconds, p.sentCount(), p.okCount(), p.failedCount(), p.deliveredCount(),
                p.duplicateCount(), ms(h, 50), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1000.0, jvm,
                cpu1.server() - cpu0.server(), Results.Cpu.between(cpu0, cpu1), jitCores);
    }

    /**
     * Sends the phase's messages at {@code rate} from {@code start} on: over the pairs in turn, each
     * way in turn, so every conversation gets the same share at every moment; or, with
     * {@code --order=random}, each message from a pair and a direction drawn at random (seeded per phase).
     */
    private void sendOnSchedule(Subject s, Phase p, int rate, long start) {
        List<Subject.Pair> pairs = s.pairs;
        int total = p.capacity();
        boolean randomOrder = settings.randomOrder();
        SplittableRandom random = new SplittableRandom(p.id);
        p.start(start);
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long now;
            while ((now = System.nanoTime()) < due) LockSupport.parkNanos(Math.min(due - now, 100_000));
            Subject.Pair pair = pairs.get(randomOrder ? random.nextInt(pairs.size()) : i % pairs.size());
            boolean back = randomOrder ? random.nextBoolean() : (i / pairs.size()) % 2 == 1;
            int from = back ? pair.b() : pair.a();
            int to = back ? pair.a() : pair.b();
            p.sent();
            s.send(settings.http(), from, pair.conversation(), "p" + p.id + "-" + i, Phase.text(p.id, i, due, to), p::response);
        }
    }

    /** A burst of messages into one group, {@link #GROUP_WINDOW} sends in flight, senders taking turns. */
    private Results.Fanout fanout(Subject s, Subject.Group g, int messages) throws Exception {
        Target target = s.target;
        int id = ++phases;
        Phase p = new Phase(id, messages);
        s.fleet.phase(p);
        int size = g.members().size();
        long expected = (long) messages * size;
        Semaphore window = new Semaphore(GROUP_WINDOW);
        double cpu0 = target.cpuSeconds();
        long t0 = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            window.acquire();
            int from = g.members().get(i % size);
            p.sent();
            s.send(settings.http(), from, g.id(), "g" + id + "-" + i, Phase.text(id, i, System.nanoTime(), -1), status -> {
                p.response(status);
                window.release();
            });
        }
        drain(s, () -> p.deliveredCount() >= p.okCount() * size, System.nanoTime() + GROUP_TIMEOUT_NANOS);
        double cpu = target.cpuSeconds() - cpu0;
        Histogram h = p.latency();
        double seconds = (p.lastArrivalNanos() - t0) / 1e9;
        return new Results.Fanout(size, messages, p.failedCount(), expected, p.deliveredCount(), seconds, ms(h, 50),
                ms(h, 99), cpu);
    }

    private Results.Idle idle(Subject s) throws Exception {
        long pid = s.target.pid();
        long heap0 = ProcStats.collectAndHeapUsedKb(pid);
        long rss0 = ProcStats.rssKb(pid);
        int n = s.tokens.size();
        List<Fleet.Device> idle = s.fleet.connect(s.stream(), settings.idleSockets(), i -> i % n, s.tokens);
        Thread.sleep(1000);
        long heap1 = ProcStats.collectAndHeapUsedKb(pid);
        long rss1 = ProcStats.rssKb(pid);
        Fleet.shutdown(idle);
        Thread.sleep(1000);
        return new Results.Idle(idle.size(), rss0, rss1, heap0, heap1);
    }

    /** Waits until nothing is in flight and {@code done} holds, or the deadline passes. */
    private static void drain(Subject s, java.util.function.BooleanSupplier done, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline && (s.inFlight() > 0 || !done.getAsBoolean())) Thread.sleep(10);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Stops every server still running (also from the shutdown hook); each only once. */
    private synchronized void stopAll() {
        for (Subject s : List.copyOf(subjects)) {
            subjects.remove(s);
            try {
                s.close();
            } catch (Exception e) {
                log(s.target.name + ": stopping failed: " + e);
            }
        }
    }

    static void log(String line) {
        System.out.println("  " + line);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
