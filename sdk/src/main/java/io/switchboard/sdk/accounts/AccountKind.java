package io.switchboard.sdk.accounts;

import java.util.Locale;
import java.util.Optional;

/** What an account is. Written in JSON as the lower-case name. */
public enum AccountKind {
    PERSON, BUSINESS, BOT, CHANNEL;

    public String wireName() { return name().toLowerCase(Locale.ROOT); }

    public static Optional<AccountKind> fromWire(String value) {
        for (AccountKind k : values()) {
            if (k.wireName().equals(value)) return Optional.of(k);
        }
        return Optional.empty();
    }
}
