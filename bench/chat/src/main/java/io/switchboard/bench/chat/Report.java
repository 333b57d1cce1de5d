package io.switchboard.bench.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;

/** The Markdown section of docs/benchmarks.md, also printed. */
final class Report {
    private Report() {}

    static final String HEADING = "## Chat (bench/chat/run.sh)";

    static String markdown(ChatBench.Settings s, Results sb, Results relay) {
        StringBuilder out = new StringBuilder(HEADING).append("\n\n");
        out.append(String.format(Locale.ROOT, "Measured %s on %d cores, %s %s, JVM flags `%s` for both servers%s; "
                        + "%d users in %d 1:1 pairs, one socket each; messages sent %s, %s; steps of %d s (after a lead-in of %d s at the same rate) at %s msgs/s; "
                        + "open-files limit %s%s.%n%n",
                LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), String.join(" ", Target.JVM_FLAGS),
                Target.JVM_FLAGS.equals(Target.STANDARD_FLAGS) ? " (the README's run command)" : " (`BENCH_JVM_FLAGS`)", s.users(), s.users() / 2,
                s.http() ? "with `PUT` over HTTP" : "as `message.send` frames on the sender's socket",
                s.randomOrder() ? "each from a pair and a direction drawn at random (`--order=random`)" : "over the pairs in turn, each way in turn",
                s.stepSeconds(), s.leadInSeconds(), list(s.rates()),
                ProcStats.openFilesLimit(), s.quick() ? " (quick mode: a smoke run, not a measurement to quote)" : ""));
        out.append("**The load generator (its sockets, HTTP client, JSON and clocks) runs on the same cores as the "
                + "server under test**, so every figure is a floor for the server, not its limit; the relay runs "
                + "under the same handicap, which is what the ratio is for. Its WebSocket client reads on a pool of "
                + Fleet.loadThreads() + " threads.\n\n");
        for (Results r : new Results[] {sb, relay}) {
            if (r != null && r.skipped != null) out.append("**").append(r.target).append(" skipped:** ").append(r.skipped).append("\n\n");
        }
        Results a = usable(sb);
        Results b = usable(relay);
        double others = both(a, b).stream().mapToDouble(Results::othersDuringSteps).max().orElse(0);
        if (others > ChatBench.OTHERS_RETRY_CORES) {
            out.append(String.format(Locale.ROOT, "**The machine was shared during this run:** other processes (builds and "
                    + "tests of the same project) used up to %.2f of its cores on average through one server's steps; see the "
                    + "last column of the steps table. Figures on a quiet machine would be better.%n%n", others));
        }

        out.append("| figure | Switchboard | raw relay (same run) | Switchboard / relay |\n| --- | --- | --- | --- |\n");
        row(out, "persisted 1:1 msgs/s at p99 ≤ 50 ms, no loss (highest step passed; – : none passed)", a, b,
                r -> r.bestRate() == 0 ? null : (double) r.bestRate(), "%.0f", "");
        int ref = referenceRate(s, a, b);
        Function<Results, Results.Step> at = r -> r.step(ref);
        out.append(String.format(Locale.ROOT, "| 1:1 delivery latency p50 / p99 / p99.9 at %d msgs/s | %s | %s | %s |%n", ref,
                latency(a == null ? null : at.apply(a)), latency(b == null ? null : at.apply(b)),
                ratio(value(a, r -> stepValue(at.apply(r), Results.Step::p99)), value(b, r -> stepValue(at.apply(r), Results.Step::p99)), " (p99)")));
        for (int g : s.groupSizes()) {
            row(out, "group of " + g + " (all online): frames delivered per second", a, b,
                    r -> r.fanout(g) == null ? null : r.fanout(g).framesPerSecond(), "%.0f", "");
        }
        String cpuLabel = String.format(Locale.ROOT, "server CPU-seconds per 1000 1:1 messages at %d msgs/s", ref);
        out.append(String.format(Locale.ROOT, "| %s (Switchboard: JVM + PostgreSQL) | %s | %s | %s |%n", cpuLabel,
                a == null || at.apply(a) == null ? "–" : String.format(Locale.ROOT, "%.3f (JVM %.3f)",
                        at.apply(a).cpuPerThousand(), at.apply(a).jvmCpuPerThousand()),
                fmt("%.3f", value(b, r -> stepValue(at.apply(r), Results.Step::cpuPerThousand))),
                ratio(value(a, r -> stepValue(at.apply(r), Results.Step::cpuPerThousand)),
                        value(b, r -> stepValue(at.apply(r), Results.Step::cpuPerThousand)), "")));
        if (a != null && a.db != null && a.dbMessages > 0) {
            out.append(String.format(Locale.ROOT, "| database rows written per message (all 1:1 steps and their lead-ins, %d messages) | %.2f | none | |%n",
                    a.dbMessages, a.db.rows() / (double) a.dbMessages));
            out.append(String.format(Locale.ROOT, "| database transactions committed per message (`xact_commit`; read-only ones count too) | %.3f | none | |%n",
                    a.db.commits() / (double) a.dbMessages));
        }
        row(out, "memory per idle authenticated socket: resident (RSS after a full GC), kB", a, b,
                r -> r.idle == null || r.idle.sockets() == 0 ? null : r.idle.rssPerSocketKb(), "%.1f", "");
        row(out, "memory per idle authenticated socket: live heap after a full GC, kB", a, b,
                r -> r.idle == null || r.idle.sockets() == 0 ? null : r.idle.heapPerSocketKb(), "%.1f", "");
        out.append('\n');

