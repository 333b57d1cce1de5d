package io.switchboard.sdk.auth;

import java.security.Principal;

/**
 * The authenticated caller of a request or stream: the account and the session (device) it uses.
 * The gateway puts it into the JAX-RS {@code SecurityContext}; read it with {@link Caller}.
 */
public record AccountPrincipal(String accountId, String handle, String kind, String sessionId) implements Principal {
    @Override
    public String getName() { return handle; }
}
