package io.switchboard.sip.routing;

import java.util.Locale;
import java.util.Optional;

/** How the members of a ring group are tried. */
public enum Strategy {
    /** All at once; the first to answer takes the call. */
    RINGALL,
    /** One after the other, in the order written. */
    LINEAR,
    /** One after the other, starting one further each call (the position is remembered). */
    ROUNDROBIN,
    /** The member whose last call is oldest first. */
    LEASTRECENT,
    /** The member with the fewest answered calls first. */
    FEWESTCALLS,
    /** A random order. */
    RANDOM,
    /** A random order in which heavier members tend to come first. */
    WEIGHTEDRANDOM;

    public String wire() { return name().toLowerCase(Locale.ROOT); }

    public static Optional<Strategy> ofWire(String s) {
        for (Strategy v : values()) if (v.wire().equals(s)) return Optional.of(v);
        return Optional.empty();
    }
}
