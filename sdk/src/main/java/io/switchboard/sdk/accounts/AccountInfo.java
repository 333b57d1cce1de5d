package io.switchboard.sdk.accounts;

import java.time.Instant;

/** The public facts of an account, as features may see them. */
public record AccountInfo(String id, String handle, String displayName, AccountKind kind, String about,
                          boolean verified, Instant createdAt) {}
