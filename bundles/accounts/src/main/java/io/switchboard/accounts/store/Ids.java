package io.switchboard.accounts.store;

/** Account and session ids: opaque, 26 base32 characters. */
public final class Ids {
    private Ids() {}

    public static String newId() {
        return io.switchboard.sdk.api.Ids.random("");
    }
}
