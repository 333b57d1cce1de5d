package io.switchboard.sdk.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BearerTokenTest {

    @Test
    void readsTheToken() {
        assertEquals(Optional.of("abc.DEF-123_"), BearerToken.parse("Bearer abc.DEF-123_"));
        assertEquals(Optional.of("abc"), BearerToken.parse("bearer   abc  "), "the scheme is case-insensitive");
    }

    @Test
    void refusesEverythingElse() {
        for (String h : new String[] {null, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc",
                "Bearer a b", "Bearer caf\u00e9", "Bearer " + "x".repeat(513), "Bearer a\tb"}) {
            assertTrue(BearerToken.parse(h).isEmpty(), "refused: " + h);
        }
    }
}
