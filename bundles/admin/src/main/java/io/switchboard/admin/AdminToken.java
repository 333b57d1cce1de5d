package io.switchboard.admin;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.BearerToken;
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
        Optional<String> given = BearerToken.parse(authorization);
        if (given.isEmpty()) {
            throw new ApiException(401, "unauthorized", "The admin token is required.");
        }
        if (!MessageDigest.isEqual(expected, given.get().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "invalid_token", "The admin token is wrong.");
        }
    }
}
