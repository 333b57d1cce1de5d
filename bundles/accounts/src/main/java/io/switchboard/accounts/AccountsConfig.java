package io.switchboard.accounts;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value AccountsComponent#PID}. Property names use dots: {@code login.handle.max.failures}. */
@ObjectClassDefinition(name = "Switchboard accounts", description = "Login rate limits and password hashing.")
public @interface AccountsConfig {
    @AttributeDefinition(description = "Failed logins per handle within the handle window before 429.", min = "1")
    int login_handle_max_failures() default 5;

    @AttributeDefinition(description = "Window for failed logins per handle, in seconds.", min = "1")
    int login_handle_window_seconds() default 900;

    @AttributeDefinition(description = "Failed logins per client address within the address window before 429.", min = "1")
    int login_address_max_failures() default 20;

    @AttributeDefinition(description = "Window for failed logins per client address, in seconds.", min = "1")
    int login_address_window_seconds() default 300;

    @AttributeDefinition(description = "PBKDF2-HMAC-SHA256 iterations for new hashes; never below 210000.", min = "210000")
    int password_iterations() default 210_000;

    @AttributeDefinition(description = "Days a session may go unused before it ends.", min = "1")
    int session_idle_days() default 90;
}
