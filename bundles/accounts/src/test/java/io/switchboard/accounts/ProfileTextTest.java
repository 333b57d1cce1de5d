package io.switchboard.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.sdk.api.ApiException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProfileTextTest {

    @Test
    void displayNameIsTrimmedAndLimited() {
        assertEquals("Alice", ProfileText.displayName("  Alice \t"));
        assertEquals("x".repeat(64), ProfileText.displayName("x".repeat(64)));
        assertEquals("😀".repeat(64), ProfileText.displayName("😀".repeat(64)));
        assertCode("invalid_display_name", () -> ProfileText.displayName("x".repeat(65)));
        assertCode("invalid_display_name", () -> ProfileText.displayName("   "));
        assertCode("invalid_display_name", () -> ProfileText.displayName("a\u0000b"));
        assertCode("invalid_display_name", () -> ProfileText.displayName("a\nb"));
        assertCode("invalid_display_name", () -> ProfileText.displayName("evil\u202Emoc.elgoog"));
        assertCode("invalid_display_name", () -> ProfileText.displayName("x".repeat(100_000)));
    }

    @Test
    void aboutAllowsLineBreaksUpTo500() {
        assertEquals(Optional.of("line one\nline two"), ProfileText.about("line one\r\nline two\n"));
        assertEquals(Optional.empty(), ProfileText.about("  "));
        assertEquals(Optional.of("y".repeat(500)), ProfileText.about("y".repeat(500)));
        assertCode("invalid_about", () -> ProfileText.about("y".repeat(501)));
        assertCode("invalid_about", () -> ProfileText.about("bell\u0007"));
    }

    private static void assertCode(String code, org.junit.jupiter.api.function.Executable e) {
        ApiException failure = assertThrows(ApiException.class, e);
        assertEquals(400, failure.status());
        assertEquals(code, failure.code());
    }
}
