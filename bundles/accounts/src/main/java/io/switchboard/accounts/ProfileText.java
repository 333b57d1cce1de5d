package io.switchboard.accounts;

import io.switchboard.sdk.api.ApiException;
import java.text.Normalizer;
import java.util.Optional;

/** Validation of the free texts of a profile: display name, about, device name. */
public final class ProfileText {
    private ProfileText() {}

    public static final int MAX_DISPLAY_NAME = 64;
    public static final int MAX_ABOUT = 500;
    public static final int MAX_DEVICE_NAME = 64;

    /** A display name: trimmed, NFC, 1..64 characters, no control or bidi-override characters. */
    public static String displayName(String input) {
        String value = clean(input, false);
        int length = value.codePointCount(0, value.length());
        if (length < 1 || length > MAX_DISPLAY_NAME || !allowed(value, false)) {
            throw ApiException.badRequest("invalid_display_name",
                    "A display name is 1 to " + MAX_DISPLAY_NAME + " characters without control characters.");
        }
        return value;
    }

    /** About text: up to 500 characters, line breaks allowed; empty means none. */
    public static Optional<String> about(String input) {
        String value = clean(input, true);
        if (value.codePointCount(0, value.length()) > MAX_ABOUT || !allowed(value, true)) {
            throw ApiException.badRequest("invalid_about",
                    "About is at most " + MAX_ABOUT + " characters without control characters.");
        }
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** A device name for a session; absent or blank means none. */
    public static Optional<String> deviceName(String input) {
        if (input == null) return Optional.empty();
        String value = clean(input, false);
        if (value.codePointCount(0, value.length()) > MAX_DEVICE_NAME || !allowed(value, false)) {
            throw ApiException.badRequest("invalid_device_name",
                    "A device name is at most " + MAX_DEVICE_NAME + " characters without control characters.");
        }
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static String clean(String input, boolean multiline) {
        if (input == null) return "";
        // Length is checked before normalizing so a huge input costs nothing more.
        if (input.length() > 4 * MAX_ABOUT) return input;
        String value = Normalizer.normalize(input, Normalizer.Form.NFC);
        if (multiline) value = value.replace("\r\n", "\n");
        return value.strip();
    }

    private static boolean allowed(String value, boolean multiline) {
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (multiline && cp == '\n') continue;
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || isBidiControl(cp)) {
                return false;
            }
        }
        return true;
    }

    // Bidi embeddings, overrides and isolates can make a name read as someone else's.
    private static boolean isBidiControl(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F
                || cp == 0x061C;
    }
}
