package io.switchboard.bench.chat;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one stretch of load sent and what arrived. A message's text carries everything needed to
 * match its frame: {@code b <phase> <seq> <send time, System.nanoTime()> <receiving user or -1>}.
 * With a receiving user, only that user's frame counts (once; the sender's own devices get the
 * frame too and are ignored); with -1, every frame counts (group fan-out).
 */
final class Phase {
    private static final String MARK = "\"text\":\"b ";
    private static final long MAX_MICROS = 600_000_000L;

    final int id;
    private final AtomicLongArray seen;
    private final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(MAX_MICROS, 3);
    private final LongAdder sent = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final AtomicLong lastArrival = new AtomicLong();
    /** The worst latency of the messages due in each {@link #SLOT_NANOS} of the phase (micros). */
    private final AtomicLongArray slotMax = new AtomicLongArray(4096);
    private static final long SLOT_NANOS = 100_000_000L;
    private volatile long startNanos = Long.MAX_VALUE;

    private final int capacity;

    Phase(int id, int messages) {
        this.id = id;
        this.capacity = messages;
        this.seen = new AtomicLongArray(messages / 64 + 1);
    }

    /** The number of messages the phase was made for. */
    int capacity() { return capacity; }

    static String text(int phase, int seq, long sentNanos, int receiver) {
        return "b " + phase + " " + seq + " " + sentNanos + " " + receiver;
    }

    void sent() { sent.increment(); }

    /** The HTTP status of a send (-1: not sent or no answer). */
    void response(int status) {
        if (status == 200 || status == 201) ok.increment(); else failed.increment();
    }

    /** A frame arrived on a socket of {@code user}. */
    void onFrame(int user, String frame, long now) {
        int at = frame.indexOf(MARK);
        if (at < 0 || !frame.contains("\"type\":\"message.created\"")) return;
        long[] f = new long[4];
        int i = at + MARK.length();
        for (int k = 0; k < 4; k++) {
            boolean negative = frame.charAt(i) == '-';
            if (negative) i++;
            long v = 0;
            char c;
            while (Character.isDigit(c = frame.charAt(i))) {
                v = v * 10 + (c - '0');
                i++;
            }
            f[k] = negative ? -v : v;
            i++;
        }
        if (f[0] != id) return;
        int receiver = (int) f[3];
        if (receiver >= 0) {
            if (receiver != user) return;
            if (!mark((int) f[1])) {
                duplicates.increment();
                return;
            }
        }
        long micros = Math.min(MAX_MICROS, Math.max(0, (now - f[2]) / 1000));
        latencyMicros.recordValue(micros);
        long slot = (f[2] - startNanos) / SLOT_NANOS;
        if (slot >= 0 && slot < slotMax.length()) slotMax.accumulateAndGet((int) slot, micros, Math::max);
        delivered.increment();
        lastArrival.accumulateAndGet(now, Math::max);
    }

    private boolean mark(int seq) {
        long bit = 1L << (seq & 63);
        while (true) {
            long word = seen.get(seq >>> 6);
            if ((word & bit) != 0) return false;
            if (seen.compareAndSet(seq >>> 6, word, word | bit)) return true;
        }
    }

    /** Messages due from {@code nanos} on are placed in the timeline. */
    void start(long nanos) { startNanos = nanos; }

    /** The 100 ms slots whose worst latency was over {@code boundMicros}: "t=1.2s:63ms ...". */
    String slowSlots(long boundMicros) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < slotMax.length(); i++) {
            long m = slotMax.get(i);
            if (m > boundMicros) b.append(String.format(" t=%.1fs:%dms", i / 10.0, m / 1000));
        }
        return b.toString();
    }

    long sentCount() { return sent.sum(); }

    long okCount() { return ok.sum(); }

    long failedCount() { return failed.sum(); }

    long deliveredCount() { return delivered.sum(); }

    long duplicateCount() { return duplicates.sum(); }

    long lastArrivalNanos() { return lastArrival.get(); }

    Histogram latency() { return latencyMicros.copy(); }
}