        out.append("1:1 steps (open loop; latency from the scheduled send to the frame on the receiver's socket):\n\n");
        out.append("| msgs/s | server | sent | accepted | failed | lost | p50 ms | p99 ms | p99.9 ms | max ms | CPU-s / 1000 msgs "
                + "| cores busy: server / bench / other processes | of them the server's JIT compiler | ≤ 50 ms, no loss |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        detail(out, a, b, s.rates(), (r, rate) -> r.steps.stream().filter(st -> st.rate() == rate).toList(),
                (r, st) -> String.format(Locale.ROOT,
                        "| %d | %s | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.3f | %.2f / %.2f / %.2f | %.2f | %s |",
                        st.rate(), r.target, st.sent(), st.ok(), st.failed(), st.lost(), st.p50(), st.p99(), st.p999(),
                        st.max(), st.cpuPerThousand(), st.machine().server(), st.machine().bench(),
                        st.machine().others(), st.jitCores(), st.passed() ? "yes" : "no"));
        out.append("\nGroup bursts (every member online with one socket; the sender's own socket counts):\n\n");
        out.append("| members | server | messages | failed | frames delivered / expected | seconds | frames/s | p50 ms | p99 ms | CPU-s / 1000 frames |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        detail(out, a, b, s.groupSizes(), (r, g) -> r.fanout(g) == null ? List.of() : List.of(r.fanout(g)),
                (r, f) -> String.format(Locale.ROOT, "| %d | %s | %d | %d | %d / %d | %.2f | %.0f | %.1f | %.1f | %.3f |",
                        f.members(), r.target, f.messages(), f.failed(), f.frames(), f.expected(), f.seconds(),
                        f.framesPerSecond(), f.p50(), f.p99(), f.frames() == 0 ? Double.NaN : f.cpuAll() / f.frames() * 1000));
        out.append('\n');
        for (Results r : both(a, b)) {
            if (r.idle != null) {
                out.append(String.format(Locale.ROOT, "- %s: %d idle sockets took RSS %d → %d MB and live heap %d → %d MB"
                                + " (after `jcmd GC.run`); sockets closed by the server during the run: %d;%s"
                                + " warm-up rounds: %d (JIT %.2f cores in the last); other processes on the machine used %.2f cores"
                                + " on average during the steps.%n",
                        r.target, r.idle.sockets(), r.idle.rssBeforeKb() / 1024, r.idle.rssAfterKb() / 1024,
                        r.idle.heapBeforeKb() / 1024, r.idle.heapAfterKb() / 1024, r.unexpectedCloses,
                        r.signInSeconds < 0.1 ? "" : String.format(Locale.ROOT, " %d accounts registered and logged in"
                                + " (%d threads): %.1f s;", s.users(), Parallel.THREADS, r.signInSeconds),
                        r.warmupRounds, r.warmupJitCores, r.othersDuringSteps()));
            }
        }
        out.append("\nMethod. Both servers run side by side as processes of their own, started by the bench, and "
                + "take turns: each step, burst and measurement runs on one server while the other idles, so what "
                + "else runs on the machine falls on both alike. Switchboard runs as "
                + "`java " + String.join(" ", Target.JVM_FLAGS) + " -jar distribution/target/switchboard.jar` with a fresh home "
                + "(embedded PostgreSQL), the relay (`RelayServer`, plain Jetty 12, no OSGi, no storage, no accounts, "
                + "no idempotency; the same JVM flags) with the same "
                + "`message.send` frame answered by `message.sent` on the sender's socket, the same "
                + "`PUT /api/v1/conversations/{id}/messages/{clientMsgId}` and the same `message.created` frames on "
                + "`/api/v1/stream`. " + (s.http()
                        ? "Sends go as `PUT` over one Jetty HttpClient with " + Api.CONNECTIONS + " HTTP/1.1 connections "
                                + "(`--send=http`; the default sends over the sockets); "
                        : "Sends go as `message.send` frames on the sender's own socket (the default; `--send=http` "
                                + "sends them as `PUT` over one Jetty HttpClient with " + Api.CONNECTIONS + " HTTP/1.1 "
                                + "connections instead), a send being answered when its `message.sent` arrives; ")
                + "a send that finds " + Api.MAX_IN_FLIGHT + " others unanswered counts as failed. "
                + "Before the steps, warm-up rounds of " + s.warmupSeconds() + " s at " + s.warmupRate() + " msgs/s (not "
                + "counted) run until the server's JIT compiler threads use less than " + ChatBench.JIT_SETTLED_CORES
                + " cores through a round (at most " + s.warmupRounds() + " rounds). "
                + "Each step sends at a fixed schedule whatever the answers (open loop), and latency is taken from "
                + "the scheduled time, so a server that falls behind is charged for the queue. Each step's first "
                + s.leadInSeconds() + " s at its rate are a lead-in, not counted (a server meeting a higher rate for the "
                + "first time recompiles paths it never took before, for 0.5 to 2 s; a queue left from then still "
                + "counts); the measured seconds follow on the same schedule without a pause. A step passes with "
                + "every send accepted, every message on its receiver's socket within 15 s of the step's end, and "
                + "p99 ≤ 50 ms; stepping stops at the first step that fails (a failed step during which other processes "
                + "on the machine used more than " + ChatBench.OTHERS_RETRY_CORES + " cores is run once more, and "
                + "both runs are listed); before each step and burst the bench waits (at most 20 s, 90 s in all per server) "
                + "for a second in which other processes use less than that. "
                + "CPU is utime + stime from `/proc` "
                + "(Switchboard: its JVM plus the PostgreSQL processes) over the step and its drain. Database "
                + "writes are `tup_inserted + tup_updated + tup_deleted` and `xact_commit` from `pg_stat_database`, "
                + "read 11 s after the last write (statistics flush interval). Group bursts keep " + ChatBench.GROUP_WINDOW
                + " sends in flight, senders taking turns; frames/s is the frames received on all members' "
                + "sockets over the time from the first send to the last frame. Idle memory: RSS and heap in use "
                + "after `jcmd <pid> GC.run`, before and after opening the idle sockets (several per token), divided "
                + "by their number.\n");
        return out.toString();
    }

    /** Rows of a detail table: for each key, each server's items at that key. */
    private static <T> void detail(StringBuilder out, Results a, Results b, int[] keys,
                                   BiFunction<Results, Integer, List<T>> items, BiFunction<Results, T, String> line) {
        // A rate given twice (--rates=15000,17500,15000) lists its steps once, in the order they ran.
        for (int key : java.util.Arrays.stream(keys).distinct().toArray()) {
            for (Results r : both(a, b)) {
                for (T item : items.apply(r, key)) out.append(line.apply(r, item)).append('\n');
            }
        }
    }

    private static Results usable(Results r) {
        return r == null || r.skipped != null ? null : r;
    }

    private static List<Results> both(Results a, Results b) {
        List<Results> out = new ArrayList<>();
        if (a != null) out.add(a);
        if (b != null) out.add(b);
        return out;
    }

    /** The rate the latency and CPU rows compare: the highest both passed, else the lowest step. */
    private static int referenceRate(ChatBench.Settings s, Results a, Results b) {
        int best = Integer.MAX_VALUE;
        for (Results r : both(a, b)) best = Math.min(best, r.bestRate());
        return best == Integer.MAX_VALUE || best == 0 ? s.rates()[0] : best;
    }

    private static Double stepValue(Results.Step st, Function<Results.Step, Double> f) {
        return st == null ? null : f.apply(st);
    }

    private static Double value(Results r, Function<Results, Double> f) {
        return r == null ? null : f.apply(r);
    }

    private static void row(StringBuilder out, String label, Results a, Results b, Function<Results, Double> f,
                            String format, String note) {
        Double x = value(a, f);
        Double y = value(b, f);
        out.append("| ").append(label).append(" | ").append(fmt(format, x)).append(" | ").append(fmt(format, y))
                .append(" | ").append(ratio(x, y, note)).append(" |\n");
    }

    private static String latency(Results.Step st) {
        return st == null ? "–" : String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms", st.p50(), st.p99(), st.p999());
    }

    private static String fmt(String format, Double v) {
        return v == null || v.isNaN() ? "–" : String.format(Locale.ROOT, format, v);
    }

    private static String ratio(Double x, Double y, String note) {
        if (x == null || y == null || x.isNaN() || y.isNaN() || y == 0) return "–";
        return String.format(Locale.ROOT, "%.2f%s", x / y, note);
    }

    private static String list(int[] values) {
        return Arrays.toString(values).replaceAll("[\\[\\]]", "");
    }

    /** Puts the section in place of the one under the same heading (up to the next {@code ## }), or appends it. */
    static void writeSection(Path file, String section) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of("# Benchmarks", "");
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size() && !lines.get(i).equals(HEADING)) out.add(lines.get(i++));
        boolean replaced = i < lines.size();
        if (!replaced && !out.isEmpty() && !out.get(out.size() - 1).isEmpty()) out.add("");
        out.addAll(section.strip().lines().toList());
        out.add("");
        if (replaced) {
            i++;
            while (i < lines.size() && !lines.get(i).startsWith("## ")) i++;
            out.addAll(lines.subList(i, lines.size()));
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
        Files.writeString(file, String.join("\n", out) + "\n");
    }
}
