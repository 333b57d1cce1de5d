package io.switchboard.admin;

import io.switchboard.sdk.api.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** Checks {@code Authorization: Bearer <admin token>} in constant time. */
final class AdminToken {
    private final byte[] expected;

    AdminToken(String token) {
        if (token == null || token.isBlank()) throw new IllegalArgumentException("No admin token is configured");
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    void require(String authorization) {
        Optional<String> given = bearer(authorization);
        if (given.isEmpty()) {
            throw new ApiException(401, "unauthorized", "The admin token is required.");
        }
        if (!MessageDigest.isEqual(expected, given.get().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "invalid_token", "The admin token is wrong.");
        }
    }

    private static Optional<String> bearer(String header) {
        if (header == null) return Optional.empty();
        String h = header.trim();
        if (h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return Optional.empty();
        String t = h.substring(7).trim();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }
}
