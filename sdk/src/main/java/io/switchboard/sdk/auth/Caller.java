package io.switchboard.sdk.auth;

import io.switchboard.sdk.api.ApiException;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Optional;

/** Reads the caller from a request's SecurityContext. */
public final class Caller {
    private Caller() {}

    /** The caller, or a 401 {@link ApiException} when the request carries no valid token. */
    public static AccountPrincipal require(SecurityContext context) {
        return find(context).orElseThrow(() -> ApiException.unauthorized("A valid bearer token is required."));
    }

    public static Optional<AccountPrincipal> find(SecurityContext context) {
        if (context != null && context.getUserPrincipal() instanceof AccountPrincipal p) {
            return Optional.of(p);
        }
        return Optional.empty();
    }
}
