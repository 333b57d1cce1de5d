package io.switchboard.calls.call;

import java.util.Locale;

/**
 * Where a call is. {@link #RINGING} and {@link #ANSWERED} are live; the others are ends:
 * {@link #ENDED} after an answer, the rest before one ({@link #FAILED}: a bridge to a company's PBX
 * could not place it).
 */
public enum CallState {
    RINGING, ANSWERED, ENDED, DECLINED, BUSY, MISSED, CANCELLED, FAILED;

    public boolean live() { return this == RINGING || this == ANSWERED; }

    /** The name on the wire and in the database. */
    public String wire() { return name().toLowerCase(Locale.ROOT); }

    public static CallState ofWire(String s) { return valueOf(s.toUpperCase(Locale.ROOT)); }
}
