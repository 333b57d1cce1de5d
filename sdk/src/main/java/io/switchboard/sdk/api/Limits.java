package io.switchboard.sdk.api;

/** Limits of the client contract that every feature enforces the same way. */
public final class Limits {
    private Limits() {}
    /** Largest JSON request body, in bytes (1 MiB). Larger bodies are answered 413. */
    public static final long MAX_JSON_BODY = 1L << 20;
    /** Longest message text, in characters. */
    public static final int MAX_TEXT = 4096;
}
