package io.switchboard.accounts.store;

import java.util.Optional;

/** What a login is checked against. The hash is empty for accounts that cannot log in (bots, channels). */
public record Credentials(String accountId, Optional<String> passwordHash) {}
