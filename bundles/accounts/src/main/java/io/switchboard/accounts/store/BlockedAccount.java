package io.switchboard.accounts.store;

import java.time.Instant;

/** An account the caller has blocked, as the caller's block list shows it. */
public record BlockedAccount(String handle, String displayName, Instant blockedAt) {}
