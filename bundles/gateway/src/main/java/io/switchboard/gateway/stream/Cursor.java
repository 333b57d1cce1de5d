package io.switchboard.gateway.stream;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where a device is in every update source: a position per source, written as
 * {@code acct12.chat3042} (name then position, sources sorted, dot-separated). A source missing from
 * a cursor is at 0, and a source at 0 is left out, so equal positions always read the same. A cursor of bare digits, as earlier servers wrote them, is a position in
 * {@value #ACCOUNT_SOURCE}. Immutable.
 */
public final class Cursor {
    /** The gateway's own per-account updates. */
    static final String ACCOUNT_SOURCE = "acct";
    static final Pattern SOURCE_NAME = Pattern.compile("[a-z]{1,16}");
    private static final Pattern ENTRY = Pattern.compile("([a-z]{1,16})(\\d{1,18})");
    private static final int MAX_LENGTH = 1024;
    static final Cursor START = new Cursor(new TreeMap<>());

    private final TreeMap<String, Long> positions;
    private String text;

    private Cursor(TreeMap<String, Long> positions) {
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
        return new Cursor(map);
    }

    private static IllegalArgumentException invalid() {
        return new IllegalArgumentException("'since' must be a cursor received from this server.");
    }

    long get(String source) {
        Long p = positions.get(source);
        return p == null ? 0 : p;
    }

    Cursor with(String source, long position) {
        if (get(source) == position) return this;
        TreeMap<String, Long> copy = new TreeMap<>(positions);
        if (position == 0) copy.remove(source); else copy.put(source, position);
        return new Cursor(copy);
    }

    Map<String, Long> positions() { return java.util.Collections.unmodifiableMap(positions); }

    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            StringBuilder b = new StringBuilder();
            positions.forEach((k, v) -> {
                if (b.length() > 0) b.append('.');
                b.append(k).append(v);
            });
            t = b.length() == 0 ? ACCOUNT_SOURCE + "0" : b.toString();
            text = t;
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cursor c && c.positions.equals(positions);
    }

    @Override
    public int hashCode() { return positions.hashCode(); }
}
