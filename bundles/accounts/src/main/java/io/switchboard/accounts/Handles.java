package io.switchboard.accounts;

import io.switchboard.sdk.api.ApiException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The handle rule of the API: ASCII {@code [a-z][a-z0-9_]{2,31}} after lower-casing, reserved names
 * refused. ASCII is checked before lower-casing because some non-ASCII letters lower-case to ASCII
 * (the Kelvin sign becomes "k"), and a handle must never have a look-alike spelling.
 */
public final class Handles {
    private Handles() {}

    public static final int MAX_LENGTH = 32;
    private static final Pattern RULE = Pattern.compile("[a-z][a-z0-9_]{2,31}");

    /** Names that would let someone pose as the operator or a role; refused as {@code invalid_handle}. */
    static final Set<String> RESERVED = Set.of(
            "admin", "administrator", "root", "support", "system", "switchboard", "help", "security",
            "api", "www", "bot", "official", "moderator", "staff", "info", "abuse", "postmaster",
            "noreply", "no_reply", "webmaster", "hostmaster", "mod", "mods", "owner", "operator",
            "everyone", "here", "null", "undefined", "anonymous", "settings", "login", "logout",
            "register", "signup", "directory", "accounts", "account", "sessions", "billing",
            "payments", "team", "verify", "verified", "trust", "safety", "status", "sip", "bots",
            "channels", "mail", "email", "contact", "legal", "privacy", "news", "updates");

    /** Prefixes nobody but the operator may use ({@code switchboard_team}, {@code admin_bob}). */
    private static final String[] RESERVED_PREFIXES = {"switchboard", "admin"};

    /** The stored form of a handle a client chose, or a 400 {@code invalid_handle}. */
    public static String forRegistration(String input) {
        String handle = normalize(input).orElseThrow(() -> ApiException.badRequest("invalid_handle",
                "A handle is 3 to 32 characters: a letter a-z, then letters a-z, digits or '_'."));
        if (isReserved(handle)) {
            throw ApiException.badRequest("invalid_handle", "This handle is reserved.");
        }
        return handle;
    }

    /** The lower-cased handle when the input follows the rule (reserved names included), else empty. */
    public static Optional<String> normalize(String input) {
        if (input == null || input.length() > MAX_LENGTH) return Optional.empty();
        for (int i = 0; i < input.length(); i++) {
            if (input.charAt(i) > 0x7F) return Optional.empty();
        }
        String lower = input.toLowerCase(Locale.ROOT);
        return RULE.matcher(lower).matches() ? Optional.of(lower) : Optional.empty();
    }

    public static boolean isReserved(String handle) {
        if (RESERVED.contains(handle)) return true;
        for (String prefix : RESERVED_PREFIXES) {
            if (handle.startsWith(prefix)) return true;
        }
        return false;
    }
}
