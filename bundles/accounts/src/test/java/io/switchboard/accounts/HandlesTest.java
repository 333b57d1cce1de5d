package io.switchboard.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.api.ApiException;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HandlesTest {

    @Test
    void acceptsGoodHandles() {
        assertEquals("acme", Handles.forRegistration("acme"));
        assertEquals("a_1", Handles.forRegistration("a_1"));
        assertEquals("x" + "y".repeat(31), Handles.forRegistration("x" + "y".repeat(31)));
    }

    @Test
    void lowerCasesInput() {
        assertEquals("alice_smith", Handles.forRegistration("Alice_SMITH"));
        assertEquals(Optional.of("acme"), Handles.normalize("ACME"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "ab", "1abc", "_abc", "ab cd", " abcd", "abcd ", "ab-cd", "ab.cd", "abc!",
            "\u0430\u0441me",        // Cyrillic а and с: looks like "acme"
            "\u212Aelvin",           // Kelvin sign, which lower-cases to ASCII 'k'
            "acm\u00e9",
            "abcdefghijklmnopqrstuvwxyz0123456", // 33 characters
    })
    void refusesInvalidHandles(String input) {
        ApiException e = assertThrows(ApiException.class, () -> Handles.forRegistration(input));
        assertEquals(400, e.status());
        assertEquals("invalid_handle", e.code());
        assertTrue(Handles.normalize(input).isEmpty());
    }

    @Test
    void refusesNull() {
        assertEquals("invalid_handle", assertThrows(ApiException.class, () -> Handles.forRegistration(null)).code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin", "Admin", "ROOT", "support", "switchboard", "switchboard_team", "admin_bob",
            "noreply", "postmaster", "moderator", "official", "www", "api", "bot", "abuse", "staff"})
    void refusesReservedNames(String input) {
        ApiException e = assertThrows(ApiException.class, () -> Handles.forRegistration(input));
        assertEquals("invalid_handle", e.code());
        assertTrue(e.getMessage().contains("reserved"));
    }

    @Test
    void reservedNamesAreStillValidForLookup() {
        assertEquals(Optional.of("admin"), Handles.normalize("ADMIN"));
    }
}
