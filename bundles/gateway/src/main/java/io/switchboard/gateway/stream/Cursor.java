package io.switchboard.gateway.stream;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where a device is in every update source: a position per source, written as
 * {@code acct12.chat3042} (name then position, sources sorted, dot-separated). A source missing from
 * a cursor is at 0, and a source at 0 is left out, so equal positions always read the same. A cursor
 * of bare digits, as earlier servers wrote them, is a position in {@value #ACCOUNT_SOURCE}. Immutable.
 *
 * <p>A device's cursor moves with every update it gets, so it is two small arrays (a server has a
 * handful of sources) rather than a map: a move copies one array of that handful.
 */
public final class Cursor {
    /** The gateway's own per-account updates. */
    static final String ACCOUNT_SOURCE = "acct";
    static final Pattern SOURCE_NAME = Pattern.compile("[a-z]{1,16}");
    private static final Pattern ENTRY = Pattern.compile("([a-z]{1,16})(\\d{1,18})");
    private static final int MAX_LENGTH = 1024;
    static final Cursor START = new Cursor(new String[0], new long[0]);

    /** Source names, sorted; {@code positions[i]} (never 0) is the position in {@code sources[i]}. */
    private final String[] sources;
    private final long[] positions;
    private String text;

    private Cursor(String[] sources, long[] positions) {
        this.sources = sources;
        this.positions = positions;
    }

    public static Cursor parse(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_LENGTH) throw invalid();
        if (s.chars().allMatch(Character::isDigit)) {
            if (s.length() > 18) throw invalid();
            return START.with(ACCOUNT_SOURCE, Long.parseLong(s));
        }
        TreeMap<String, Long> map = new TreeMap<>();
        for (String part : s.split("\\.", -1)) {
            var m = ENTRY.matcher(part);
            if (!m.matches() || map.containsKey(m.group(1))) throw invalid();
            map.put(m.group(1), Long.parseLong(m.group(2)));
        }
        map.values().removeIf(p -> p == 0);
        return of(map);
    }

    /** The cursor of these positions, none of them 0. */
    private static Cursor of(TreeMap<String, Long> map) {
        String[] names = new String[map.size()];
        long[] at = new long[map.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : map.entrySet()) {
            names[i] = e.getKey();
            at[i++] = e.getValue();
        }
        return new Cursor(names, at);
    }

    private static IllegalArgumentException invalid() {
        return new IllegalArgumentException("'since' must be a cursor received from this server.");
    }

    /** Where {@code source} is in {@link #sources}, or -1. */
    private int indexOf(String source) {
        for (int i = 0; i < sources.length; i++) {
            if (sources[i].equals(source)) return i;
        }
        return -1;
    }

    long get(String source) {
        int i = indexOf(source);
        return i >= 0 ? positions[i] : 0;
    }

    Cursor with(String source, long position) {
        int i = indexOf(source);
        if (i >= 0 ? positions[i] == position : position == 0) return this;
        if (i >= 0 && position != 0) {
            // The common move: a source already in the cursor goes on. The names stay shared (never changed).
            long[] at = positions.clone();
            at[i] = position;
            return new Cursor(sources, at);
        }
        // A source comes or goes (rare): through the sorted map.
        TreeMap<String, Long> map = new TreeMap<>();
        for (int k = 0; k < sources.length; k++) map.put(sources[k], positions[k]);
        if (position == 0) map.remove(source); else map.put(source, position);
        return of(map);
    }

    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < sources.length; i++) {
                if (i > 0) b.append('.');
                b.append(sources[i]).append(positions[i]);
            }
            t = b.length() == 0 ? ACCOUNT_SOURCE + "0" : b.toString();
            text = t;
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cursor c && Arrays.equals(c.sources, sources) && Arrays.equals(c.positions, positions);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(sources) + Arrays.hashCode(positions); }
}
