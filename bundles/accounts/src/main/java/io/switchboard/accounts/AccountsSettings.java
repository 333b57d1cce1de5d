package io.switchboard.accounts;

import io.switchboard.accounts.security.FailureLimiter.Policy;
import io.switchboard.accounts.security.PasswordHasher;
import java.time.Duration;

/** The feature's settings as plain values, so the service can be built without OSGi. */
public record AccountsSettings(Policy perHandle, Policy perAddress, int passwordIterations, Duration sessionIdle) {
    /** A session not used for this long ends (the device logs in again). */
    public static final Duration DEFAULT_SESSION_IDLE = Duration.ofDays(90);

    public AccountsSettings(Policy perHandle, Policy perAddress, int passwordIterations) {
        this(perHandle, perAddress, passwordIterations, DEFAULT_SESSION_IDLE);
    }

    public static AccountsSettings defaults() {
        return new AccountsSettings(new Policy(5, Duration.ofMinutes(15)), new Policy(20, Duration.ofMinutes(5)),
                PasswordHasher.MIN_ITERATIONS);
    }

    /** From the DS configuration; out-of-range values fall back to safe ones rather than failing. */
    public static AccountsSettings from(AccountsConfig c) {
        return new AccountsSettings(
                new Policy(Math.max(1, c.login_handle_max_failures()), Duration.ofSeconds(Math.max(1, c.login_handle_window_seconds()))),
                new Policy(Math.max(1, c.login_address_max_failures()), Duration.ofSeconds(Math.max(1, c.login_address_window_seconds()))),
                Math.max(PasswordHasher.MIN_ITERATIONS, c.password_iterations()),
                Duration.ofDays(Math.max(1, c.session_idle_days())));
    }
}
