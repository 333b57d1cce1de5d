package io.switchboard.bench.chat;

import java.util.ArrayList;
import java.util.List;

/** What one run measured on one target. */
final class Results {
    /** 50 ms: the 1:1 latency bound a step must keep at p99. */
    static final double P99_BOUND_MS = 50;

    /** One open-loop 1:1 step. Latencies in milliseconds, CPU in seconds. */
    record Step(int rate, int seconds, long sent, long ok, long failed, long delivered, long duplicates,
                double p50, double p99, double p999, double max, double cpuJvm, double cpuAll, Cpu machine,
                double jitCores) {
        long lost() { return ok - delivered; }

        boolean passed() { return failed == 0 && lost() == 0 && delivered > 0 && p99 <= P99_BOUND_MS; }

        double cpuPerThousand() { return ok == 0 ? Double.NaN : cpuAll / ok * 1000; }

        double jvmCpuPerThousand() { return ok == 0 ? Double.NaN : cpuJvm / ok * 1000; }
    }

    /**
     * Where the machine's CPU went over a stretch of {@code seconds}, in cores: the server, the load
     * generator, and every other process on the machine (which the bench does not control).
     */
    record Cpu(double seconds, double server, double bench, double others) {
        static Cpu between(CpuSample a, CpuSample b) {
            double s = (b.nanos() - a.nanos()) / 1e9;
            double server = b.server() - a.server();
            double bench = b.bench() - a.bench();
            double others = Math.max(0, b.machine() - a.machine() - server - bench);
            return new Cpu(s, server / s, bench / s, others / s);
        }
    }

    /** CPU seconds used so far: server, load generator, whole machine. */
    record CpuSample(long nanos, double server, double bench, double machine) {
        static CpuSample of(Target t) {
            return new CpuSample(System.nanoTime(), t.cpuSeconds(), ProcStats.selfCpuSeconds(), ProcStats.machineBusySeconds());
        }
    }

    /** One group burst: every member has one socket and gets every message. */
    record Fanout(int members, int messages, long failed, long expected, long frames, double seconds, double p50,
                  double p99, double cpuAll) {
        double framesPerSecond() { return seconds <= 0 ? 0 : frames / seconds; }
    }

    /** Idle authenticated sockets and what the server held for them after a full collection. */
    record Idle(int sockets, long rssBeforeKb, long rssAfterKb, long heapBeforeKb, long heapAfterKb) {
        double rssPerSocketKb() { return (rssAfterKb - rssBeforeKb) / (double) sockets; }

        double heapPerSocketKb() { return (heapAfterKb - heapBeforeKb) / (double) sockets; }
    }

    final String target;
    String skipped;
    double signInSeconds;
    int warmupRounds;
    /** Cores the JIT compiler threads used in the last warm-up round. */
    double warmupJitCores;
    final List<Step> steps = new ArrayList<>();
    Target.DbCounters db;
    long dbMessages;
    /** Messages the steps' lead-ins stored (not in the steps' figures). */
    long leadInMessages;
    final List<Fanout> fanouts = new ArrayList<>();
    Idle idle;
    int unexpectedCloses;

    Results(String target) {
        this.target = target;
    }

    /** The highest step that held p99 ≤ 50 ms without loss (0: none). */
    int bestRate() {
        int best = 0;
        for (Step s : steps) if (s.passed()) best = Math.max(best, s.rate());
        return best;
    }

    /** Mean cores used by other processes on the machine during the counted 1:1 steps. */
    double othersDuringSteps() {
        return steps.stream().mapToDouble(s -> s.machine().others()).average().orElse(0);
    }

    /** The step at this rate: the one that passed if it was run twice, else the last. */
    Step step(int rate) {
        Step out = null;
        for (Step s : steps) if (s.rate() == rate && (out == null || !out.passed())) out = s;
        return out;
    }

    Fanout fanout(int members) {
        for (Fanout f : fanouts) if (f.members() == members) return f;
        return null;
    }
}
