package io.switchboard.accounts;

import io.switchboard.sdk.accounts.AccountInfo;

/** A new session: the bearer token (shown once, never stored) and its account. */
public record LoginResult(String token, String sessionId, AccountInfo account) {}
