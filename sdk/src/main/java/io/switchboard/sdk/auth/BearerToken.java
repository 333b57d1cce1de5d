package io.switchboard.sdk.auth;

import java.util.Optional;

/** Parses an {@code Authorization} header value of the Bearer scheme (RFC 6750): the token, or empty. */
public final class BearerToken {
    private static final int MAX_TOKEN = 512;

    private BearerToken() {}

    public static Optional<String> parse(String header) {
        if (header == null) return Optional.empty();
        String h = header.trim();
        if (h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return Optional.empty();
        String token = h.substring(7).trim();
        if (token.isEmpty() || token.length() > MAX_TOKEN) return Optional.empty();
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c > '~') return Optional.empty();
        }
        return Optional.of(token);
    }
}
