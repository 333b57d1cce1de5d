package io.switchboard.accounts.store;

import io.switchboard.sdk.accounts.AccountKind;
import java.time.Instant;

/** A live session and the account it belongs to, as found by its token hash. */
public record SessionOwner(String sessionId, String accountId, String handle, AccountKind kind, Instant lastSeenAt) {}
